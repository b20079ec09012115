"""The ``greeter`` plugin: everything it adds, declared in one Extension."""
from __future__ import annotations

from pathlib import Path

from wolfpy.checks import CheckMessage
from wolfpy.extensions import Extension

from .models import Greeting

HERE = Path(__file__).parent

extension = Extension(
    "greeter",
    version="1.0.0",
    requires="wolfpy>=0.1,<0.3",
    prefix="/greet",
    routes_dir=HERE / "routes",
    templates=HERE / "templates",
    settings={"greeting": "Hello"},
    models=[Greeting],
    migrations=HERE / "migrations",
    commands={"greeter": "wolfpy_hello.cli:app"},
)


def _mark(request, call_next):
    response = call_next(request)
    response.headers["X-Greeter"] = extension.version
    return response


extension.add_middleware(_mark, prefix="/greet")


@extension.check("greeter.W001")
def _check(app):
    if not app.settings.greeter.greeting.strip():
        yield CheckMessage("warning", "greeter.W001", "[greeter] greeting is empty", "set a greeting")
