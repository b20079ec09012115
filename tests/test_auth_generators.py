"""`wolfpy generate auth | token` and `wolfpy create user` in a real generated project.

One project (``wolfpy new`` + ``generate auth`` + ``generate token`` + ``db migrate --yes`` +
``create user admin``) is built per module through the in-process CLI; each test loads it
as a fresh App (fresh login throttles) and drives it with TestClient under WSGI and ASGI.
"""
from __future__ import annotations

import re
import textwrap
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from wolfpy import load
from tests.cli_runner import run_cli
from wolfpy.testing import TestClient

ADMIN_PASSWORD = "admin-password-1"
EXTRA_ROUTES = {
    "routes/private.py": """
        from wolfpy import login_required, render

        @login_required
        def get(request):
            return f"hello {request.user.username}"
    """,
    "routes/admin_area.py": """
        from wolfpy import role_required

        @role_required("admin")
        def get(request):
            return "admin area"
    """,
    "routes/api/me.py": """
        from wolfpy import api_route, token_required

        @api_route
        @token_required
        def get(request):
            return {"user": request.user.username, "admin": request.user.is_admin}
    """,
}
_ENV = ("DATABASE_URL", "WOLFPY_DATABASE_URL", "REDIS_URL", "WOLFPY_REDIS_URL", "WOLFPY_SECRET_KEY",
        "WOLFPY_APP_DEBUG", "WOLFPY_SESSION_BACKEND")


def cli(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """Run ``wolfpy ARGS`` in-process in ``cwd``: (exit code, stdout, stderr)."""
    return run_cli(*args, cwd=cwd)


def ok(*args: str, cwd: Path) -> str:
    code, out, err = cli(*args, cwd=cwd)
    assert code == 0, f"wolfpy {' '.join(args)} failed:\n{out}\n{err}"
    return out


@pytest.fixture(scope="module")
def clean_env() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for name in _ENV:
            mp.delenv(name, raising=False)
        yield


def new_project(parent: Path, name: str = "demo") -> Path:
    ok("new", name, cwd=parent)
    return parent / name


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, clean_env: None) -> dict[str, Any]:
    """The generated project, with its outputs."""
    project = new_project(tmp_path_factory.mktemp("authgen"))
    outputs = {
        "auth": ok("generate", "auth", cwd=project),
        "token": ok("generate", "token", cwd=project),
        "migrate": ok("db", "migrate", "--yes", cwd=project),
        "user": ok("create", "user", "admin", "--email", "admin@example.com", "--password", ADMIN_PASSWORD,
                   "--admin", cwd=project),
    }
    for rel, source in EXTRA_ROUTES.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(textwrap.dedent(source))
    return {"root": project, **outputs}


@pytest.fixture
def site(built: dict[str, Any], protocol: str) -> Iterator[Any]:
    """``site()``: a new TestClient on a freshly loaded App of the project (own cookies)."""
    clients: list[TestClient] = []
    app = load(built["root"])

    def make() -> TestClient:
        c = TestClient(app, protocol=protocol)
        clients.append(c)
        return c
    yield make
    for c in clients:
        c.close()


_counter = iter(range(10**6))


def unique(prefix: str, protocol: str) -> str:
    return f"{prefix}_{protocol}_{next(_counter)}_{int(time.time() * 1000) % 100000}"


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no csrf_token field in the page"
    return m.group(1)


def form_token(c: TestClient, url: str = "/auth/login") -> str:
    r = c.get(url)
    assert r.status_code == 200, r.text
    return csrf_of(r.text)


def register(c: TestClient, username: str, password: str = "a good password", email: str | None = None,
             next_: str | None = None, **extra: str) -> Any:
    data = {"username": username, "email": email if email is not None else f"{username}@example.com",
            "password": password, "csrf_token": form_token(c, "/auth/register"), **extra}
    if next_ is not None:
        data["next"] = next_
    return c.post("/auth/register", data=data)


def sign_in(c: TestClient, username: str, password: str, next_: str | None = None, query: str = "") -> Any:
    data = {"username": username, "password": password, "csrf_token": form_token(c)}
    if next_ is not None:
        data["next"] = next_
    return c.post("/auth/login" + query, data=data)


