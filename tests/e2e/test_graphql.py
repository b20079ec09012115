"""`wolfpy generate graphql --models Post,User` over real HTTP under gunicorn and uvicorn:
queries with pagination, mutations with validation errors, authorization through
request.user, the depth and cost limits, CSRF on cookie-authenticated POSTs, GET refusing
mutations, the explorer only in debug; graphql-core validates the introspected schema."""
from __future__ import annotations

import http.client
import json
import re
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlencode

import pytest

from tests.test_auth_generators import new_project, ok

from .conftest import HOST, Server
from .test_auth_flow import Jar

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"
ENV = ("DATABASE_URL", "WOLFPY_DATABASE_URL", "REDIS_URL", "WOLFPY_REDIS_URL", "WOLFPY_APP_DEBUG",
       "WOLFPY_SECRET_KEY")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as mp:
        for key in ENV:
            mp.delenv(key, raising=False)
        root = new_project(tmp_path_factory.mktemp("graphql"), "site")
        ok("generate", "auth", cwd=root)
        ok("generate", "model", "Post", "title:str", "body:text?", "author:fk:User?", cwd=root)
        out = ok("generate", "graphql", "--models", "Post,User", cwd=root)
        assert "routes/graphql.py" in out
        ok("db", "migrate", "--yes", cwd=root)
        ok("create", "user", "alice", "--password", PASSWORD, cwd=root)
        ok("create", "user", "boss", "--password", PASSWORD, "--admin", cwd=root)
        # What a page of the app does: hand its scripts the session's CSRF token.
        (root / "routes" / "csrf.py").write_text(
            "from wolfpy.middleware.csrf import csrf_token\n\ndef get(request):\n    return {'token': csrf_token(request)}\n")
        yield root


def gql(server: Server, query: str, variables: dict[str, Any] | None = None, jar: Jar | None = None,
        token: str | None = None, method: str = "POST") -> tuple[int, dict[str, Any]]:
    headers = {"Host": f"{HOST}:{server.port}", "Accept": "application/json"}
    if jar is not None and jar.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.cookies.items())
        headers["Origin"] = server.origin
    if token:
        headers["X-CSRF-Token"] = token
    conn = http.client.HTTPConnection(HOST, server.port, timeout=15)
    try:
        if method == "GET":
            params = {"query": query, **({"variables": json.dumps(variables)} if variables else {})}
            conn.request("GET", "/graphql?" + urlencode(params), headers=headers)
        else:
            headers["Content-Type"] = "application/json"
            conn.request("POST", "/graphql", body=json.dumps({"query": query, "variables": variables}),
                         headers=headers)
        r = conn.getresponse()
        return r.status, json.loads(r.read())
    finally:
        conn.close()


def signed_in(server: Server, username: str) -> tuple[Jar, str]:
    jar = Jar(server)
    token = jar.csrf("/auth/login")
    status, _, _ = jar.request("POST", "/auth/login", {"username": username, "password": PASSWORD,
                                                        "csrf_token": token})
    assert status == 303
    # The session changed at login: take its token as a page's script would.
    status, _, text = jar.request("GET", "/csrf")
    assert status == 200, text
    return jar, json.loads(text)["token"]


CREATE = "mutation($d: PostInput!) { createPost(data: $d) { id title body } }"


