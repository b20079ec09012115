"""The CLI in-process: one-line errors, non-zero exits, and what each command prints."""
from __future__ import annotations

import pytest

from wolfpy import __version__
from tests.cli_runner import run_cli
from wolfpy.cli.main import main


def run(capsys, *args, cwd=None):
    return run_cli(*args, cwd=cwd)


@pytest.fixture
def project(tmp_path, capsys):
    code, out, err = run(capsys, "new", "demo", cwd=tmp_path)
    assert code == 0, err
    return tmp_path / "demo"


def test_version(capsys):
    code, out, _ = run(capsys, "version")
    assert code == 0 and out.startswith(f"wolfpy {__version__} (Python ")


def test_new_writes_the_layout(project):
    for rel in ("wolfpy.toml", ".env", ".gitignore", "requirements.txt", "routes/index.py",
                "routes/_middleware.py", "templates/layout.html", "templates/index.html",
                "static/css/app.css", "tests/test_pages.py", "models", "migrations", "assets", "docs"):
        assert (project / rel).exists(), rel
    env = (project / ".env").read_text()
    key = env.split("WOLFPY_SECRET_KEY=", 1)[1].strip()
    assert len(key) >= 48
    assert oct((project / ".env").stat().st_mode)[-3:] == "600"
    assert ".env" in (project / ".gitignore").read_text().splitlines()
    requirements = (project / "requirements.txt").read_text().splitlines()
    assert [l for l in requirements if not l.startswith("#")] == [f"wolfpy~={__version__}"]
    assert 'name = "demo"' in (project / "wolfpy.toml").read_text()


def test_new_secret_keys_differ(tmp_path, capsys):
    run(capsys, "new", "a", cwd=tmp_path)
    run(capsys, "new", "b", cwd=tmp_path)
    assert (tmp_path / "a/.env").read_text() != (tmp_path / "b/.env").read_text()


def test_new_refuses_to_overwrite(project, capsys):
    marker = project / "routes" / "index.py"
    before = marker.read_text()
    code, out, err = run(capsys, "new", "demo", cwd=project.parent)
    assert code == 1
    assert err.strip().count("\n") == 0 and "already exists" in err
    assert marker.read_text() == before


def test_new_rejects_bad_names(tmp_path, capsys):
    code, _, err = run(capsys, "new", "1bad name", cwd=tmp_path)
    assert code == 1 and "invalid project name" in err and "Traceback" not in err
    assert not (tmp_path / "1bad name").exists()


def test_generated_project_serves_its_pages(project, monkeypatch):
    from wolfpy import load
    from wolfpy.testing import TestClient
    monkeypatch.chdir(project)
    app = load(project)
    with TestClient(app) as c:
        r = c.get("/")
        assert r.status_code == 200 and "Welcome to demo" in r.text
        assert '<link rel="stylesheet" href="/static/css/app.css">' in r.text
        assert c.get("/static/css/app.css").status_code == 200
        r = c.get("/missing")
        assert r.status_code == 404 and "There is no page at <code>/missing</code>" in r.text


def test_routes_table(project, capsys):
    (project / "routes/posts").mkdir()
    (project / "routes/posts/[id].py").write_text("def get(request, id: int):\n    return 'x'\n"
                                                  "def post(request, id: int):\n    return 'y'\n")
    (project / "routes/chat.py").write_text("async def websocket(ws):\n    await ws.accept()\n")
    code, out, _ = run(capsys, "routes", cwd=project)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["METHOD", "URL", "FILE", "NAME"]
    assert any(line.split() == ["GET", "/", "routes/index.py", "index"] for line in lines)
    assert any(line.split() == ["GET,POST", "/posts/{id}", "routes/posts/[id].py", "posts/[id]"] for line in lines)
    assert any(line.split() == ["WS", "/chat", "routes/chat.py", "chat"] for line in lines)


def test_routes_explain(project, capsys):
    for rel, src in {
        "routes/posts/new.py": "def get(request):\n    return 'n'\n",
        "routes/posts/[id].py": "def get(request, id):\n    return 'i'\n",
        "routes/[[...all]].py": "def get(request, all):\n    return 'a'\n",
        "routes/posts/_middleware.py": "def middleware(request, call_next):\n    return call_next(request)\n",
    }.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(src)
    (project / "routes/index.py").unlink()
    code, out, _ = run(capsys, "routes", "--explain", "/posts/new", cwd=project)
    assert code == 0
    assert "1. /posts/new" in out and "<- winner" in out.split("1. /posts/new", 1)[1].splitlines()[0]
    assert "2. /posts/{id}" in out and "3. /{all...}" in out
    assert "a static segment beats a dynamic one" in out
    assert "security_headers (built-in)" in out and "middleware (" in out
    code, out, _ = run(capsys, "routes", "--explain", "/posts/", cwd=project)
    assert "redirects (308) to /posts" in out


