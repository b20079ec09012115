"""examples/todo works end to end: the JSON API, its errors, and the HTML page with its form."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from wolfpy import load
from wolfpy.testing import TestClient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "todo"


def _forget_example_modules() -> None:
    # Route files import `models.todo`; another project in this process may own `models`.
    for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
        del sys.modules[name]


@pytest.fixture
def client(tmp_path, monkeypatch, protocol):
    monkeypatch.setenv("TODO_DATABASE", str(tmp_path / "todo.sqlite3"))
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "t" * 40)
    monkeypatch.setenv("WOLFPY_APP_DEBUG", "false")
    _forget_example_modules()
    with TestClient(load(EXAMPLE), protocol=protocol) as c:
        yield c
    _forget_example_modules()
    while str(EXAMPLE) in sys.path:
        sys.path.remove(str(EXAMPLE))


def test_api_crud(client):
    r = client.post("/api/todos", json={"title": "  write the docs "})
    assert r.status_code == 201
    todo = r.json()
    assert todo["title"] == "write the docs" and todo["done"] is False
    client.post("/api/todos", json={"title": "ship it", "done": True})
    assert [t["title"] for t in client.get("/api/todos").json()] == ["write the docs", "ship it"]
    assert [t["title"] for t in client.get("/api/todos?done=true").json()] == ["ship it"]
    r = client.patch(f"/api/todos/{todo['id']}", json={"done": True})
    assert r.json()["done"] is True
    assert client.get(f"/api/todos/{todo['id']}").json()["done"] is True
    assert client.delete(f"/api/todos/{todo['id']}").status_code == 204
    r = client.get(f"/api/todos/{todo['id']}")
    assert r.status_code == 404 and r.json() == {"error": {"status": 404, "message": f"no todo {todo['id']}"}}


@pytest.mark.parametrize("body, fields", [
    ({"title": 5}, {"title": "expected a string"}),
    ({"title": "   "}, {"title": "must be 1 to 200 characters"}),
    ({"title": "x" * 201}, {"title": "must be 1 to 200 characters"}),
    ({"done": True}, {"title": "field required"}),
])
def test_api_validation(client, body, fields):
    r = client.post("/api/todos", json=body)
    assert r.status_code == 422 and r.json()["error"]["fields"] == fields


def test_api_bad_input(client):
    assert client.post("/api/todos", content=b"{", headers={"content-type": "application/json"}).status_code == 400
    assert client.get("/api/todos/abc").status_code == 404
    assert client.get("/api/todos?done=maybe").status_code == 422
    assert client.patch("/api/todos/999", json={"done": True}).status_code == 404


def test_html_page_and_form(client):
    r = client.get("/")
    assert r.status_code == 200 and "0 left" in r.text
    r = client.post("/", data={"title": "  "})
    assert r.status_code == 422 and "Please write something to do." in r.text
    r = client.post("/", data={"title": "<b>buy milk</b>"})
    assert (r.status_code, r.headers["location"]) == (303, "/")
    page = client.get("/").text
    assert "&lt;b&gt;buy milk&lt;/b&gt;" in page and "1 left" in page
    todo_id = client.get("/api/todos").json()[0]["id"]
    assert client.post(f"/todos/{todo_id}/toggle").status_code == 303
    assert "0 left" in client.get("/").text
    assert client.get("/static/css/todo.css").status_code == 200
