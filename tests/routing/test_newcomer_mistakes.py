"""Route files that look right to a newcomer but cannot work are refused at startup, saying why."""
from __future__ import annotations

import pytest

from wolfpy.errors import RouteConflict, RouteLoadError

OK = "def get(request):\n    return 'ok'\n"


def _error(load_app, files):
    with pytest.raises((RouteConflict, RouteLoadError)) as info:
        load_app(files)
    return str(info.value)


# -- handler names ---------------------------------------------------------------------------

@pytest.mark.parametrize("source, expected", [
    ("def GET(request):\n    return 'x'\n",
     "routes/x.py defines GET; handlers are lower-case: def get(request)"),
    ("def Get(request):\n    return 'x'\n",
     "routes/x.py defines Get; handlers are lower-case: def get(request)"),
    ("async def POST(request):\n    return 'x'\n",
     "routes/x.py defines POST; handlers are lower-case: async def post(request)"),
    ("def get(request):\n    return 'x'\n\ndef Delete(request):\n    return 'gone'\n",
     "routes/x.py defines Delete; handlers are lower-case: def delete(request)"),
    ("async def WebSocket(ws):\n    await ws.accept()\n",
     "routes/x.py defines WebSocket; handlers are lower-case: async def websocket(ws)"),
])
def test_mis_cased_handler_names_are_refused(load_app, source, expected):
    assert _error(load_app, {"routes/x.py": source}) == expected


def test_a_class_named_like_a_method_is_not_a_handler(load_app, make_client):
    source = ("from dataclasses import dataclass\n\n@dataclass\nclass Post:\n    title: str\n\n"
              "def get(request):\n    return Post('hello').title\n")
    client = make_client(load_app({"routes/posts.py": source}))
    r = client.get("/posts")
    assert (r.status_code, r.text) == (200, "hello")


# -- file names that are not URL segments ---------------------------------------------------------

@pytest.mark.parametrize("path, shown, suggested", [
    ("routes/My Page.py", "a space", "routes/my-page.py"),
    ("routes/blog/Hello World.py", "a space", "routes/blog/hello-world.py"),
    ("routes/über uns.py", "'ü'", "routes/uber-uns.py"),
    ("routes/a%20b.py", "'%'", "routes/a-20b.py"),
    ("routes/c#.py", "'#'", "routes/c.py"),
    ("routes/q&a.py", "'&'", "routes/q-a.py"),
    ("routes/news & events/index.py", "'&'", "routes/news-events"),
])
def test_names_that_are_not_url_segments_are_refused(load_app, path, shown, suggested):
    msg = _error(load_app, {path: OK})
    rel = path if path.endswith(".py") and not path.endswith("/index.py") else path.rsplit("/", 1)[0]
    assert msg.startswith(f"{rel}: ")
    assert f"{shown} " in msg and "cannot appear in a URL unencoded" in msg
    assert msg.endswith(f"(rename it {suggested})")


def test_url_safe_names_are_served(load_app, make_client):
    client = make_client(load_app({
        "routes/sitemap.xml.py": OK, "routes/a-b_c~d.py": OK, "routes/v1.2/Index-Page.py": OK}))
    for url in ("/sitemap.xml", "/a-b_c~d", "/v1.2/Index-Page"):
        r = client.get(url)
        assert (r.status_code, r.text) == (200, "ok"), url


# -- one parameter name twice in a path ---------------------------------------------------------

@pytest.mark.parametrize("path, first", [
    ("routes/[id]/[id].py", "routes/[id]"),
    ("routes/[id]/edit/[id].py", "routes/[id]"),
    ("routes/(shop)/[id]/[...id].py", "routes/(shop)/[id]"),
    ("routes/[slug]/[[...slug]].py", "routes/[slug]"),
])
def test_a_parameter_name_twice_in_one_path_is_refused(load_app, path, first):
    msg = _error(load_app, {path: "def get(request, **kw):\n    return 'x'\n"})
    name = first.rsplit("[", 1)[1].rstrip("]")
    assert msg == (f"{path}: the parameter name '{name}' is used twice in one path ({first} and {path}); "
                   "give each its own name")


def test_a_folder_repeating_a_parameter_is_refused(load_app):
    msg = _error(load_app, {"routes/[id]/[id]/index.py": OK})
    assert msg.startswith("routes/[id]/[id]: the parameter name 'id' is used twice")


def test_distinct_parameter_names_are_served(load_app, make_client):
    client = make_client(load_app({
        "routes/[user]/[id].py": "def get(request, user, id):\n    return f'{user}:{id}'\n"}))
    r = client.get("/ada/7")
    assert (r.status_code, r.text) == (200, "ada:7")


# -- an import that fails inside the project's own code -------------------------------------------

def test_an_import_error_in_a_model_points_at_the_model_line(load_app):
    model = "from wolfpy.db import Model\n\nclass Comment(Model):\n    body = TextFeild()\n"
    route = "from models.comment import Comment\n\ndef get(request):\n    return 'x'\n"
    msg = _error(load_app, {"models/__init__.py": "", "models/comment.py": model, "routes/comments.py": route})
    assert msg == ("routes/comments.py:1: importing failed: NameError: name 'TextFeild' is not defined; "
                   "did you mean 'TextField' (from wolfpy.db import TextField)? (at models/comment.py:4)")
