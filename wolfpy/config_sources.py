"""Where settings come from, and how their text becomes values.

Reading ``wolfpy.toml`` and ``.env``, the environment variables that override a
setting (the conventional ``DATABASE_URL``, ``REDIS_URL``, ``MONGO_URL`` and
``WOLFPY_SECRET_KEY``, and ``WOLFPY_<SECTION>_<KEY>``), and the conversion of a
value to the type of the setting's default. :mod:`wolfpy.config` merges them into
``Settings``.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["CONVENTIONAL_ENV", "apply_environment", "coerce", "env_source", "read_dotenv", "read_toml",
           "split_env_name"]

# Conventional variables that override one setting each.
CONVENTIONAL_ENV = {
    "DATABASE_URL": ("database", "url"),
    "REDIS_URL": ("redis", "url"),
    "MONGO_URL": ("mongo", "url"),
    "WOLFPY_SECRET_KEY": ("app", "secret_key"),
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def apply_environment(env: Mapping[str, str], values: dict[str, dict[str, Any]],
                      sources: dict[tuple[str, str], str], defaults: Mapping[str, Mapping[str, Any]]) -> None:
    """Put the settings ``env`` overrides into ``values`` (and where each came from into ``sources``):
    the conventional variables first, then ``WOLFPY_<SECTION>_<KEY>``, converted to the
    type of the key's default.

    Raises:
        ConfigError: a value that is not of its setting's type.
    """
    for var, (section, key) in CONVENTIONAL_ENV.items():
        if env.get(var):
            values.setdefault(section, {})[key] = env[var]
            sources[(section, key)] = env_source(var, sources)
    known = {**defaults, **values}
    for var, raw in env.items():
        if not var.startswith("WOLFPY_") or var in CONVENTIONAL_ENV:
            continue
        target = split_env_name(var[7:].lower(), known)
        if target is None:
            continue
        section, key = target
        default = defaults.get(section, {}).get(key, values.get(section, {}).get(key))
        values.setdefault(section, {})[key] = coerce(raw, default, section, key)
        sources[(section, key)] = env_source(var, sources)


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a ``.env`` file: ``KEY=value`` lines, ``#`` comments, optional quotes."""
    out: dict[str, str] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[7:].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key.replace("_", "").isalnum():
            raise ConfigError(f"{path}:{lineno}: expected KEY=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out[key] = value
    return out


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def env_source(var: str, sources: Mapping[tuple[str, str], str]) -> str:
    return f".env ({var})" if ("__dotenv__", var) in sources else f"env {var}"


def split_env_name(rest: str, known: Mapping[str, Any]) -> tuple[str, str] | None:
    """``database_url`` -> ("database", "url"), choosing the longest known section name."""
    best = None
    for section in known:
        if rest.startswith(section + "_") and (best is None or len(section) > len(best)):
            best = section
    if best is None:
        return None
    return best, rest[len(best) + 1:]


def coerce(value: Any, default: Any, section: str, key: str) -> Any:
    """Convert ``value`` to the type of ``default`` (env vars arrive as strings)."""
    where = f"[{section}] {key}"
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    if isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value).strip().replace("_", ""))
        except ValueError:
            raise ConfigError(f"{where}: expected a whole number, got {value!r}") from None
    if isinstance(default, list):
        if isinstance(value, list):
            return value
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        raise ConfigError(f"{where}: expected a list, got {value!r}")
    if isinstance(default, str) and not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {value!r}")
    return value