def test_queries_and_mutations_with_a_signed_in_user(server: Server) -> None:
    jar, token = signed_in(server, "alice")
    users = gql(server, "{ users { items { id username } } }")[1]["data"]["users"]["items"]
    alice = next(u["id"] for u in users if u["username"] == "alice")
    status, body = gql(server, "mutation($d: PostInput!) { createPost(data: $d) { author { username } } }",
                       {"d": {"title": "mine", "authorId": alice}}, jar, token)
    assert body["data"]["createPost"] == {"author": {"username": "alice"}}, body
    status, body = gql(server, "{ user(id: %d) { posts(first: 5) { title author { username } } } }" % alice)
    assert {"title": "mine", "author": {"username": "alice"}} in body["data"]["user"]["posts"]
    ids = []
    for n in range(3):
        status, body = gql(server, CREATE, {"d": {"title": f"{server.kind} {n}", "body": "text"}}, jar, token)
        assert status == 200 and "errors" not in body, body
        ids.append(body["data"]["createPost"]["id"])
    status, body = gql(server, "query($a: Int) { posts(first: 2, after: $a) { total nextAfter items { id title } } }",
                       {"a": ids[0] - 1}, method="GET")
    assert status == 200, body
    page = body["data"]["posts"]
    assert [p["id"] for p in page["items"]] == ids[:2] and page["nextAfter"] == ids[1] and page["total"] >= 3
    status, body = gql(server, "{ post(id: %d) { title body } }" % ids[2])
    assert body["data"]["post"] == {"title": f"{server.kind} 2", "body": "text"}
    status, body = gql(server, "mutation { updatePost(id: %d, data: {title: \"renamed\"}) { title body } }"
                       % ids[0], jar=jar, token=token)
    assert body["data"]["updatePost"] == {"title": "renamed", "body": "text"}
    status, body = gql(server, "mutation { deletePost(id: %d) }" % ids[0], jar=jar, token=token)
    assert body["data"]["deletePost"] is True
    assert gql(server, "{ post(id: %d) { id } }" % ids[0])[1]["data"]["post"] is None


def test_validation_errors_name_the_field(server: Server) -> None:
    jar, token = signed_in(server, "alice")
    status, body = gql(server, CREATE, {"d": {"title": "x" * 300}}, jar, token)
    assert status == 200 and body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["fields"] == {"title": "at most 255 characters"}
    status, body = gql(server, CREATE, {"d": {"body": "no title"}}, jar, token)
    assert status == 400 and "title" in body["errors"][0]["message"]  # a required input field
    status, body = gql(server, "{ posts(first: 500) { total } }")
    assert body["errors"][0]["extensions"]["fields"] == {"first": "from 1 to 100"}


def test_authorization_comes_from_request_user(server: Server) -> None:
    status, body = gql(server, CREATE, {"d": {"title": "anonymous"}})
    assert status == 200 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    jar, token = signed_in(server, "alice")
    status, body = gql(server, "mutation { deleteUser(id: 1) }", jar=jar, token=token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    users = gql(server, "{ users { items { id username isAdmin } } }")[1]["data"]["users"]["items"]
    assert {u["username"] for u in users} >= {"alice", "boss"}
    status, body = gql(server, "{ users { items { passwordHash } } }")
    assert status == 400 and "passwordHash" in body["errors"][0]["message"]  # never exposed
    jar, token = signed_in(server, "boss")
    alice = next(u for u in users if u["username"] == "alice")
    status, body = gql(server, "mutation { updateUser(id: %d, data: {email: \"a@example.com\"}) { email } }"
                       % alice["id"], jar=jar, token=token)
    assert body["data"]["updateUser"] == {"email": "a@example.com"}, body


def test_cookie_authenticated_posts_need_the_csrf_token(server: Server) -> None:
    jar, token = signed_in(server, "alice")
    status, body = gql(server, CREATE, {"d": {"title": "forged"}}, jar)
    assert status == 403 and "CSRF" in json.dumps(body)
    status, body = gql(server, CREATE, {"d": {"title": "forged"}}, jar, "wrong-token")
    assert status == 403
    # Without the session cookie there is nothing to forge: no token needed (and no user).
    status, body = gql(server, "{ posts { total } }")
    assert status == 200 and isinstance(body["data"]["posts"]["total"], int)


def test_get_refuses_mutations(server: Server) -> None:
    status, body = gql(server, "mutation { deletePost(id: 1) }", method="GET")
    assert status == 405


def test_depth_and_cost_limits(server: Server) -> None:
    nested = "posts { author { posts { title } } }"
    status, body = gql(server, "{ posts { items { author { %s } } } }" % nested)
    assert status == 200 and "errors" not in body  # 7 levels: fine
    for _ in range(3):
        nested = "posts { author { %s } }" % nested  # 13 levels
    status, body = gql(server, "{ posts { items { author { %s } } } }" % nested)
    assert status == 400
    assert any("exceeds maximum operation depth of 10" in e["message"] for e in body["errors"])
    costly = "{ " + " ".join(f"p{i}: posts(first: 100) {{ items {{ id title body }} }}" for i in range(5)) + " }"
    status, body = gql(server, costly)
    assert status == 400 and "query cost" in body["errors"][0]["message"]


def test_malformed_requests_are_4xx(server: Server) -> None:
    for body, ctype in [(b"{", "application/json"), (b"[1]", "application/json"),
                        (b'{"query": 3}', "application/json"), (b"query=1", "text/plain"),
                        (b'{"query": "{ posts { total } }", "variables": [1]}', "application/json")]:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=15)
        try:
            conn.request("POST", "/graphql", body=body, headers={"Content-Type": ctype})
            r = conn.getresponse()
            r.read()
            assert 400 <= r.status < 500, (body, r.status)
        finally:
            conn.close()
    status, body = gql(server, "{ posts { ", method="GET")
    assert status == 400 and "Syntax Error" in body["errors"][0]["message"]


