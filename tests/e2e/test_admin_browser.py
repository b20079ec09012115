"""The admin in headless Chromium (Playwright on /usr/bin/chromium), served by gunicorn.

An admin signs in, creates a post, finds it by searching, edits it, reads its history
and deletes it, all through the pages. The same create runs with JavaScript off; the
form is driven with the keyboard; at phone width nothing scrolls sideways. Screenshots
are saved under the test's tmp_path and copied to $WOLFPY_SHOTS_DIR when it is set.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from .admin_project import PASSWORD, create_admin, make_admin_project, seed, sqlite_connect
from .conftest import Server, server_env
from .test_auth_flow import CHROMIUM, CHROMIUM_ARGS, _chromium_or_skip

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("admin-browser")
    project = make_admin_project(root, "adminbrowser", {})
    create_admin(project, {})
    seed(sqlite_connect(project), "?")
    srv = Server("gunicorn", project, root / "logs", server_env())
    try:
        srv.start().wait_ready()
        yield srv
    finally:
        srv.stop()


def _keep(shots: list[Path]) -> None:
    target = os.environ.get("WOLFPY_SHOTS_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copy(shot, Path(target) / shot.name)


def _sign_in(page: Any, origin: str) -> None:
    page.goto(origin + "/admin")
    assert page.url == origin + "/admin/login?next=%2Fadmin"
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(origin + "/admin")


def test_admin_in_headless_chromium(server: Server, tmp_path: Path) -> None:
    sync_playwright = _chromium_or_skip()
    origin = server.origin
    shots: list[Path] = []

    def shot(page: Any, name: str) -> None:
        path = tmp_path / f"admin-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.set_default_timeout(10_000)
            page.goto(origin + "/admin/login")
            shot(page, "login")
            _sign_in(page, origin)
            shot(page, "index")
            page.get_by_role("link", name="Post", exact=True).click()
            page.wait_for_url(origin + "/admin/blog/post")
            page.get_by_role("link", name="Add Post").click()
            # Labels lead to their inputs; the category (150 rows) is a search box with suggestions.
            page.get_by_label("Title").fill("Howl at the moon")
            page.get_by_label("Body").fill("A <b>bold</b> claim")
            page.get_by_label("Status").select_option("live")
            page.get_by_label("Published").check()
            page.get_by_label("Created").fill("2025-05-06T07:08:09")
            page.get_by_label("Author").select_option(label="boss")
            page.get_by_label("Category").fill("cat-12")
            page.get_by_role("button", name="cat-120 (120)").click()
            assert page.input_value("#f-category") == "120"
            shot(page, "add-form")
            page.get_by_role("button", name="Save", exact=True).click()
            page.wait_for_url(origin + "/admin/blog/post")
            assert "Added Post “Howl at the moon”." in page.inner_text("main")
            page.get_by_label("Search title, body").fill("MOON howl")
            page.keyboard.press("Enter")
            page.wait_for_url("**/admin/blog/post?q=MOON+howl")
            assert page.inner_text("#total") == "1 Post row"
            shot(page, "changelist")
            page.locator("table.results tbody th a").first.click()
            page.get_by_label("Title").fill("Howl at the full moon")
            page.get_by_role("button", name="Save and continue editing").click()
            page.wait_for_load_state()
            assert page.input_value("#f-title") == "Howl at the full moon"
            page.get_by_role("link", name="History").click()
            assert "Howl at the moon" in page.inner_text("table.log") and "Howl at the full moon" in page.inner_text(
                "table.log")
            shot(page, "history")
            page.go_back()
            page.get_by_label("Title").fill("")
            page.get_by_role("button", name="Save", exact=True).click()
            assert page.inner_text("#f-title-error") == "This field is required."
            assert page.get_attribute("#f-title", "aria-invalid") == "true"
            shot(page, "validation")
            page.get_by_role("link", name="Delete").click()
            shot(page, "delete-confirm")
            page.get_by_role("button", name="Yes, delete it").click()
            page.wait_for_url(origin + "/admin/blog/post")
            assert "Deleted Post" in page.inner_text("main")
            page.goto(origin + "/admin/blog/category/5/delete")
            assert "Post</strong> rows" in page.inner_html("main") and "will be <strong>deleted" in page.inner_html("main")
            shot(page, "delete-cascade")
            page.goto(origin + "/admin/log")
            shot(page, "log")
            page.goto(origin + "/admin/metrics")
            assert page.locator("svg.chart rect").count() == 30
            shot(page, "metrics")
            # Keyboard only: the skip link comes first, then the form is filled and sent with Enter.
            page.goto(origin + "/admin/blog/category/add")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.textContent") == "Skip to content"
            page.locator("#f-name").focus()
            page.keyboard.type("typed-by-keyboard")
            page.keyboard.press("Enter")
            page.wait_for_url(origin + "/admin/blog/category")
            assert "typed-by-keyboard" in page.inner_text("main")
            # Phone width: the layout stacks, nothing scrolls sideways.
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.context.add_cookies(page.context.cookies())
            phone.goto(origin + "/admin/blog/post?published=1")
            assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            shot(phone, "phone")
            # Without JavaScript the core flow still works.
            nojs = browser.new_context(java_script_enabled=False)
            plain = nojs.new_page()
            _sign_in(plain, origin)
            plain.goto(origin + "/admin/blog/post/add")
            plain.get_by_label("Title").fill("No script needed")
            plain.get_by_label("Created").fill("2025-01-01T00:00:00")
            plain.get_by_label("Category").fill("5")
            plain.get_by_role("button", name="Save", exact=True).click()
            plain.wait_for_url(origin + "/admin/blog/post")
            plain.goto(origin + "/admin/blog/post?q=script+needed")
            assert plain.inner_text("#total") == "1 Post row"
            nojs.close()
        finally:
            browser.close()
    _keep(shots)
    for path in shots:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
