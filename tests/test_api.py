"""JSON APIs: typed bodies and query parameters, 422 field errors, 415, serialisation."""
from __future__ import annotations

import pytest

API = {
    "routes/api/todos/index.py": """
        from dataclasses import dataclass, field
        from typing import Optional
        from wolfpy import api_route

        @dataclass
        class TodoIn:
            title: str
            done: bool = False
            tags: list[str] = field(default_factory=list)
            priority: Optional[int] = None

        @api_route
        def get(request, page: int = 1, done: Optional[bool] = None, tag: list[str] = []):
            return {"page": page, "done": done, "tag": tag}

        @api_route(status=201)
        def post(request, todo: TodoIn):
            return {"created": todo}
    """,
    "routes/api/todos/[id].py": """
        from dataclasses import dataclass
        from wolfpy import api_route

        @dataclass
        class Patch:
            title: str

        @api_route
        async def put(request, id: int, patch: Patch):
            return {"id": id, "title": patch.title, "params": request.params}
    """,
    "routes/api/search.py": """
        from dataclasses import dataclass
        from wolfpy import api_route

        @dataclass
        class Query:
            q: str
            limit: int = 10

        @api_route
        def get(request, query: Query):
            return {"q": query.q, "limit": query.limit}
    """,
    "routes/api/users.py": """
        from pydantic import BaseModel, Field
        from wolfpy import api_route

        class UserIn(BaseModel):
            name: str = Field(min_length=2)
            age: int

        @api_route(status=201)
        def post(request, user: UserIn):
            return user
    """,
    "routes/api/needs.py": """
        from wolfpy import api_route
        @api_route
        def get(request, since: int):
            return {"since": since}
    """,
    "routes/signup.py": """
        from dataclasses import dataclass
        from wolfpy import Form, render

        @dataclass
        class Signup:
            email: str
            age: int

        def get(request):
            return render("signup.html", form=Form(Signup))

        def post(request):
            form = Form(Signup, request)
            if not form.valid:
                return render("signup.html", form=form, status=422)
            return f"welcome {form.data.email}, {form.data.age}"
    """,
    "templates/signup.html": """<form method="post">\
<input name="email" value="${form.value('email')}"><span>${form.error('email')}</span>\
<input name="age" value="${form.value('age')}"><span>${form.error('age')}</span></form>""",
}


@pytest.fixture
def client(client_for):
    return client_for(API)


def test_dataclass_body(client):
    r = client.post("/api/todos", json={"title": "write docs", "tags": ["a"], "extra": "ignored"})
    assert r.status_code == 201
    assert r.json() == {"created": {"title": "write docs", "done": False, "tags": ["a"], "priority": None}}


@pytest.mark.parametrize("body, fields", [
    ({"title": 5}, {"title": "expected a string"}),
    ({}, {"title": "field required"}),
    ({"title": "x", "done": "yes"}, {"done": "expected true or false"}),
    ({"title": "x", "tags": "a"}, {"tags": "expected a list"}),
    ({"title": "x", "tags": [1]}, {"tags[0]": "expected a string"}),
    ({"title": "x", "priority": True}, {"priority": "expected a whole number"}),
    ({"title": 1, "done": 2}, {"title": "expected a string", "done": "expected true or false"}),
])
def test_validation_errors_are_422_with_fields(client, body, fields):
    r = client.post("/api/todos", json=body)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["status"] == 422 and error["fields"] == fields and error["message"]


def test_body_must_be_a_json_object(client):
    r = client.post("/api/todos", json=[1, 2])
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"body": "expected a JSON object"}
    assert client.post("/api/todos", content=b"", headers={"content-type": "application/json"}).status_code == 422


def test_malformed_json_is_400_and_wrong_type_is_415(client):
    r = client.post("/api/todos", content=b'{"title": ', headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["status"] == 400
    r = client.post("/api/todos", content=b"title=x", headers={"content-type": "text/plain"})
    assert r.status_code == 415 and r.json()["error"]["status"] == 415


def test_form_body_fills_the_dataclass_too(client):
    r = client.post("/api/todos", data={"title": "from a form", "done": "on", "tags": ["x", "y"]})
    assert r.status_code == 201
    assert r.json()["created"] == {"title": "from a form", "done": True, "tags": ["x", "y"], "priority": None}


def test_path_and_body_together(client):
    r = client.put("/api/todos/7", json={"title": "renamed"})
    assert r.json() == {"id": 7, "title": "renamed", "params": {"id": 7}}
    assert client.put("/api/todos/x", json={"title": "renamed"}).status_code == 404


def test_typed_query_parameters(client):
    assert client.get("/api/todos").json() == {"page": 1, "done": None, "tag": []}
    assert client.get("/api/todos?page=3&done=false&tag=a&tag=b").json() == \
        {"page": 3, "done": False, "tag": ["a", "b"]}
    r = client.get("/api/todos?page=two")
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"page": "expected a whole number"}
    r = client.get("/api/needs")
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"since": "query parameter required"}


