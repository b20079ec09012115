"""GET /: the lobby."""
from wolfpy import redirect


def get(request):
    return redirect("/rooms/lobby")
