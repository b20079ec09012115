"""wolfpy.mail against a real SMTP server (aiosmtpd on loopback, STARTTLS and AUTH required)."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from wolfpy import mail

from .conftest import smtp_app
from .smtp_server import SMTPServer


def test_plain_text_over_starttls_with_auth(tmp_path: Path, smtp_server: SMTPServer) -> None:
    app = smtp_app(tmp_path / "p", smtp_server)
    mail.send("ada@example.com", "Hi", template="plain", name="Ada", app=app)
    [got] = smtp_server.recorder.messages
    assert got.rcpt_tos == ["ada@example.com"]
    assert got.mail_from == "noreply@example.com"
    assert got.message["Subject"] == "Hi"
    assert got.message.get_content_type() == "text/plain"
    assert got.message.get_content() == "Just text for Ada.\n"
    assert smtp_server.recorder.logins   # AUTH happened (the server only allows it after STARTTLS)


def test_html_and_text_alternative(tmp_path: Path, smtp_server: SMTPServer) -> None:
    app = smtp_app(tmp_path / "p", smtp_server)
    mail.send("ada@example.com", "Welcome", template="welcome", name="<Ada>", app=app,
              cc="Bob <bob@example.com>", bcc=["eve@example.com"], reply_to="help@example.com")
    [got] = smtp_server.recorder.messages
    message = got.message
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hello <Ada>," in text and "5 < 6 & so on" in text          # text is not HTML-escaped
    assert "<b>&lt;Ada&gt;</b>" in html                                 # HTML is
    assert sorted(got.rcpt_tos) == ["ada@example.com", "bob@example.com", "eve@example.com"]
    assert "Bcc" not in message and "eve@" not in message.as_string()   # Bcc is envelope only
    assert message["Reply-To"] == "help@example.com"


def test_attachment(tmp_path: Path, smtp_server: SMTPServer) -> None:
    app = smtp_app(tmp_path / "p", smtp_server)
    report = tmp_path / "report.csv"
    report.write_text("a,b\n1,2\n")
    mail.send("ada@example.com", "Report", template="plain", name="Ada", app=app,
              attachments=[report, ("logo.png", b"\x89PNG\r\n\x1a\n-bytes")],
              headers={"X-Campaign": "spring"})
    message = smtp_server.recorder.messages[0].message
    files = {part.get_filename(): part for part in message.iter_attachments()}
    assert files["report.csv"].get_content() == "a,b\n1,2\n"
    assert files["logo.png"].get_content_type() == "image/png"
    assert files["logo.png"].get_content() == b"\x89PNG\r\n\x1a\n-bytes"
    assert message["X-Campaign"] == "spring"


def test_batch_uses_one_connection(tmp_path: Path, smtp_server: SMTPServer) -> None:
    app = smtp_app(tmp_path / "p", smtp_server)
    with mail.connection(app):
        for i in range(5):
            mail.send(f"user{i}@example.com", f"News {i}", template="plain", name=str(i), app=app)
    mail.send_many([{"to": "x@example.com", "subject": "A", "template": "plain", "name": "x"},
                    {"to": "y@example.com", "subject": "B", "template": "plain", "name": "y"}], app=app)
    assert len(smtp_server.recorder.messages) == 7
    assert smtp_server.recorder.connections == 2      # one for the block, one for send_many
    mail.send("z@example.com", "C", template="plain", name="z", app=app)
    assert smtp_server.recorder.connections == 3      # a lone send opens its own


@pytest.mark.parametrize("field,value", [
    ("subject", "Hello\r\nBcc: victim@example.com"),
    ("to", "ada@example.com\nBcc: victim@example.com"),
    ("cc", "bob@example.com\rX-Evil: 1"),
    ("reply_to", "Ada\n <ada@example.com>"),
])
def test_line_breaks_in_headers_are_refused(tmp_path: Path, smtp_server: SMTPServer, field: str,
                                            value: str) -> None:
    app = smtp_app(tmp_path / "p", smtp_server)
    args = {"to": "ada@example.com", "subject": "Hi"}
    extra = {}
    if field in args:
        args[field] = value
    else:
        extra[field] = value
    with pytest.raises(mail.HeaderInjection, match="header injection"):
        mail.send(args["to"], args["subject"], template="plain", name="x", app=app, **extra)
    with pytest.raises(mail.HeaderInjection):
        mail.send("ada@example.com", "Hi", template="plain", name="x", app=app,
                  headers={"X-Tag": "a\r\nBcc: victim@example.com"})
    assert smtp_server.recorder.messages == [] and smtp_server.recorder.connections == 0


@pytest.mark.parametrize("bad", ["not-an-address", "ada@", "@example.com", "a@b@c.com", "a@example.com, b@example.com",
                                 "", "x" * 400 + "@example.com"])
def test_bad_addresses_are_refused(tmp_path: Path, smtp_server: SMTPServer, bad: str) -> None:
    app = smtp_app(tmp_path / "p", smtp_server)
    with pytest.raises(mail.InvalidAddress):
        mail.send(bad, "Hi", template="plain", name="x", app=app)
    assert smtp_server.recorder.connections == 0


def test_wrong_password_is_one_clear_error(tmp_path: Path, smtp_server: SMTPServer) -> None:
    app = smtp_app(tmp_path / "p", smtp_server, url=smtp_server.url(password="wrong"))
    with pytest.raises(mail.MailError, match="refused the user name or password") as info:
        mail.send("ada@example.com", "Hi", template="plain", name="x", app=app)
    assert "wrong" not in str(info.value)


def test_untrusted_certificate_is_refused(tmp_path: Path, smtp_server: SMTPServer) -> None:
    from wolfpy import App
    from .conftest import mail_project
    app = App(mail_project(tmp_path / "p", smtp_server.url()))     # no ca_file: self-signed is not trusted
    with pytest.raises(mail.MailError, match="cannot connect"):
        mail.send("ada@example.com", "Hi", template="plain", name="x", app=app)
    assert smtp_server.recorder.messages == []


def test_smtps(tmp_path: Path, smtps_server: SMTPServer) -> None:
    app = smtp_app(tmp_path / "p", smtps_server)
    mail.send("ada@example.com", "Over TLS", template="plain", name="Ada", app=app)
    assert [m.message["Subject"] for m in smtps_server.recorder.messages] == ["Over TLS"]


def test_async_send_runs_off_the_loop(tmp_path: Path, smtp_server: SMTPServer) -> None:
    app = smtp_app(tmp_path / "p", smtp_server)

    async def main() -> None:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.001)
        task = asyncio.create_task(ticker())
        with pytest.raises(mail.MailError, match="send_async"):
            mail.send("ada@example.com", "Blocking", template="plain", name="x", app=app)
        await mail.send_async("ada@example.com", "Async", template="plain", name="x", app=app)
        task.cancel()
        assert ticks >= 1
    asyncio.run(main())
    assert [m.message["Subject"] for m in smtp_server.recorder.messages] == ["Async"]