def test_dataclass_from_the_query_on_get(client):
    assert client.get("/api/search?q=wolf").json() == {"q": "wolf", "limit": 10}
    assert client.get("/api/search?q=wolf&limit=3").json() == {"q": "wolf", "limit": 3}
    assert client.get("/api/search").json()["error"]["fields"] == {"q": "field required"}


def test_pydantic_model(client):
    r = client.post("/api/users", json={"name": "Ada", "age": 36})
    assert (r.status_code, r.json()) == (201, {"name": "Ada", "age": 36})
    r = client.post("/api/users", json={"name": "A", "age": "old"})
    assert r.status_code == 422
    assert set(r.json()["error"]["fields"]) == {"name", "age"}


def test_html_form_rerenders_with_messages_and_input(client):
    assert client.get("/signup").status_code == 200
    r = client.post("/signup", data={"email": "<b>ada</b>", "age": "old"})
    assert r.status_code == 422
    assert 'value="&lt;b&gt;ada&lt;/b&gt;"' in r.text           # the input comes back, escaped
    assert "<span>expected a whole number</span>" in r.text
    r = client.post("/signup", data={"email": "ada@example.com", "age": "36"})
    assert (r.status_code, r.text) == (200, "welcome ada@example.com, 36")


def test_422_page_for_browsers(client_for):
    c = client_for({"routes/x.py": """
        from dataclasses import dataclass
        @dataclass
        class B:
            n: int
        def post(request, b: B):
            return str(b.n)
    """})
    r = c.post("/x", json={"n": "x"}, headers={"accept": "text/html"})
    assert r.status_code == 422 and '<p class="code">422</p>' in r.text


def test_peewee_models_and_dataclasses_serialise(client_for):
    c = client_for({"routes/m.py": """
        import datetime, decimal, uuid
        from dataclasses import dataclass
        import peewee
        db = peewee.SqliteDatabase(":memory:")
        class Item(peewee.Model):
            name = peewee.CharField()
            class Meta:
                database = db
        @dataclass
        class D:
            when: datetime.date
        def get(request):
            return {"item": Item(id=1, name="x"), "d": D(datetime.date(2026, 1, 2)),
                    "dec": decimal.Decimal("1.5"), "u": uuid.UUID(int=1)}
    """})
    assert c.get("/m").json() == {"item": {"id": 1, "name": "x"}, "d": {"when": "2026-01-02"},
                                  "dec": "1.5", "u": "00000000-0000-0000-0000-000000000001"}


def test_integers_past_64_bits_still_serialise(client_for):
    c = client_for({"routes/big.py": "def get(request):\n    return {'n': 732761376893349860370022400}\n"})
    r = c.get("/big")
    assert r.status_code == 200 and r.json()["n"] == 732761376893349860370022400


# A whole number reaches a database column, and none holds more than a signed 64-bit integer.
SQL_IDS = {"routes/api/items.py": """
    import contextlib, sqlite3
    from dataclasses import dataclass
    from wolfpy import api_route

    @dataclass
    class Lookup:
        id: int

    def row(id):
        with contextlib.closing(sqlite3.connect(":memory:")) as db:
            return {"id": db.execute("select ?", (id,)).fetchone()[0]}

    @api_route
    def get(request, id: int):
        return row(id)

    @api_route
    def post(request, lookup: Lookup):
        return row(lookup.id)
"""}


def test_whole_numbers_past_64_bits_are_a_422_not_a_database_error(client_for):
    c = client_for(SQL_IDS)
    for id in (2 ** 63 - 1, -(2 ** 63)):
        assert c.get(f"/api/items?id={id}").json() == {"id": id}
        assert c.post("/api/items", json={"id": id}).json() == {"id": id}
    for id in (2 ** 63, -(2 ** 63) - 1, 2 ** 64, 10 ** 29):
        r = c.get(f"/api/items?id={id}")
        assert r.status_code == 422 and r.json()["error"]["fields"] == {"id": "expected a whole number"}
        r = c.post("/api/items", json={"id": id})
        assert r.status_code == 422 and r.json()["error"]["fields"] == {"id": "expected a whole number"}


def test_a_json_integer_too_large_for_a_float_is_a_422(client_for):
    c = client_for({"routes/api/ratio.py": """
        from dataclasses import dataclass
        from wolfpy import api_route

        @dataclass
        class Ratio:
            ratio: float

        @api_route
        def post(request, body: Ratio):
            return {"ratio": body.ratio}
    """})
    assert c.post("/api/ratio", json={"ratio": 10 ** 300}).json() == {"ratio": 1e300}
    r = c.post("/api/ratio", json={"ratio": 10 ** 400})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"ratio": "expected a number"}