def test_check_lists_every_problem(project, capsys):
    (project / "routes/users.py").write_text("def get(request):\n    return 'a'\n")
    (project / "routes/users").mkdir()
    (project / "routes/users/index.py").write_text("def get(request):\n    return 'b'\n")
    (project / "routes/con.py").write_text("def get(request):\n    return 'c'\n")
    (project / "routes/broken.py").write_text("def get(request):\n    return (\n")
    code, out, err = run(capsys, "check", cwd=project)
    assert code == 1
    assert "routes/con.py" in err and "reserved device name" in err
    assert "routes/broken.py:2" in err
    assert "routes/users.py" in err and "routes/users/index.py" in err
    assert "3 errors found" in err


def test_check_clean_project(project, capsys):
    code, out, _ = run(capsys, "check", cwd=project)
    assert (code, out.strip()) == (0, "no problems found")


def test_check_production_without_key(project, capsys, monkeypatch):
    monkeypatch.delenv("WOLFPY_SECRET_KEY", raising=False)
    (project / "wolfpy.toml").write_text((project / "wolfpy.toml").read_text().replace("[app]\n", "[app]\ndebug = false\n", 1))
    code, _, err = run(capsys, "check", cwd=project)
    assert code == 1 and "config.E002" in err and "secret key" in err


def test_config_show_masks_secrets(project, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:hunter2@db/app")
    code, out, _ = run(capsys, "config", "show", cwd=project)
    assert code == 0
    assert "hunter2" not in out
    key = (project / ".env").read_text().split("=", 1)[1].strip()
    assert key not in out
    assert any(l.split()[:3] == ["database.url", "'postgresql://app:********@db/app'", "env"] for l in out.splitlines())
    assert any(l.split()[0] == "app.name" and "wolfpy.toml" in l for l in out.splitlines())


@pytest.mark.parametrize("args", [["routes"], ["check"], ["config", "show"], ["serve"], ["test"]])
def test_outside_a_project_is_a_one_line_error(tmp_path, capsys, args):
    code, out, err = run(capsys, *args, cwd=tmp_path)
    assert code == 1
    assert err.count("\n") == 1 and "wolfpy.toml" in err and "Traceback" not in err


def test_bad_option_is_one_line_and_non_zero(project, capsys):
    code, _, err = run(capsys, "serve", "--port", "notanumber", cwd=project)
    assert code == 2 and "Traceback" not in err


def test_errors_are_one_line_unless_debug(project, capsys, monkeypatch):
    from wolfpy.errors import ConfigError
    (project / "wolfpy.toml").write_text("[app\n")
    code, _, err = run(capsys, "routes", cwd=project)
    assert code == 1 and err.startswith("error: ") and "invalid TOML" in err and err.count("\n") == 1
    monkeypatch.chdir(project)
    with pytest.raises(ConfigError, match="invalid TOML"):
        main(["--debug", "routes"])


def test_check_deploy_reports_weakened_settings(project, capsys, monkeypatch):
    code, out, err = run(capsys, "check", "--deploy", cwd=project)
    assert code == 1
    assert "security.E001" not in err                               # debug is off on a server
    assert "security.E002" in err and "secret key" in err           # and .env is not read there
    assert "security.W001" in out and "allowed_hosts is empty" in out
    assert "security.W002" not in out and "security.W005" not in out
    monkeypatch.setenv("WOLFPY_APP_DEBUG", "false")
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "p" * 40)
    monkeypatch.setenv("WOLFPY_APP_ALLOWED_HOSTS", "example.com")
    monkeypatch.setenv("WOLFPY_MIDDLEWARE_BUILTIN", "allowed_hosts,sessions,csrf,auth,security_headers")
    monkeypatch.setenv("WOLFPY_REALTIME_BACKEND", "redis")
    code, out, err = run(capsys, "check", "--deploy", cwd=project)
    assert code == 0 and "security." not in out + err


def test_shell_has_the_app_and_models(project, capsys):
    assert run(capsys, "generate", "model", "Item", "name:str", cwd=project)[0] == 0
    code, out, err = run(capsys, "shell", "-c", "print(type(app).__name__, Item.__name__, Item._meta.table_name)",
                         cwd=project)
    assert code == 0, err
    assert out.strip().endswith("App Item item")


def test_clean_removes_caches_and_build_output(project, capsys):
    for folder in ("routes/__pycache__", "site/assets", "static/dist"):
        (project / folder).mkdir(parents=True)
    code, out, _ = run(capsys, "clean", cwd=project)
    assert code == 0 and "removed 3 folders" in out
    assert not (project / "routes/__pycache__").exists() and not (project / "site").exists()
    assert (project / "routes/index.py").exists()
    assert run(capsys, "clean", cwd=project)[1].strip() == "nothing to clean"