def test_no_explorer_without_debug(server: Server) -> None:
    status, _, text = Jar(server).request("GET", "/graphql", headers={"Accept": "text/html"})
    assert status == 400 and "explorer" not in text.lower()


def test_the_introspected_schema_is_valid(server: Server) -> None:
    from graphql import build_client_schema, get_introspection_query, validate_schema
    status, body = gql(server, get_introspection_query(descriptions=True))
    assert status == 200 and "errors" not in body, body
    schema = build_client_schema(body["data"])
    assert validate_schema(schema) == []
    assert {"posts", "post", "users", "user"} <= set(schema.query_type.fields)  # type: ignore[union-attr]
    assert {"createPost", "updatePost", "deletePost", "updateUser", "deleteUser"} == \
        set(schema.mutation_type.fields)  # type: ignore[union-attr]
    assert re.search(r"\bpasswordHash\b", json.dumps(body)) is None


def test_the_explorer_in_debug_in_chromium(project: Path, run_server: Any, tmp_path: Path) -> None:
    from .conftest import server_env
    from .test_auth_flow import CHROMIUM, CHROMIUM_ARGS, _chromium_or_skip
    sync_playwright = _chromium_or_skip()
    server = run_server("uvicorn", project, server_env(WOLFPY_APP_DEBUG="1")).wait_ready()
    origin = server.origin
    shot = tmp_path / "explorer.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(10_000)
            outside: list[str] = []
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(origin) else None)
            page.goto(origin + "/auth/login")
            page.fill("#username", "alice")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(origin + "/")
            page.goto(origin + "/graphql")
            page.wait_for_selector("#schema li")
            assert "createPost(data: PostInput!): PostType!" in page.inner_text("#schema")
            # A cookie-authenticated POST from the page: the explorer sends the CSRF token.
            page.fill("#query", 'mutation { createPost(data: {title: "from the explorer"}) { title } }')
            page.click("#run")
            page.wait_for_function("document.getElementById('result').textContent.includes('createPost')")
            result = json.loads(page.inner_text("#result"))
            assert result == {"data": {"createPost": {"title": "from the explorer"}}}
            page.fill("#query", "{ posts(first: 3) { total items { title author { username } } } }")
            page.keyboard.press("Control+Enter")
            page.wait_for_function("document.getElementById('result').textContent.includes('total')")
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    assert outside == []  # nothing loaded from another site
    shots = Path("/work/shots/uploads-graphql-pwa")
    shots.mkdir(parents=True, exist_ok=True)
    import shutil
    shutil.copy(shot, shots / "graphql-explorer.png")
