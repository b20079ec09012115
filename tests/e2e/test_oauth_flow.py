"""End to end: `wolfpy generate oauth` against real servers.

- OpenID Connect against a real provider, npm `oidc-provider@9` run with Node.js: the
  full sign-in (PKCE S256, state, nonce, the ID token checked through the JWKS), a
  tampered `state` refused, a second sign-in reusing the linked user, a verified email
  that matches an existing account NOT linked on its own.
- ID tokens the real provider would never send (a wrong nonce, another audience,
  expired, a bad signature) from a stand-in issuer the test controls: each refused with
  a clear page.
- GitHub's OAuth 2 flow (no OpenID Connect) against a stand-in of its endpoints, linking
  to the user signed in with a password.
"""
from __future__ import annotations

import re
import sqlite3
import textwrap
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from tests.oauth.provider_process import OIDCProvider
from tests.oauth.standins import StandIn
from tests.test_auth_generators import new_project, ok

from .conftest import Server, free_port, server_env
from .test_auth_flow import PRIVATE_ROUTE, PRIVATE_TEMPLATE

pytestmark = pytest.mark.e2e

CLIENT_ID, CLIENT_SECRET = "wolfpy-test-client", "wolfpy-test-secret-0123456789"
GITHUB_ID, GITHUB_SECRET = "gh-client", "gh-secret"


class Browser:
    """requests with cookies, redirects followed by hand (each hop is checked)."""

    def __init__(self, origin: str) -> None:
        import requests
        self.session = requests.Session()
        self.origin = origin

    def _plain_http(self, reply: Any) -> Any:
        # The servers run in production mode, where cookies are Secure; the tests speak
        # plain HTTP on loopback, so the jar is told to send them anyway.
        for cookie in self.session.cookies:
            cookie.secure = False
        return reply

    def get(self, url: str) -> Any:
        return self._plain_http(self.session.get(urljoin(self.origin, url), allow_redirects=False, timeout=15))

    def post(self, url: str, data: dict[str, str]) -> Any:
        return self._plain_http(self.session.post(urljoin(self.origin, url), data=data, allow_redirects=False,
                                                  timeout=15, headers={"Origin": self.origin}))

    def csrf(self, path: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).text)
        assert found
        return found.group(1)


def provider_login(browser: Browser, start: str, account: str) -> str:
    """From the provider's authorization URL through its login and consent pages to the
    URL it sends the browser back to (the app's callback)."""
    url = start
    for _ in range(12):
        reply = browser.session.get(url, allow_redirects=False, timeout=15)
        if reply.status_code in (302, 303):
            url = urljoin(url, reply.headers["location"])
            if url.startswith(browser.origin):
                return url
            continue
        assert reply.status_code == 200, (url, reply.status_code, reply.text[:500])
        action = urljoin(url, re.search(r'<form[^>]*action="([^"]+)"', reply.text).group(1))
        if 'name="prompt" value="login"' in reply.text:
            form = {"prompt": "login", "login": account, "password": "any"}
        else:
            assert 'name="prompt" value="consent"' in reply.text, reply.text[:500]
            form = {"prompt": "consent"}
        reply = browser.session.post(action, data=form, allow_redirects=False, timeout=15)
        assert reply.status_code in (302, 303), reply.text[:500]
        url = urljoin(action, reply.headers["location"])
        if url.startswith(browser.origin):
            return url
    raise AssertionError("the provider never sent the browser back")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("oauth")
    provider_port = free_port()
    issuer = f"http://127.0.0.1:{provider_port}"
    with pytest.MonkeyPatch.context() as mp:
        for key in ("DATABASE_URL", "WOLFPY_DATABASE_URL", "WOLFPY_SECRET_KEY", "WOLFPY_APP_DEBUG"):
            mp.delenv(key, raising=False)
        project = new_project(root, "oauthsite")
        ok("generate", "auth", cwd=project)
        ok("generate", "oauth", "oidc", "--issuer", issuer, cwd=project)
        ok("generate", "oauth", "github", cwd=project)
        (project / "routes/private.py").write_text(textwrap.dedent(PRIVATE_ROUTE))
        (project / "templates/private.html").write_text(PRIVATE_TEMPLATE)
        ok("db", "migrate", "--yes", cwd=project)
        ok("create", "user", "mallory", "--email", "bob@example.com", "--password", "mallory-password-1",
           cwd=project)
        ok("create", "user", "linus", "--email", "linus@example.com", "--password", "linus-password-1",
           cwd=project)
    standin = StandIn(CLIENT_ID, GITHUB_SECRET).start()
    gh = f"http://127.0.0.1:{standin.port}"
    common = {"WOLFPY_OAUTH_OIDC_CLIENT_ID": CLIENT_ID, "WOLFPY_OAUTH_OIDC_CLIENT_SECRET": CLIENT_SECRET,
              "WOLFPY_OAUTH_GITHUB_CLIENT_ID": GITHUB_ID, "WOLFPY_OAUTH_GITHUB_CLIENT_SECRET": GITHUB_SECRET,
              "WOLFPY_OAUTH_GITHUB_AUTHORIZE_URL": gh + "/login/oauth/authorize",
              "WOLFPY_OAUTH_GITHUB_TOKEN_URL": gh + "/login/oauth/access_token",
              "WOLFPY_OAUTH_GITHUB_API_URL": gh}
    real = Server("uvicorn", project, root / "logs", server_env(**common))
    real.env["WOLFPY_MAIL_SITE_URL"] = real.origin
    fake = Server("uvicorn", project, root / "logs", server_env(**common, WOLFPY_OAUTH_OIDC_ISSUER=standin.issuer))
    fake.env["WOLFPY_MAIL_SITE_URL"] = fake.origin
    provider = OIDCProvider(provider_port, CLIENT_ID, CLIENT_SECRET, real.origin + "/auth/oauth/oidc/callback",
                            root / "logs")
    try:
        provider.start()
        real.start()
        fake.start()
        real.wait_ready()
        fake.wait_ready()
        yield {"real": real, "fake": fake, "standin": standin, "issuer": issuer, "db": project / "db.sqlite3"}
    finally:
        real.stop()
        fake.stop()
        provider.stop()
        standin.stop()


