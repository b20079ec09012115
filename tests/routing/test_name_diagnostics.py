"""A mistyped route or template name says what was meant, and where templates were looked for."""
from __future__ import annotations

import html

import pytest

from wolfpy import App
from wolfpy.errors import WolfPyError
from wolfpy.templating import BUILTIN_TEMPLATES, TemplateNotFound

DEBUG = "[app]\ndebug = true\n"
# WolfPy's own templates folder comes last, when this version ships one.
BUILTIN = [f"{BUILTIN_TEMPLATES} (WolfPy's built-in templates)"] if BUILTIN_TEMPLATES.is_dir() else []
POST = "def get(request, id: int):\n    return f'post {id}'\n"


def _page(client, url):
    r = client.get(url, headers={"accept": "text/html"})
    assert r.status_code == 500
    return html.unescape(r.text)


def test_url_for_typo_suggests_the_route_name(client_for):
    c = client_for({"routes/posts/[id].py": POST, "routes/link.py": """
        from wolfpy import url_for
        def get(request):
            return url_for("post/[id]", id=3)
    """}, toml=DEBUG)
    assert "no route named 'post/[id]'; did you mean 'posts/[id]'?" in _page(c, "/link")


def test_url_for_given_a_url_names_the_route(load_app):
    app = load_app({"routes/posts/[id].py": POST, "routes/index.py": "def get(request):\n    return 'x'\n"})
    with pytest.raises(WolfPyError) as info:
        app.url_for("/posts/3")
    assert str(info.value) == ("no route named '/posts/3': url_for() takes a route name, not a URL; "
                               "did you mean 'posts/[id]'?")
    with pytest.raises(WolfPyError, match=r"did you mean 'posts/\[id\]'\?$"):
        app.url_for("/posts/{id}")
    with pytest.raises(WolfPyError) as info:
        app.url_for("zzz")
    assert str(info.value) == "no route named 'zzz' (`wolfpy routes` lists every route's name)"
    assert app.url_for("posts/[id]", id=3) == "/posts/3"


def test_missing_template_lists_the_folders_searched_and_the_likely_name(client_for):
    c = client_for({"routes/show.py": """
        from wolfpy import render
        def get(request):
            return render("post/show.html")
    """, "templates/posts/show.html": "<p>post</p>"}, toml=DEBUG)
    page = _page(c, "/show")
    searched = ", ".join(["templates/", *BUILTIN])
    assert (f"template not found: post/show.html; searched, in order: {searched}; "
            "did you mean 'posts/show.html'?") in page


def test_the_searched_folders_are_in_lookup_order(make_project, tmp_path, monkeypatch):
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    root = make_project({"routes/index.py": "def get(request):\n    return 'x'\n"})
    plugin = tmp_path / "plugin_templates"
    plugin.mkdir()
    app = App(root)
    app.template_dirs.append(plugin)
    with pytest.raises(TemplateNotFound) as info:
        app.templates.render("nope.html", None)
    searched = ", ".join(["templates/ (the project has no such folder)", str(plugin), *BUILTIN])
    assert str(info.value) == f"template not found: nope.html; searched, in order: {searched}"
    assert isinstance(info.value, WolfPyError)
