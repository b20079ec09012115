"""When the admin mounts, and what `wolfpy check` says when it does not."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import wolfpy
from wolfpy.checks import run_checks
from wolfpy.project import Project

USER = '''
from wolfpy.db import BooleanField, CharField, Model


class User(Model):
    username = CharField(max_length=150, unique=True)
    password_hash = CharField(max_length=255)
    is_admin = BooleanField(default=False)


class Note(Model):
    text = CharField()

    class Admin:
        list_display = ["text", "missing"]
'''
FULL = '["sessions", "csrf", "auth"]'


def project(root: Path, *, models: str | None = USER, builtin: str = FULL, admin_route: bool = False) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "wolfpy.toml").write_text(textwrap.dedent(f'''
        [app]
        secret_key = "{"k" * 40}"
        [middleware]
        builtin = {builtin}
        [logging]
        file = false
        console = false
    '''))
    (root / "routes").mkdir()
    (root / "routes/index.py").write_text("def get(request):\n    return 'home'\n")
    if admin_route:
        (root / "routes/admin.py").write_text("def get(request):\n    return 'my own admin'\n")
    if models is not None:
        (root / "models").mkdir()
        (root / "models/__init__.py").write_text("")        # as every new project has
        (root / "models/accounts.py").write_text(textwrap.dedent(models))
    return root


def names(app: wolfpy.App) -> set[str]:
    return {r.name for r in app.routes}


@pytest.fixture(autouse=True)
def _fresh_models_package() -> None:
    import sys
    for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
        del sys.modules[name]


def test_mounted_with_a_user_model_and_the_middleware(tmp_path: Path) -> None:
    app = wolfpy.load(project(tmp_path / "p"))
    assert {"admin:index", "admin:changelist", "admin:log", "admin:metrics", "admin:static"} <= names(app)
    messages = [str(m) for m in run_checks(Project(tmp_path / "p"))]
    assert any("admin.W002" in m and "Note.Admin.list_display: 'missing' is not a field" in m for m in messages)


def test_no_user_model_means_no_admin_and_no_middleware(tmp_path: Path) -> None:
    app = wolfpy.load(project(tmp_path / "p", models=None))
    assert not any(n.startswith("admin:") for n in names(app))
    assert not any(type(m).__name__ == "Collector" for m in app.middleware)
    assert not [m for m in run_checks(Project(tmp_path / "p")) if m.id.startswith("admin.")]


def test_missing_middleware_is_reported(tmp_path: Path) -> None:
    app = wolfpy.load(project(tmp_path / "p", builtin='["sessions", "csrf"]'))
    assert not any(n.startswith("admin:") for n in names(app))
    (message,) = [m for m in run_checks(Project(tmp_path / "p")) if m.id.startswith("admin.")]
    assert message.id == "admin.W001" and "[middleware] builtin lacks auth" in message.message


def test_the_projects_own_admin_route_wins(tmp_path: Path) -> None:
    from wolfpy.testing import TestClient
    app = wolfpy.load(project(tmp_path / "p", admin_route=True))
    assert not any(n.startswith("admin:") for n in names(app))
    assert TestClient(app).get("/admin").text == "my own admin"
    (message,) = [m for m in run_checks(Project(tmp_path / "p")) if m.id.startswith("admin.")]
    assert message.id == "admin.W001" and "routes/admin.py" in message.message


def test_a_project_template_overrides_the_admins(tmp_path: Path) -> None:
    from wolfpy.testing import TestClient
    root = project(tmp_path / "p")
    (root / "templates/admin").mkdir(parents=True)
    (root / "templates/admin/login.html").write_text(
        '<%inherit file="/admin/base.html"/>\n<h1 id="own">Our own sign-in</h1>\n${csrf_field()}\n')
    client = TestClient(wolfpy.load(root))
    page = client.get("/admin/login")
    assert page.status_code == 200 and '<h1 id="own">Our own sign-in</h1>' in page.text
    assert '<a class="brand" href="/admin">Administration</a>' in page.text       # the admin's own base.html
    assert client.get("/admin").headers["location"] == "/admin/login?next=%2Fadmin"


def test_admin_prefix_moves_the_whole_admin(tmp_path: Path) -> None:
    from wolfpy.testing import TestClient
    root = project(tmp_path / "p")
    (root / "wolfpy.toml").write_text((root / "wolfpy.toml").read_text() + '\n[admin]\nprefix = "/backoffice"\n')
    client = TestClient(wolfpy.load(root))
    assert client.get("/admin").status_code == 404
    assert client.get("/backoffice").headers["location"] == "/backoffice/login?next=%2Fbackoffice"
    page = client.get("/backoffice/login")
    assert page.status_code == 200 and 'href="/backoffice"' in page.text
    assert not [m for m in run_checks(Project(root)) if m.id == "config.W001"]      # a known setting
