"""The authorization-code flow (Authlib's OAuth 2 client): PKCE (S256), ``state`` and,
for OpenID Connect, ``nonce``; the ID token checked against the issuer's JWKS (joserfc):
signature, ``iss``, ``aud``, ``exp``, ``nonce``.

What the flow keeps between the two requests (state, PKCE verifier, nonce, where to go
next) lives in the session, for ten minutes, and is used once.
"""
from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass
from typing import Any

from ...http.response import redirect
from ..core import safe_next
from .providers import TIMEOUT, OAuthError, Provider, discover, http, provider

__all__ = ["Identity", "begin", "complete", "validate_id_token"]

SESSION_KEY = "_oauth"
MAX_AGE = 600                 # seconds between leaving for the provider and coming back
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]   # never "none", never HS*
MAX_PARAM = 2048
JWKS_TTL = 600


@dataclass
class Identity:
    """Who the provider says signed in."""

    provider: str
    subject: str
    email: str = ""
    email_verified: bool = False
    username: str = ""
    next_url: str = "/"


def _redirect_uri(request: Any, p: Provider) -> str:
    from ... import mail
    return mail.site_url(request.app, request) + f"/auth/oauth/{p.name}/callback"


def _client(request: Any, p: Provider) -> Any:
    http()
    from authlib.integrations.requests_client import OAuth2Session
    return OAuth2Session(p.client_id, p.client_secret, scope=p.scope, redirect_uri=_redirect_uri(request, p),
                         code_challenge_method="S256", token_endpoint_auth_method=p.token_auth)


def begin(request: Any, name: str, *, issuer: str = "") -> Any:
    """Send the browser to provider ``name`` (a 303), remembering state, verifier and nonce."""
    http()   # the extra is installed
    from authlib.common.security import generate_token
    p = discover(provider(request.app, name, issuer))
    verifier, state = generate_token(64), generate_token(32)
    extra = {}
    nonce = ""
    if p.oidc:
        nonce = generate_token(32)
        extra["nonce"] = nonce
    with _client(request, p) as client:
        url, _ = client.create_authorization_url(p.authorize_url, state=state, code_verifier=verifier, **extra)
    request.session[SESSION_KEY] = {"provider": name, "state": state, "verifier": verifier, "nonce": nonce,
                                    "next": safe_next(request.query.get("next"), request), "at": int(time.time())}
    return redirect(url, status=303)


def complete(request: Any, name: str, *, issuer: str = "") -> Identity:
    """The identity the provider's answer (``?code=&state=``) proves; :class:`OAuthError`
    when the state does not match, the provider refused, or the ID token is not good."""
    p = provider(request.app, name, issuer)
    pending = request.session.pop(SESSION_KEY, None)
    query = request.query
    if query.get("error"):
        problem = str(query.get("error"))[:100]
        raise OAuthError(f"{p.title} did not sign you in ({problem}).", name)
    if not isinstance(pending, dict) or pending.get("provider") != name:
        raise OAuthError("This sign-in was not started here, or it was already finished.", name)
    state, code = str(query.get("state", "")), str(query.get("code", ""))
    if not state or len(state) > MAX_PARAM or not hmac.compare_digest(state, str(pending["state"])):
        raise OAuthError("The sign-in answer does not match the request (state): it was changed or is stale.",
                         name)
    if time.time() - int(pending.get("at", 0)) > MAX_AGE:
        raise OAuthError("The sign-in took too long: start again.", name)
    if not code or len(code) > MAX_PARAM:
        raise OAuthError(f"{p.title} sent no authorization code.", name)
    p = discover(p)
    requests = http()
    from authlib.integrations.base_client import OAuthError as AuthlibError
    try:
        with _client(request, p) as client:
            token = client.fetch_token(p.token_url, code=code, code_verifier=pending["verifier"], timeout=TIMEOUT)
            if p.oidc:
                claims = validate_id_token(p, token.get("id_token"), str(pending["nonce"]))
                claims = _with_userinfo(client, p, claims)
                identity = Identity(name, str(claims["sub"]), str(claims.get("email") or ""),
                                    claims.get("email_verified") is True,
                                    str(claims.get("preferred_username") or claims.get("name") or ""))
            else:
                identity = _github_identity(client, p)
    except AuthlibError as exc:
        raise OAuthError(f"{p.title} refused the sign-in ({exc.error}).", name) from None
    except requests.RequestException as exc:
        raise OAuthError(f"{p.title} could not be reached ({type(exc).__name__}).", name) from None
    identity.next_url = str(pending.get("next") or "/")
    return identity


