"""``GET /_wolfpy/health``: 200 ``{"status": "ok"}`` while the process serves requests.

A built-in extension: one more static route in the router's dict, so it costs the
other requests nothing. Docker's ``HEALTHCHECK`` (``wolfpy dockerize``), load
balancers and ``wolfpy deploy`` probe it. It says the worker answers; it reads no
database, so a slow database never makes an orchestrator kill healthy workers.
"""
from __future__ import annotations

from typing import Any

from ..extensions import Extension
from ..http.response import Response

HEALTH_PATH = "/_wolfpy/health"
_BODY = b'{"status":"ok"}'


def health_extension() -> Extension:
    ext = Extension("health", source="health (built-in)")

    @ext.route(HEALTH_PATH, ["GET", "HEAD"], name="_wolfpy/health")
    def health(request: Any) -> Response:
        return Response(_BODY, 200, [("cache-control", "no-store")], "application/json")
    return ext
