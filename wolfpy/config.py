"""Settings: ``wolfpy.toml`` merged with environment overrides and ``.env``.

Precedence, lowest first: built-in defaults, ``wolfpy.toml``, ``.env`` (in
development only, never overriding the real environment), the conventional
variables (``DATABASE_URL``, ``REDIS_URL``, ``MONGO_URL``, ``WOLFPY_SECRET_KEY``)
and ``WOLFPY_<SECTION>_<KEY>``. Every value remembers where it came from, for
``wolfpy config show``. Reading those sources and converting their text to each
setting's type is :mod:`wolfpy.config_sources`; merging them is this module.

Who starts the app decides its *mode*:

- ``"development"`` (``wolfpy serve``): ``.env`` is read, debug is on unless a
  setting or ``--no-debug`` says otherwise, a missing secret key is replaced by a
  throw-away one.
- ``"production"`` (``wolfpy.wsgi:application``, ``wolfpy.asgi:application``,
  ``wolfpy serve --prod``): debug is off, ``.env`` is not read, a real secret key is
  required, and ``debug = true`` in ``wolfpy.toml`` stops the start. Only
  ``WOLFPY_APP_DEBUG`` in the real environment turns debug on (with a warning).
- no mode (``wolfpy.load()``, ``App()``, the other ``wolfpy`` commands, tests):
  debug as the settings say (off by default); ``.env`` is read and the key may be
  a throw-away one unless debug is explicitly set to false, which means production.
"""
from __future__ import annotations

import copy
import difflib
import os
import secrets
import sys
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple

# CONVENTIONAL_ENV and read_dotenv are also wolfpy.config's names: they stay importable from here.
from .config_sources import CONVENTIONAL_ENV, apply_environment, coerce, read_dotenv, read_toml  # noqa: F401
from .errors import ConfigError
from .http.limits import Limits

MIN_SECRET_KEY_LENGTH = 32

DEFAULTS: dict[str, dict[str, Any]] = {
    "app": {
        "name": "wolfpy",
        "version": "0.1.0",   # the app's own version: wolfpy build names releases by it
        "debug": False,
        "secret_key": "",
        "fallback_secret_keys": [],
        "allowed_hosts": [],
        "max_body_size": 16 * 1024 * 1024,
    },
    "database": {"url": "sqlite:///db.sqlite3"},
    "redis": {"url": ""},
    "mongo": {"url": ""},
    "session": {"backend": "cookie", "lifetime": 14 * 24 * 3600, "idle_timeout": 0},
    "security": {
        "trusted_proxies": [],
        "max_json_size": 1024 * 1024,
        "max_json_depth": 64,
        "max_form_field_size": 500_000,
        "max_form_parts": 1000,
        "max_files": 100,
        "websocket_max_message": 64 * 1024,
        "jwt_issuer": "",
        "jwt_audience": "",
        "websocket_max_messages_per_second": 100,
        "max_header_count": 100,
        "max_header_size": 64 * 1024,
    },
    # Rooms, presence and history (wolfpy/realtime, docs/realtime.md).
    "realtime": {"backend": "memory", "max_queue": 256, "history_max": 1000, "history_retention": 0,
                 "presence_ttl": 10, "redis_prefix": "wolfpy:rt:"},
    "logging": {"level": "info", "file": True, "console": True, "max_bytes": 10 * 1024 * 1024, "backups": 5},
    "admin": {"enabled": True, "prefix": "/admin"},
    "docs": {"enabled": True, "allow_html": False, "order": [], "title": ""},  # wolfpy/docsite
    "plugins": {"enabled": []},
    "middleware": {"builtin": ["security_headers"]},
    # OpenAPI: /openapi.json and /openapi (wolfpy/openapi.py)
    "api": {"openapi": True, "title": "", "version": "0.1.0", "description": "", "include_html": False},
}

# Sections WolfPy knows besides those of DEFAULTS: reserved for features and plugins
# that bring their own keys. None: the keys are not checked (yet). Extend with
# register_section(); a section of one's own (``[shop]``) is allowed and not checked.
# Process-wide on purpose: like DEFAULTS it describes the format of wolfpy.toml, which
# is read before any App exists, and a feature or plugin declares its section once for
# every project. An extension's own section is per App (Settings.with_section).
KNOWN_SECTIONS: dict[str, frozenset[str] | None] = {
    "oauth": None, "deploy": None, "mail": None, "storage": None, "assets": None,
}

MODES = ("development", "production")

SECRET_KEYS = {"secret_key", "fallback_secret_keys", "password", "url"}


