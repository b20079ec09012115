"""The admin's own pages: the index, sign in and out, the audit log and the metrics."""
from __future__ import annotations

import math
from typing import Any

from ..http.response import Response, redirect
from . import audit
from .metrics import realtime_connections, summarize, svg_chart
from .site import MAKE_ADMIN_HINT, AdminSite

LOG_PER_PAGE = 50
MAX_PASSWORD_BYTES = 1024


def register(ext: Any, site: AdminSite) -> None:
    """Add the index, sign-in, log and metrics pages to ``ext``."""
    throttle: list[Any] = []

    @ext.route("/", ["GET"], name="admin:index")
    def index(request: Any) -> Response:
        groups = [(group, [(a, a.model.select().count()) for a in admins])
                  for group, admins in site.registry.grouped()]
        return site.page(request, "index.html", groups=groups, problems=site.registry.problems())

    @ext.route("/login", ["GET", "POST"], name="admin:login")
    def login_page(request: Any) -> Response:
        from ..auth import LoginThrottle, authenticate, login, safe_next
        next_url = safe_next(request.form.get("next") if request.method == "POST" else request.query.get("next"),
                             request, default=site.prefix)
        hint = None if site.admin_exists() else MAKE_ADMIN_HINT
        user = request.user
        if request.method == "GET":
            if user is not None and getattr(user, "is_admin", False):
                return redirect(next_url, status=303)
            return site.page(request, "login.html", title="Sign in", next_url=next_url, error="", username="",
                             hint=hint)
        if not throttle:
            throttle.append(LoginThrottle(site.app))
        limiter = throttle[0]
        username = (request.form.get("username") or "").strip()[:150]
        password = request.form.get("password") or ""
        status, error = 200, ""
        try:
            limiter.check(request, username)
        except Exception:
            status, error = 429, "Too many failed attempts: try again in a few minutes."
        if not error and len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
            status, error = 400, "That password is too long."
        if not error:
            found = authenticate(username, password)
            if found is None:
                limiter.failed(request, username)
                status, error = 401, "Wrong username or password."
            else:
                limiter.succeeded(request, username)
                login(request, found)
                return redirect(next_url, status=303)
        return site.page(request, "login.html", status=status, title="Sign in", next_url=next_url, error=error,
                         username=username, hint=hint)

    @ext.route("/logout", ["POST"], name="admin:logout")
    def logout_page(request: Any) -> Response:
        from ..auth import logout
        logout(request)
        return redirect(site.url("login"), status=303)

    @ext.route("/log", ["GET"], name="admin:log")
    def log(request: Any) -> Response:
        audit.ensure_table(site.app)
        q = (request.query.get("q") or "").replace("\x00", "").strip()[:200]
        query = audit.search(q)
        total = query.count()
        pages = max(1, math.ceil(total / LOG_PER_PAGE))
        raw = request.query.get("p") or "1"
        number = max(1, min(int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else 1, pages))
        entries = list(query.paginate(number, LOG_PER_PAGE))
        links = {}
        for admin in site.registry.by_url.values():
            links[audit.model_label(admin.model)] = admin
        return site.page(request, "log.html", title="Audit log", entries=entries, q=q, number=number,
                         pages=pages, total=total, links=links)

    @ext.route("/metrics", ["GET"], name="admin:metrics")
    def metrics(request: Any) -> Response:
        collector = site.collector
        snapshots, source = collector.gather()
        summary = summarize(snapshots)
        return site.page(request, "metrics.html", title="Metrics", summary=summary, source=source,
                         chart=svg_chart(summary["bars"]), realtime=realtime_connections(site.app))
