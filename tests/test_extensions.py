"""The extension API: a third-party-style plugin (tests/plugin_fixture.py) adds routes under a
prefix, a template, static files, a settings section, middleware for its URLs and a check, using
nothing but wolfpy.Extension; and App.extend takes an extension made in code."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from wolfpy import App
from wolfpy.errors import ConfigError, WolfPyError
from wolfpy.extensions import Extension

from .cli_runner import run_cli
from .plugin_fixture import install_plugin, uninstall

PLUGIN_TOML = '[app]\ndebug = false\n\n[plugins]\nenabled = ["hello"]\n\n[hello]\ngreeting = "Hi"\n'
FILES = {"routes/index.py": "def get(request):\n    return 'home'\n",
         "routes/api/items.py": "api = True\n\ndef get(request):\n    return []\n"}


@pytest.fixture
def plugin(tmp_path: Path) -> Iterator[Path]:
    folder = install_plugin(tmp_path / "site")
    sys.path.insert(0, str(folder))
    import importlib
    importlib.invalidate_caches()
    yield folder
    uninstall(folder)


@pytest.fixture
def plugin_app(plugin: Path, load_app: Callable[..., App]) -> Callable[..., App]:
    def make(toml: str = PLUGIN_TOML) -> App:
        return load_app(FILES, toml)
    return make


def test_plugin_routes_templates_static_and_settings(plugin_app: Callable[..., App], make_client: Any) -> None:
    client = make_client(plugin_app())
    page = client.get("/hello?name=<b>you</b>")
    assert page.status_code == 200
    assert '<p class="greeting">Hi, &lt;b&gt;you&lt;/b&gt;!</p>' in page.text  # [hello] greeting, escaped
    assert page.headers["x-hello"] == "1"                                     # its middleware, its URLs
    assert client.get("/").text == "home" and "x-hello" not in client.get("/").headers
    assert client.get("/hello/api/7").json() == {"n": 7, "greeting": "Hi"}
    assert client.get("/hello/api/x").status_code == 404
    css = client.get("/static/hello/hello.css")
    assert css.status_code == 200 and "teal" in css.text
    assert client.get("/static/hello/../hello/hello.css").status_code == 404


def test_plugin_settings_come_from_the_environment_and_are_validated(
        plugin_app: Callable[..., App], make_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WOLFPY_HELLO_SHOUT", "true")
    client = make_client(plugin_app())
    assert "HI, world!" in client.get("/hello").text
    assert client.app.settings.sources[("hello", "shout")] == "env WOLFPY_HELLO_SHOUT"  # labelled as the built-in sections are
    with pytest.raises(ConfigError, match=r"^\[hello\] greeting must not be empty$"):
        plugin_app(PLUGIN_TOML.replace('greeting = "Hi"', 'greeting = " "'))
    monkeypatch.setenv("WOLFPY_HELLO_SHOUT", "maybe")
    with pytest.raises(ConfigError, match=r"\[hello\] shout: expected true or false"):
        plugin_app()


def test_openapi_documents_the_plugins_api(plugin_app: Callable[..., App], make_client: Any) -> None:
    doc = make_client(plugin_app()).get("/openapi.json").json()
    assert "/hello/api/{n}" in doc["paths"] and "/api/items" in doc["paths"]


def test_routes_and_check_commands_see_the_plugin(plugin: Path, make_project: Callable[..., Path],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    root = make_project(FILES, PLUGIN_TOML.replace('greeting = "Hi"', 'greeting = "Hi"\nshout = true'))
    code, out, err = run_cli("routes", cwd=root)
    assert code == 0, err
    listed = [line.split() for line in out.splitlines()]
    assert ["GET", "/hello", "hello", "(extension)", "hello:index"] in listed
    assert any(row[:2] == ["GET", "/static/hello/{path...}"] for row in listed)
    code, out, err = run_cli("check", cwd=root)
    assert "hello.W001 warning: [hello] shout is on" in out + err


def test_an_unknown_or_broken_plugin_is_one_line(load_app: Callable[..., App], plugin: Path) -> None:
    with pytest.raises(ConfigError, match=r"no plugin named 'nope' \(entry points in 'wolfpy.plugins': .*hello"):
        load_app(FILES, '[plugins]\nenabled = ["nope"]\n')
    with pytest.raises(ConfigError, match=r"plugin 'acme_hello:missing' cannot be loaded: AttributeError"):
        load_app(FILES, '[plugins]\nenabled = ["acme_hello:missing"]\n')
    with pytest.raises(ConfigError, match=r"is not a wolfpy.Extension \(got str\)"):
        load_app(FILES, '[plugins]\nenabled = ["acme_hello.cli:__name__"]\n')


def test_an_extension_made_in_code(make_client: Any, tmp_path: Path) -> None:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "greet.html").write_text("<b>${who}</b>")
    ext = Extension("greeter", prefix="/greet", templates=tmp_path / "tpl")
    seen: list[str] = []

    @ext.route("/{who}")
    def greet(request: Any, who: str) -> Any:
        from wolfpy import render
        return render("greet.html", who=who)

    @ext.route("/{who}", ["POST"])
    def post(request: Any, who: str) -> Any:
        return {"posted": who}

    def admin_only(request: Any, call_next: Any) -> Any:
        seen.append(request.path)
        return call_next(request)
    ext.add_middleware(admin_only, prefix="/greet")
    started: list[bool] = []
    ext.on_startup(lambda: started.append(True))

    app = App(secret_key="s" * 40)

    @app.route("/greeting")
    def elsewhere(request: Any) -> str:
        return "no middleware here"

    app.extend(ext)
    with pytest.raises(ConfigError, match="added twice"):
        app.extend(ext)
    client = make_client(app)
    assert client.get("/greet/<i>").text == "<b>&lt;i&gt;</b>"
    assert client.post("/greet/x").json() == {"posted": "x"}
    assert client.get("/greeting").text == "no middleware here"
    assert seen == ["/greet/<i>", "/greet/x"] and started == [True]
    assert app.url_for("greeter:/greet/{who}", who="a b") == "/greet/a%20b"
    with pytest.raises(WolfPyError, match="after the app has started serving"):
        app.extend(Extension("late"))


def test_extension_names_and_prefixes_are_checked() -> None:
    with pytest.raises(ValueError, match="extension name"):
        Extension("a b")
    with pytest.raises(ValueError, match="prefix"):
        Extension("x", prefix="admin")
    with pytest.raises(ConfigError, match="built-in settings section"):
        App(secret_key="s" * 40).extend(Extension("app", settings={"x": 1}))
