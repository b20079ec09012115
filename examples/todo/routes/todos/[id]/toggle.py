"""POST /todos/{id}/toggle from the page's checkboxes (no JavaScript needed)."""
from models.todo import Todo
from wolfpy import abort, redirect


def post(request, id: int):
    todo = Todo.get_or_none(Todo.id == id) or abort(404)
    todo.done = not todo.done
    todo.save()
    return redirect("/", status=303)
