"""``wolfpy docs build`` writes a site whose links all resolve on disk; ``wolfpy docs publish``
commits it to a branch of a throw-away repository and pushes it to a bare remote."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.cli_runner import run_cli

LINK = re.compile(r'(?:href|src)="([^"]+)"')


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Docs Test")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "docs@example.invalid")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def test_build_writes_pages_whose_relative_links_all_resolve(project: Path) -> None:
    code, out, err = run_cli("docs", "build", cwd=project)
    assert code == 0, err
    site = project / "site"
    assert f"to {site}" in out
    for rel in ("index.html", "guide/index.html", "guide/install.html", "hostile.html", "search.html",
                "_app/routes.html", "_app/api.html", "_assets/docs.css", "_assets/search.js",
                "_assets/search-index.js", "_assets/search-index.json", "guide/img/logo.png", ".nojekyll"):
        assert (site / rel).is_file(), rel
    assert not (site / "_draft.html").exists()
    pages = list(site.rglob("*.html"))
    checked = 0
    for page in pages:
        for link in LINK.findall(page.read_text()):
            if link.startswith(("http://", "https://", "#", "mailto:")):
                continue
            assert not link.startswith("/"), f"{page}: absolute link {link}"
            target = (page.parent / unquote(link.split("#")[0])).resolve()
            assert target.is_file() and site.resolve() in target.parents, f"{page.relative_to(site)}: {link}"
            checked += 1
    assert checked > 50
    install = (site / "guide/install.html").read_text()
    assert 'href="../index.html"' in install and 'data-root="../"' in install
    assert "&lt;script&gt;" in (site / "hostile.html").read_text()
    assert '"u":"guide/install.html#requirements"' in (site / "_assets/search-index.js").read_text()
    # Building again replaces the folder; a folder not written by the build is left alone.
    (site / "stale.html").write_text("old")
    assert run_cli("docs", "build", cwd=project)[0] == 0 and not (site / "stale.html").exists()
    other = project / "public"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    code, out, err = run_cli("docs", "build", "--out", "public", cwd=project)
    assert code == 1 and err.count("\n") == 1 and err.startswith("error: ") and "--out" in err
    assert (other / "keep.txt").read_text() == "mine"


def test_build_without_docs_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "wolfpy.toml").write_text("")
    code, out, err = run_cli("docs", "build", cwd=tmp_path)
    assert code == 1 and err == "error: this project has no docs/ folder: add docs/index.md first\n"


def test_publish_commits_the_site_to_gh_pages_and_pushes_leaving_the_work_tree_alone(
        project: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(remote), cwd=tmp_path)
    git("init", "--quiet", "-b", "main", cwd=project)
    (project / ".gitignore").write_text("site/\n")
    git("add", "-A", cwd=project)
    git("commit", "--quiet", "-m", "the project", cwd=project)
    git("remote", "add", "origin", str(remote), cwd=project)
    (project / "docs" / "index.md").write_text("# Demo handbook\n\nAn edit not committed yet.\n")
    (project / "notes.txt").write_text("untracked")
    git("add", "notes.txt", cwd=project)  # something staged, too
    before = (git("status", "--porcelain", cwd=project), git("rev-parse", "HEAD", cwd=project),
              git("symbolic-ref", "HEAD", cwd=project), git("write-tree", cwd=project))

    code, out, err = run_cli("docs", "publish", cwd=project)
    assert code == 0, err
    assert "gh-pages: committed" in out and "pushed gh-pages to origin" in out
    after = (git("status", "--porcelain", cwd=project), git("rev-parse", "HEAD", cwd=project),
             git("symbolic-ref", "HEAD", cwd=project), git("write-tree", cwd=project))
    assert after == before
    files = set(git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).splitlines())
    on_disk = {p.relative_to(project / "site").as_posix() for p in (project / "site").rglob("*") if p.is_file()}
    assert files == on_disk and "guide/install.html" in files and ".nojekyll" in files
    assert "An edit not committed yet." in git("show", "gh-pages:index.html", cwd=remote)
    first = git("rev-parse", "gh-pages", cwd=remote)

    code, out, _ = run_cli("docs", "publish", cwd=project)
    assert code == 0 and "the site has not changed, nothing to commit" in out
    assert git("rev-parse", "gh-pages", cwd=remote) == first

    (project / "docs" / "guide" / "advanced.md").write_text("# Advanced topics\n\nSecond edition.\n")
    code, out, _ = run_cli("docs", "publish", "--branch", "pages", "-m", "Docs v2", cwd=project)
    assert code == 0 and "pushed pages to origin" in out
    assert git("log", "-1", "--format=%s", "pages", cwd=remote) == "Docs v2"
    assert git("rev-parse", "gh-pages", cwd=remote) == first


def test_publish_without_remote_commits_only_and_outside_git_is_one_line(project: Path) -> None:
    code, out, err = run_cli("docs", "publish", cwd=project)
    assert code == 1 and err.startswith("error: ") and "git init" in err and err.count("\n") == 1
    git("init", "--quiet", "-b", "main", cwd=project)
    code, out, err = run_cli("docs", "publish", cwd=project)
    assert code == 0, err
    assert "no git remote: nothing pushed" in out
    assert "index.html" in git("ls-tree", "--name-only", "gh-pages", cwd=project)
    assert git("symbolic-ref", "HEAD", cwd=project) == "refs/heads/main"
    code, out, err = run_cli("docs", "publish", "--branch", "bad..name", cwd=project)
    assert code == 1 and "is not a valid branch name" in err


def test_a_new_projects_docs_explain_its_layout_live_and_built(tmp_path: Path) -> None:
    assert run_cli("new", "blog", cwd=tmp_path)[0] == 0
    project = tmp_path / "blog"
    from .test_docsite import client
    page = client(project, mode="development").get("/docs").text
    assert "<title>blog · blog</title>" in page and "<code>routes/_middleware.py</code>" in page
    assert 'href="/docs/_app/routes"' in page
    assert run_cli("docs", "build", cwd=project)[0] == 0
    assert 'href="_app/routes.html"' in (project / "site" / "index.html").read_text()
