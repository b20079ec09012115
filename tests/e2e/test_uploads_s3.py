"""The S3 backend against a running S3-compatible server (moto's, a separate process
speaking the S3 HTTP API), with WolfPy under gunicorn and uvicorn: store, list, read
back through presigned URLs, replace, delete, a refused type and a failed transaction
leave the bucket as it was."""
from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from .conftest import START_TIMEOUT, Server, free_port, server_env, write_project
from .upload_project import FILES, PNG, upload

pytestmark = pytest.mark.e2e

import boto3  # noqa: E402  # the dev extra installs it: missing is a failure, never a skip
import moto.server  # noqa: E402,F401

BUCKET = "wolfpy-uploads"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = open(tmp_path_factory.mktemp("s3") / "moto.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("GET", "/")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the S3 server did not start") from None
                time.sleep(0.1)
        client(endpoint).create_bucket(Bucket=BUCKET)  # private, as buckets are by default
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(5)
        log.close()


def client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def keys(endpoint: str) -> set[str]:
    listed = client(endpoint).list_objects_v2(Bucket=BUCKET)
    return {item["Key"] for item in listed.get("Contents", [])}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> Path:
    import sqlite3
    toml = f"""
    [storage]
    backend = "s3"
    bucket = "{BUCKET}"
    endpoint_url = "{s3_endpoint}"
    region = "us-east-1"
    allowed_types = ["image/png", "text/plain"]
    """
    root = write_project(tmp_path_factory.mktemp("s3site") / "site", FILES, toml)
    with sqlite3.connect(root / "db.sqlite3") as db:
        db.execute("CREATE TABLE doc (id INTEGER PRIMARY KEY, title VARCHAR(100) NOT NULL, "
                   "file VARCHAR(255) NOT NULL)")
    return root


@pytest.fixture(scope="module")
def servers(start_servers: Any, project: Path) -> dict[str, Server]:
    return start_servers(project, ["gunicorn", "uvicorn"], server_env(**CREDENTIALS))


def fetch(url: str) -> tuple[int, bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_the_s3_backend(server: Server, s3_endpoint: str) -> None:
    data = PNG + os.urandom(3000)
    status, doc = upload(server.port, "/docs", data, filename="../photo.png", title="s3")
    assert status == 201, doc
    name = doc["name"]
    assert name in keys(s3_endpoint) and doc["size"] == len(data) and doc["original_name"] == "photo.png"
    head = client(s3_endpoint).head_object(Bucket=BUCKET, Key=name)
    assert head["ContentType"] == "image/png" and head["Metadata"]["original_name"] == "photo.png"
    assert "X-Amz-Signature=" in doc["url"] and "X-Amz-Expires=3600" in doc["url"]
    assert fetch(doc["url"]) == (200, data)  # presigned, from the S3 server itself
    assert fetch(doc["url"].split("?")[0])[0] == 403  # the bucket is not public

    status, replaced = upload(server.port, f"/docs/{doc['id']}", PNG + b"new", filename="b.png")
    assert status == 200
    assert replaced["name"] in keys(s3_endpoint) and name not in keys(s3_endpoint)

    status, private = upload(server.port, "/docs", PNG, private="1")
    assert status == 201 and private["name"].startswith("private/")
    assert fetch(private["url"]) == (200, PNG)

    before = keys(s3_endpoint)
    assert upload(server.port, "/docs", PNG, fail="1")[0] == 409  # the row's transaction rolls back
    assert upload(server.port, "/docs", b"MZ\x90\x00" + b"\x00" * 50, filename="x.png")[0] == 415
    assert keys(s3_endpoint) == before
