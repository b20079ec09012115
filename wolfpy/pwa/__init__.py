"""PWA support (docs/pwa.md): the service worker served at ``/sw.js`` with the caching
strategies of ``[pwa]``, and the PNG icons ``wolfpy generate pwa`` writes."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..http.response import Response

HERE = Path(__file__).resolve().parent

#: ``[pwa]``'s settings and their defaults.
PWA_DEFAULTS: dict[str, Any] = {
    "version": "1",                      # change it to make browsers drop the old caches
    "pages": "network-first",            # pages: the server first, the cache when offline
    "assets": "cache-first",             # fingerprinted assets: the cache first, they never change
    "assets_prefix": "/static/dist/",    # where the fingerprinted assets are
    "offline_page": "/static/offline.html",
    "precache": ["/static/manifest.webmanifest", "/static/icons/icon-192.png"],
}
STRATEGIES = ("network-first", "cache-first", "network-only")


def pwa_settings(app: Any) -> dict[str, Any]:
    """``[pwa]`` over its defaults, checked (a bad value is a one-line ``ConfigError``)."""
    values = {key: app.settings.get("pwa", key, default) for key, default in PWA_DEFAULTS.items()}
    for key in ("pages", "assets"):
        if values[key] not in STRATEGIES:
            raise ConfigError(f"[pwa] {key} = {values[key]!r}: use one of {', '.join(STRATEGIES)}")
    for key in ("assets_prefix", "offline_page"):
        if not isinstance(values[key], str) or not values[key].startswith("/"):
            raise ConfigError(f"[pwa] {key} must be a path starting with /")
    if not isinstance(values["precache"], list) or not all(
            isinstance(p, str) and p.startswith("/") for p in values["precache"]):
        raise ConfigError("[pwa] precache must be a list of paths starting with /")
    return values


def service_worker(request: Any) -> Response:
    """``/sw.js``: the service worker, with ``[pwa]``'s strategies; never cached by HTTP
    (a browser checks it for updates), allowed to control the whole site."""
    config = pwa_settings(request.app)
    source = (HERE / "sw.js").read_text(encoding="utf-8")
    body = source.replace("/*CONFIG*/{}", json.dumps(config, indent=2))
    return Response(body, 200, {"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
                    content_type="text/javascript; charset=utf-8")
