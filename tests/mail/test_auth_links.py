"""The reset and confirmation pages of `wolfpy generate auth`, in-process with the `outbox`
fixture: throttling, the confirmation modes, links made for another purpose or tampered."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.cli_runner import run_cli
from wolfpy import load
from wolfpy.config import ConfigError
from wolfpy.testing import TestClient

PASSWORD = "password-one-1"


def ok(*args: str, cwd: Path) -> str:
    code, out, err = run_cli(*args, cwd=cwd)
    assert code == 0, f"{args}: {out}\n{err}"
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("links")
    ok("new", "links", cwd=parent)
    root = parent / "links"
    out = ok("generate", "auth", cwd=root)
    for rel in ("routes/auth/reset.py", "routes/auth/reset/[token].py", "routes/auth/confirm.py",
                "routes/auth/confirm/[token].py", "templates/mail/reset_password.txt",
                "templates/mail/confirm_email.html", "templates/auth/link_invalid.html"):
        assert rel in out and (root / rel).is_file()
    ok("db", "migrate", "--yes", cwd=root)
    ok("create", "user", "ada", "--email", "ada@example.com", "--password", PASSWORD, cwd=root)
    return root


@pytest.fixture
def site(project: Path, monkeypatch: pytest.MonkeyPatch, outbox: list[Any]) -> Iterator[Any]:
    monkeypatch.chdir(project)

    def make(**env: str) -> TestClient:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        return TestClient(load(project))
    yield make


def csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def ask_reset(client: TestClient, email: str, ip: str = "127.0.0.1") -> Any:
    token = csrf(client, "/auth/reset")
    client.client_addr = (ip, 50000)
    try:
        return client.post("/auth/reset", data={"email": email, "csrf_token": token})
    finally:
        client.client_addr = ("127.0.0.1", 50000)


def test_reset_requests_are_throttled_per_address(site: Any, outbox: list[Any]) -> None:
    client = site(WOLFPY_AUTH_RESET_LIMIT="3")
    statuses = [ask_reset(client, "Ada@Example.com", ip=f"10.0.0.{i}").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert len(outbox) == 3 and all(m["To"] == "ada@example.com" for m in outbox)
    response = ask_reset(client, "ada@example.com", ip="10.0.0.9")
    assert response.status_code == 429 and "Too many requests" in response.text
    assert response.headers["retry-after"]


def test_reset_requests_are_throttled_per_client(site: Any, outbox: list[Any]) -> None:
    client = site(WOLFPY_AUTH_RESET_LIMIT="3")
    statuses = [ask_reset(client, f"someone{i}@example.com").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]      # other addresses, one client
    assert outbox == []                          # nobody uses them: nothing sent


def test_optional_confirmation_signs_in_and_mails_a_link(site: Any, outbox: list[Any]) -> None:
    client = site()
    response = client.post("/auth/register", data={"username": "bob", "email": "bob@example.com",
                                                   "password": PASSWORD, "csrf_token": csrf(client, "/auth/register")})
    assert (response.status_code, response.headers["location"]) == (303, "/")
    [message] = outbox
    assert message["Subject"] == "Confirm your email address"
    path = re.search(r"http://[^/\s]+(/auth/confirm/\S+)", message.get_body(("plain",)).get_content()).group(1)
    # A confirmation link is not a reset link, and a tampered one is refused.
    assert client.get(path.replace("/confirm/", "/reset/")).status_code == 400
    assert client.get(path[:-2] + ("xx" if not path.endswith("xx") else "yy")).status_code == 400
    page = client.get(path)
    assert page.status_code == 200 and "Confirm my address" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post(path, data={"csrf_token": token}).status_code == 303
    assert client.get(path).status_code == 400   # spent


def test_mandatory_confirmation_waits_for_the_link(site: Any, outbox: list[Any]) -> None:
    client = site(WOLFPY_AUTH_CONFIRM_EMAIL="mandatory")
    response = client.post("/auth/register", data={"username": "cyd", "email": "cyd@example.com",
                                                   "password": PASSWORD, "csrf_token": csrf(client, "/auth/register")})
    assert response.headers["location"] == "/auth/confirm"
    assert "open it to confirm your address" in client.get("/auth/confirm").text
    login = client.post("/auth/login", data={"username": "cyd", "password": PASSWORD,
                                             "csrf_token": csrf(client, "/auth/login")})
    assert login.status_code == 401
    # Accounts made otherwise (wolfpy create user) count as confirmed.
    login = client.post("/auth/login", data={"username": "ada", "password": PASSWORD,
                                             "csrf_token": csrf(client, "/auth/login")})
    assert login.status_code == 303


def test_off_sends_nothing(site: Any, outbox: list[Any]) -> None:
    client = site(WOLFPY_AUTH_CONFIRM_EMAIL="off")
    response = client.post("/auth/register", data={"username": "dee", "email": "dee@example.com",
                                                   "password": PASSWORD, "csrf_token": csrf(client, "/auth/register")})
    assert response.status_code == 303 and outbox == []


def test_bad_settings_stop_the_app_with_one_line(site: Any) -> None:
    with pytest.raises(ConfigError, match=r"\[auth\] confirm_email is one of optional, mandatory, off"):
        site(WOLFPY_AUTH_CONFIRM_EMAIL="sometimes")
    with pytest.raises(ConfigError, match=r"\[mail\] url: 'ftp' is not one of"):
        site(WOLFPY_AUTH_CONFIRM_EMAIL="optional", WOLFPY_MAIL_URL="ftp://mail.example.com")


def test_malformed_reset_requests_are_422(site: Any, outbox: list[Any]) -> None:
    client = site()
    for email in ("", "no-at-sign", "a@b.com\r\nBcc: x@y.com", "x" * 300 + "@example.com"):
        assert ask_reset(client, email).status_code == 422
    assert client.get("/auth/reset/" + "A" * 5000).status_code in (400, 404, 414)
    assert outbox == []
