"""Who runs the app decides debug, .env and the secret key; unknown settings are named.

- production (servers): debug off, no .env, a real key; ``debug = true`` in wolfpy.toml
  stops the start; ``WOLFPY_APP_DEBUG=1`` in the environment is honoured, loudly.
- development (``wolfpy serve``): .env read, debug on unless a setting says otherwise.
- no mode (``wolfpy.load``, the other commands, tests): debug off by default, .env read
  and a throw-away key unless debug is explicitly off.
"""
from __future__ import annotations

import pytest

from wolfpy import Project, Settings, load
from wolfpy.config import register_section
from wolfpy.errors import ConfigError

KEY = "from-dotenv-" + "k" * 40


def project(tmp_path, toml='[app]\nname = "demo"\n', env_file=f"WOLFPY_SECRET_KEY={KEY}\n"):
    (tmp_path / "routes").mkdir(exist_ok=True)
    (tmp_path / "routes" / "index.py").write_text("def get(request):\n    return 'home'\n")
    (tmp_path / "wolfpy.toml").write_text(toml)
    if env_file is not None:
        (tmp_path / ".env").write_text(env_file)
    return Project(tmp_path)


# -- production ------------------------------------------------------------------------------

def test_production_is_debug_off_without_dotenv(tmp_path):
    s = Settings.load(project(tmp_path), environ={}, mode="production")
    assert s.debug is False and s.production is True
    assert s.app.secret_key == ""                      # .env is development's
    with pytest.raises(ConfigError) as info:
        s.ensure_secret_key()
    message = str(info.value)
    assert "\n" not in message and "WOLFPY_SECRET_KEY" in message and ".env" in message
    ok = Settings.load(project(tmp_path), environ={"WOLFPY_SECRET_KEY": "p" * 40}, mode="production")
    assert ok.ensure_secret_key() == "p" * 40


def test_production_refuses_debug_true_in_wolfpy_toml(tmp_path):
    with pytest.raises(ConfigError) as info:
        Settings.load(project(tmp_path, "[app]\ndebug = true\n"), environ={"WOLFPY_SECRET_KEY": "p" * 40},
                      mode="production")
    message = str(info.value)
    assert "\n" not in message
    assert "debug = true" in message and "remove" in message and "WOLFPY_APP_DEBUG=1" in message


def test_production_honours_an_explicit_environment_request_loudly(tmp_path, capsys):
    s = Settings.load(project(tmp_path, "[app]\ndebug = true\n"), environ={"WOLFPY_APP_DEBUG": "1"},
                      mode="production")
    assert s.debug is True and s.production is False
    assert s.app.secret_key == KEY                    # asked-for debug is development: .env is read
    err = capsys.readouterr().err
    assert err.startswith("warning: debug is on (WOLFPY_APP_DEBUG)") and err.count("\n") == 1


def test_production_debug_false_from_the_environment_is_fine(tmp_path):
    s = Settings.load(project(tmp_path, "[app]\ndebug = true\n"),
                      environ={"WOLFPY_APP_DEBUG": "false", "WOLFPY_SECRET_KEY": "p" * 40}, mode="production")
    assert s.debug is False


def test_load_for_a_server_is_production(tmp_path, monkeypatch):
    project(tmp_path)
    monkeypatch.delenv("WOLFPY_APP_DEBUG", raising=False)
    monkeypatch.delenv("WOLFPY_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="no secret key"):
        load(tmp_path, mode="production")
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "p" * 40)
    app = load(tmp_path, mode="production")
    assert app.settings.debug is False


# -- development -----------------------------------------------------------------------------

def test_development_reads_dotenv_and_turns_debug_on(tmp_path):
    s = Settings.load(project(tmp_path), environ={}, mode="development")
    assert s.debug is True and s.app.secret_key == KEY
    assert s.sources[("app", "debug")] == "wolfpy serve (development)"


def test_development_keeps_an_explicit_debug_off(tmp_path):
    s = Settings.load(project(tmp_path, "[app]\ndebug = false\n", env_file=None), environ={}, mode="development")
    assert s.debug is False and s.production is False
    assert len(s.ensure_secret_key()) >= 32           # a throw-away key: still development
    s = Settings.load(project(tmp_path), environ={"WOLFPY_APP_DEBUG": "0"}, mode="development")
    assert s.debug is False and s.app.secret_key == KEY


# -- no mode: wolfpy.load(), the other commands, tests -------------------------------------------

