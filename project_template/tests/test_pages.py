"""Tests for __NAME__: run with `wolfpy test` or `python -m pytest`.

The `client` fixture (from WolfPy's pytest plugin) talks to this app in-process.
"""


def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Welcome to __NAME__" in response.text


def test_stylesheet_is_served(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


def test_unknown_page_is_404(client):
    assert client.get("/no-such-page").status_code == 404
