"""The watcher (parent) process of ``wolfpy serve``: owns the listening socket, restarts the child.

Code changes (``.py`` under routes/ or models/, wolfpy.toml, .env) restart the
child process; template and static changes do not (templates are re-read on
change, and open pages reload through the livereload stream).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

RESTART_SUFFIXES = (".py", ".toml", ".env")


def needs_restart(project: Any, changes: set[tuple[Any, str]]) -> bool:
    for _kind, path in changes:
        p = Path(path)
        if p.name == ".env" or p == project.config_file:
            return True
        if p.suffix == ".py" and (_under(p, project.routes) or _under(p, project.models)):
            return True
    return False


def _under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket once; children inherit it, so restarts never refuse a connection."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class Supervisor:
    def __init__(self, project: Any, sock: socket.socket, url: str) -> None:
        self.project = project
        self.sock = sock
        self.url = url
        self.child: subprocess.Popen[bytes] | None = None
        self.stop = threading.Event()

    def start_child(self) -> None:
        cmd = [sys.executable, "-m", "wolfpy.devserver.child", "--fd", str(self.sock.fileno()),
               "--project", str(self.project.root), "--url", self.url]
        env = dict(os.environ, WOLFPY_PROJECT=str(self.project.root), PYTHONDONTWRITEBYTECODE="1")
        self.child = subprocess.Popen(cmd, pass_fds=(self.sock.fileno(),), cwd=self.project.root, env=env)

    def stop_child(self) -> None:
        child, self.child = self.child, None
        if child is None or child.poll() is not None:
            return
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=3)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

    def run(self) -> None:
        from watchfiles import watch
        # SIGTERM (kill, a process manager, an IDE's stop button) must stop the child too.
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: self.stop.set())
        self.start_child()
        paths = self.project.watched_paths() + ([self.project.env_file] if self.project.env_file.exists() else [])
        try:
            for changes in watch(*paths, debounce=50, step=50, stop_event=self.stop,
                                 raise_interrupt=False, yield_on_timeout=False):
                if needs_restart(self.project, changes):
                    names = sorted({Path(p).name for _, p in changes})
                    print(f"  change in {', '.join(names)}: restarting", file=sys.stderr, flush=True)
                    self.stop_child()
                    self.start_child()
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.stop_child()
