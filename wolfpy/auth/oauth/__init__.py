"""Sign-in with GitHub, Google or any OpenID Connect provider (``wolfpy generate oauth``).

Needs the ``oauth`` extra (Authlib): ``pip install 'wolfpy[oauth]'``. The routes the
generator writes call :func:`begin` (``GET /auth/oauth/<provider>``), then
:func:`complete` and :func:`sign_in` (``GET /auth/oauth/<provider>/callback``); an
:class:`OAuthError` there is shown on ``templates/auth/oauth_error.html``.
"""
from __future__ import annotations

from .flow import Identity, begin, complete, validate_id_token
from .link import identity_model, sign_in
from .providers import OAuthError, Provider, provider

__all__ = ["Identity", "OAuthError", "Provider", "begin", "complete", "identity_model", "provider", "sign_in",
           "validate_id_token"]
