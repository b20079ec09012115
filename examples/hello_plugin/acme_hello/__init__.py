"""acme_hello: a greeting page, a JSON API, a template, static files, a setting,
middleware for its own URLs, a check and a command, all through wolfpy.Extension."""
from pathlib import Path

from wolfpy import render
from wolfpy.checks import CheckMessage
from wolfpy.extensions import Extension

HERE = Path(__file__).parent


def _validate(section):
    if not section["greeting"].strip():
        raise ValueError("greeting must not be empty")


extension = Extension(
    "hello", prefix="/hello", templates=HERE / "templates", static=HERE / "static",
    settings={"greeting": "Hello", "shout": False}, validate=_validate,
    commands={"hello": "acme_hello.cli:app"},
)


@extension.route("/", name="hello:index")
def index(request):
    settings = request.app.settings.hello
    greeting = settings.greeting.upper() if settings.shout else settings.greeting
    return render("hello/page.html", greeting=greeting, name=request.query.get("name", "world"))


@extension.api_route("/api/{n:int}", name="hello:api")
def api(request, n: int):
    return {"n": n, "greeting": request.app.settings.hello.greeting}


def _stamp(request, call_next):
    response = call_next(request)
    response.headers["X-Hello"] = "1"
    return response


extension.add_middleware(_stamp, prefix="/hello")


@extension.check("hello.W001")
def _check(app):
    if app.settings.hello.shout:
        yield CheckMessage("warning", "hello.W001", "[hello] shout is on", "turn it off")
