"""The exception hierarchy: one root, an HTTP family, configuration errors."""
from __future__ import annotations

from typing import Any, Mapping

from .http.status import reason_phrase


class WolfPyError(Exception):
    """Root of every exception WolfPy raises on purpose."""


class ConfigError(WolfPyError):
    """The project or its settings are invalid; the message is one line for the CLI."""


class ProjectNotFound(ConfigError):
    """No ``wolfpy.toml`` in the folder or any of its parents."""


class RouteConflict(ConfigError):
    """Two route files map to one URL, or a file name is not allowed."""


class RouteLoadError(ConfigError):
    """A route module could not be imported."""


class MigrationError(WolfPyError):
    """A migration could not be generated, applied or reversed."""


class MissingExtra(WolfPyError, ImportError):
    """An optional backend is used without its extra installed."""

    def __init__(self, extra: str, package: str, feature: str) -> None:
        self.extra = extra
        self.package = package
        super().__init__(f"{feature} needs {package}: pip install 'wolfpy[{extra}]'")


class SessionTooLarge(WolfPyError, ValueError):
    """A change would make the session larger than its cookie can be.

    Raised where the session is changed, so the request fails before its response is
    made (and a transaction around the change is rolled back).
    """

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"the session would need a {size}-byte cookie, over the {limit} bytes a "
                         "browser keeps: keep less in it (an id rather than a whole object), or "
                         "use [session] backend = \"redis\"")


class HTTPError(WolfPyError):
    """An error that becomes an HTTP response with ``status``.

    Raised by :func:`wolfpy.abort` and by the framework itself (400 for a
    malformed body, 413 for an oversized one, ...).
    """

    status: int = 500
    default_message: str = "Internal Server Error"

    def __init__(
        self,
        status: int | None = None,
        message: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        if status is not None:
            self.status = status
        self.message = message or reason_phrase(self.status)
        self.headers = dict(headers or {})
        self.fields = dict(fields) if fields else None
        super().__init__(self.status, self.message)

    def __str__(self) -> str:
        return f"{self.status}: {self.message}"


class BadRequest(HTTPError, ValueError):
    status = 400


class NotFound(HTTPError, LookupError):
    status = 404


class MethodNotAllowed(HTTPError):
    status = 405


class PayloadTooLarge(HTTPError):
    status = 413


class UnsupportedMediaType(HTTPError):
    status = 415


class RequestHeaderFieldsTooLarge(HTTPError):
    status = 431


class BadRequestKeyError(BadRequest, KeyError):
    """A missing form or query key: a 400 for the client, a KeyError for Python."""

    def __init__(self, key: str) -> None:
        super().__init__(400, f"missing field: {key}")
        self.key = key

    def __str__(self) -> str:
        return f"400: missing field: {self.key}"


_BY_STATUS: dict[int, type[HTTPError]] = {
    400: BadRequest, 404: NotFound, 405: MethodNotAllowed, 413: PayloadTooLarge,
    415: UnsupportedMediaType, 431: RequestHeaderFieldsTooLarge,
}


def http_error(status: int, message: str | None = None, **kwargs: Any) -> HTTPError:
    """The most specific HTTPError class for ``status``."""
    return _BY_STATUS.get(status, HTTPError)(status, message, **kwargs)