def rows(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql, args))


def test_openid_connect_against_a_real_provider(world: dict[str, Any]) -> None:
    server, issuer = world["real"], world["issuer"]
    browser = Browser(server.origin)
    # Off to the provider, with PKCE (S256), state and nonce.
    reply = browser.get("/auth/oauth/oidc?next=/private")
    assert reply.status_code == 303
    start = reply.headers["location"]
    params = {k: v[-1] for k, v in parse_qs(urlsplit(start).query).items()}
    assert start.startswith(issuer + "/auth?")
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["state"] and params["nonce"] and params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == server.origin + "/auth/oauth/oidc/callback"
    back = provider_login(browser, start, "alice")
    # A tampered state is refused, with a clear page.
    tampered = re.sub(r"state=[^&]+", "state=forged-state", back)
    reply = browser.get(tampered)
    assert reply.status_code == 400
    assert "Sign-in with OpenID Connect failed" in reply.text and "(state)" in reply.text, reply.text[-900:]
    assert browser.get("/private").status_code == 303              # not signed in
    # The real answer cannot be replayed after the failed attempt consumed the pending sign-in.
    assert "not started here" in browser.get(back).text
    # The full sign-in.
    reply = browser.get("/auth/oauth/oidc?next=/private")
    back = provider_login(browser, reply.headers["location"], "alice")
    reply = browser.get(back)
    assert (reply.status_code, reply.headers["location"]) == (303, "/private")
    page = browser.get("/private")
    assert page.status_code == 200 and "hello alice" in page.text
    [(user_id, email, confirmed)] = rows(world["db"], 'SELECT id, email, email_confirmed FROM "user" '
                                                      "WHERE username = 'alice'")
    assert (email, confirmed) == ("alice@example.com", 1)
    assert rows(world["db"], "SELECT user_id, provider, subject FROM oauth_identity") == [(user_id, "oidc", "alice")]
    # Signing in again finds the same user.
    other = Browser(server.origin)
    reply = other.get("/auth/oauth/oidc")
    reply = other.get(provider_login(other, reply.headers["location"], "alice"))
    assert reply.status_code == 303 and "hello alice" in other.get("/private").text
    assert len(rows(world["db"], "SELECT id FROM oauth_identity")) == 1
    # bob@example.com is verified at the provider and is mallory's address here: no link
    # on its own ([oauth.oidc] link_verified_email is off, and mallory never confirmed it).
    bob = Browser(server.origin)
    reply = bob.get("/auth/oauth/oidc")
    assert bob.get(provider_login(bob, reply.headers["location"], "bob")).status_code == 303
    assert "hello bob" in bob.get("/private").text
    owners = rows(world["db"], 'SELECT username FROM "user" WHERE email = ? ORDER BY id', "bob@example.com")
    assert owners == [("mallory",), ("bob",)]


