"""The HTML front end: the list, and a form to add a todo (validated, re-rendered on errors)."""
from dataclasses import dataclass

from models.todo import Todo
from wolfpy import Form, ValidationError, redirect, render


@dataclass
class NewTodo:
    title: str

    def __post_init__(self):
        self.title = self.title.strip()
        if not self.title:
            raise ValidationError({"title": "Please write something to do."})


def _page(form, status=200):
    todos = list(Todo.select().order_by(Todo.done, Todo.id))
    return render("index.html", status=status, todos=todos, form=form,
                  left=sum(not t.done for t in todos))


def get(request):
    return _page(Form(NewTodo))


def post(request):
    form = Form(NewTodo, request)
    if not form.valid:
        return _page(form, status=422)
    Todo.create(title=form.data.title)
    return redirect("/", status=303)
