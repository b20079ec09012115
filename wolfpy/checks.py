"""Startup checks with ids and hints, run by ``wolfpy check`` and the dev server."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ConfigError

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class CheckMessage:
    level: str
    id: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.id} {self.level}: {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


def run_checks(project: Any, environ: dict[str, str] | None = None) -> list[CheckMessage]:
    """Every problem found in ``project`` without serving it (never raises ConfigError)."""
    from .app import App
    from .config import Settings
    from .middleware.builtin import REGISTRY

    out: list[CheckMessage] = []
    try:
        settings = Settings.load(project, environ)
    except ConfigError as exc:
        return [CheckMessage(ERROR, "config.E001", str(exc), "fix wolfpy.toml or the environment")]
    if not settings.debug:
        try:
            settings.override().ensure_secret_key()
        except ConfigError as exc:
            out.append(CheckMessage(ERROR, "config.E002", str(exc)))
    for name in settings.middleware.builtin:
        if name not in REGISTRY:
            out.append(CheckMessage(ERROR, "config.E003", f"[middleware] builtin: unknown middleware {name!r}",
                                    f"available: {', '.join(sorted(REGISTRY))}"))
    if not project.routes.is_dir():
        out.append(CheckMessage(WARNING, "routes.W001", f"no routes/ folder in {project.root}",
                                "create routes/index.py to serve /"))
        return out
    app = App(project, settings.override(app={"secret_key": "x" * 32}))
    load_errors: list[str] = []
    app.load_routes(load_errors)
    for message in load_errors:
        out.append(CheckMessage(ERROR, "routes.E001", message))
    conflicts: list[str] = []
    app.router.compile(conflicts)
    for message in conflicts:
        out.append(CheckMessage(ERROR, "routes.E002", message))
    if app._loader is not None:
        app._loader.unload_all()
    return out


def deploy_checks(project: Any, environ: dict[str, str] | None = None) -> list[CheckMessage]:
    """Settings that are fine in development but weaken a production deployment."""
    from .config import Settings
    try:
        settings = Settings.load(project, environ, mode="production", quiet=True)  # as a server loads it
    except ConfigError as exc:
        return [CheckMessage(ERROR, "config.E001", str(exc))]
    out: list[CheckMessage] = []
    if settings.debug:
        out.append(CheckMessage(ERROR, "security.E001", "[app] debug is on: tracebacks and settings "
                                "would be shown to visitors", "set WOLFPY_APP_DEBUG=false in production"))
    else:
        try:
            settings.override().ensure_secret_key()
        except ConfigError as exc:
            out.append(CheckMessage(ERROR, "security.E002", str(exc)))
    builtin = list(settings.middleware.builtin)
    if not settings.app.allowed_hosts:
        out.append(CheckMessage(WARNING, "security.W001", "[app] allowed_hosts is empty",
                                "list the host names this site answers to"))
    elif "allowed_hosts" not in builtin:
        out.append(CheckMessage(WARNING, "security.W002", "[app] allowed_hosts is set but the "
                                "allowed_hosts middleware is off", "add \"allowed_hosts\" to [middleware] builtin"))
    for name, why in (("security_headers", "nosniff, frame and referrer headers"),
                      ("csrf", "CSRF protection for forms"),
                      ("sessions", "sessions")):
        if name not in builtin:
            out.append(CheckMessage(WARNING, "security.W003", f"the {name} middleware is off ({why})",
                                    f"add \"{name}\" to [middleware] builtin"))
    if "csrf" in builtin and "sessions" in builtin and builtin.index("csrf") < builtin.index("sessions"):
        out.append(CheckMessage(ERROR, "security.E003", "csrf comes before sessions in [middleware] builtin",
                                "put \"sessions\" first"))
    if settings.session.backend == "cookie" and int(settings.session.lifetime) > 30 * 24 * 3600:
        out.append(CheckMessage(WARNING, "security.W004", "[session] lifetime is over 30 days"))
    return out
