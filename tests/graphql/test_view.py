"""The GraphQL view in-process: unexpected errors masked (and logged), a resolver's own
GraphQL errors shown, application/graphql bodies, GET variables, the context's user and
session without the auth middleware, and the cost of list arguments given as variables."""
from __future__ import annotations

import json

import pytest

ROUTE = '''
import strawberry
from graphql import GraphQLError
from strawberry.types import Info
from wolfpy.graphql import GraphQL, default_extensions

api = True

@strawberry.type
class Item:
    name: str

@strawberry.type
class Query:
    @strawberry.field
    def boom(self) -> str:
        raise RuntimeError("database password is hunter2")

    @strawberry.field
    def refused(self) -> str:
        raise GraphQLError("not today", extensions={"code": "NOPE"})

    @strawberry.field
    def echo(self, text: str) -> str:
        return text

    @strawberry.field
    def who(self, info: Info) -> str:
        return f"user={info.context.user} session={info.context.session}"

    @strawberry.field
    def items(self, first: int = 10) -> list[Item]:
        return [Item(name=str(i)) for i in range(min(first, 5))]

schema = strawberry.Schema(query=Query, extensions=default_extensions(max_cost=200))
graphql = GraphQL(schema)
get, post = graphql.get, graphql.post
'''


@pytest.fixture
def client(client_for):
    return client_for({"routes/graphql.py": ROUTE})


def post(client, query, variables=None):
    r = client.post("/graphql", json={"query": query, "variables": variables})
    return r.status_code, r.json()


def test_unexpected_errors_are_masked_and_logged(client, caplog) -> None:
    status, body = post(client, "{ boom }")
    assert status == 200 and body["errors"][0]["message"] == "Unexpected error."
    assert "hunter2" not in json.dumps(body)
    assert "hunter2" in caplog.text
    status, body = post(client, "{ refused }")
    assert body["errors"][0]["message"] == "not today"
    assert body["errors"][0]["extensions"] == {"code": "NOPE"}


def test_bodies_and_variables(client) -> None:
    r = client.post("/graphql", data=b'{ echo(text: "raw") }', headers={"content-type": "application/graphql"})
    assert r.json() == {"data": {"echo": "raw"}}
    r = client.get("/graphql", params={"query": "query($t: String!) { echo(text: $t) }",
                                       "variables": json.dumps({"t": "hi"})})
    assert r.json() == {"data": {"echo": "hi"}}
    assert client.get("/graphql", params={"query": "{ echo(text: \"x\") }", "variables": "[1"}).status_code == 400
    assert client.get("/graphql").status_code == 400  # no query, and no explorer without debug


def test_the_context_without_auth_or_sessions(client) -> None:
    assert post(client, "{ who }")[1] == {"data": {"who": "user=None session=None"}}


def test_list_sizes_given_as_variables_count_in_the_cost(client) -> None:
    many = "query($n: Int!) { " + " ".join(f"a{i}: items(first: $n) {{ name }}" for i in range(3)) + " }"
    status, body = post(client, many, {"n": 2})
    assert status == 400 and "query cost" in body["errors"][0]["message"]  # a variable counts as 100
    status, body = post(client, "{ a: items(first: 50) { name } b: items(first: 50) { name } }")
    assert status == 200 and len(body["data"]["a"]) == 5


def test_a_huge_document_stops_at_the_token_limit(client) -> None:
    import time
    query = "{ " + "echo(text: \"x\") " * 20_000 + "}"  # ~120,000 tokens, under the 1 MiB JSON limit
    started = time.monotonic()
    status, body = post(client, query)
    assert status == 400 and "token" in body["errors"][0]["message"].lower()
    assert time.monotonic() - started < 5  # refused while parsing, not after validating it