def sign_out(c: TestClient) -> Any:
    return c.post("/auth/logout", data={"csrf_token": form_token(c, "/")})   # the layout's sign-out form


# -- the files ---------------------------------------------------------------------------------
def test_generate_auth_writes_the_files(built: dict[str, Any]) -> None:
    root: Path = built["root"]
    out = built["auth"]
    for rel in ("models/user.py", "routes/auth/register.py", "routes/auth/login.py", "routes/auth/logout.py",
                "templates/auth/register.html", "templates/auth/login.html", "migrations/0001_initial.py"):
        assert f"  create  {rel}" in out and (root / rel).is_file(), rel
    assert "wolfpy db migrate" in out
    model = (root / "models/user.py").read_text()
    for line in ("username = CharField(max_length=150, unique=True)", "email = CharField(",
                 "password_hash = CharField(", "is_admin = BooleanField(default=False)",
                 "is_active = BooleanField(default=True)", "created = DateTimeField("):
        assert line in model
    migration = (root / "migrations/0001_initial.py").read_text()
    assert 'CreateTable("user"' in migration and '"username": {"type": "varchar(150)"' in migration
    assert "applied 0001_initial" in built["migrate"] and "wrote" not in built["migrate"]
    for page in ("login", "register"):
        html = (root / f"templates/auth/{page}.html").read_text()
        assert html.startswith('<%inherit file="/layout.html"/>')
        assert "${csrf_field()}" in html and "${form.value('username')}" in html
        assert "% for message in flashes():" in html
        assert 'type="password"' in html and "form.value('password')" not in html
    assert "  create  routes/auth/token.py" in built["token"]
    assert "created user admin (admin)" in built["user"]
    compile((root / "routes/auth/token.py").read_text(), "token.py", "exec")


def test_refuses_to_overwrite_without_force(tmp_path: Path, clean_env: None) -> None:
    project = new_project(tmp_path)
    (project / "templates/layout.html").unlink()   # standalone pages then
    ok("generate", "auth", cwd=project)
    assert (project / "templates/auth/login.html").read_text().startswith("<!doctype html>")
    login_py = project / "routes/auth/login.py"
    original = login_py.read_text()
    login_py.write_text(original + "\n# mine\n")
    code, out, err = cli("generate", "auth", cwd=project)
    assert code == 1 and err.count("\n") == 1
    assert "routes/auth/login.py already exists; use --force" in err and "Traceback" not in err
    assert login_py.read_text().endswith("# mine\n")
    assert sorted(p.name for p in (project / "migrations").glob("*.py")) == ["0001_initial.py"]
    login_py.write_text(original)
    out = ok("generate", "auth", cwd=project)          # nothing changed: every file identical
    assert "  identical  routes/auth/login.py" in out and "  force  " not in out and "  create  " not in out
    login_py.write_text("# mine\n")
    out = ok("generate", "auth", "--force", cwd=project)
    assert "  force  routes/auth/login.py" in out and "  identical  models/user.py" in out
    assert "no new migration" in out
    assert "# mine" not in login_py.read_text()
    assert sorted(p.name for p in (project / "migrations").glob("*.py")) == ["0001_initial.py"]
    token = project / "routes/auth/token.py"
    token.write_text("# mine\n")
    code, _, err = cli("generate", "token", cwd=project)
    assert code == 1 and "routes/auth/token.py already exists; use --force" in err
    assert token.read_text() == "# mine\n"
    assert ok("generate", "token", "--force", cwd=project).strip() == "force  routes/auth/token.py"


def test_generators_refuse_what_does_not_fit(tmp_path: Path, clean_env: None) -> None:
    project = new_project(tmp_path)
    code, _, err = cli("generate", "token", cwd=project)
    assert code == 1 and "no User model in models/: run `wolfpy generate auth` first" in err
    (project / "models/account.py").write_text("from wolfpy.db import Model\n\nclass User(Model):\n    pass\n")
    code, _, err = cli("generate", "auth", cwd=project)
    assert code == 1 and "models/account.py already defines class User" in err
    (project / "models/account.py").unlink()
    (project / "routes/auth/login").mkdir(parents=True)
    (project / "routes/auth/login/index.py").write_text("def get(request):\n    return 'x'\n")
    code, _, err = cli("generate", "auth", cwd=project)
    assert code == 1 and "routes/auth/login/index.py already serves /auth/login" in err
    assert not (project / "models/user.py").exists()
    code, _, err = cli("generate", "token", "--expires-in", "5", cwd=project)
    assert code == 1 and "--expires-in 5" in err


