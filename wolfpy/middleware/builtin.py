"""The built-in middleware, by their former home: every name here now lives in its own
module (:mod:`~wolfpy.middleware.registry` for the names, one module per middleware)."""
from __future__ import annotations

from .access_log import AccessLog
from .allowed_hosts import AllowedHosts
from .registry import REGISTRY, build_builtins, register
from .request_id import RequestId
from .security_headers import SecurityHeaders

__all__ = ["REGISTRY", "AccessLog", "AllowedHosts", "RequestId", "SecurityHeaders", "build_builtins",
           "register"]
