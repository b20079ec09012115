"""Sign-in providers: GitHub (OAuth 2), Google and any OpenID Connect issuer.

A provider's settings come from ``[oauth.<name>]`` in ``wolfpy.toml`` and from
``WOLFPY_OAUTH_<NAME>_<KEY>`` in the environment (which wins): ``client_id``,
``client_secret``, ``issuer`` (OpenID Connect), ``scope``, ``link_verified_email``, and,
to point at another server, ``authorize_url``, ``token_url`` and ``api_url`` (GitHub).
"""
from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ...errors import ConfigError, MissingExtra

__all__ = ["OAuthError", "Provider", "discover", "http", "provider"]

NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
PRESETS: dict[str, dict[str, Any]] = {
    "github": {"title": "GitHub", "oidc": False, "scope": "read:user user:email",
               "authorize_url": "https://github.com/login/oauth/authorize",
               "token_url": "https://github.com/login/oauth/access_token", "api_url": "https://api.github.com",
               "token_auth": "client_secret_post"},
    "google": {"title": "Google", "oidc": True, "scope": "openid email profile",
               "issuer": "https://accounts.google.com"},
}
OIDC_DEFAULTS = {"title": "OpenID Connect", "oidc": True, "scope": "openid email profile"}
KEYS = ("client_id", "client_secret", "issuer", "scope", "authorize_url", "token_url", "api_url",
        "link_verified_email", "title")
TIMEOUT = 10
DISCOVERY_TTL = 3600


class OAuthError(Exception):
    """A sign-in that cannot finish; its message is shown on the error page."""

    def __init__(self, message: str, provider: str = "") -> None:
        super().__init__(message)
        self.provider = provider


def http() -> Any:
    """``requests`` (Authlib's HTTP client here); one line naming the extra when it is missing."""
    try:
        import authlib  # noqa: F401
        import requests
    except ImportError:
        raise MissingExtra("oauth", "Authlib", "sign-in with OAuth / OpenID Connect") from None
    return requests


@dataclass
class Provider:
    name: str
    title: str
    oidc: bool
    client_id: str
    client_secret: str
    scope: str
    issuer: str = ""
    authorize_url: str = ""
    token_url: str = ""
    api_url: str = ""
    jwks_uri: str = ""
    token_auth: str = "client_secret_basic"
    link_verified_email: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def _check_url(name: str, key: str, url: str) -> str:
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ConfigError(f"[oauth.{name}] {key} must be an https:// URL (http:// only on this machine): {url!r}")
    return url.rstrip("/") if key in ("issuer", "api_url") else url


def provider(app: Any, name: str, issuer: str = "") -> Provider:
    """The settings of provider ``name`` (``issuer``: the one ``wolfpy generate oauth oidc``
    wrote, unless ``[oauth.<name>] issuer`` says otherwise)."""
    if not NAME.fullmatch(name):
        raise ConfigError(f"bad OAuth provider name {name!r}")
    values: dict[str, Any] = dict(PRESETS.get(name, OIDC_DEFAULTS))
    if issuer:
        values["issuer"] = issuer
    table = app.settings.get("oauth", name) or {}
    if not isinstance(table, dict):
        raise ConfigError(f"[oauth.{name}] must be a table of settings")
    values.update({k: v for k, v in table.items() if k in KEYS})
    environ = getattr(app.settings, "_environ", None) or os.environ
    prefix = f"WOLFPY_OAUTH_{name.upper()}_"
    values.update({var[len(prefix):].lower(): raw for var, raw in environ.items()
                   if var.startswith(prefix) and var[len(prefix):].lower() in KEYS})
    client_id, secret = str(values.get("client_id") or ""), str(values.get("client_secret") or "")
    if not client_id or not secret:
        raise ConfigError(f"[oauth.{name}] needs client_id and client_secret (or {prefix}CLIENT_ID and "
                          f"{prefix}CLIENT_SECRET)")
    for key in ("issuer", "authorize_url", "token_url", "api_url"):
        if values.get(key):
            values[key] = _check_url(name, key, str(values[key]))
    if values["oidc"] and not values.get("issuer"):
        raise ConfigError(f"[oauth.{name}] needs issuer (the OpenID Connect issuer URL)")
    return Provider(name=name, title=str(values["title"]), oidc=bool(values["oidc"]), client_id=client_id,
                    client_secret=secret, scope=str(values["scope"]), issuer=str(values.get("issuer") or ""),
                    authorize_url=str(values.get("authorize_url") or ""),
                    token_url=str(values.get("token_url") or ""), api_url=str(values.get("api_url") or ""),
                    token_auth=str(values.get("token_auth") or "client_secret_basic"),
                    link_verified_email=_truthy(values.get("link_verified_email", False)))


_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def discover(p: Provider, *, refresh: bool = False) -> Provider:
    """Fill in ``p``'s endpoints from its issuer's ``/.well-known/openid-configuration``
    (cached an hour; the document must name the same issuer)."""
    if not p.oidc:
        return p
    with _lock:
        cached = _discovered.get(p.issuer)
    if refresh or cached is None or time.monotonic() - cached[0] > DISCOVERY_TTL:
        requests = http()
        try:
            reply = requests.get(p.issuer + "/.well-known/openid-configuration", timeout=TIMEOUT)
            reply.raise_for_status()
            document = reply.json()
        except (requests.RequestException, ValueError) as exc:
            raise OAuthError(f"{p.title} could not be reached ({type(exc).__name__})", p.name) from None
        if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != p.issuer:
            raise OAuthError(f"{p.title}'s discovery document names another issuer", p.name)
        cached = (time.monotonic(), document)
        with _lock:
            _discovered[p.issuer] = cached
    document = cached[1]
    for key, attr in (("authorization_endpoint", "authorize_url"), ("token_endpoint", "token_url"),
                      ("jwks_uri", "jwks_uri")):
        if not getattr(p, attr):
            value = document.get(key)
            if not isinstance(value, str) or not value:
                raise OAuthError(f"{p.title}'s discovery document has no {key}", p.name)
            setattr(p, attr, _check_url(p.name, key, value))
    p.extra["userinfo_endpoint"] = document.get("userinfo_endpoint")
    return p
