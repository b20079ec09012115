"""The example's own tests: `cd examples/todo && wolfpy test`."""
import pytest


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("TODO_DATABASE", str(tmp_path / "todo.sqlite3"))


def test_create_and_list(client):
    r = client.post("/api/todos", json={"title": "write the docs"})
    assert r.status_code == 201
    assert client.get("/api/todos").json()[0]["title"] == "write the docs"


def test_validation(client):
    r = client.post("/api/todos", json={"title": 5})
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == {"title": "expected a string"}
