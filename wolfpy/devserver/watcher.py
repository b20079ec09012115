"""The watcher (parent) process of ``wolfpy serve``: owns the listening socket, restarts the child.

A changed, added or deleted route file is reloaded inside the child (the parent
sends it the paths through a pipe, see :mod:`.hotswap`); other code changes (models/,
a helper or ``_middleware.py`` under routes/, wolfpy.toml, .env) restart the child
process; template and static changes do neither (templates are re-read on change,
and open pages reload through the livereload stream). This process also
runs the assets watcher, so one Sass compiler lives across every restart of the
child, and a rebuilt stylesheet reaches open pages through the same stream.

``wolfpy.toml`` and ``.env`` are watched through the project folder (not
recursively), never as files: most editors and ``sed -i`` save by writing a new
file and renaming it over the old one, and a watch on the file itself would end
with the first such save.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any, Iterable

from ..project import CONFIG_FILE
from .hotswap import RESTART_EXIT

RESTART_SUFFIXES = (".py", ".toml", ".env")
ROOT_FILES = (CONFIG_FILE, ".env")   # the files of the project folder itself that matter
# A batch of changes is handed on once no new change came for this long (at most 50 ms after
# the first): most of the time between a save and its reload is this wait.
STEP_MS = 10


def route_changes(project: Any, changes: Iterable[tuple[Any, str]]) -> list[str] | None:
    """The changed route files (and folders) to reload in the child; None when the child must
    restart instead: models/, wolfpy.toml, .env, or a file under routes/ that is not a route
    (a ``_helper.py``, anything in a ``_folder/``, ``_middleware.py``, ``__init__.py``)."""
    found: list[str] = []
    for _kind, path in changes:
        p = Path(path)
        if p.name in ROOT_FILES and p.parent == project.root:
            return None
        if p.suffix == ".py" and _under(p, project.models):
            return None
        if _under(p, project.routes) and (p.suffix == ".py" or (not p.suffix and not p.is_file())):
            if any(part.startswith("_") for part in p.relative_to(project.routes).parts):
                return None
            found.append(str(path))
    return found


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


def _root_file(change: Any, path: str) -> bool:
    return os.path.basename(path) in ROOT_FILES


class Supervisor:
    def __init__(self, project: Any, sock: socket.socket, url: str, debug: bool = True) -> None:
        self.project = project
        self.sock = sock
        self.url = url
        self.debug = debug
        self.child: subprocess.Popen[bytes] | None = None
        self.control: IO[bytes] | None = None   # the write end of the running child's request pipe
        self.stop = threading.Event()
        # Batches of file changes from the watchers, and children that exited to be restarted.
        self.events: "queue.Queue[Any]" = queue.Queue()

    def start_child(self) -> None:
        # The reload requests go through a pipe of their own: the child's stdin stays the
        # terminal's, so breakpoint() in a handler still reads what the developer types.
        read, write = os.pipe()
        cmd = [sys.executable, "-m", "wolfpy.devserver.child", "--fd", str(self.sock.fileno()),
               "--project", str(self.project.root), "--url", self.url, "--control", str(read)]
        if not self.debug:
            cmd.append("--no-debug")
        env = dict(os.environ, WOLFPY_PROJECT=str(self.project.root), PYTHONDONTWRITEBYTECODE="1")
        try:
            self.child = child = subprocess.Popen(cmd, pass_fds=(self.sock.fileno(), read),
                                                  cwd=self.project.root, env=env)
        except BaseException:
            os.close(write)
            raise
        finally:
            os.close(read)
        self.control = os.fdopen(write, "wb")
        threading.Thread(target=self._await_child, args=(child,), name="wolfpy-child", daemon=True).start()

    def _await_child(self, child: "subprocess.Popen[bytes]") -> None:
        if child.wait() == RESTART_EXIT and not self.stop.is_set():
            self.events.put(child)  # it stopped to be started again (a change it cannot reload)

    def reload_in_child(self, paths: list[str]) -> bool:
        """Ask the child to reload these route files in place; False if it cannot be asked."""
        child, control = self.child, self.control
        if child is None or control is None or child.poll() is not None:
            return False
        try:
            control.write(json.dumps(paths).encode() + b"\n")
            control.flush()
        except OSError:
            return False
        return True

    def stop_child(self) -> None:
        child, self.child = self.child, None
        control, self.control = self.control, None
        if control is not None:
            try:
                control.close()  # the child's end of the pipe sees EOF: it stops serving
            except OSError:
                pass
        if child is None or child.poll() is not None:
            return
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=3)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

    def _watch(self, paths: list[Path], recursive: bool, watch_filter: Any,
               out: "queue.Queue[set[tuple[Any, str]]]") -> None:
        from watchfiles import DefaultFilter, watch
        try:
            for changes in watch(*paths, watch_filter=watch_filter or DefaultFilter(), recursive=recursive,
                                 debounce=50, step=STEP_MS, stop_event=self.stop, raise_interrupt=False,
                                 yield_on_timeout=False):
                out.put(changes)
        except Exception as exc:  # a watcher that dies must not leave a server that ignores edits
            print(f"error: the file watcher stopped: {exc}", file=sys.stderr, flush=True)
            self.stop.set()

    def run(self) -> None:
        # SIGTERM (kill, a process manager, an IDE's stop button) must stop the child too.
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: self.stop.set())
        from ..assets.watch import start_in_thread
        assets_thread = start_in_thread(self.project, self.stop)
        self.start_child()
        changes_q = self.events
        folders = [p for p in self.project.watched_paths() if p.is_dir()]
        watchers = [threading.Thread(target=self._watch, args=([self.project.root], False, _root_file, changes_q),
                                     name="wolfpy-watch-root", daemon=True)]
        if folders:
            watchers.append(threading.Thread(target=self._watch, args=(folders, True, None, changes_q),
                                             name="wolfpy-watch-folders", daemon=True))
        for thread in watchers:
            thread.start()
        try:
            while not self.stop.is_set():
                try:
                    items = [changes_q.get(timeout=0.2)]
                except queue.Empty:
                    continue
                while True:  # both watchers may report one save: act once
                    try:
                        items.append(changes_q.get_nowait())
                    except queue.Empty:
                        break
                changes = {c for item in items if isinstance(item, set) for c in item}
                asked = any(item is self.child for item in items)  # the child stopped to be restarted
                paths = route_changes(self.project, changes) if changes else []
                if paths is None:
                    names = sorted({Path(p).name for _, p in changes})
                    print(f"  change in {', '.join(names)}: restarting", file=sys.stderr, flush=True)
                if paths is None or asked or (paths and not self.reload_in_child(paths)):
                    self.stop_child()
                    self.start_child()
        finally:
            self.stop.set()
            signal.signal(signal.SIGTERM, previous)
            self.stop_child()
            for thread in watchers + ([assets_thread] if assets_thread else []):
                thread.join(timeout=2)
