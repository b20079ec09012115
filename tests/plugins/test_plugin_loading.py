"""Enabling plugins: a missing, an incompatible and a broken plugin are one line each, at
startup, in ``wolfpy check`` and on the command line (the traceback only with --debug); the
version rule; plugin settings from .env; ``[plugins] enabled`` edited in place; the order of
plugin migrations."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import wolfpy
from tests.cli_runner import run_cli
from wolfpy import App
from wolfpy.cli.commands.plugin import set_enabled
from wolfpy.cli.common import CommandError
from wolfpy.config import Settings
from wolfpy.db.migrations.plugins import in_dependency_order
from wolfpy.errors import ConfigError, MigrationError
from wolfpy.extensions import Extension
from wolfpy.plugins import PluginError, _fallback, supports
from wolfpy.project import Project

BROKEN = 'raise RuntimeError("the plugin is broken")\n'
OLD = ('from wolfpy.extensions import Extension\n'
       'extension = Extension("old", version="0.9", requires="wolfpy>=0.5,<0.6")\n')


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    (root / "routes").mkdir(parents=True)
    (root / "routes" / "index.py").write_text("def get(request):\n    return 'hi'\n")
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "brokenplug.py").write_text(BROKEN)
    (lib / "oldplug.py").write_text(OLD)
    monkeypatch.syspath_prepend(str(lib))
    return root


def enable(root: Path, name: str) -> None:
    (root / "wolfpy.toml").write_text(f'[plugins]\nenabled = ["{name}"]\n')


def test_a_broken_plugin_names_itself_in_one_line_and_its_traceback_is_behind_debug(project: Path) -> None:
    enable(project, "brokenplug:extension")
    line = ("[plugins] enabled: plugin 'brokenplug:extension' cannot be loaded: RuntimeError: the plugin is "
            "broken (`wolfpy --debug routes` shows its traceback)")
    with pytest.raises(PluginError) as caught:
        App(project)
    assert str(caught.value) == line
    code, out, err = run_cli("routes", cwd=project)
    assert (code, err) == (1, f"error: {line}\n")
    code, out, err = run_cli("check", cwd=project)
    assert code == 1 and f"plugins.E001 error: {line}" in out + err and "Traceback" not in out + err
    lib = project.parent / "lib"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WOLFPY_")}
    env["PYTHONPATH"] = os.pathsep.join([str(lib), str(Path(wolfpy.__file__).parent.parent)])
    debug = subprocess.run([sys.executable, "-m", "wolfpy.cli.main", "--debug", "routes"], cwd=project, env=env,
                           capture_output=True, text=True, timeout=60)
    assert debug.returncode == 1
    assert f'File "{lib / "brokenplug.py"}", line 1' in debug.stderr
    assert 'raise RuntimeError("the plugin is broken")' in debug.stderr


def test_an_incompatible_plugin_is_one_line(project: Path) -> None:
    enable(project, "oldplug:extension")
    line = ("[plugins] enabled: plugin 'oldplug:extension' (old 0.9) supports wolfpy>=0.5,<0.6, not this "
            "WolfPy 0.1.0: install a release of the plugin made for it, or remove it from [plugins] enabled")
    with pytest.raises(ConfigError, match="^" + line.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]") + "$"):
        App(project)
    code, out, err = run_cli("check", cwd=project)
    assert code == 1 and f"plugins.E001 error: {line}" in out + err
    code, out, err = run_cli("plugin", "info", "oldplug:extension", cwd=project)
    assert code == 0 and "supports:     wolfpy>=0.5,<0.6 (not this WolfPy 0.1.0)" in out


def test_a_missing_plugin_says_how_to_install_it(project: Path) -> None:
    enable(project, "nowhere")
    code, out, err = run_cli("routes", cwd=project)
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("error: [plugins] enabled: no plugin named 'nowhere'")
    assert err.rstrip().endswith("install it with `wolfpy plugin install`")


@pytest.mark.parametrize("spec, version, ok", [
    ("wolfpy>=0.1,<0.3", "0.1.0", True), (">=0.1,<0.3", "0.3", False), ("wolfpy>=0.2", "0.1.9", False),
    ("==0.1.*", "0.1.7", True), ("!=0.1.*", "0.1.7", False), ("~=0.1", "0.9", True), ("~=0.1.2", "0.2.0", False),
    ("wolfpy", "5.0", True), ("<1", "0.10.0", True), (">0.9", "0.10", True),
])
def test_supported_versions_follow_pep_440_with_or_without_packaging(spec: str, version: str, ok: bool) -> None:
    assert supports(spec, version) is ok
    assert _fallback(spec.removeprefix("wolfpy").strip(), version) is ok


def test_a_bad_requires_is_one_line(project: Path, tmp_path: Path) -> None:
    (tmp_path / "lib" / "oddplug.py").write_text(
        'from wolfpy.extensions import Extension\nextension = Extension("odd", requires="wolfpy>>1")\n')
    enable(project, "oddplug:extension")
    with pytest.raises(PluginError, match=r"plugin 'oddplug:extension' \(odd\) declares requires="):
        App(project)


def test_plugin_settings_come_from_dotenv_with_the_same_labels_as_built_ins(project: Path, tmp_path: Path) -> None:
    (tmp_path / "lib" / "greetplug.py").write_text(
        'from wolfpy.extensions import Extension\n'
        'extension = Extension("greet-er", settings={"greeting": "Hello", "times": 1})\n')
    enable(project, "greetplug:extension")
    (project / ".env").write_text("WOLFPY_GREET_ER_GREETING=Salut\nWOLFPY_APP_NAME=dotenv-app\n")
    project_obj = Project(project)
    app = App(project_obj, Settings.load(project_obj, environ={"WOLFPY_GREET_ER_TIMES": "3"}, quiet=True))
    section = app.settings.get("greet-er", "greeting"), app.settings.get("greet-er", "times")
    assert section == ("Salut", 3)
    assert app.settings.sources[("greet-er", "greeting")] == ".env (WOLFPY_GREET_ER_GREETING)"
    assert app.settings.sources[("app", "name")] == ".env (WOLFPY_APP_NAME)"
    assert app.settings.sources[("greet-er", "times")] == "env WOLFPY_GREET_ER_TIMES"
    # Where .env is not read (debug explicitly off), it does not count for plugins either.
    (project / "wolfpy.toml").write_text('[app]\ndebug = false\n[plugins]\nenabled = ["greetplug:extension"]\n')
    quiet = App(project_obj, Settings.load(project_obj, environ={}, quiet=True))
    assert quiet.settings.get("greet-er", "greeting") == "Hello"


def test_enabled_is_edited_in_place(tmp_path: Path) -> None:
    path = tmp_path / "wolfpy.toml"
    text = textwrap.dedent("""\
        # my settings
        [app]
        name = "blog"   # the name

        [plugins]
        # switched on:
        enabled = [
            "one",  # the first
            "two]",
        ]
        other = 1

        [hello]
        greeting = "enabled = []"
        """)
    path.write_text(text)
    set_enabled(path, ["one", "three"])
    assert path.read_text() == text.replace('enabled = [\n    "one",  # the first\n    "two]",\n]',
                                            'enabled = ["one", "three"]')
    path.write_text("[app]\nname = 'x'\n\n[plugins]\n# nothing yet\n")
    set_enabled(path, ["a"])
    assert path.read_text() == "[app]\nname = 'x'\n\n[plugins]\nenabled = [\"a\"]\n# nothing yet\n"
    path.write_text("[app]\nname = 'x'")
    set_enabled(path, ["a"])
    assert path.read_text() == "[app]\nname = 'x'\n\n[plugins]\nenabled = [\"a\"]\n"


def test_plugin_migrations_run_in_dependency_order() -> None:
    a, b, c = Extension("a", depends=["c"]), Extension("b"), Extension("c", depends=["b"])
    assert [e.name for e in in_dependency_order([a, b, c])] == ["b", "c", "a"]
    with pytest.raises(MigrationError, match=r"plugin 'a' depends on 'zzz', which is not in \[plugins\] enabled"):
        in_dependency_order([Extension("a", depends=["zzz"])])
    with pytest.raises(MigrationError, match="cycle: x -> y -> x"):
        in_dependency_order([Extension("x", depends=["y"]), Extension("y", depends=["x"])])


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["uvicorn", "gunicorn"])
@pytest.mark.parametrize("plugin, text", [
    ("brokenplug:extension", "plugin 'brokenplug:extension' cannot be loaded: RuntimeError: the plugin is broken"),
    ("oldplug:extension", "plugin 'oldplug:extension' (old 0.9) supports wolfpy>=0.5,<0.6, not this WolfPy 0.1.0"),
])
def test_a_server_refuses_to_start_in_one_line(project: Path, tmp_path: Path, kind: str, plugin: str,
                                               text: str) -> None:
    from tests.e2e.conftest import Server, server_env
    enable(project, plugin)
    env = server_env()
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "lib"), env["PYTHONPATH"]])
    server = Server(kind, project, tmp_path / "logs", env)
    try:
        server.start()
        assert server.wait_exit() != 0
        errors = [line for line in server.output().splitlines() if "[plugins]" in line]
        assert errors == [f"error: [plugins] enabled: {text}" + errors[0].split(text, 1)[1]], server.output()
        assert "Traceback" not in server.output()
    finally:
        server.stop()


def test_a_plugins_routes_folder_is_mounted_under_its_prefix(project: Path, tmp_path: Path) -> None:
    pkg = tmp_path / "lib" / "shopplug"
    (pkg / "routes" / "items").mkdir(parents=True)
    (pkg / "__init__.py").write_text(
        "from pathlib import Path\nfrom wolfpy.extensions import Extension\n"
        "extension = Extension('shop', prefix='/shop', routes_dir=Path(__file__).parent / 'routes')\n")
    (pkg / "routes" / "index.py").write_text("def get(request):\n    return 'shop home'\n")
    (pkg / "routes" / "items" / "[id].py").write_text(
        "api = True\n\ndef get(request, id: int):\n    return {'id': id}\n\n"
        "def delete(request, id: int):\n    return {'deleted': id}\n")
    enable(project, "shopplug:extension")
    from wolfpy.testing import TestClient
    app = App(project)
    app.load_routes()
    client = TestClient(app)
    assert client.get("/shop").text == "shop home"
    assert client.get("/shop/items/7").json() == {"id": 7}
    assert client.get("/shop/items/x").status_code == 404
    assert client.get("/").text == "hi"
    assert {("shop:index", "/shop"), ("shop:items/[id]", "/shop/items/{id}")} <= {(r.name, r.template) for r in app.routes}
    assert set(next(r for r in app.routes if r.name == "shop:items/[id]").endpoints) >= {"GET", "DELETE"}
    (pkg / "routes" / "_middleware.py").write_text("def middleware(request, call_next):\n    return call_next(request)\n")
    for name in [n for n in sys.modules if n.startswith("shopplug")]:
        del sys.modules[name]
    code, out, err = run_cli("routes", cwd=project)
    assert code == 1 and "a plugin's routes folder takes no _middleware.py" in err and err.count("\n") == 1


def test_a_layout_the_editor_cannot_handle_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "wolfpy.toml"
    text = 'plugins.enabled = ["one"]\n[app]\nname = "x"\n'
    path.write_text(text)
    with pytest.raises(CommandError, match=r"could not edit \[plugins\] enabled in wolfpy.toml safely"):
        set_enabled(path, ["one", "two"])
    assert path.read_text() == text


def test_a_name_starting_with_a_dash_never_becomes_a_pip_option(project: Path, tmp_path: Path) -> None:
    log = tmp_path / "pip.log"
    code, out, err = run_cli("plugin", "install", "--", f"--log={log}", cwd=project)
    assert code != 0 and err.startswith("error:") and "-" in err.splitlines()[0], err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not log.exists()  # pip never ran with it as an option (--log writes the file)
