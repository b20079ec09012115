"""GET /search?q=...: the query is shown back on the page."""
from wolfpy import render


def get(request):
    return render("search.html", q=request.query.get("q", ""))