# -- wolfpy create user --------------------------------------------------------------------------
def test_create_user_errors(built: dict[str, Any], tmp_path: Path, clean_env: None,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    root = built["root"]
    cases = [
        (("admin", "--password", "another-password"), "a user named 'admin' already exists"),
        (("ADMIN", "--password", "another-password"), "a user named 'ADMIN' already exists"),
        (("newbie",), "no password given and no terminal to ask for one: pass --password"),
        (("x", "--password", "another-password"), "invalid username 'x': a username has 3 to 150 characters"),
        (("bad name", "--password", "another-password"), "invalid username 'bad name'"),
        (("newbie", "--password", "short"), "a password has at least 8 characters"),
        (("newbie", "--email", "nope", "--password", "another-password"), "invalid email 'nope'"),
    ]
    for args, message in cases:
        code, out, err = cli("create", "user", *args, cwd=root)
        assert code == 1 and message in err, (args, err)
        assert err.count("\n") == 1 and "Traceback" not in err
    # Not migrated yet: the table is missing.
    fresh = new_project(tmp_path, "fresh")
    ok("generate", "auth", cwd=fresh)
    code, _, err = cli("create", "user", "ada", "--password", "another-password", cwd=fresh)
    assert code == 1 and "table 'user' does not exist in the database: run `wolfpy db migrate` first" in err
    # No User model at all.
    bare = new_project(tmp_path, "bare")
    code, _, err = cli("create", "user", "ada", "--password", "another-password", cwd=bare)
    assert code == 1 and "no User model in models/: run `wolfpy generate auth`" in err


def test_create_user_prompts_for_the_password(built: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
                                              clean_env: None) -> None:
    import typer

    import wolfpy.cli.commands.db as db_commands
    asked: list[dict[str, Any]] = []
    answers = iter(["short", "prompted-password"])

    def prompt(text: str, **kw: Any) -> str:
        asked.append({"text": text, **kw})
        return next(answers)
    monkeypatch.setattr(db_commands, "_interactive", lambda: True)
    monkeypatch.setattr(typer, "prompt", prompt)
    name = unique("prompted", "cli")
    code, out, err = cli("create", "user", name, cwd=built["root"])
    assert code == 0, err
    assert [a["hide_input"] and a["confirmation_prompt"] for a in asked] == [True, True]
    assert "at least 8 characters; try again" in err and f"created user {name}" in out
    app = load(built["root"])
    with TestClient(app) as c:
        assert sign_in(c, name, "prompted-password").status_code == 303


# -- the pages -------------------------------------------------------------------------------------
def test_register_login_protected_page_logout(site: Any, protocol: str) -> None:
    c = site()
    r = c.get("/private")
    assert (r.status_code, r.headers["location"]) == (303, "/auth/login?next=%2Fprivate")
    page = c.get(r.headers["location"])
    assert page.status_code == 200 and 'name="next" value="/private"' in page.text
    assert "<title>Sign in · demo</title>" in page.text                         # inside the layout
    name = unique("ada", protocol)
    r = register(c, name, next_="/private")
    assert (r.status_code, r.headers["location"]) == (303, "/private")
    r = c.get("/private")
    assert (r.status_code, r.text) == (200, f"hello {name}")
    assert r.headers["cache-control"] == "no-store"
    before = c.cookies["wolfpy_session"]
    assert sign_out(c).status_code == 303
    assert c.cookies["wolfpy_session"] != before
    assert c.get("/private").status_code == 303
    page = c.get("/auth/login")
    assert "You have been signed out." in page.text and f"Welcome, {name}!" not in page.text
    r = sign_in(c, name, "a good password", next_="/private")
    assert (r.status_code, r.headers["location"]) == (303, "/private")
    assert c.get("/private").text == f"hello {name}"
    # Sign-in by email, and a fresh session id at every sign-in (no fixation).
    other = site()
    other.get("/auth/login")
    anonymous = other.cookies["wolfpy_session"]
    assert sign_in(other, f"{name}@example.com", "a good password").headers["location"] == "/"
    assert other.cookies["wolfpy_session"] != anonymous
    assert other.get("/private").text == f"hello {name}"


def test_register_rejects_bad_input_with_422(site: Any, protocol: str) -> None:
    c = site()
    bad = [
        ({"username": "ab"}, "username", "A username has 3 to 150 characters."),
        ({"username": "x" * 151}, "username", "A username has 3 to 150 characters."),
        ({"username": "has space"}, "username", "Use only letters, digits"),
        ({"username": "<script>x</script>"}, "username", "Use only letters, digits"),
        ({"email": "not-an-email"}, "email", "Enter an email address"),
        ({"password": "short"}, "password", "A password has at least 8 characters."),
        ({"password": "é" * 600}, "password", "A password has at most 1024 bytes."),
    ]
    for change, field, message in bad:
        values = {"username": unique("bob", protocol), "email": "bob@example.com", "password": "secret-enough!"}
        values.update(change)
        token = form_token(c, "/auth/register")
        r = c.post("/auth/register", data={**values, "csrf_token": token})
        assert r.status_code == 422, (change, r.status_code)
        assert f'id="{field}-error">{message}' in r.text
        assert values["password"] not in r.text                                   # never echoed
        kept = values["username"] if field != "username" else values["email"]
        assert f'value="{kept}"' in r.text                                         # input kept
    r = c.post("/auth/register", data={"username": "<script>alert(1)</script>", "email": "a@b.c",
                                       "password": "secret-enough!", "csrf_token": form_token(c, "/auth/register")})
    assert r.status_code == 422 and "<script>alert(1)" not in r.text and "&lt;script&gt;alert(1)" in r.text
    # Missing fields.
    r = c.post("/auth/register", data={"csrf_token": form_token(c, "/auth/register")})
    assert r.status_code == 422 and 'id="username-error">field required' in r.text
    # Duplicate username, whatever its case.
    name = unique("carol", protocol)
    assert register(site(), name).status_code == 303
    for taken in (name, name.upper()):
        r = register(c, taken, email="someone@example.com")
        assert r.status_code == 422 and "This username is taken" in r.text
        assert 'value="someone@example.com"' in r.text


def test_flashes_the_signed_in_layout_and_the_login_page_moving_on(site: Any, protocol: str) -> None:
    c = site()
    name = unique("flo", protocol)
    assert register(c, name).status_code == 303
    home = c.get("/")
    assert f'<p class="flash" role="status">Welcome, {name}!</p>' in home.text
    assert f"Signed in as <strong>{name}</strong>" in home.text
    assert '<form class="account" method="post" action="/auth/logout">' in home.text
    assert "Welcome," not in c.get("/").text                              # shown once
    r = c.get("/auth/login?next=/private")                                  # signed in already
    assert (r.status_code, r.headers["location"]) == (303, "/private")
    assert sign_out(c).status_code == 303
    page = c.get("/")
    assert "You have been signed out." in page.text and "Signed in as" not in page.text
    assert sign_in(c, name, "a good password").status_code == 303
    assert f"Signed in as {name}." in c.get("/").text


def test_the_csrf_403_page_says_how_to_fix_the_form(built: dict[str, Any], clean_env: None) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("PYTEST_CURRENT_TEST")   # a debug load, as `wolfpy serve` does
        app = load(built["root"], mode="development")
    c = TestClient(app, csrf=False)                  # a form without ${csrf_field()}
    c.get("/auth/login")
    r = c.post("/auth/login", data={"username": "a", "password": "b"})
    assert r.status_code == 403
    assert "needs ${csrf_field()} inside its &lt;form&gt; tag" in r.text.replace("&#36;", "$"), r.text


def test_wrong_password_and_unknown_user_look_the_same(site: Any, protocol: str) -> None:
    c = site()
    name = unique("dave", protocol)
    assert register(site(), name).status_code == 303
    wrong = sign_in(c, name, "not the password")
    unknown_name = unique("nobody", protocol)[: len(name)].ljust(len(name), "x")
    unknown = sign_in(c, unknown_name, "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password." in wrong.text
    assert wrong.text.replace(name, "NAME") == unknown.text.replace(unknown_name, "NAME")
    assert "not the password" not in wrong.text
    assert c.get("/private").status_code == 303
    r = sign_in(c, name, "x" * 2000)
    assert r.status_code == 400 and "at most 1024 bytes" in r.text


def test_failed_logins_are_throttled(site: Any, protocol: str) -> None:
    c = site()
    name = unique("eve", protocol)
    assert register(site(), name).status_code == 303
    for _ in range(5):
        assert sign_in(c, name, "wrong password").status_code == 401
    r = sign_in(c, name, "a good password")
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "Too many failed attempts" in r.text
    assert c.get("/private").status_code == 303


def test_next_must_stay_on_the_site(site: Any, protocol: str) -> None:
    c = site()
    name = unique("fay", protocol)
    assert register(c, name, next_="//evil.example").headers["location"] == "/"
    for evil in ("//evil.example", "https://evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        c = site()
        assert sign_in(c, name, "a good password", next_=evil).headers["location"] == "/", evil
        c = site()
        r = sign_in(c, name, "a good password", query="?next=%2F%2Fevil.example")
        assert r.headers["location"] == "/"
    c = site()
    assert sign_in(c, name, "a good password", query="?next=%2Fprivate%3Fa%3D1").headers["location"] == "/private?a=1"
    page = site().get("/auth/login?next=//evil.example")
    assert 'name="next" value="/"' in page.text


def test_forms_without_the_csrf_token_are_403(site: Any, protocol: str) -> None:
    c = site()
    name = unique("gus", protocol)
    c.get("/auth/register")
    r = c.post("/auth/register", data={"username": name, "email": "g@example.com", "password": "a good password"},
               csrf=False)
    assert r.status_code == 403
    r = c.post("/auth/login", data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403
    assert sign_in(c, "admin", ADMIN_PASSWORD).status_code == 303
    assert c.post("/auth/logout", csrf=False).status_code == 403       # still signed in
    assert c.get("/private").text == "hello admin"
    token = form_token(c, "/")
    r = c.post("/auth/logout", data={"csrf_token": token}, headers={"origin": "https://evil.example"})
    assert r.status_code == 403
    assert c.get("/private").status_code == 200


def test_admin_from_the_cli_and_role_required(site: Any, protocol: str) -> None:
    admin = site()
    assert sign_in(admin, "admin", ADMIN_PASSWORD).status_code == 303
    assert admin.get("/admin_area").text == "admin area"
    user = site()
    assert register(user, unique("hal", protocol)).status_code == 303
    assert user.get("/admin_area").status_code == 403


# -- JWT -----------------------------------------------------------------------------------------------
def test_token_endpoint_and_token_required(site: Any, protocol: str) -> None:
    c = site()
    r = c.post("/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["type"] == "Bearer" and body["expires_in"] == 3600 and body["token"].count(".") == 2
    me = c.get("/api/me", headers={"authorization": f"Bearer {body['token']}"})
    assert me.json() == {"user": "admin", "admin": True}
    assert c.get("/api/me").status_code == 401
    assert c.get("/api/me", headers={"authorization": "Bearer abc.def.ghi"}).status_code == 401
    wrong = c.post("/auth/token", json={"username": "admin", "password": "nope-nope"})
    unknown = c.post("/auth/token", json={"username": "nobody-at-all", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    r = c.post("/auth/token", json=["admin"])
    assert r.status_code == 422 and "body" in r.json()["error"]["fields"]
    r = c.post("/auth/token", json={"username": "admin"})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"password": "expected a non-empty string"}
    # A browser with a session cookie needs no CSRF token here either (the endpoint reads no session).
    browser = site()
    browser.get("/auth/login")
    assert browser.post("/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD}).status_code == 200
    for _ in range(3):
        c.post("/auth/token", json={"username": "admin", "password": "nope-nope"})
    r = c.post("/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert r.status_code == 429 and r.json()["error"]["status"] == 429 and r.headers["retry-after"]
