from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Iterator

import pytest

from .smtp_server import SMTPServer

TEMPLATES = {
    "templates/mail/welcome.txt": "Hello ${name},\n\nwelcome to ${app.settings.app.name}. 5 < 6 & so on.\n",
    "templates/mail/welcome.html": "<p>Hello <b>${name}</b>, welcome!</p>\n",
    "templates/mail/plain.txt": "Just text for ${name}.\n",
}


def mail_project(root: Path, url: str = "memory", extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "wolfpy.toml").write_text(textwrap.dedent(f"""
        [app]
        name = "mailtest"
        secret_key = "{'k' * 40}"

        [mail]
        url = "{url}"
        sender = "Mail Test <noreply@example.com>"
        {extra}
    """), encoding="utf-8")
    (root / "routes").mkdir(exist_ok=True)
    for rel, text in TEMPLATES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[SMTPServer]:
    server = SMTPServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def smtps_server(tmp_path: Path) -> Iterator[SMTPServer]:
    server = SMTPServer(tmp_path, implicit_tls=True).start()
    yield server
    server.stop()


def smtp_app(root: Path, server: SMTPServer, url: str | None = None) -> Any:
    from wolfpy import App
    mail_project(root, url or server.url(), extra=f'ca_file = "{server.cert}"\ntimeout = 5')
    return App(root)
