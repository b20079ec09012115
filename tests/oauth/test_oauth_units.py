"""Provider settings, the generator's command line, the missing extra, and ID tokens that
must never pass (alg none, HS256 signed with the client secret) checked in-process
against the stand-in issuer's real JWKS."""
from __future__ import annotations

import base64
import json
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.cli_runner import run_cli
from wolfpy import App
from wolfpy.auth.oauth import OAuthError, provider, validate_id_token
from wolfpy.auth.oauth.providers import discover
from wolfpy.config import ConfigError
from wolfpy.errors import MissingExtra

from .standins import StandIn


def app_with(tmp_path: Path, toml: str = "") -> Any:
    (tmp_path / "wolfpy.toml").write_text(f'[app]\nname = "o"\nsecret_key = "{"k" * 40}"\n{toml}')
    return App(tmp_path)


def test_credentials_from_toml_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_with(tmp_path, '[oauth.github]\nclient_id = "from-toml"\nclient_secret = "s"\n')
    assert provider(app, "github").client_id == "from-toml"
    monkeypatch.setenv("WOLFPY_OAUTH_GITHUB_CLIENT_ID", "from-env")
    p = provider(app_with(tmp_path, '[oauth.github]\nclient_id = "from-toml"\nclient_secret = "s"\n'), "github")
    assert (p.client_id, p.token_url, p.oidc) == ("from-env", "https://github.com/login/oauth/access_token", False)
    google = provider(app_with(tmp_path, '[oauth.google]\nclient_id = "g"\nclient_secret = "s"\n'), "google")
    assert (google.issuer, google.oidc, google.link_verified_email) == ("https://accounts.google.com", True, False)


@pytest.mark.parametrize("toml,message", [
    ("", "needs client_id and client_secret (or WOLFPY_OAUTH_OIDC_CLIENT_ID"),
    ('[oauth.oidc]\nclient_id = "a"\nclient_secret = "b"\n', "needs issuer"),
    ('[oauth.oidc]\nclient_id = "a"\nclient_secret = "b"\nissuer = "http://login.example.com"\n',
     "must be an https:// URL"),
])
def test_bad_provider_settings_are_one_line(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        provider(app_with(tmp_path, toml), "oidc")


def test_missing_extra_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "authlib", None)
    from wolfpy.auth.oauth.providers import http
    with pytest.raises(MissingExtra, match=r"pip install 'wolfpy\[oauth\]'"):
        http()


@pytest.mark.parametrize("args,message", [
    (("oauth", "facebook"), "unknown provider 'facebook'"),
    (("oauth", "oidc"), "oidc needs --issuer"),
    (("oauth", "oidc", "--issuer", "http://login.example.com"), "oidc needs --issuer"),
    (("oauth", "github", "--issuer", "https://x.example.com"), "--issuer is for oidc only"),
    (("oauth", "github"), "no User model"),
])
def test_generator_errors_are_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    assert run_cli("new", "site", cwd=tmp_path)[0] == 0
    code, out, err = run_cli("generate", *args, cwd=tmp_path / "site")
    assert code != 0 and err.startswith("error: ") and message in err and "Traceback" not in err
    assert not (tmp_path / "site/routes/auth/oauth").exists()


@pytest.fixture
def standin() -> Iterator[StandIn]:
    server = StandIn("client-1", "unused").start()
    yield server
    server.stop()


SECRET = "secret-1-long-enough-for-an-hs256-key"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_unsigned_and_hs256_id_tokens_never_pass(tmp_path: Path, standin: StandIn) -> None:
    from joserfc import jwt
    from joserfc.jwk import OctKey
    app = app_with(tmp_path, f'[oauth.oidc]\nclient_id = "client-1"\nclient_secret = "{SECRET}"\n'
                             f'issuer = "{standin.issuer}"\n')
    p = discover(provider(app, "oidc"), refresh=True)
    now = int(time.time())
    claims = {"iss": standin.issuer, "sub": "x", "aud": "client-1", "exp": now + 300, "iat": now, "nonce": "n"}
    assert validate_id_token(p, standin.id_token("n"), "n")["sub"] == "standin-user"    # the good one passes
    unsigned = f"{_b64({'alg': 'none'})}.{_b64(claims)}."
    hs256 = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(SECRET), algorithms=["HS256"])
    for token in (unsigned, hs256, "not.a.token", "", "a" * 20000):
        with pytest.raises(OAuthError):
            validate_id_token(p, token, "n")
    with pytest.raises(OAuthError, match="nonce"):
        validate_id_token(p, standin.id_token("n"), "another")


def test_a_project_with_oauth_routes_needs_the_extra_to_start(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from wolfpy import load
    for args in (("new", "site"), ("generate", "auth", "--no-migration"), ("generate", "oauth", "github",
                                                                            "--no-migration")):
        assert run_cli(*args, cwd=tmp_path if args[0] == "new" else tmp_path / "site")[0] == 0
    monkeypatch.chdir(tmp_path / "site")
    monkeypatch.setitem(sys.modules, "authlib", None)
    with pytest.raises(ConfigError, match=r"needs Authlib: pip install 'wolfpy\[oauth\]'"):
        load(tmp_path / "site")


def test_config_show_masks_provider_secrets_and_knows_auth(tmp_path: Path) -> None:
    (tmp_path / "wolfpy.toml").write_text('[app]\nname = "o"\n\n[oauth.github]\nclient_id = "abc"\n'
                                          'client_secret = "shh-secret"\n\n[auth]\nconfirm_email = "off"\n')
    (tmp_path / "routes").mkdir()
    code, out, err = run_cli("config", "show", cwd=tmp_path)
    assert code == 0 and "shh-secret" not in out and "'client_secret': '********'" in out
    assert "not a known section" not in out + err
