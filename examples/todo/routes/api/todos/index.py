"""GET /api/todos (optionally ?done=true|false), POST /api/todos."""
from dataclasses import dataclass
from typing import Optional

from models.todo import Todo
from wolfpy import ValidationError, api_route


@dataclass
class TodoIn:
    title: str
    done: bool = False

    def __post_init__(self):
        self.title = self.title.strip()
        if not 1 <= len(self.title) <= 200:
            raise ValidationError({"title": "must be 1 to 200 characters"})


@api_route
def get(request, done: Optional[bool] = None):
    query = Todo.select().order_by(Todo.id)
    if done is not None:
        query = query.where(Todo.done == done)
    return [todo.to_dict() for todo in query]


@api_route(status=201)
def post(request, todo: TodoIn):
    return Todo.create(title=todo.title, done=todo.done).to_dict()