@pytest.mark.parametrize("mode,message", [
    ("wrong_nonce", "does not answer this sign-in (nonce)"),
    ("wrong_aud", "is for another application (aud)"),
    ("expired", "ID token has expired"),
    ("bad_signature", "bad signature"),
])
def test_bad_id_tokens_are_refused(world: dict[str, Any], mode: str, message: str) -> None:
    server, standin = world["fake"], world["standin"]
    standin.mode = mode
    browser = Browser(server.origin)
    reply = browser.get("/auth/oauth/oidc")
    assert reply.headers["location"].startswith(standin.issuer + "/authorize?")
    back = browser.session.get(reply.headers["location"], allow_redirects=False, timeout=15).headers["location"]
    reply = browser.get(back)
    assert reply.status_code == 400, reply.text[:300]
    assert "Sign-in with OpenID Connect failed" in reply.text and message in reply.text
    assert browser.get("/private").status_code == 303
    standin.mode = "good"
    reply = browser.get("/auth/oauth/oidc")
    back = browser.session.get(reply.headers["location"], allow_redirects=False, timeout=15).headers["location"]
    assert browser.get(back).status_code == 303 and "hello standin" in browser.get("/private").text


def test_github_links_to_the_signed_in_user(world: dict[str, Any]) -> None:
    server, standin = world["real"], world["standin"]
    browser = Browser(server.origin)
    token = browser.csrf("/auth/login")
    assert browser.post("/auth/login", {"username": "linus", "password": "linus-password-1",
                                        "csrf_token": token}).status_code == 303
    reply = browser.get("/auth/oauth/github")
    start = reply.headers["location"]
    params = {k: v[-1] for k, v in parse_qs(urlsplit(start).query).items()}
    assert start.startswith(f"http://127.0.0.1:{standin.port}/login/oauth/authorize?")
    assert params["code_challenge_method"] == "S256" and "nonce" not in params
    back = browser.session.get(start, allow_redirects=False, timeout=15).headers["location"]
    reply = browser.get(back)
    assert reply.status_code == 303, re.findall(r'role="alert">([^<]*)<', reply.text)
    [(user,)] = rows(world["db"], 'SELECT u.username FROM oauth_identity i JOIN "user" u ON u.id = i.user_id '
                                  "WHERE i.provider = 'github' AND i.subject = '4242'")
    assert user == "linus"
    assert standin.token_requests[-1]["client_secret"] == [GITHUB_SECRET]
    # Signed out, GitHub signs linus in again.
    page = browser.get("/private")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    browser.post("/auth/logout", {"csrf_token": token})
    assert browser.get("/private").status_code == 303
    fresh = Browser(server.origin)
    reply = fresh.get("/auth/oauth/github")
    back = fresh.session.get(reply.headers["location"], allow_redirects=False, timeout=15).headers["location"]
    assert fresh.get(back).status_code == 303 and "hello linus" in fresh.get("/private").text
    # A provider error comes back as a clear page too.
    reply = fresh.get("/auth/oauth/github/callback?error=access_denied&state=x")
    assert reply.status_code == 400 and "did not sign you in (access_denied)" in reply.text


def test_openid_connect_in_headless_chromium(world: dict[str, Any], tmp_path: Path) -> None:
    """A browser through the provider's own login and consent pages, back signed in; and the
    error page for an answer this browser never asked for."""
    import shutil

    from .test_auth_flow import CHROMIUM, CHROMIUM_ARGS, _chromium_or_skip
    sync_playwright = _chromium_or_skip()
    origin = world["real"].origin
    shots: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)

            def shot(name: str) -> None:
                path = tmp_path / f"oauth-{len(shots) + 1:02d}-{name}.png"
                page.screenshot(path=str(path), full_page=True)
                shots.append(path)
            page.goto(origin + "/auth/oauth/oidc?next=/private", wait_until="domcontentloaded")
            page.wait_for_selector("input[name=login]")
            assert page.url.startswith(world["issuer"] + "/interaction/")
            page.fill("input[name=login]", "carol")
            page.fill("input[name=password]", "any password")
            shot("provider-login")
            page.click("button[type=submit]")
            page.wait_for_selector("input[name=prompt][value=consent]", state="attached")
            page.click("button[type=submit]")
            page.wait_for_url(origin + "/private")
            assert page.inner_text("#hello") == "hello carol"
            shot("signed-in")
            page.goto(origin + "/auth/oauth/oidc/callback?code=made-up&state=made-up")
            assert "Sign-in with OpenID Connect failed" in page.inner_text("h1")
            shot("refused")
        finally:
            browser.close()
    final = Path("/work/shots/mail")
    if final.parent.is_dir():
        final.mkdir(exist_ok=True)
        for path in shots:
            shutil.copyfile(path, final / path.name)
