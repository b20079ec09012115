"""A third-party-style WolfPy plugin, written to disk as an installed distribution would be.

``install_plugin(folder)`` writes the package ``acme_hello`` and an
``acme_hello-1.0.dist-info`` with its ``wolfpy.plugins`` entry point into ``folder``;
putting ``folder`` on ``sys.path`` (or ``PYTHONPATH``) makes it installed, as pip would.
It uses nothing but WolfPy's public API.
"""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

PACKAGE = {
    "acme_hello/__init__.py": '''
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
    ''',
    "acme_hello/cli.py": '''
        import typer

        app = typer.Typer(help="Greetings from the acme_hello plugin.")


        @app.command()
        def greet(name: str = typer.Argument("world")) -> None:
            """Print a greeting."""
            typer.echo(f"hello, {name}")
    ''',
    "acme_hello/templates/hello/page.html": '''
        <!doctype html><title>hello</title><p class="greeting">${greeting}, ${name}!</p>
        <link rel="stylesheet" href="/static/hello/hello.css">
    ''',
    "acme_hello/static/hello.css": '''
        .greeting { color: teal; }
    ''',
    "acme_hello-1.0.dist-info/METADATA": '''
        Metadata-Version: 2.1
        Name: acme-hello
        Version: 1.0
    ''',
    "acme_hello-1.0.dist-info/entry_points.txt": '''
        [wolfpy.plugins]
        hello = acme_hello:extension
    ''',
}


def install_plugin(folder: Path) -> Path:
    """Write the plugin into ``folder`` and return it (add it to sys.path to install it)."""
    for rel, text in PACKAGE.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return folder


def uninstall(folder: Path) -> None:
    """Forget the plugin's modules so another test starts from scratch."""
    while str(folder) in sys.path:
        sys.path.remove(str(folder))
    for name in [n for n in sys.modules if n == "acme_hello" or n.startswith("acme_hello.")]:
        del sys.modules[name]
