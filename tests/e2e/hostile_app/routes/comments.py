"""GET /comments: the list and an HTML form. POST (urlencoded, CSRF): add a comment."""
from wolfpy import render

from models.comment import Comment


def page(name="", text="", error="", status=200):
    comments = list(Comment.select().order_by(Comment.id.desc()).limit(20))
    return render("comments.html", comments=comments, name=name, text=text, error=error, status=status)


def get(request):
    return page()


def post(request):
    name = request.form.get("name", "").strip()
    text = request.form.get("text", "")
    if not name or not text or len(name) > 200:
        return page(name, text, "A name (at most 200 characters) and a comment are required.", status=422)
    Comment.create(name=name, text=text)
    return page()
