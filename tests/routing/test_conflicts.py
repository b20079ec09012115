"""Startup errors: conflicts and bad file names are refused, naming both files."""
from __future__ import annotations

import pytest

from wolfpy.errors import RouteConflict, RouteLoadError

OK = "def get(request):\n    return 'x'\n"
OK_ID = "def get(request, id):\n    return id\n"


def _error(load_app, files):
    with pytest.raises((RouteConflict, RouteLoadError)) as info:
        load_app(files)
    return str(info.value)


def test_file_and_folder_index_with_same_url(load_app):
    msg = _error(load_app, {"routes/users.py": OK, "routes/users/index.py": OK})
    assert "routes/users.py" in msg and "routes/users/index.py" in msg and "/users" in msg


def test_two_files_through_groups(load_app):
    msg = _error(load_app, {"routes/(a)/about.py": OK, "routes/(b)/about.py": OK})
    assert "routes/(a)/about.py" in msg and "routes/(b)/about.py" in msg


def test_index_beside_optional_catch_all(load_app):
    msg = _error(load_app, {"routes/docs/index.py": OK,
                            "routes/docs/[[...slug]].py": "def get(request, slug):\n    return slug\n"})
    assert "routes/docs/index.py" in msg and "routes/docs/[[...slug]].py" in msg


def test_catch_all_beside_optional_catch_all(load_app):
    msg = _error(load_app, {"routes/d/[...a].py": "def get(request, a):\n    return a\n",
                            "routes/d/[[...b]].py": "def get(request, b):\n    return b\n"})
    assert "[...a].py" in msg and "[[...b]].py" in msg


def test_names_differing_only_by_case(load_app):
    msg = _error(load_app, {"routes/About.py": OK, "routes/about.py": OK})
    assert "About.py" in msg and "about.py" in msg and "case" in msg


def test_case_clash_across_folder_and_file(load_app):
    msg = _error(load_app, {"routes/Blog/index.py": OK, "routes/blog.py": OK})
    assert "case" in msg


def test_sibling_dynamic_segments_with_different_names(load_app):
    msg = _error(load_app, {"routes/posts/[id].py": OK_ID,
                            "routes/posts/[slug]/edit.py": "def get(request, slug):\n    return slug\n"})
    assert "routes/posts/[id].py" in msg and "routes/posts/[slug]/edit.py" in msg
    assert "[id]" in msg and "[slug]" in msg


@pytest.mark.parametrize("name, reason", [
    ("a<b.py", "not allowed in Windows"),
    ("what?.py", "not allowed in Windows"),
    ('say"hi".py', "not allowed in Windows"),
    ("con.py", "reserved device name"),
    ("NUL.py", "reserved device name"),
    ("aux", "reserved device name"),
    ("lpt1.py", "reserved device name"),
    ("trail.", "ends with a dot"),
    ("name..py", "ends with a dot"),
])
def test_windows_illegal_names_are_rejected_with_the_reason(load_app, name, reason):
    path = f"routes/{name}" if name.endswith(".py") else f"routes/{name}/index.py"
    msg = _error(load_app, {path: OK})
    assert reason in msg
    assert name in msg


@pytest.mark.parametrize("name", ["[id.py", "[[id]].py", "[...].py", "[1x].py", "a[id].py", "[...a]]].py"])
def test_malformed_brackets(load_app, name):
    assert name.removesuffix(".py") in _error(load_app, {f"routes/{name}": OK})


def test_handler_parameter_that_is_not_a_path_parameter(load_app):
    msg = _error(load_app, {"routes/x.py": "def get(request, id):\n    return id\n"})
    assert "routes/x.py" in msg and "'id'" in msg


def test_module_without_handlers(load_app):
    assert "defines no handler" in _error(load_app, {"routes/empty.py": "X = 1\n"})


def test_syntax_error_names_file_and_line(load_app):
    msg = _error(load_app, {"routes/broken.py": "def get(request):\n    return (\n"})
    assert "routes/broken.py:" in msg and "syntax error" in msg


def test_unconvertible_annotation(load_app):
    msg = _error(load_app, {"routes/[id].py": "def get(request, id: dict):\n    return 'x'\n"})
    assert "routes/[id].py" in msg and "id" in msg


def test_programmatic_route_conflicts_with_file_route(load_app, make_project, monkeypatch):
    from wolfpy import App
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    app = App(make_project({"routes/hello.py": OK}))
    app.load_routes()

    @app.route("/hello")
    def hello(request):
        return "again"
    with pytest.raises(RouteConflict) as info:
        app.freeze()
    assert "routes/hello.py" in str(info.value) and "app.route('/hello')" in str(info.value)
