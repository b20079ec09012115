"""`wolfpy generate model | route` and `wolfpy inspect`, run in-process on fresh projects.

The generated files are also run for real: the generated project's own test suite
(its model and route tests) passes under pytest in a subprocess.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import peewee
import pytest

from tests.cli_runner import run_cli


def run(capsys: pytest.CaptureFixture[str], *args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    return run_cli(*args, cwd=cwd)


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Path]:
    """A project made by `wolfpy new`; its ``models.*`` modules are forgotten afterwards."""
    path = list(sys.path)
    code, _, err = run(capsys, "new", "demo", cwd=tmp_path)
    assert code == 0, err
    yield tmp_path / "demo"
    for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
        del sys.modules[name]
    sys.path[:] = path


def gen(capsys: pytest.CaptureFixture[str], project: Path, *args: str) -> tuple[int, str, str]:
    return run(capsys, "generate", *args, cwd=project)


def created(out: str) -> list[tuple[str, str]]:
    return [tuple(line.split()) for line in out.splitlines() if line.strip()]  # type: ignore[misc]


# -- generate model -------------------------------------------------------------------------------
def test_model_files_and_output(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = gen(capsys, project, "model", "BlogPost", "title:str!", "summary:str:80?", "body:text",
                         "published:bool", "price:decimal", "rate:decimal:6,4", "data:json", "born:date?",
                         "sent_at:datetime", "score:float", "views:int", "parent:fk:BlogPost?")
    assert code == 0, err
    assert created(out) == [("create", "models/blog_post.py"), ("create", "tests/test_blog_post_model.py")]
    source = (project / "models/blog_post.py").read_text()
    assert "class BlogPost(Model):\n" in source
    for line in (
        "title = CharField(max_length=255, unique=True)",
        "summary = CharField(max_length=80, null=True)",
        "body = TextField()",
        "published = BooleanField(default=False)",
        "price = DecimalField(max_digits=12, decimal_places=2)",
        "rate = DecimalField(max_digits=6, decimal_places=4)",
        "data = JSONField()",
        "born = DateField(null=True)",
        "sent_at = DateTimeField()",
        "score = FloatField()",
        "views = IntegerField()",
        'parent = ForeignKeyField("self", backref="children", null=True)',
    ):
        assert f"    {line}" in source, line
    compile(source, "blog_post.py", "exec")
    compile((project / "tests/test_blog_post_model.py").read_text(), "test.py", "exec")


def test_generated_project_passes_its_own_tests(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    steps = [
        ("model", "User", "email:str!", "name:str:100", "bio:text?"),
        ("model", "Post", "title:str", "body:text", "published:bool", "author:fk:User", "editor:fk:User?",
         "price:decimal", "data:json", "born:date", "sent_at:datetime", "score:float", "views:int"),
        ("model", "Comment", "post:fk:Post", "text:text", "reply_to:fk:Comment?"),
        ("model", "Tag",),
        ("route", "posts/[id]"),
        ("route", "about"),
        ("route", "docs/[...path]"),
        ("route", "(marketing)/pricing"),
        ("route", "blog/index"),
    ]
    for args in steps:
        code, _, err = gen(capsys, project, *args)
        assert code == 0, (args, err)
    assert (project / "tests/test_posts_id_route.py").is_file()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WOLFPY_", "PYTEST_")) and k not in ("DATABASE_URL", "REDIS_URL", "MONGO_URL")}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
                            cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    # 3 welcome-page tests, 4 models (+1 unique check for User), 5 routes
    assert "13 passed" in result.stdout, result.stdout


def test_refuses_to_overwrite_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "tests/test_post_model.py").write_text("# mine\n")
    code, out, err = gen(capsys, project, "model", "Post", "title")
    assert code == 1 and out == ""
    assert err == "error: tests/test_post_model.py already exists; use --force to overwrite it " \
                  "(nothing was written)\n"
    assert not (project / "models/post.py").exists()
    assert (project / "tests/test_post_model.py").read_text() == "# mine\n"


def test_identical_rerun_and_force(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gen(capsys, project, "model", "Post", "title")[0] == 0
    code, out, _ = gen(capsys, project, "model", "Post", "title")
    assert code == 0 and created(out) == [("identical", "models/post.py"), ("identical", "tests/test_post_model.py")]
    code, _, err = gen(capsys, project, "model", "Post", "title", "body:text")
    assert code == 1 and "models/post.py already exists" in err
    code, out, _ = gen(capsys, project, "model", "Post", "title", "body:text", "--force")
    assert code == 0 and created(out) == [("force", "models/post.py"), ("force", "tests/test_post_model.py")]
    assert "body = TextField()" in (project / "models/post.py").read_text()


@pytest.mark.parametrize("args, message", [
    (["1Post"], "invalid model name '1Post'"),
    (["Model"], "clashes with a name"),
    (["Class"], "clashes with a name"),
    (["Post", "title:blah"], "bad field 'title:blah': unknown type 'blah'"),
    (["Post", "Title"], "lowercase Python identifiers"),
    (["Post", "id"], "id primary key already"),
    (["Post", "save:str"], "'save' is a method or attribute of peewee's Model"),
    (["Post", "class"], "'class' is a Python keyword"),
    (["Post", "t:str:0"], "str:N takes a length from 1"),
    (["Post", "t:str:99999"], "use text for longer"),
    (["Post", "t:text!"], "cannot be unique portably"),
    (["Post", "t:str:1000!"], "unique str is at most 768"),
    (["Post", "p:decimal:3,5"], "decimal:P,S takes"),
    (["Post", "p:decimal:x"], "decimal:P,S takes"),
    (["Post", "n:int:5"], "int takes no argument"),
    (["Post", "a:fk"], "write fk:Model"),
    (["Post", "a:fk:Nope"], "no class Nope in models/; generate it first"),
    (["Post", "author_id:fk:Post?"], "name it 'author'"),
    (["Post", "parent:fk:Post"], "refers to Post itself: make it nullable"),
    (["Post", "a", "a:text"], "field 'a' is given twice"),
])
def test_bad_model_arguments(project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    before = sorted(p.name for p in (project / "models").iterdir())
    code, out, err = gen(capsys, project, "model", *args)
    assert code == 1 and out == "" and message in err, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert sorted(p.name for p in (project / "models").iterdir()) == before


def test_fk_targets_are_found_without_importing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "models/accounts.py").write_text(
        "raise RuntimeError('generators never import the app')\n\n"
        "from wolfpy.db import Model\n\nclass Account(Model):\n    pass\n")
    code, _, err = gen(capsys, project, "model", "Invoice", "owner:fk:Account", "payer:fk:account?")
    assert code == 0, err
    source = (project / "models/invoice.py").read_text()
    assert "from models.accounts import Account\n" in source
    assert 'owner = ForeignKeyField(Account, backref="invoices_as_owner")' in source
    assert 'payer = ForeignKeyField(Account, backref="invoices_as_payer", null=True)' in source
    (project / "models/more").mkdir()
    (project / "models/more/dup.py").write_text("class Account:\n    pass\n")
    code, _, err = gen(capsys, project, "model", "Bill", "owner:fk:Account")
    assert code == 1 and "Account is defined in models.accounts, models.more.dup" in err


def test_json_field_is_used_when_wolfpy_db_has_one(project: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import wolfpy.db
    monkeypatch.setattr(wolfpy.db, "JSONField", peewee.TextField, raising=False)
    assert gen(capsys, project, "model", "Event", "payload:json?")[0] == 0
    source = (project / "models/event.py").read_text()
    assert "from wolfpy.db import JSONField, Model\n" in source and "payload = JSONField(null=True)\n" in source
    assert '"payload": {"key": "value"},' in (project / "tests/test_event_model.py").read_text()


def test_project_templates_override_the_generators(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    override = project / ".wolfpy/templates"
    (override / "model").mkdir(parents=True)
    (override / "model/model.py.mako").write_text(
        "# ${class_name} in ${table}\n% for f in fields:\n# ${f.name}: ${f.declaration}\n% endfor\n")
    (override / "route").mkdir()
    (override / "route/page.html").write_text("<p>${not rendered}</p>\n")
    assert gen(capsys, project, "model", "Post", "title")[0] == 0
    assert (project / "models/post.py").read_text() == "# Post in post\n# title: CharField(max_length=255)\n"
    assert "def test_create_and_read_post" in (project / "tests/test_post_model.py").read_text()
    assert gen(capsys, project, "route", "about")[0] == 0
    assert (project / "templates/about.html").read_text() == "<p>${not rendered}</p>\n"
    (override / "model/model.py.mako").write_text("${no_such_name}\n")
    code, _, err = gen(capsys, project, "model", "Other")
    assert code == 1 and "model.py.mako" in err and "no_such_name" in err and err.count("\n") == 1


# -- generate route -----------------------------------------------------------------------
def test_route_files(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = gen(capsys, project, "route", "posts/[id]")
    assert code == 0, err
    assert created(out) == [("create", "routes/posts/[id].py"), ("create", "templates/posts/[id].html"),
                            ("create", "tests/test_posts_id_route.py")]
    route = (project / "routes/posts/[id].py").read_text()
    assert "def get(request, id):\n    return render(\"posts/[id].html\", id=id)\n" in route
    page = (project / "templates/posts/[id].html").read_text()
    assert page.startswith('<%inherit file="/layout.html"/>\n<%def name="page_title()">Posts</%def>\n')
    assert "<dt>id</dt><dd>${id}</dd>" in page
    test = (project / "tests/test_posts_id_route.py").read_text()
    assert 'client.get("/posts/1")' in test and '"routes/posts/[id].py" in response.text' in test


def test_route_names(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "templates/layout.html").unlink()
    code, out, _ = gen(capsys, project, "route", "/docs/[...path].py")
    assert code == 0 and ("create", "routes/docs/[...path].py") in created(out)
    assert 'client.get("/docs/a/b")' in (project / "tests/test_docs_path_route.py").read_text()
    assert (project / "templates/docs/[...path].html").read_text().startswith("<!doctype html>")
    code, out, _ = gen(capsys, project, "route", "(shop)/cart/index")
    assert code == 0 and 'client.get("/cart")' in (project / "tests/test_shop_cart_index_route.py").read_text()


@pytest.mark.parametrize("name, message", [
    ("", "write it as a path under routes/"),
    ("a//b", "write it as a path under routes/"),
    ("_helpers", "starts with '_' or '.'"),
    ("posts/[id", "is not [name], [...name] or [[...name]]"),
    ("posts/[1x]", "is not a Python identifier"),
    ("(group)", "is a group folder"),
    ("a/[...x]/b", "must be the last part"),
    ("a b", "characters a URL should not"),
    ("con", "reserved device name"),
    ("index", "routes/index.py already exists; use --force"),
    ("posts/[slug]", "routes/posts/[id].py already serves /posts/{id}"),
])
def test_bad_route_names(project: Path, capsys: pytest.CaptureFixture[str], name: str, message: str) -> None:
    assert gen(capsys, project, "route", "posts/[id]")[0] == 0
    code, out, err = gen(capsys, project, "route", name)
    assert code == 1 and out == "" and message in err, err
    assert err.count("\n") == 1


def test_outside_a_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "generate", "model", "Post", cwd=tmp_path)
    assert code == 1 and "no wolfpy.toml found" in err and err.count("\n") == 1
    assert not (tmp_path / "models").exists()


def test_help_shows_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "generate", "model", "--help")
    assert code == 0 and "author:fk:User" in out and "nullable" in out
    code, out, _ = run(capsys, "generate", "route", "--help")
    assert code == 0 and "routes/posts/[id].py" in out and "[...path]" in out


# -- inspect ------------------------------------------------------------------------------
def test_inspect_models(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "inspect", "models", cwd=project)
    assert code == 0 and out.startswith("no models yet")
    gen(capsys, project, "model", "User", "email:str!", "bio:text?")
    gen(capsys, project, "model", "Post", "title:str:120", "published:bool", "author:fk:User", "price:decimal")
    code, out, _ = run(capsys, "inspect", "models", cwd=project)
    assert code == 0
    blocks = out.strip().split("\n\n")
    assert blocks[0].startswith("User  table user  (models/user.py)\n")
    assert blocks[1].startswith("Post  table post  (models/post.py)\n")
    rows = {line.split()[0]: line.split() for line in blocks[1].splitlines()[3:]}
    assert rows["id"] == ["id", "id", "AUTO", "no", "pk"]
    assert rows["title"] == ["title", "title", "VARCHAR(120)", "no"]
    assert rows["published"] == ["published", "published", "BOOL", "no", "False"]
    assert rows["author"] == ["author", "author_id", "INT", "no", "index", "user.id"]
    assert rows["price"] == ["price", "price", "DECIMAL(12,2)", "no"]
    user = {line.split()[0]: line.split() for line in blocks[0].splitlines()[3:]}
    assert user["email"][-1] == "unique" and user["bio"] == ["bio", "bio", "TEXT", "yes"]
    assert blocks[-1] == "2 models"


def test_inspect_middleware_routes_config_and_everything(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "routes/admin").mkdir()
    (project / "routes/admin/_middleware.py").write_text(
        "def require_admin(request, call_next):\n    return call_next(request)\n\n"
        "def audit(request, call_next):\n    return call_next(request)\n\nmiddlewares = [require_admin, audit]\n")
    (project / "routes/admin/index.py").write_text("def get(request):\n    return 'admin'\n")
    (project / "routes/empty").mkdir()
    (project / "routes/empty/_middleware.py").write_text("middlewares = []\n")
    code, out, _ = run(capsys, "inspect", "middleware", cwd=project)
    assert code == 0
    builtin = (project / "wolfpy.toml").read_text().split("builtin = [", 1)[1].split("]", 1)[0]
    names = [n.strip().strip('"') for n in builtin.split(",") if n.strip()]
    listed = out.split("):\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.strip() for line in listed[:len(names)]] == names
    assert "database" not in out  # no models yet
    rows = {line.split()[0]: line.split(None, 1)[1] for line in out.split("FOLDER", 1)[1].splitlines()[2:]}
    assert rows["routes/"].split() == ["(none)", "2"]
    assert rows["routes/admin/"].split() == ["require_admin,", "audit", "1"]
    assert rows["routes/empty/"].split() == ["(none)", "0"]

    code, out, _ = run(capsys, "inspect", "routes", cwd=project)
    assert code == 0 and "/admin" in out and "routes/admin/index.py" in out
    code, out, _ = run(capsys, "inspect", "config", cwd=project)
    assert code == 0 and "app.name" in out and "'demo'" in out and "********" in out
    gen(capsys, project, "model", "Post", "title")
    code, out, _ = run(capsys, "inspect", cwd=project)
    assert code == 0
    assert [line for line in out.splitlines() if line.startswith("== ")] == [
        "== routes ==", "== models ==", "== middleware ==", "== config =="]
    assert "Post  table post" in out and "  database  (after the built-ins" in out


def test_inspect_outside_a_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for what in ("models", "middleware", "routes", "config"):
        code, _, err = run(capsys, "inspect", what, cwd=tmp_path)
        assert code == 1 and "no wolfpy.toml found" in err, what


def test_generators_are_folders_with_usage_and_templates() -> None:
    from wolfpy.generators import GENERATORS, GeneratorError, get_generator
    for name in GENERATORS:
        cls: Any = get_generator(name)
        folder = cls.folder()
        assert folder.name == name and (folder / "USAGE").is_file() and (folder / "templates").is_dir()
        assert cls.usage().startswith(f"Usage: wolfpy generate {name}")
    with pytest.raises(GeneratorError, match="no generator 'nope'"):
        get_generator("nope")
