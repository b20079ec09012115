"""GET, PATCH and DELETE /api/todos/{id}."""
from dataclasses import dataclass
from typing import Optional

from models.todo import Todo
from wolfpy import ValidationError, abort, api_route


@dataclass
class TodoPatch:
    title: Optional[str] = None
    done: Optional[bool] = None


def _get(id: int) -> Todo:
    todo = Todo.get_or_none(Todo.id == id)
    if todo is None:
        abort(404, f"no todo {id}")
    return todo


@api_route
def get(request, id: int):
    return _get(id).to_dict()


@api_route
def patch(request, id: int, changes: TodoPatch):
    todo = _get(id)
    if changes.title is not None:
        title = changes.title.strip()
        if not title or len(title) > 200:
            raise ValidationError({"title": "must be 1 to 200 characters"})
        todo.title = title
    if changes.done is not None:
        todo.done = changes.done
    todo.save()
    return todo.to_dict()


@api_route
def delete(request, id: int):
    _get(id).delete_instance()
    return None
