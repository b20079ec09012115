"""Stand-ins the tests control: an OpenID Connect issuer that signs the ID tokens the test
asks for (a wrong nonce, another audience, expired), and GitHub's OAuth endpoints
(authorize, access_token, /user, /user/emails). Both answer on one loopback port."""
from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


class StandIn:
    def __init__(self, client_id: str, github_secret: str) -> None:
        from joserfc.jwk import RSAKey
        self.client_id, self.github_secret = client_id, github_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.mode = "good"          # good | wrong_nonce | wrong_aud | expired | bad_signature
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, list[str]]] = []
        self.github_user = {"id": 4242, "login": "octocat"}
        self.github_emails = [{"email": "octo@example.com", "primary": True, "verified": True}]
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "StandIn":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def id_token(self, nonce: str) -> str:
        from joserfc import jwt
        from joserfc.jwk import RSAKey
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": "standin-user", "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": nonce, "email": "standin@example.com", "email_verified": True}
        key = self.key
        if self.mode == "wrong_nonce":
            claims["nonce"] = "not-the-nonce-of-this-sign-in"
        elif self.mode == "wrong_aud":
            claims["aud"] = "some-other-client"
        elif self.mode == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        elif self.mode == "bad_signature":
            key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        return str(jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode() if not isinstance(body, bytes) else body
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def authorize(self, query: dict[str, list[str]]) -> None:
                one = {k: v[-1] for k, v in query.items()}
                code = secrets.token_urlsafe(16)
                standin.codes[code] = one
                target = one["redirect_uri"] + "?" + urlencode({"code": code, "state": one.get("state", "")})
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                if parts.path == "/.well-known/openid-configuration":
                    base = standin.issuer
                    return self.reply(200, {"issuer": base, "authorization_endpoint": base + "/authorize",
                                            "token_endpoint": base + "/token", "jwks_uri": base + "/jwks",
                                            "response_types_supported": ["code"],
                                            "id_token_signing_alg_values_supported": ["RS256"]})
                if parts.path == "/jwks":
                    return self.reply(200, {"keys": [standin.key.as_dict(private=False)]})
                if parts.path in ("/authorize", "/login/oauth/authorize"):
                    return self.authorize(query)
                if parts.path in ("/user", "/user/emails"):
                    if self.headers.get("Authorization") != "Bearer gho_standin_token":
                        return self.reply(401, {"message": "Bad credentials"})
                    return self.reply(200, standin.github_user if parts.path == "/user" else standin.github_emails)
                self.reply(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                standin.token_requests.append(form)
                code = form.get("code", [""])[-1]
                pending = standin.codes.pop(code, None)
                if pending is None:
                    return self.reply(400, {"error": "invalid_grant"})
                import base64
                import hashlib
                verifier = form.get("code_verifier", [""])[-1]
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if pending.get("code_challenge_method") != "S256" or challenge != pending.get("code_challenge"):
                    return self.reply(400, {"error": "invalid_grant", "error_description": "PKCE failed"})
                if self.path == "/login/oauth/access_token":
                    if form.get("client_secret", [""])[-1] != standin.github_secret:
                        return self.reply(401, {"error": "incorrect_client_credentials"})
                    return self.reply(200, {"access_token": "gho_standin_token", "token_type": "bearer",
                                            "scope": "read:user,user:email"})
                return self.reply(200, {"access_token": "at-" + code, "token_type": "Bearer", "expires_in": 300,
                                        "id_token": standin.id_token(pending.get("nonce", ""))})
        return Handler
