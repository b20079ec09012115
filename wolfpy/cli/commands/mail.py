"""``wolfpy mail test ADDRESS``: send one message through ``[mail] url`` to check the settings."""
from __future__ import annotations

import typer

from ..common import fail, find_project

mail_app = typer.Typer(help="Send a test message through the project's mail settings (wolfpy.toml, section mail).", no_args_is_help=True)

TEXT = """This is a test message from {name}.

It was sent by `wolfpy mail test` through {url}.
If you can read it, the [mail] settings work.
"""


@mail_app.command("test")
def test(address: str = typer.Argument(..., help="Who gets the test message.")) -> None:
    """Send one test message to ADDRESS through the mail url and say where it went."""
    from ...app import App
    from ...errors import WolfPyError
    from ... import mail

    project = find_project()
    try:
        app = App(project)
        url = mail.describe_url(app)
        name = str(app.settings.app.name or project.root.name)
        mail.send(address, f"Test message from {name}", text=TEXT.format(name=name, url=url), app=app)
    except WolfPyError as exc:
        fail(str(exc))
    typer.echo(f"sent a test message to {address} through {url}")