def register_section(name: str, keys: Iterable[str] | None = None) -> None:
    """Declare a ``[name]`` section of ``wolfpy.toml`` (a feature's or a plugin's).

    With ``keys``, a key outside them gets the unknown-setting warning, as in the
    built-in sections; without, any key is accepted.
    """
    KNOWN_SECTIONS[name] = None if keys is None else frozenset(keys)


# [auth]: the reset and confirmation links (wolfpy/auth/links.py has the defaults).
register_section("auth", ("confirm_email", "reset_max_age", "confirm_max_age", "reset_limit", "reset_window"))


class UnknownSetting(NamedTuple):
    """A key of ``wolfpy.toml`` that no known section has (``[session] lifetme``)."""

    section: str
    key: str | None          # None: the whole section is unknown (a near miss of a known one)
    suggestion: str | None   # the closest known name, if any is close

    @property
    def message(self) -> str:
        if self.key is None:
            return (f"[{self.section}] is not a known section; did you mean [{self.suggestion}]? "
                    "(rename it, or give your own section a name further from the built-in ones)")
        text = f"[{self.section}] {self.key} is not a known setting"
        if self.suggestion:
            return f"{text}; did you mean {self.suggestion}?"
        known = _section_keys(self.section) or ()
        return f"{text}; the known ones are: {', '.join(sorted(known))}" if known else text


def _section_keys(section: str) -> frozenset[str] | None:
    if section in DEFAULTS:
        return frozenset(DEFAULTS[section])
    return KNOWN_SECTIONS.get(section)


def unknown_settings(toml: Mapping[str, Any]) -> list[UnknownSetting]:
    """Keys of known sections that do not exist, and sections that look like a typo."""
    out: list[UnknownSetting] = []
    sections = [*DEFAULTS, *KNOWN_SECTIONS]
    for section, table in toml.items():
        if section in DEFAULTS or section in KNOWN_SECTIONS:
            known = _section_keys(section)
            if known is None or not isinstance(table, dict):
                continue
            for key, value in table.items():
                if key not in known and not isinstance(value, dict):  # a sub-table is an extension's
                    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
                    out.append(UnknownSetting(section, key, close[0] if close else None))
        else:
            close = difflib.get_close_matches(section, sections, n=1, cutoff=0.8)
            if close:
                out.append(UnknownSetting(section, None, close[0]))
    return out


# The warnings already printed. Process-wide on purpose: they go to the process's stderr,
# once per process (several Apps loading one project warn once, not once each).
_warned: set[tuple[str, str]] = set()


def warn(message: str, where: str = "") -> None:
    """Print ``warning: message`` to standard error, once per process for each ``where``."""
    if (where, message) not in _warned:
        _warned.add((where, message))
        print(f"warning: {message}", file=sys.stderr, flush=True)


class Section(Mapping[str, Any]):
    """One ``[section]`` of the settings: attribute and item access."""

    __slots__ = ("_name", "_values")

    def __init__(self, name: str, values: dict[str, Any]) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_values", values)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(f"no setting [{self._name}] {key}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("settings are read-only once loaded; use Settings.override()")

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"<Section [{self._name}] {sorted(self._values)}>"


