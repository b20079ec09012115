"""The ``outbox`` pytest fixture: every message the test sends, kept in memory.

While it is active, every app sends through the ``memory`` backend whatever
``[mail] url`` says; the list starts empty for each test::

    def test_welcome(client, outbox):
        client.post("/auth/register", data={...})
        assert outbox[0]["To"] == "ada@example.com"
"""
from __future__ import annotations

from typing import Any, Iterator

import pytest


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    from . import backends
    import wolfpy.mail as mail
    monkeypatch.setattr(mail, "URL_OVERRIDE", "memory")
    backends.OUTBOX.clear()
    yield backends.OUTBOX
    backends.OUTBOX.clear()
