"""What a request costs on the wire: a handler that runs one query sends the server that
one statement and nothing else (no BEGIN, COMMIT, ROLLBACK, SET or ping, before or after),
while a connection handed back in the middle of a transaction is still rolled back.

Between a real WolfPy app (TestClient) and the real PostgreSQL or MariaDB sits a small TCP
proxy that reads the client's side of the protocol and writes down every command: on
PostgreSQL each message after the start-up (``Q`` simple query, ``P`` parse, ...), on
MySQL each packet that starts a command (``COM_QUERY``, ``COM_PING`` ...)."""
from __future__ import annotations

import socket
import struct
import threading
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

import wolfpy
from wolfpy.testing import TestClient

# PostgreSQL start-up requests that carry no message type: SSL, GSS encryption, cancel.
_PG_NEGOTIATION = {80877103, 80877104, 80877102}
_MYSQL_COMMANDS = {0x01: "COM_QUIT", 0x02: "COM_INIT_DB", 0x03: "COM_QUERY", 0x0E: "COM_PING",
                   0x11: "COM_CHANGE_USER", 0x16: "COM_STMT_PREPARE", 0x17: "COM_STMT_EXECUTE",
                   0x1F: "COM_RESET_CONNECTION"}


class _PostgresReader:
    def __init__(self, record: Any) -> None:
        self.record, self.buf, self.started = record, b"", False

    def feed(self, data: bytes) -> None:
        self.buf += data
        while True:
            if not self.started:  # Int32 length, Int32 code, rest
                if len(self.buf) < 8:
                    return
                length, code = struct.unpack("!II", self.buf[:8])
                if len(self.buf) < length:
                    return
                self.started = code not in _PG_NEGOTIATION
                self.buf = self.buf[length:]
                continue
            if len(self.buf) < 5:  # Byte1 type, Int32 length (itself included), body
                return
            kind = self.buf[:1].decode()
            (length,) = struct.unpack("!I", self.buf[1:5])
            if len(self.buf) < 1 + length:
                return
            body, self.buf = self.buf[5:1 + length], self.buf[1 + length:]
            if kind == "p":  # password / SASL: start-up, not a command
                continue
            text = body.split(b"\0")[1 if kind == "P" else 0].decode(errors="replace") if kind in "QP" else ""
            self.record(kind, text)


class _MySQLReader:
    def __init__(self, record: Any) -> None:
        self.record, self.buf = record, b""

    def feed(self, data: bytes) -> None:
        self.buf += data
        while len(self.buf) >= 4:  # Int3 length, Int1 sequence id, payload
            length = int.from_bytes(self.buf[:3], "little")
            if len(self.buf) < 4 + length:
                return
            seq, payload, self.buf = self.buf[3], self.buf[4:4 + length], self.buf[4 + length:]
            if seq == 0 and payload:  # a command; the handshake answers have sequence ids > 0
                name = _MYSQL_COMMANDS.get(payload[0], f"COM_{payload[0]:#x}")
                self.record(name, payload[1:].decode(errors="replace") if payload[0] == 0x03 else "")


class CountingProxy:
    """Forwards 127.0.0.1:<port> to the database and records the client's commands."""

    def __init__(self, host: str, port: int, protocol: str) -> None:
        self.target, self.protocol = (host, port), protocol
        self.commands: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _record(self, kind: str, text: str) -> None:
        with self._lock:
            self.commands.append((kind, text))

    def take(self) -> list[tuple[str, str]]:
        with self._lock:
            taken, self.commands = self.commands, []
        return taken

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            reader = (_PostgresReader if self.protocol == "postgresql" else _MySQLReader)(self._record)
            threading.Thread(target=self._pump, args=(client, upstream, reader), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, None), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket, reader: Any) -> None:
        try:
            while data := source.recv(65536):
                if reader is not None:
                    reader.feed(data)  # recorded before the server can answer it
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()
        for sock in self._sockets:
            sock.close()


MODELS = """
from wolfpy.db import CharField, IntegerField, Model

class World(Model):
    randomnumber = IntegerField()

class Fortune(Model):
    message = CharField(max_length=200)
"""

