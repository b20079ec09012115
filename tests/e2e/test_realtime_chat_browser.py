"""examples/chat in headless Chromium: two people in two browser contexts sign in, see
each other in the member list, exchange messages, and a dropped connection resumes
without losing or repeating a message."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.e2e.conftest import Server, server_env
from tests.e2e.test_auth_flow import CHROMIUM, CHROMIUM_ARGS, _chromium_or_skip

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "chat"
PASSWORD = "correct horse battery staple"
SHOTS = Path("/work/shots/realtime")


@pytest.fixture(scope="module")
def chat_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("chat-browser") / "chat"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("*.sqlite3", "logs", "__pycache__"))
    env = server_env()
    for args in (["db", "migrate", "--yes"], ["create", "user", "ann", "--password", PASSWORD],
                 ["create", "user", "bob", "--password", PASSWORD]):
        done = subprocess.run([sys.executable, "-m", "wolfpy.cli.main", *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    server = Server("uvicorn", root, tmp_path_factory.mktemp("chat-browser-logs"), env)
    try:
        yield server.start().wait_ready()
    finally:
        server.stop()


def sign_in(page: Any, origin: str, username: str) -> None:
    page.goto(origin + "/")
    page.wait_for_url("**/auth/login?next=*")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(origin + "/rooms/lobby")
    page.wait_for_selector("#chat[data-status=online]")


def member_names(page: Any) -> list[str]:
    return page.eval_on_selector_all("#members li", "items => items.map(li => li.textContent)")


def texts(page: Any) -> list[str]:
    return page.eval_on_selector_all("#messages li", "items => items.map(li => li.textContent)")


def test_two_browsers_chat_and_see_each_other(chat_server: Server, tmp_path: Path) -> None:
    sync_playwright = _chromium_or_skip()
    origin = chat_server.origin
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            pages = {}
            for name in ("ann", "bob"):
                page = browser.new_context(viewport={"width": 900, "height": 600}).new_page()
                page.set_default_timeout(10_000)
                sign_in(page, origin, name)
                pages[name] = page
            ann, bob = pages["ann"], pages["bob"]
            for page in (ann, bob):
                page.wait_for_function("document.querySelectorAll('#members li').length == 2")
                assert member_names(page) == ["ann", "bob"]
            ann.fill("#text", "hello bob <b>not bold</b>")
            ann.press("#text", "Enter")
            bob.wait_for_function("document.querySelector('#messages').textContent.includes('hello bob')")
            assert texts(bob)[-1] == "ann hello bob <b>not bold</b>"  # shown as text, never as HTML
            bob.fill("#text", "hi ann")
            bob.click("#send button")
            ann.wait_for_function("document.querySelector('#messages').textContent.includes('hi ann')")

            # bob's connection drops; what ann says meanwhile arrives once, after the reconnect.
            bob.evaluate("window.chatSocket().close()")
            ann.fill("#text", "while you were away")
            ann.press("#text", "Enter")
            bob.wait_for_function("document.querySelector('#messages').textContent.includes('were away')")
            bob.wait_for_selector("#chat[data-status=online]")
            assert texts(bob) == ["ann hello bob <b>not bold</b>", "bob hi ann", "ann while you were away"]
            ann.wait_for_function("document.querySelectorAll('#members li').length == 2")

            # A page opened later gets the history on join.
            late = browser.new_context().new_page()
            late.set_default_timeout(10_000)
            sign_in(late, origin, "ann")
            late.wait_for_function("document.querySelectorAll('#messages li').length == 3")
            assert member_names(late) == ["ann", "bob"]  # ann on two pages: one member
            shots = {name: tmp_path / f"chat-{name}.png" for name in ("ann", "bob")}
            for name, shot in shots.items():
                pages[name].screenshot(path=str(shot))
            late.close()
            bob.context.close()
            ann.wait_for_function("document.querySelectorAll('#members li').length == 1")
            assert member_names(ann) == ["ann"]
        finally:
            browser.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for shot in shots.values():
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000
        shutil.copy(shot, SHOTS / shot.name)
