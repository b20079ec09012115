"""Settings: wolfpy.toml, environment overrides, .env in development, the production secret key."""
from __future__ import annotations

import pytest

from wolfpy import App, Project, Settings, load
from wolfpy.errors import ConfigError, ProjectNotFound


def project(tmp_path, toml="", env_file=None):
    (tmp_path / "routes").mkdir(exist_ok=True)
    (tmp_path / "wolfpy.toml").write_text(toml)
    if env_file is not None:
        (tmp_path / ".env").write_text(env_file)
    return Project(tmp_path)


def test_defaults(tmp_path):
    s = Settings.load(project(tmp_path), environ={})
    assert s.app.debug is False
    assert s.database.url == "sqlite:///db.sqlite3"
    assert s.session.backend == "cookie"
    assert s.limits.max_body_size == 16 * 1024 * 1024
    assert s.sources[("database", "url")] == "default"


def test_toml_values_and_sources(tmp_path):
    s = Settings.load(project(tmp_path, '[app]\nname = "blog"\nmax_body_size = 1024\n[realtime]\nbackend = "redis"\n'),
                      environ={})
    assert s.app.name == "blog"
    assert s.limits.max_body_size == 1024
    assert s.realtime.backend == "redis"
    assert s.sources[("app", "name")] == "wolfpy.toml"


def test_env_overrides_with_types(tmp_path):
    env = {
        "WOLFPY_APP_DEBUG": "true",
        "WOLFPY_APP_ALLOWED_HOSTS": "example.com, 127.0.0.1",
        "WOLFPY_APP_MAX_BODY_SIZE": "2048",
        "WOLFPY_SESSION_LIFETIME": "60",
        "DATABASE_URL": "postgresql://u:pw@db/app",
        "REDIS_URL": "redis://r:6379/1",
        "WOLFPY_SECRET_KEY": "k" * 40,
    }
    s = Settings.load(project(tmp_path, "[app]\ndebug = false\n"), environ=env)
    assert s.app.debug is True
    assert s.app.allowed_hosts == ["example.com", "127.0.0.1"]
    assert s.limits.max_body_size == 2048
    assert s.session.lifetime == 60
    assert s.database.url == "postgresql://u:pw@db/app"
    assert s.redis.url == "redis://r:6379/1"
    assert s.app.secret_key == "k" * 40
    assert s.sources[("database", "url")] == "env DATABASE_URL"
    assert s.sources[("app", "debug")] == "env WOLFPY_APP_DEBUG"


def test_specific_env_var_beats_conventional(tmp_path):
    s = Settings.load(project(tmp_path), environ={"DATABASE_URL": "sqlite:///a.db",
                                                  "WOLFPY_DATABASE_URL": "sqlite:///b.db"})
    assert s.database.url == "sqlite:///b.db"


def test_bad_values_are_one_line_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"\[app\] debug: expected true or false"):
        Settings.load(project(tmp_path), environ={"WOLFPY_APP_DEBUG": "maybe"})
    with pytest.raises(ConfigError, match=r"\[app\] max_body_size: expected a whole number"):
        Settings.load(project(tmp_path, "[app]\nmax_body_size = 'big'\n"), environ={})
    with pytest.raises(ConfigError, match="invalid TOML"):
        Settings.load(project(tmp_path, "[app\n"), environ={})


def test_dotenv_loaded_in_development_only(tmp_path):
    env_file = "# comment\nWOLFPY_SECRET_KEY='from-dotenv-0123456789-0123456789'\nexport REDIS_URL=redis://x\n"
    dev = Settings.load(project(tmp_path, "[app]\ndebug = true\n", env_file), environ={})
    assert dev.app.secret_key == "from-dotenv-0123456789-0123456789"
    assert dev.redis.url == "redis://x"
    assert dev.sources[("app", "secret_key")] == ".env (WOLFPY_SECRET_KEY)"
    prod = Settings.load(project(tmp_path, "[app]\ndebug = false\n", env_file), environ={})
    assert prod.app.secret_key == ""


def test_real_environment_beats_dotenv(tmp_path):
    s = Settings.load(project(tmp_path, "[app]\ndebug = true\n", "REDIS_URL=redis://dotenv\n"),
                      environ={"REDIS_URL": "redis://real"})
    assert s.redis.url == "redis://real"


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("WOLFPY_SECRET_KEY", raising=False)
    monkeypatch.delenv("WOLFPY_APP_SECRET_KEY", raising=False)
    project(tmp_path, "[app]\ndebug = false\n")
    with pytest.raises(ConfigError) as info:
        load(tmp_path)
    assert "secret key" in str(info.value) and "\n" not in str(info.value)
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="at least 32"):
        load(tmp_path)
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "x" * 32)
    assert load(tmp_path).settings.app.secret_key == "x" * 32


def test_development_generates_an_ephemeral_key(tmp_path, monkeypatch):
    monkeypatch.delenv("WOLFPY_SECRET_KEY", raising=False)
    project(tmp_path, "[app]\ndebug = true\n")
    app = load(tmp_path)
    assert len(app.settings.app.secret_key) >= 32


def test_masked_values_hide_secrets(tmp_path):
    s = Settings.load(project(tmp_path), environ={"DATABASE_URL": "postgresql://u:hunter2@db/x",
                                                  "WOLFPY_SECRET_KEY": "s" * 40})
    masked = s.masked()
    assert masked["database"]["url"] == ("postgresql://u:********@db/x", "env DATABASE_URL")
    assert masked["app"]["secret_key"][0] == "********"


def test_discover_walks_up(tmp_path):
    project(tmp_path)
    deep = tmp_path / "routes" / "a" / "b"
    deep.mkdir(parents=True)
    assert Project.discover(deep).root == tmp_path.resolve()
    with pytest.raises(ProjectNotFound, match="wolfpy.toml"):
        Project.discover(tmp_path.parent)


def test_app_keyword_overrides(tmp_path):
    app = App(project(tmp_path), debug=True, secret_key="z" * 40)
    assert app.settings.debug is True and app.settings.app.secret_key == "z" * 40
