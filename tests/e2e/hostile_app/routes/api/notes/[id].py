"""GET /api/notes/<id>: one note, looked up by its integer id."""
from wolfpy import api_route

from models.note import Note


@api_route
def get(request, id: int):
    return Note.get_or_404(id).to_dict()
