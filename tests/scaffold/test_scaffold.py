"""`wolfpy generate scaffold`: the files it writes, and the generated project passing its own tests."""
from __future__ import annotations

from pathlib import Path

from tests.scaffold.conftest import project_pytest, wolfpy

PROTECT_TEST = '''
from models.comment import Comment
from models.post import Post


def test_a_post_with_comments_is_not_deleted(client):
    post = Post.create(title="Kept", body="b", published=True, score=1, due="2024-01-01")
    Comment.create(post=post, text="first")
    page = client.post(f"/posts/{post.id}/delete")
    assert page.status_code == 409
    assert "cannot be deleted: other records refer to it" in page.text
    api = client.delete(f"/api/posts/{post.id}")
    assert api.status_code == 409
    assert "other records refer to it" in api.json()["error"]["message"]
    assert Post.get_or_none(Post.id == post.id) is not None


def test_timestamps_are_filled_in_and_moved_on(client):
    post = Post.create(title="T", body="b", score=1, due="2024-01-01")
    created, updated = post.created, post.updated
    assert created is not None and updated is not None
    post.title = "T2"
    post.save()
    assert Post.get_by_id(post.id).created == created
    assert Post.get_by_id(post.id).updated >= updated
'''


def test_scaffold_writes_every_page_and_the_project_passes_its_tests(project: Path) -> None:
    assert wolfpy(project, "generate", "auth")[0] == 0
    code, out, err = wolfpy(project, "generate", "scaffold", "Post", "title:str!", "body:text", "published:bool",
                            "author:fk:User:set_null", "score:float", "due:date", "--timestamps")
    assert code == 0, err
    written = [line.split()[1] for line in out.splitlines() if line.startswith("  create")]
    for rel in ("models/post.py", "routes/posts/index.py", "routes/posts/new.py", "routes/posts/[id].py",
                "routes/posts/[id]/edit.py", "routes/posts/[id]/delete.py", "routes/api/posts/index.py",
                "routes/api/posts/[id].py", "templates/posts/index.html", "templates/posts/show.html",
                "templates/posts/new.html", "templates/posts/edit.html", "templates/posts/delete.html",
                "templates/posts/_form.html", "tests/test_posts_scaffold.py", "tests/test_post_model.py"):
        assert rel in written, rel
    assert any(rel.startswith("migrations/0002_create_post") for rel in written), written
    model = (project / "models/post.py").read_text()
    assert 'author = ForeignKeyField(User, backref="posts", on_delete="SET NULL", null=True)' in model
    assert "created = DateTimeField(default=utc_now)" in model
    assert "next: run `wolfpy db migrate`, then `wolfpy test`; the pages are at /posts" in out
    code, out, err = wolfpy(project, "generate", "scaffold", "Comment", "post:fk:Post:protect", "text:text")
    assert code == 0, err
    assert 'post = ForeignKeyField(Post, backref="comments", on_delete="RESTRICT")' in \
        (project / "models/comment.py").read_text()
    assert "RESTRICT" in next((project / "migrations").glob("0003_*.py")).read_text()
    (project / "tests/test_protect.py").write_text(PROTECT_TEST)
    code, out, err = wolfpy(project, "db", "migrate")
    assert code == 0, err
    result = project_pytest(project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # 3 home-page tests, 10 + 9 scaffold tests (Comment has no str field to leave empty),
    # 3 model tests (one a unique check), the 2 above
    assert "27 passed" in result.stdout, result.stdout[-800:]


def test_scaffold_refuses_bad_arguments_in_one_line(project: Path) -> None:
    for args, message in [
        (("Post",), "give the scaffold at least one field"),
        (("Post", "author:fk:User"), "no class User in models/"),
        (("Post", "author:fk:Post:explode"), "unknown on-delete rule 'explode'"),
        (("Post", "title:str", "created:datetime", "--timestamps"), "--timestamps adds created and updated"),
        (("9lives", "title"), "invalid model name"),
    ]:
        code, out, err = wolfpy(project, "generate", "scaffold", *args)
        assert code == 1, args
        assert err.startswith("error: ") and message in err and err.count("\n") == 1, err
        assert "Traceback" not in err
    assert not (project / "routes/posts").exists() and not (project / "models/post.py").exists()


def test_a_project_without_a_layout_gets_a_plain_one(project: Path) -> None:
    (project / "templates/layout.html").unlink()
    (project / "templates/index.html").unlink()
    (project / "tests/test_pages.py").unlink()
    (project / "routes/index.py").unlink()
    code, out, err = wolfpy(project, "generate", "scaffold", "Note", "text:text")
    assert code == 0 and "create  templates/layout.html" in out, err
    assert wolfpy(project, "db", "migrate")[0] == 0
    result = project_pytest(project)
    assert result.returncode == 0 and "10 passed" in result.stdout, result.stdout[-3000:]
    assert wolfpy(project, "db", "rollback", "--yes")[0] == 0
    assert wolfpy(project, "destroy", "scaffold", "Note")[0] == 0
    assert not (project / "templates/layout.html").exists()


def test_a_route_in_the_way_is_refused(project: Path) -> None:
    (project / "routes/posts.py").write_text("def get(request):\n    return 'mine'\n")
    code, _, err = wolfpy(project, "generate", "scaffold", "Post", "title")
    assert code == 1 and "routes/posts.py already serves /posts" in err
    assert not (project / "models/post.py").exists()
