"""GET /api/notes?sort=...: notes in an allowlisted order. POST: create one from a typed body."""
from dataclasses import dataclass

from wolfpy import abort, api_route

from models.note import Note

SORTS = {
    "id": Note.id, "-id": Note.id.desc(),
    "title": Note.title, "-title": Note.title.desc(),
    "priority": Note.priority, "-priority": Note.priority.desc(),
}


@dataclass
class NoteIn:
    title: str
    body: str = ""
    priority: int = 0
    score: float = 0.0


@api_route
def get(request):
    sort = request.query.get("sort", "id")
    if sort not in SORTS:
        abort(400, f"sort must be one of: {', '.join(SORTS)}")
    return [note.to_dict() for note in Note.select().order_by(SORTS[sort]).limit(50)]


@api_route(status=201)
def post(request, note: NoteIn):
    row = Note.create(title=note.title, body=note.body, priority=note.priority, score=note.score)
    return {"id": row.id, "title": row.title, "priority": row.priority, "score": row.score}
