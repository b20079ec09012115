"""`wolfpy check` finds every problem that keeps the server from starting, with file and line."""
from __future__ import annotations

import pytest

from tests.cli_runner import run_cli
from wolfpy.errors import WolfPyError


@pytest.fixture
def project(tmp_path):
    code, _, err = run_cli("new", "blog", cwd=tmp_path)
    assert code == 0, err
    root = tmp_path / "blog"
    code, _, err = run_cli("generate", "model", "Comment", "body:text", "author:str", cwd=root)
    assert code == 0, err
    return root


def _server_fails(root):
    """What the server does with this project: wolfpy.load() refuses it."""
    from wolfpy import load
    with pytest.raises(WolfPyError) as info:
        load(root)
    return str(info.value)


def _check(root):
    code, out, err = run_cli("check", cwd=root)
    return code, out, err


def test_a_clean_project_with_a_model_has_no_problems(project):
    code, out, err = _check(project)
    assert (code, out.strip(), err) == (0, "no problems found", "")


def test_a_typo_in_a_model_field_is_an_error_with_file_and_line(project):
    model = project / "models/comment.py"
    model.write_text(model.read_text().replace("TextField()", "TextFeild()"))
    line = next(i for i, l in enumerate(model.read_text().splitlines(), 1) if "TextFeild()" in l)
    assert "TextFeild" in _server_fails(project)
    code, out, err = _check(project)
    assert code == 1 and "no problems found" not in out
    assert (f"models.E001 error: models/comment.py:{line}: importing failed: NameError: name 'TextFeild' "
            "is not defined; did you mean 'TextField'?") in err.splitlines()
    assert err.splitlines()[-1] == "1 error found"


def test_a_typo_in_a_model_import_is_an_error_with_file_and_line(project):
    model = project / "models/comment.py"
    model.write_text(model.read_text().replace("Model, TextField", "Model, TextFeild"))
    line = next(i for i, l in enumerate(model.read_text().splitlines(), 1) if "TextFeild" in l)
    code, _, err = _check(project)
    assert code == 1
    assert f"models.E001 error: models/comment.py:{line}: importing failed: ImportError: " in err
    assert "did you mean 'TextField'?" in err


def test_a_model_error_seen_through_a_route_names_both_places(project):
    model = project / "models/comment.py"
    model.write_text(model.read_text().replace("TextField()", "TextFeild()"))
    (project / "routes/comments.py").write_text(
        "from models.comment import Comment\n\ndef get(request):\n    return 'x'\n")
    code, _, err = _check(project)
    assert code == 1 and "2 errors found" in err
    assert any(l.startswith("routes.E001 error: routes/comments.py:1: importing failed: NameError")
               and "(at models/comment.py:" in l for l in err.splitlines())


def test_a_broken_middleware_file_is_an_error(project):
    (project / "routes/_middleware.py").write_text("def middleware(request, call_next)\n    return call_next(request)\n")
    assert "_middleware.py" in _server_fails(project)
    code, _, err = _check(project)
    assert code == 1 and "routes.E001 error: routes/_middleware.py:1: syntax error" in err


def test_a_mis_cased_handler_is_an_error(project):
    (project / "routes/about.py").write_text("def GET(request):\n    return 'about'\n")
    assert _server_fails(project) == "routes/about.py defines GET; handlers are lower-case: def get(request)"
    code, _, err = _check(project)
    assert code == 1
    assert "routes.E001 error: routes/about.py defines GET; handlers are lower-case: def get(request)" in err


def test_a_bad_database_url_is_an_error_when_there_are_models(project, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "oracle://db/app")
    assert "unsupported scheme" in _server_fails(project)
    code, _, err = _check(project)
    assert code == 1 and "config.E005 error: [database] url: unsupported scheme 'oracle'" in err


def test_a_middleware_that_cannot_be_built_is_an_error(project, monkeypatch):
    monkeypatch.setenv("WOLFPY_SESSION_BACKEND", "memcache")
    assert "memcache" in _server_fails(project)
    code, _, err = _check(project)
    assert code == 1 and "config.E004 error: [session] backend: unknown backend 'memcache'" in err


def test_a_template_syntax_error_is_an_error_with_file_and_line(project):
    (project / "templates/posts").mkdir()
    (project / "templates/posts/show.html").write_text("<h1>${post.title}</h1>\n% if post.body:\n<p>x</p>\n")
    code, _, err = _check(project)
    assert code == 1
    assert any(l.startswith("templates.E001 error: templates/posts/show.html:") for l in err.splitlines()), err


def test_a_missing_templates_folder_is_a_warning(project):
    import shutil
    shutil.rmtree(project / "templates")
    code, out, err = _check(project)
    assert code == 0
    assert out.splitlines()[0].startswith("templates.W001 warning: no templates/ folder in ")
    assert out.splitlines()[-1] == "no errors found"


def test_every_problem_is_listed_in_one_run(project):
    model = project / "models/comment.py"
    model.write_text(model.read_text().replace("TextField()", "TextFeild()"))
    (project / "routes/My Page.py").write_text("def get(request):\n    return 'x'\n")
    (project / "routes/[id]").mkdir()
    (project / "routes/[id]/[id].py").write_text("def get(request, id):\n    return id\n")
    (project / "templates/bad.html").write_text("<% if x:\n")
    code, _, err = _check(project)
    assert code == 1 and err.splitlines()[-1] == "4 errors found"
    ids = [l.split()[0] for l in err.splitlines()[:-1]]
    assert ids == ["models.E001", "routes.E001", "routes.E001", "templates.E001"]


def test_unknown_settings_are_warnings_with_the_line(project, monkeypatch):
    """Settings that carry ``unknown_keys`` (section, key, suggestion) get config.W001 warnings."""
    from wolfpy.config import Settings
    toml = project / "wolfpy.toml"
    toml.write_text(toml.read_text().replace("[session]\n", "[session]\nlifetme = 3600\n", 1))
    line = toml.read_text().splitlines().index("lifetme = 3600") + 1
    load = Settings.load.__func__

    def load_noting_unknown_keys(cls, *args, **kwargs):
        settings = load(cls, *args, **kwargs)
        if not getattr(settings, "unknown_keys", None):  # the settings of this version do not look
            settings.unknown_keys = [("session", "lifetme", "lifetime")]
        return settings
    monkeypatch.setattr(Settings, "load", classmethod(load_noting_unknown_keys))
    code, out, err = _check(project)
    assert code == 0, err
    assert out.splitlines() == [f"config.W001 warning: wolfpy.toml:{line}: [session] lifetme is not a known setting",
                                "    hint: did you mean 'lifetime'?", "no errors found"]
