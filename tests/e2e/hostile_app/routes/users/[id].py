"""GET /users/<id>: a user's public page (an int path parameter that reaches the database)."""
from wolfpy import render

from models.user import User


def get(request, id: int):
    return render("user.html", profile=User.get_or_404(id))
