"""``wolfpy routes --explain``: describing a route's middleware creates none of it."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

import pytest

from wolfpy import App
from wolfpy.routing.explain import explain


def _handlers() -> dict[str, list[Any]]:
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in list(logging.root.manager.loggerDict))]
    return {lg.name: list(lg.handlers) for lg in loggers}


def test_explain_describes_the_chain_without_setting_up_logging(
        make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    root = make_project({
        "routes/index.py": "def get(request):\n    return 'home'\n",
        "routes/_middleware.py": "def middleware(request, call_next):\n    return call_next(request)\n",
    }, "[middleware]\nbuiltin = ['request_id', 'access_log', 'security_headers']\n")
    app = App(root, debug=True)  # as `wolfpy routes --explain` builds it: loaded, never frozen
    app.load_routes()
    app.apply_extensions()
    app.router.compile()
    before = _handlers()
    text = explain(app, "/")
    assert _handlers() == before
    assert not (root / "logs").exists()
    chain = text.split("outermost first:", 1)[1].split("methods:", 1)[0].split()
    assert chain[:7] == ["1.", "request_id", "(built-in)", "2.", "access_log", "(built-in)", "3."]
    assert "security_headers" in chain and "middleware" in chain
