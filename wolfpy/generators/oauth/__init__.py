"""``wolfpy generate oauth github|google|oidc``: sign-in through a provider, linked to ``User``."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..auth import check_routes, user_model_module
from ..engine import Argument, Generator, GeneratorError, Option, Planned

PROVIDERS = {"github": "GitHub", "google": "Google", "oidc": "OpenID Connect"}


class OAuthGenerator(Generator):
    """``routes/auth/oauth/PROVIDER.py`` and ``.../callback.py``, the identity model, its migration."""

    name = "oauth"
    summary = "Sign in with GitHub, Google or an OpenID Connect issuer."
    arguments = (Argument("provider", "github, google or oidc."),)
    options = (Option(("--issuer",), "The OpenID Connect issuer URL (oidc only).", ""),
               Option(("--migration/--no-migration",), "Also write the migration creating the identity table.",
                      True))

    def __init__(self, project: Any, provider: str, *, force: bool = False, issuer: str = "",
                 migration: bool = True) -> None:
        super().__init__(project, force=force)
        self.provider = provider
        self.issuer = issuer.rstrip("/")
        self.migration = migration

    def plan(self) -> None:
        if self.provider not in PROVIDERS:
            raise GeneratorError(f"unknown provider {self.provider!r}: use github, google or oidc "
                                 "(with --issuer URL)")
        if self.provider == "oidc":
            parts = urlsplit(self.issuer)
            local = parts.hostname in ("127.0.0.1", "localhost", "::1")
            if not self.issuer or not parts.hostname or not (
                    parts.scheme == "https" or (parts.scheme == "http" and local)):
                raise GeneratorError("oidc needs --issuer https://issuer.example.com (http:// only on this "
                                     "machine); nothing was written")
            if any(c in self.issuer for c in "\"'\\\n\r"):
                raise GeneratorError("--issuer has quotes or line breaks; nothing was written")
        elif self.issuer:
            raise GeneratorError(f"--issuer is for oidc only; {self.provider} has its own (nothing was written)")
        if user_model_module(self) is None:
            raise GeneratorError("no User model in models/: run `wolfpy generate auth` first (nothing was written)")
        name = self.provider
        check_routes(self, {f"auth/oauth/{name}": f"/auth/oauth/{name}",
                            f"auth/oauth/{name}/callback": f"/auth/oauth/{name}/callback"})
        context = {"provider": name, "title": PROVIDERS[name], "issuer": self.issuer,
                   "has_layout": (self.project.templates / "layout.html").is_file()}
        self.add(f"routes/auth/oauth/{name}.py", "begin.py", **context)
        self.add(f"routes/auth/oauth/{name}/callback.py", "callback.py", **context)
        self.add("models/oauth_identity.py", "oauth_identity.py", **context)
        self.add("templates/auth/oauth_error.html", "oauth_error.html", **context)

    def write(self) -> list[Planned]:
        files = super().write()
        if self.migration:
            written = self.write_migration("the identity table")
            if written is not None:
                files.append(written)
        env = f"WOLFPY_OAUTH_{self.provider.upper()}"
        self.notes.append(f"next: set {env}_CLIENT_ID and {env}_CLIENT_SECRET (or [oauth.{self.provider}] "
                          f"client_id / client_secret), register the callback URL "
                          f"<site>/auth/oauth/{self.provider}/callback with the provider, run `wolfpy db migrate`, "
                          f"and link to /auth/oauth/{self.provider} from the sign-in page")
        return files


__all__ = ["OAuthGenerator", "PROVIDERS"]
