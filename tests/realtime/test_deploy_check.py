"""`wolfpy check --deploy` warns when WebSocket rooms run on the one-process memory layer."""
from __future__ import annotations

from pathlib import Path

from tests.cli_runner import run_cli

WS = "async def websocket(ws):\n    await ws.accept()\n"


def project(root: Path, backend: str, ws: bool) -> Path:
    (root / "routes").mkdir(parents=True)
    (root / "routes/index.py").write_text("def get(request):\n    return 'hi'\n")
    if ws:
        (root / "routes/chat.py").write_text(WS)
    (root / "wolfpy.toml").write_text(f'[app]\nallowed_hosts = ["example.com"]\n[middleware]\nbuiltin = '
                                      f'["allowed_hosts", "security_headers", "sessions", "csrf"]\n'
                                      f'[realtime]\nbackend = "{backend}"\n[redis]\nurl = "redis://127.0.0.1:1/0"\n')
    return root


def test_memory_layer_with_websockets_is_a_deploy_warning(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    code, out, err = run_cli("check", "--deploy", cwd=project(tmp_path / "a", "memory", ws=True))
    assert "security.W005" in out + err and "not shared between workers" in out + err
    code, out, err = run_cli("check", cwd=tmp_path / "a")                 # not without --deploy
    assert "security.W005" not in out + err


def test_no_warning_for_redis_or_without_websockets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    for root in (project(tmp_path / "b", "redis", ws=True), project(tmp_path / "c", "memory", ws=False)):
        code, out, err = run_cli("check", "--deploy", cwd=root)
        assert "security.W005" not in out + err, out + err
