"""The console, memory and file backends, the `outbox` fixture and `wolfpy mail test`."""
from __future__ import annotations

import logging
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import run_cli
from wolfpy import App, mail

from .conftest import mail_project
from .smtp_server import SMTPServer


def test_outbox_fixture_catches_mail_whatever_the_url(tmp_path: Path, outbox: list[Any]) -> None:
    app = App(mail_project(tmp_path, "smtp://nobody:x@127.0.0.1:1"))   # would fail to connect
    mail.send("ada@example.com", "Welcome", template="welcome", name="Ada", app=app)
    [message] = outbox
    assert message["To"] == "ada@example.com"
    assert message["From"] == "Mail Test <noreply@example.com>"
    assert "welcome to mailtest" in message.get_body(("plain",)).get_content()


def test_file_backend_writes_eml_files(tmp_path: Path) -> None:
    app = App(mail_project(tmp_path / "p", "file://outgoing"))
    mail.send("ada@example.com", "One", template="plain", name="Ada", app=app)
    mail.send("bob@example.com", "Two", template="plain", name="Bob", app=app)
    files = sorted((tmp_path / "p" / "outgoing").glob("*.eml"))
    assert len(files) == 2
    parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert sorted(m["Subject"] for m in parsed) == ["One", "Two"]
    assert not list((tmp_path / "p" / "outgoing").glob(".*"))   # no half-written files left


def test_console_backend_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = App(mail_project(tmp_path, "console"))
    with caplog.at_level(logging.INFO, logger="wolfpy.mail"):
        mail.send("ada@example.com", "Logged", template="plain", name="Ada", app=app)
    assert "Subject: Logged" in caplog.text and "Just text for Ada." in caplog.text


def test_environment_overrides_the_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WOLFPY_MAIL_URL", f"file://{tmp_path / 'env-out'}")
    app = App(mail_project(tmp_path / "p", "console"))
    mail.send("ada@example.com", "Env", template="plain", name="Ada", app=app)
    assert len(list((tmp_path / "env-out").glob("*.eml"))) == 1


@pytest.mark.parametrize("url,message", [("ftp://x", "is not one of"), ("smtp://", "names no host"),
                                         ("smtp://h:notaport", "port")])
def test_bad_urls_are_clear(tmp_path: Path, url: str, message: str) -> None:
    app = App(mail_project(tmp_path, url))
    with pytest.raises(mail.MailError, match=message):
        mail.send("ada@example.com", "Hi", template="plain", name="x", app=app)


def test_missing_template_names_the_file(tmp_path: Path, outbox: list[Any]) -> None:
    app = App(mail_project(tmp_path))
    with pytest.raises(mail.MailError, match="templates/mail/nope.txt"):
        mail.send("ada@example.com", "Hi", template="nope", app=app)
    assert outbox == []


def test_cli_mail_test_through_smtp(tmp_path: Path, smtp_server: SMTPServer) -> None:
    root = mail_project(tmp_path / "p", smtp_server.url(), extra=f'ca_file = "{smtp_server.cert}"')
    code, out, err = run_cli("mail", "test", "ops@example.com", cwd=root)
    assert code == 0, err
    assert f"sent a test message to ops@example.com through smtp://mailer:***@127.0.0.1:{smtp_server.port}" in out
    assert smtp_server.recorder.messages[0].rcpt_tos == ["ops@example.com"]
    assert "s3cret" not in out + err


def test_cli_mail_test_errors_are_one_line(tmp_path: Path) -> None:
    root = mail_project(tmp_path / "p", "smtp://u:p@127.0.0.1:1?timeout=2")
    code, out, err = run_cli("mail", "test", "ops@example.com", cwd=root)
    assert code != 0 and err.startswith("error: cannot connect to smtp://127.0.0.1:1") and "Traceback" not in err
    code, out, err = run_cli("mail", "test", "ops@example.com\r\nBcc: x@example.com", cwd=root)
    assert code != 0 and err.startswith("error:") and "header injection" in err


def test_production_with_the_console_backend_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    from wolfpy import load
    mail_project(tmp_path, "console")
    monkeypatch.setenv("WOLFPY_APP_ALLOWED_HOSTS", "example.com")
    with caplog.at_level(logging.WARNING, logger="wolfpy.mail"):
        load(tmp_path, mode="production")
    assert "[mail] url is console in production" in caplog.text and "written to the log" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="wolfpy.mail"):
        load(tmp_path, mode="development")
    assert "in production" not in caplog.text
