"""The test client's session: forms carry its CSRF token, `client.login(user)` signs a user in."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.scaffold.conftest import wolfpy
from wolfpy.app import load
from wolfpy.testing import TestClient

PRIVATE = '''from wolfpy import login_required


@login_required
def get(request):
    return f"hello {request.user.username}"
'''


@pytest.mark.parametrize("protocol", ["wsgi", "asgi"])
def test_login_and_csrf_without_scraping_a_page(project: Path, protocol: str) -> None:
    assert wolfpy(project, "generate", "auth")[0] == 0
    assert wolfpy(project, "db", "migrate")[0] == 0
    (project / "routes/private.py").write_text(PRIVATE)
    app = load(project)
    User = next(m for m in app.bind_models() if m.__name__ == "User")
    ada = User.create(username=f"ada_{protocol}", password_hash="-")
    with TestClient(app, protocol=protocol, csrf=True) as client:
        assert client.get("/private").status_code == 303
        client.login(ada)
        reply = client.get("/private")
        assert (reply.status_code, reply.text) == (200, f"hello ada_{protocol}")
        assert client.post("/auth/logout", csrf=False).status_code == 403     # a forged form
        assert client.get("/private").status_code == 200
        reply = client.post("/auth/logout")                                    # the token, added
        assert reply.status_code == 303
        assert client.get("/private").status_code == 303
        client.login(ada)
        client.logout()
        assert client.get("/private").status_code == 303
    with TestClient(app, protocol=protocol, csrf=False) as plain:              # no token added
        plain.login(ada)
        assert plain.post("/auth/logout").status_code == 403
        assert plain.post("/auth/logout", csrf=True).status_code == 303
