"""The ``security_headers`` built-in: nosniff, frame denial, a referrer policy, and HSTS on HTTPS."""
from __future__ import annotations

from typing import Any

from ..http.response import Response
from . import Hooks


class SecurityHeaders(Hooks):
    """nosniff, frame denial, a referrer policy; HSTS on HTTPS (docs/security.md, "Hosts, proxies and headers").
    A header the response already has is left as it is."""

    name = "security_headers"

    def __init__(self, app: Any) -> None:
        base = [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
            ("content-security-policy", "frame-ancestors 'none'"),
        ]
        hsts = ("strict-transport-security", "max-age=31536000; includeSubDomains")

        def after(request: Any, response: Response) -> Response:
            headers = response.raw_headers
            if not headers:
                headers.extend(base)
            else:
                present = {k.lower() for k, _ in headers}
                headers.extend(item for item in base if item[0] not in present)
                if hsts[0] in present:
                    return response
            if request.scheme == "https":
                headers.append(hsts)
            return response
        self.after = after
