"""Storage in-process: content sniffing, original names, FileField's transaction rules
(savepoints included) and [storage] validation."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from wolfpy.errors import ConfigError
from wolfpy.storage import LocalStorage, sanitise_name
from wolfpy.storage.sniff import sniff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.mark.parametrize("head, kind", [
    (PNG, "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"%PDF-1.4\n", "application/pdf"),
    (b"\n\t <!DoCtYpE html><p>hi", "text/html"),
    (b"<script>alert(1)</script>", "text/html"),
    (b"\xef\xbb\xbf<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
    (b"<?xml version='1.0'?><svg/>", "image/svg+xml"),
    (b"<?xml version='1.0'?><feed/>", "application/xml"),
    (b"just words, \xc3\xa9t\xc3\xa9\n", "text/plain"),
    (b"plain text then <html> later", "text/html"),
    (b"MZ\x90\x00\x03", "application/octet-stream"),
])
def test_types_come_from_the_bytes(head: bytes, kind: str) -> None:
    assert sniff(head) == kind


@pytest.mark.parametrize("given, kept", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\photo.png", "photo.png"),
    ("..hidden", "hidden"),
    ("a\x00b\u202ec.png", "abc.png"),
    ("", "file"),
    ("x" * 300 + ".png", "x" * 196 + ".png"),
])
def test_original_names_are_sanitised(given: str, kept: str) -> None:
    assert sanitise_name(given) == kept


def test_local_storage_round_trip(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path, "/media/", secret="k" * 40)
    import io
    assert storage.save("ab/abc.txt", io.BytesIO(b"hello"), metadata={"original_name": "a.txt"}) == 5
    assert storage.exists("ab/abc.txt") and storage.size("ab/abc.txt") == 5
    with storage.open("ab/abc.txt") as f:
        assert f.read() == b"hello"
    assert storage.metadata("ab/abc.txt") == {"original_name": "a.txt"}
    assert storage.url("ab/abc.txt") == "/media/ab/abc.txt"
    storage.delete("ab/abc.txt")
    assert not storage.exists("ab/abc.txt") and storage.metadata("ab/abc.txt") == {}
    storage.delete("ab/abc.txt")  # already gone: no error
    with pytest.raises(ValueError):
        storage.path("../outside")


PROJECT = {
    "models/__init__.py": "",
    "models/doc.py": (
        "from wolfpy.db import CharField, FileField, Model\n"
        "class Doc(Model):\n"
        "    title = CharField(max_length=20)\n"
        "    file = FileField()\n"
    ),
    "routes/docs.py": '''
from wolfpy.db import DATABASE
from models.doc import Doc

def post(request):
    Doc.create_table(safe=True)
    files = request.files
    doc = Doc.create(title="a", file=files["a"].save())
    first = doc.file.name
    with DATABASE.atomic():
        try:
            with DATABASE.atomic():  # a savepoint, rolled back
                doc.file = files["b"].save()
                second = doc.file.name
                doc.save()
                raise RuntimeError
        except RuntimeError:
            pass
    now = Doc.get_by_id(doc.id).file.name
    try:
        with DATABASE.atomic():  # a whole transaction, rolled back
            third = files["c"].save()
            Doc.create(title="c", file=third)
            raise RuntimeError
    except RuntimeError:
        pass
    doc.file = files["d"].save()  # replaced in autocommit: the old file goes at once
    doc.save()
    return {"first": first, "second": second, "now": now, "third": third.name, "fourth": doc.file.name,
            "rows": Doc.select().count()}
''',
}
TOML = '[app]\ndebug = false\n[storage]\nallowed_types = ["image/png"]\n[database]\nurl = "{url}"\n'


@pytest.mark.parametrize("backend", ["sqlite", "postgres", "mysql"])
def test_files_follow_commits_rollbacks_and_savepoints(backend: str, client_for) -> None:
    from tests.test_database import forget_models, throwaway
    from wolfpy.testing import encode_multipart
    with throwaway(backend) as url:
        forget_models()
        try:
            client = client_for(PROJECT, TOML.format(url=url))
            body, ctype = encode_multipart({}, {k: (f"{k}.png", PNG, "image/png") for k in "abcd"})
            r = client.post("/docs", data=body, headers={"content-type": ctype})
            assert r.status_code == 200, r.text
            names = json.loads(r.text)
            media = client.app.project.root / "media"
            assert names["now"] == names["first"] and names["rows"] == 1
            assert not (media / names["second"]).exists()  # its savepoint rolled back
            assert not (media / names["third"]).exists()  # its transaction rolled back
            assert not (media / names["first"]).exists()  # replaced, and committed
            assert (media / names["fourth"]).is_file()
            client.app.database.close()
        finally:
            forget_models()


def test_a_bad_storage_setting_is_one_line(load_app) -> None:
    with pytest.raises(ConfigError, match=r"^\[storage\] allowed_types: unknown type 'image/bmpx'"):
        app = load_app({"routes/index.py": "def get(request):\n    return 'x'\n"},
                       '[app]\ndebug = false\n[storage]\nallowed_types = ["image/bmpx"]\n')
        app.freeze()


def test_s3_without_its_extra_is_one_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('boto3', 'botocore'):\n"
        "            raise ImportError('blocked')\n"
        "sys.meta_path.insert(0, Block())\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    code = "from wolfpy.storage.s3 import S3Storage; S3Storage('bucket')"
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.returncode != 0
    assert r.stderr.strip().splitlines()[-1] == (
        "wolfpy.errors.MissingExtra: S3 storage ([storage] backend = \"s3\") needs boto3: "
        "pip install 'wolfpy[s3]'")