class Settings:
    """Merged configuration of one App. Read sections as attributes: ``settings.app.debug``."""

    def __init__(self, values: Mapping[str, Mapping[str, Any]] | None = None,
                 sources: Mapping[tuple[str, str], str] | None = None, *, mode: str | None = None) -> None:
        if mode is not None and mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)} or None, not {mode!r}")
        #: "development", "production" or None (see the module docstring).
        self.mode = mode
        #: Keys of known sections that do not exist (``[session] lifetme``), from wolfpy.toml.
        self.unknown_keys: list[UnknownSetting] = []
        merged = copy.deepcopy(DEFAULTS)
        src: dict[tuple[str, str], str] = {
            (s, k): "default" for s, sec in DEFAULTS.items() for k in sec
        }
        for section, table in (values or {}).items():
            merged.setdefault(section, {}).update(table)
            for key in table:
                src[(section, key)] = (sources or {}).get((section, key), "code")
        self._values = merged
        self.sources = src
        # The environment the settings were read from (.env included where it was read):
        # extension sections added later (with_section) read theirs from the same place.
        self._environ: Mapping[str, str] | None = None
        self._dotenv: frozenset[str] = frozenset()  # the variables of _environ that came from .env
        self._sections = {name: Section(name, vals) for name, vals in merged.items()}
        self.limits = self._make_limits()

    # -- loading -----------------------------------------------------------
    @classmethod
    def load(cls, project: Any = None, environ: Mapping[str, str] | None = None, *,
             mode: str | None = None, quiet: bool = False) -> "Settings":
        """Read ``project``'s wolfpy.toml, ``.env`` and the environment.

        ``mode`` is who runs the app (see the module docstring). Unknown keys are
        printed as one-line warnings unless ``quiet``; they stay in ``unknown_keys``.

        Raises:
            ConfigError: invalid TOML, a value of the wrong type, or (``mode="production"``)
                ``debug = true`` in wolfpy.toml.
        """
        if mode is not None and mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)} or None, not {mode!r}")
        env = dict(os.environ if environ is None else environ)
        values: dict[str, dict[str, Any]] = {}
        sources: dict[tuple[str, str], str] = {}
        unknown: list[UnknownSetting] = []
        if project is not None and project.config_file.is_file():
            toml = read_toml(project.config_file)
            for section, table in toml.items():
                if not isinstance(table, dict):
                    raise ConfigError(f"{project.config_file}: '{section}' must be a [section] table")
                values.setdefault(section, {}).update(table)
                for key in table:
                    sources[(section, key)] = "wolfpy.toml"
            unknown = unknown_settings(toml)
        # Debug as far as it is known before .env: the real environment, then wolfpy.toml.
        env_debug = env.get("WOLFPY_APP_DEBUG")
        toml_debug = values.get("app", {}).get("debug")
        debug = coerce(env_debug if env_debug is not None else toml_debug if toml_debug is not None else False,
                        False, "app", "debug")
        if mode == "production" and env_debug is None and debug:
            where = project.config_file.name if project is not None else "wolfpy.toml"
            raise ConfigError(
                f"{where} sets [app] debug = true, which shows tracebacks, source code and local "
                "variables to anyone: remove that line (`wolfpy serve` turns debug on by itself in "
                "development); to show them on this server anyway, set WOLFPY_APP_DEBUG=1 in its environment")
        if mode == "development":
            read_env_file = True
        elif mode == "production":
            read_env_file = debug
        else:  # no mode: development unless debug is explicitly off
            read_env_file = debug or (env_debug is None and toml_debug is None)
        if read_env_file and project is not None and project.env_file.is_file():
            for key, value in read_dotenv(project.env_file).items():
                if key not in env:
                    env[key] = value
                    sources[("__dotenv__", key)] = ".env"
        apply_environment(env, values, sources, DEFAULTS)
        for section, table in values.items():
            for key, value in table.items():
                default = DEFAULTS.get(section, {}).get(key)
                if default is not None:
                    table[key] = coerce(value, default, section, key)
        if mode == "development" and ("app", "debug") not in sources:
            values.setdefault("app", {})["debug"] = True
            sources[("app", "debug")] = "wolfpy serve (development)"
        settings = cls(values, sources, mode=mode)
        settings._environ = env
        settings._dotenv = frozenset(k for (s, k) in sources if s == "__dotenv__")
        settings.unknown_keys = unknown
        if not quiet:
            where = str(project.root) if project is not None else ""
            for item in unknown:
                warn(item.message, where)
            if mode == "production" and settings.debug:
                warn("debug is on (WOLFPY_APP_DEBUG): every error shows its traceback, source code and "
                     "local variables to anyone who can reach this server; unset it in production", where)
        return settings

    def override(self, **sections: Mapping[str, Any]) -> "Settings":
        """A copy with some values replaced: ``settings.override(app={"debug": True})``."""
        values = copy.deepcopy(self._values)
        sources = dict(self.sources)
        for section, table in sections.items():
            values.setdefault(section, {}).update(table)
            for key in table:
                sources[(section, key)] = "code"
        new = Settings(mode=self.mode)
        new._environ = self._environ
        new._dotenv = self._dotenv
        new.unknown_keys = list(self.unknown_keys)
        new._values = values
        new.sources = sources
        new._sections = {n: Section(n, v) for n, v in values.items()}
        new.limits = new._make_limits()
        return new

    def with_section(self, name: str, defaults: Mapping[str, Any],
                     validate: Callable[[dict[str, Any]], None] | None = None,
                     environ: Mapping[str, str] | None = None) -> "Settings":
        """A copy with an extension's ``[name]`` section: its defaults under what
        ``wolfpy.toml`` already gave, then ``WOLFPY_<NAME>_<KEY>`` from the environment
        the settings were loaded from (``.env`` included when it was read), each converted
        to its default's type and labelled as the built-in sections' are; then
        ``validate(section)``.

        Raises:
            ConfigError: a value of the wrong type, or one ``validate`` refuses
                (its ``ValueError`` message, naming the section).
        """
        if name in DEFAULTS:
            raise ConfigError(f"[{name}] is a built-in settings section; an extension needs a section "
                              "of its own")
        env = (self._environ if self._environ is not None else os.environ) if environ is None else environ
        table = dict(defaults)
        sources = dict(self.sources)
        for key in defaults:
            sources.setdefault((name, key), "default")
        for key, value in self._values.get(name, {}).items():
            default = defaults.get(key)
            table[key] = coerce(value, default, name, key) if default is not None else value
        prefix = f"WOLFPY_{name.upper().replace('-', '_')}_"
        ours = {var: raw for var, raw in env.items()
                if var.startswith(prefix) and var[len(prefix):].lower() in defaults}
        values = {name.replace("-", "_"): table}
        sources.update({("__dotenv__", var): ".env" for var in self._dotenv})  # for the labels
        apply_environment(ours, values, sources, {name.replace("-", "_"): defaults})
        sources = {k: v for k, v in sources.items() if k[0] != "__dotenv__"}
        if name != name.replace("-", "_"):
            for key in defaults:
                moved = sources.pop((name.replace("-", "_"), key), None)
                if moved is not None:
                    sources[(name, key)] = moved
        if validate is not None:
            try:
                validate(table)
            except ValueError as exc:
                raise ConfigError(f"[{name}] {exc}") from None
        known = set(defaults)
        self_unknown = [u for u in self.unknown_keys if u.section != name]
        for key in self._values.get(name, {}):
            if known and key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
                self_unknown.append(UnknownSetting(name, key, close[0] if close else None))
        new = self.override(**{name: table})
        new.sources = {**sources, **{k: v for k, v in new.sources.items() if k[0] != name}}
        new.unknown_keys = self_unknown
        return new

    # -- access ------------------------------------------------------------
    def __getattr__(self, name: str) -> Section:
        sections = self.__dict__.get("_sections")
        if sections is None or name not in sections:
            raise AttributeError(f"no settings section [{name}]")
        return sections[name]

    def get(self, section: str, key: str, default: Any = None) -> Any:
        return self._values.get(section, {}).get(key, default)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return copy.deepcopy(self._values)

    @property
    def debug(self) -> bool:
        return bool(self._values["app"]["debug"])

    @property
    def production(self) -> bool:
        """True when a real secret key is required and ``.env`` is not read.

        Debug is off and either a production server runs the app or, without a
        mode, ``[app] debug`` was explicitly set to false.
        """
        if self.debug or self.mode == "development":
            return False
        if self.mode == "production":
            return True
        return self.sources.get(("app", "debug"), "default") != "default"

    def _make_limits(self) -> Limits:
        sec = self._values["security"]
        return Limits(
            max_body_size=int(self._values["app"]["max_body_size"]),
            max_json_size=int(sec["max_json_size"]),
            max_json_depth=int(sec["max_json_depth"]),
            max_form_field_size=int(sec["max_form_field_size"]),
            max_form_parts=int(sec["max_form_parts"]),
            max_files=int(sec["max_files"]),
            max_header_count=int(sec["max_header_count"]),
            max_header_size=int(sec["max_header_size"]),
        )

    # -- checks ------------------------------------------------------------
    def ensure_secret_key(self) -> str:
        """The secret key; in production a missing or short one is a ConfigError."""
        key = self._values["app"]["secret_key"]
        if self.production:
            if not key:
                raise ConfigError(
                    "no secret key: set WOLFPY_SECRET_KEY in the environment before running with "
                    "debug off (.env is read only in development); generate one with: "
                    "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
                )
            if len(key) < MIN_SECRET_KEY_LENGTH:
                raise ConfigError(
                    f"the secret key is {len(key)} characters long; production needs at least "
                    f"{MIN_SECRET_KEY_LENGTH} random characters"
                )
        elif not key:
            # Development (or tests) without a key: an ephemeral one, so signing still works.
            key = secrets.token_urlsafe(48)
            self._values["app"]["secret_key"] = key
            self.sources[("app", "secret_key")] = "generated (development only)"
        return key

    def masked(self) -> dict[str, dict[str, tuple[Any, str]]]:
        """Every value with its source; secrets masked. Used by ``wolfpy config show``."""
        out: dict[str, dict[str, tuple[Any, str]]] = {}
        for section, table in self._values.items():
            for key, value in table.items():
                shown = mask(key, value)
                out.setdefault(section, {})[key] = (shown, self.sources.get((section, key), "default"))
        return out


def mask(key: str, value: Any) -> Any:
    """Hide secrets: keys, passwords, and the password part of URLs."""
    if not value:
        return value
    if isinstance(value, dict):   # a table of its own: [oauth.github]
        return {k: mask(str(k), v) for k, v in value.items()}
    if key in ("secret_key", "fallback_secret_keys") or "password" in key or "token" in key or key.endswith("_secret"):
        return "********"
    if key == "url" and isinstance(value, str) and "@" in value and ":" in value.split("@", 1)[0]:
        scheme, _, rest = value.partition("://")
        creds, _, host = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:********@{host}"
    return value
