"""Route files import ``models.<name>`` of their own project, whatever another project
loaded before in the same process left in ``sys.modules`` and on ``sys.path``."""
from __future__ import annotations

import wolfpy
from wolfpy.testing import TestClient


def test_second_project_routes_import_their_own_models(make_project, tmp_path, monkeypatch):
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "s" * 50)
    first = make_project({"models/__init__.py": "", "models/post.py": "NAME = 'first'\n",
                          "routes/index.py": "from models.post import NAME\n\ndef get(request):\n    return NAME\n"},
                         root=tmp_path / "first")
    assert TestClient(wolfpy.load(first)).get("/").text == "first"
    # No models/__init__.py here: the first project's regular package, still imported and
    # still on sys.path, must not win over this namespace package.
    second = make_project({"models/tag.py": "NAME = 'second'\n",
                           "routes/aaa.py": "from models.tag import NAME\n\ndef get(request):\n    return NAME\n"},
                          root=tmp_path / "second")
    assert TestClient(wolfpy.load(second)).get("/aaa").text == "second"
