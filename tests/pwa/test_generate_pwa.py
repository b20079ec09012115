"""`wolfpy generate pwa` from the CLI: one-line errors, files written once (the layout's
tags and the [pwa] section not twice), and [pwa] checked when /sw.js is served."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_auth_generators import cli, new_project, ok


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in ("DATABASE_URL", "WOLFPY_DATABASE_URL", "WOLFPY_APP_DEBUG", "WOLFPY_SECRET_KEY"):
        monkeypatch.delenv(key, raising=False)
    return new_project(tmp_path, "site")


def test_a_bad_colour_is_one_line(project: Path) -> None:
    code, out, err = cli("generate", "pwa", "--color", "teal", cwd=project)
    assert code != 0 and (out + err).strip() == \
        "error: --color 'teal': write a colour as #rrggbb (nothing was written)"
    assert not (project / "static" / "manifest.webmanifest").exists()


def test_running_it_twice_changes_nothing(project: Path) -> None:
    ok("generate", "pwa", cwd=project)
    layout = (project / "templates" / "layout.html").read_text()
    toml = (project / "wolfpy.toml").read_text()
    icon = (project / "static" / "icons" / "icon-512.png").read_bytes()
    out = ok("generate", "pwa", cwd=project)
    assert "identical  routes/sw.js.py" in out
    assert (project / "templates" / "layout.html").read_text() == layout
    assert (project / "wolfpy.toml").read_text() == toml and toml.count("[pwa]") == 1
    assert layout.count('rel="manifest"') == 1
    assert (project / "static" / "icons" / "icon-512.png").read_bytes() == icon


def test_bad_pwa_settings_are_one_line(project: Path, load_app, make_client,
                                       caplog: pytest.LogCaptureFixture) -> None:
    ok("generate", "pwa", cwd=project)
    files = {"routes/sw.js.py": (project / "routes" / "sw.js.py").read_text()}
    client = make_client(load_app(files, '[app]\ndebug = false\n[pwa]\npages = "cache-forever"\n'))
    assert client.get("/sw.js").status_code == 500  # the server's settings are wrong, not the request
    assert ("[pwa] pages = 'cache-forever': use one of network-first, cache-first, network-only"
            in caplog.text)