def _with_userinfo(client: Any, p: Provider, claims: dict[str, Any]) -> dict[str, Any]:
    """``claims`` plus the userinfo endpoint's, when the ID token leaves out the email or
    name (many providers only put ``sub`` in it); userinfo must name the same ``sub``."""
    endpoint = p.extra.get("userinfo_endpoint")
    if not isinstance(endpoint, str) or not endpoint or ("email" in claims and "preferred_username" in claims):
        return claims
    reply = client.get(endpoint, timeout=TIMEOUT)
    info = reply.json() if reply.status_code == 200 else None
    if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
        return claims
    merged = {k: v for k, v in info.items() if k in ("email", "email_verified", "preferred_username", "name")}
    return {**merged, **{k: v for k, v in claims.items() if k not in merged or k in ("sub", "iss", "aud")}}


def _github_identity(client: Any, p: Provider) -> Identity:
    reply = client.get(p.api_url + "/user", timeout=TIMEOUT)
    user = reply.json() if reply.status_code == 200 else None
    if not isinstance(user, dict) or not isinstance(user.get("id"), int):
        raise OAuthError(f"{p.title} did not say who you are.", p.name)
    email, verified = "", False
    reply = client.get(p.api_url + "/user/emails", timeout=TIMEOUT)
    emails = reply.json() if reply.status_code == 200 else []
    for entry in emails if isinstance(emails, list) else []:
        if isinstance(entry, dict) and entry.get("primary") and isinstance(entry.get("email"), str):
            email, verified = entry["email"], entry.get("verified") is True
    return Identity(p.name, str(user["id"]), email, verified, str(user.get("login") or ""))


_jwks: dict[str, tuple[float, Any]] = {}
_jwks_lock = threading.Lock()


def _key_set(p: Provider, refresh: bool = False) -> Any:
    from joserfc.jwk import KeySet
    with _jwks_lock:
        cached = _jwks.get(p.jwks_uri)
    if refresh or cached is None or time.monotonic() - cached[0] > JWKS_TTL:
        requests = http()
        try:
            reply = requests.get(p.jwks_uri, timeout=TIMEOUT)
            reply.raise_for_status()
            keys = KeySet.import_key_set(reply.json())
        except (requests.RequestException, ValueError, TypeError) as exc:
            raise OAuthError(f"{p.title}'s signing keys could not be read ({type(exc).__name__}).", p.name) from None
        cached = (time.monotonic(), keys)
        with _jwks_lock:
            _jwks[p.jwks_uri] = cached
    return cached[1]


def validate_id_token(p: Provider, id_token: Any, nonce: str) -> dict[str, Any]:
    """The claims of ``id_token`` once its signature (the issuer's JWKS), ``iss``, ``aud``,
    ``exp`` and ``nonce`` are right; :class:`OAuthError` naming what is wrong otherwise."""
    from joserfc import jwt
    from joserfc.errors import (BadSignatureError, ExpiredTokenError, InvalidClaimError, JoseError,
                                MissingClaimError)
    if not isinstance(id_token, str) or not id_token or len(id_token) > 16384:
        raise OAuthError(f"{p.title} sent no ID token.", p.name)
    try:
        try:
            token = jwt.decode(id_token, _key_set(p), algorithms=ALGORITHMS)
        except (ValueError, JoseError):   # maybe a new signing key: read the keys again, once
            token = jwt.decode(id_token, _key_set(p, refresh=True), algorithms=ALGORITHMS)
        registry = jwt.JWTClaimsRegistry(
            leeway=60, iss={"essential": True, "value": p.issuer}, aud={"essential": True, "value": p.client_id},
            exp={"essential": True}, sub={"essential": True}, nonce={"essential": True, "value": nonce})
        registry.validate(token.claims)
    except ExpiredTokenError:
        raise OAuthError(f"{p.title}'s ID token has expired.", p.name) from None
    except (InvalidClaimError, MissingClaimError) as exc:
        claim = getattr(exc, "claim", "") or str(exc)
        what = {"aud": "is for another application (aud)", "iss": "comes from another issuer (iss)",
                "nonce": "does not answer this sign-in (nonce)"}.get(claim, f"has a wrong or missing claim ({claim})")
        raise OAuthError(f"{p.title}'s ID token {what}.", p.name) from None
    except BadSignatureError:
        raise OAuthError(f"{p.title}'s ID token has a bad signature.", p.name) from None
    except (ValueError, JoseError) as exc:
        raise OAuthError(f"{p.title}'s ID token is not valid ({type(exc).__name__}).", p.name) from None
    if not isinstance(token.claims.get("sub"), str):
        raise OAuthError(f"{p.title}'s ID token names nobody (sub).", p.name)
    return dict(token.claims)
