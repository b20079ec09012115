"""The ``sessions`` built-in: loads ``request.session`` lazily and saves it after the handler."""
from __future__ import annotations

import time
from typing import Any

from ..errors import ConfigError
from ..middleware import Hooks
from . import COOKIE_NAME, Session, new_session_data
from .stores import CookieStore, RedisStore

SEEN_GRANULARITY = 60  # seconds: refresh the idle clock at most once a minute


def make_store(app: Any) -> Any:
    settings = app.settings
    key = settings.ensure_secret_key()
    fallbacks = list(settings.app.fallback_secret_keys)
    lifetime = int(settings.session.lifetime)
    backend = settings.session.backend
    if backend == "cookie":
        return CookieStore(key, fallbacks, lifetime)
    if backend == "redis":
        url = settings.redis.url
        if not url:
            raise ConfigError("[session] backend = \"redis\" needs [redis] url (or REDIS_URL)")
        from ..redis import redis_client
        return RedisStore(redis_client(url), key, fallbacks, lifetime)
    raise ConfigError(f"[session] backend: unknown backend {backend!r} (use \"cookie\" or \"redis\")")


class Sessions(Hooks):
    name = "sessions"

    def __init__(self, app: Any) -> None:
        store = make_store(app)
        settings = app.settings
        lifetime = int(settings.session.lifetime)
        idle = int(settings.session.idle_timeout)
        secure = not settings.debug

        check = None if store.server_side else store.check
        rotating = bool(settings.app.fallback_secret_keys)

        def before(request: Any) -> None:
            def loader() -> tuple[str | None, dict[str, Any]]:
                sid, data, stale = store.load_checked(request.cookies.get(COOKIE_NAME))
                if stale:
                    session.modified = True   # signed with a fallback key: sign it again
                now = int(time.time())
                created, seen = data.get("_created", now), data.get("_seen", now)
                expired = (lifetime and now - created > lifetime) or (idle and now - seen > idle)
                if expired:
                    store.delete(sid)
                    sid, data = None, new_session_data()
                    session.modified = True
                elif now - seen >= SEEN_GRANULARITY and idle:
                    data["_seen"] = now
                    session.modified = True
                return sid, data
            session = Session(loader, check)
            request.session = session
            return None

        def after(request: Any, response: Any) -> Any:
            if not request.has_session:
                return response
            session = request.session
            if not session.accessed:
                if not (rotating and COOKIE_NAME in request.cookies):
                    return response
                session.data()   # while keys rotate: a cookie an old key signed is signed again
            response.headers.add("Vary", "Cookie")
            if response.status >= 500:
                return response   # the request failed: the session stays as it was (as in Django)
            if session.discarded:
                store.delete(session.discarded)
                session.discarded = None
            if session.modified:
                value = store.save(session.id, session.data())
                response.set_cookie(COOKIE_NAME, value, max_age=lifetime or None, secure=secure,
                                    httponly=True, samesite="Lax")
            return response

        self.before, self.after = before, after