def test_no_mode_reads_dotenv_and_accepts_a_missing_key(tmp_path, monkeypatch):
    s = Settings.load(project(tmp_path), environ={})
    assert s.debug is False and s.app.secret_key == KEY
    monkeypatch.delenv("WOLFPY_SECRET_KEY", raising=False)
    monkeypatch.delenv("WOLFPY_APP_DEBUG", raising=False)
    project(tmp_path, env_file=None).env_file.unlink()
    app = load(tmp_path)                                # a fresh clone's `wolfpy test`
    assert app.settings.debug is False and len(app.settings.app.secret_key) >= 32


def test_no_mode_with_debug_explicitly_off_is_production(tmp_path):
    s = Settings.load(project(tmp_path, "[app]\ndebug = false\n"), environ={})
    assert s.production is True and s.app.secret_key == ""
    s = Settings.load(project(tmp_path), environ={"WOLFPY_APP_DEBUG": "false"})
    assert s.production is True and s.app.secret_key == ""


def test_override_keeps_the_mode(tmp_path):
    s = Settings.load(project(tmp_path), environ={}, mode="production").override(app={"name": "x"})
    assert s.mode == "production" and s.production is True


def test_new_projects_do_not_set_debug(tmp_path):
    from wolfpy.scaffold import create_project
    create_project(tmp_path / "demo")
    text = (tmp_path / "demo" / "wolfpy.toml").read_text()
    assert not any(line.split("=")[0].strip() == "debug" for line in text.splitlines()
                   if not line.lstrip().startswith("#"))
    s = Settings.load(Project(tmp_path / "demo"), environ={}, mode="production")
    assert s.debug is False


# -- unknown settings ------------------------------------------------------------------------

def test_unknown_key_in_a_known_section_warns_with_a_suggestion(tmp_path, capsys):
    s = Settings.load(project(tmp_path, "[session]\nlifetme = 60\n"), environ={})
    err = capsys.readouterr().err
    assert err == "warning: [session] lifetme is not a known setting; did you mean lifetime?\n"
    assert [(u.section, u.key, u.suggestion) for u in s.unknown_keys] == [("session", "lifetme", "lifetime")]
    assert s.session.lifetime == 14 * 24 * 3600        # the typo changed nothing


def test_unknown_key_without_a_close_match_lists_the_known_ones(tmp_path, capsys):
    Settings.load(project(tmp_path, "[session]\nzzz = 1\n"), environ={})
    line = capsys.readouterr().err
    assert line.startswith("warning: [session] zzz is not a known setting; the known ones are: ")
    assert "lifetime" in line and line.count("\n") == 1


def test_a_section_that_looks_like_a_typo_warns(tmp_path, capsys):
    s = Settings.load(project(tmp_path, "[sesion]\nlifetime = 60\n"), environ={})
    err = capsys.readouterr().err
    assert err.startswith("warning: [sesion] is not a known section; did you mean [session]?")
    assert [(u.section, u.key) for u in s.unknown_keys] == [("sesion", None)]


def test_own_and_reserved_sections_do_not_warn(tmp_path, capsys):
    toml = ('[shop]\ncurrency = "EUR"\n[oauth.github]\nclient_id = "x"\n[mail]\nurl = "console"\n'
            '[deploy]\ntarget = "/srv"\n[storage]\nfolder = "media"\n[assets]\nminify = true\n'
            '[plugins.extra]\noption = 1\n')
    s = Settings.load(project(tmp_path, toml), environ={})
    assert capsys.readouterr().err == ""
    assert s.unknown_keys == [] and s.shop.currency == "EUR"


def test_a_registered_section_checks_its_keys(tmp_path, capsys, monkeypatch):
    from wolfpy import config
    monkeypatch.setattr(config, "KNOWN_SECTIONS", dict(config.KNOWN_SECTIONS))
    register_section("newsletter", ["sender", "batch_size"])
    Settings.load(project(tmp_path, '[newsletter]\nsendr = "a@b.c"\n'), environ={})
    assert capsys.readouterr().err == ("warning: [newsletter] sendr is not a known setting; "
                                       "did you mean sender?\n")


def test_quiet_load_keeps_the_list(tmp_path, capsys):
    s = Settings.load(project(tmp_path, "[app]\ndebgu = true\n"), environ={}, quiet=True)
    assert capsys.readouterr().err == ""
    assert [(u.key, u.suggestion) for u in s.unknown_keys] == [("debgu", "debug")]