ROUTES = {
    "routes/fortunes.py": "from models.tfb import Fortune\n\ndef get(request):\n"
                          "    return ' | '.join(sorted(f.message for f in Fortune.select()))\n",
    "routes/world.py": "from models.tfb import World\n\ndef get(request):\n"
                       "    return str(World.get_by_id(int(request.query['id'])).randomnumber)\n",
    "routes/update.py": "from models.tfb import World\n\ndef post(request):\n"
                        "    n = int(request.query['id'])\n"
                        "    return str(World.update(randomnumber=n * 10).where(World.id == n).execute())\n",
    # A handler that opens a transaction and returns without ending it.
    "routes/left_open.py": "from wolfpy.db import DATABASE\nfrom models.tfb import Fortune\n\ndef post(request):\n"
                           "    DATABASE.begin()\n"
                           "    Fortune.create(message='never committed')\n"
                           "    return f'left open ({Fortune.select().count()})'\n",
    # The same, failing half-way.
    "routes/failed.py": "from wolfpy.db import DATABASE\nfrom models.tfb import Fortune\n\ndef post(request):\n"
                        "    DATABASE.begin()\n"
                        "    Fortune.create(message='never committed either')\n"
                        "    raise RuntimeError('half-way')\n",
}


@pytest.fixture(params=[("postgresql", "wsgi"), ("mysql", "wsgi"), ("postgresql", "asgi"), ("mysql", "asgi")],
                ids=lambda p: "-".join(p))
def wired(request: pytest.FixtureRequest, throwaway_url: Any, make_project: Any,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Any, TestClient, CountingProxy]]:
    backend, protocol = request.param
    parts = urlsplit(throwaway_url(backend))
    proxy = CountingProxy(parts.hostname or "127.0.0.1", parts.port or (5432 if backend == "postgresql" else 3306),
                          backend)
    netloc = parts.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{proxy.port}"
    # Plain text on the wire, so the proxy can read it (no TLS or GSS negotiation).
    query = "sslmode=disable&gssencmode=disable" if backend == "postgresql" else ""
    monkeypatch.setenv("DATABASE_URL", urlunsplit((parts.scheme, netloc, parts.path, query, "")))
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "s" * 50)
    root = make_project({"models/tfb.py": MODELS, **ROUTES},
                        toml="[app]\ndebug = false\n[middleware]\nbuiltin = []\n")
    app = wolfpy.load(root)
    world, fortune = sorted(app.models, key=lambda m: m.__name__, reverse=True)
    db = app.database
    with db.connection_context():
        db.create_tables(app.models)
        world.insert_many([{"randomnumber": i} for i in range(1, 11)]).execute()
        fortune.insert_many([{"message": f"fortune {i}"} for i in range(3)]).execute()
    client = TestClient(app, protocol=protocol)
    try:
        yield backend, app, client, proxy
    finally:
        client.close()
        db.close_all()
        proxy.close()


def test_a_request_that_runs_one_query_sends_exactly_that_statement(wired: Any) -> None:
    backend, app, client, proxy = wired
    query_kind = "Q" if backend == "postgresql" else "COM_QUERY"
    assert client.get("/fortunes").status_code == 200  # the first request may open the connection
    proxy.take()
    for _ in range(3):
        response = client.get("/fortunes")
        assert response.text == "fortune 0 | fortune 1 | fortune 2"
        [(kind, sql)] = proxy.take()
        assert kind == query_kind and sql.startswith("SELECT ") and "fortune" in sql
    for n in (3, 7):
        assert client.get(f"/world?id={n}").text == str(n)
        [(kind, sql)] = proxy.take()
        assert kind == query_kind and sql.startswith("SELECT ") and "world" in sql and str(n) in sql
        assert client.post(f"/update?id={n}").text == "1"
        [(kind, sql)] = proxy.take()
        assert kind == query_kind and sql.startswith("UPDATE ")
        assert client.get(f"/world?id={n}").text == str(n * 10)  # written, in autocommit: no COMMIT needed
        assert len(proxy.take()) == 1


def test_a_connection_handed_back_inside_a_transaction_is_rolled_back(wired: Any) -> None:
    backend, app, client, proxy = wired
    query_kind = "Q" if backend == "postgresql" else "COM_QUERY"
    client.get("/fortunes")
    proxy.take()
    assert client.post("/left_open").text == "left open (4)"
    sent = [sql.split()[0].upper() for kind, sql in proxy.take() if kind == query_kind]
    assert sent == ["BEGIN", "INSERT", "SELECT", "ROLLBACK"]
    # The row was never committed, and the connection, back in the pool, serves the next
    # request with its one statement again.
    assert client.get("/fortunes").text == "fortune 0 | fortune 1 | fortune 2"
    assert len(proxy.take()) == 1
    # A handler that fails inside its transaction: a 500, and the transaction rolled back.
    assert client.post("/failed").status_code == 500
    sent = [sql.split()[0].upper() for kind, sql in proxy.take() if kind == query_kind]
    assert sent == ["BEGIN", "INSERT", "ROLLBACK"]
    assert client.get("/fortunes").text == "fortune 0 | fortune 1 | fortune 2"
    assert len(proxy.take()) == 1
