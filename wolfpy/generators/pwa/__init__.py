"""``wolfpy generate pwa``: a web app manifest, a service worker at ``/sw.js``, an offline
page, icons, and the tags in the layout."""
from __future__ import annotations

import json
import os
import re
from typing import Any

from ...pwa import PWA_DEFAULTS
from ...pwa.icons import icon
from ..auth import check_routes
from ..engine import Generator, GeneratorError, Option, Planned

ICON_SIZES = (192, 512)
MARKER = "<!-- pwa -->"
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


class PWAGenerator(Generator):
    """``static/manifest.webmanifest``, ``routes/sw.js.py``, ``static/offline.html``,
    ``static/pwa.js``, ``static/icons/``, a ``[pwa]`` section, and the layout's tags."""

    name = "pwa"
    summary = "Web app manifest, service worker, offline page and icons."
    options = (Option(("--name",), "The app's name (default: [app] name).", ""),
               Option(("--color",), "The theme colour, #rrggbb.", "#1d4ed8"))

    def __init__(self, project: Any, *, force: bool = False, name: str = "", color: str = "#1d4ed8") -> None:
        super().__init__(project, force=force)
        self.app_name = name
        self.color = color

    def plan(self) -> None:
        if not _COLOR.fullmatch(self.color):
            raise GeneratorError(f"--color {self.color!r}: write a colour as #rrggbb (nothing was written)")
        name = self.app_name or self._toml_name() or self.project.root.name
        if len(name) > 45 or not name.strip():
            raise GeneratorError("--name: 1 to 45 characters (nothing was written)")
        check_routes(self, {"sw.js": "/sw.js"})
        manifest = {
            "name": name, "short_name": name[:12], "start_url": "/", "scope": "/", "display": "standalone",
            "background_color": "#ffffff", "theme_color": self.color,
            "icons": [{"src": f"/static/icons/icon-{s}.png", "sizes": f"{s}x{s}", "type": "image/png",
                       "purpose": "any"} for s in ICON_SIZES]
            + [{"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png",
                "purpose": "maskable"}],
        }
        self.add("routes/sw.js.py", "sw.js.py")
        self.files.append(Planned(self.project.root / "static" / "manifest.webmanifest",
                                  json.dumps(manifest, indent=2) + "\n", self.folder()))
        self.add("static/offline.html", "offline.html", name=name, color=self.color)
        self.add("static/pwa.js", "pwa.js")
        self.notes.append("icons: " + ", ".join(f"static/icons/icon-{s}.png" for s in ICON_SIZES))

    def _toml_name(self) -> str:
        from ...config_sources import read_toml
        try:
            return str(read_toml(self.project.config_file).get("app", {}).get("name", ""))
        except Exception:
            return ""

    def write(self) -> list[Planned]:
        files = super().write()
        folder = self.project.root / "static" / "icons"
        folder.mkdir(parents=True, exist_ok=True)
        for size in ICON_SIZES:
            path = folder / f"icon-{size}.png"
            if not path.exists() or self.force:
                tmp = path.with_name(path.name + ".wolfpy-tmp")
                tmp.write_bytes(icon(size, self.color))
                os.replace(tmp, path)
        self._add_tags()
        self._add_settings()
        return files

    def _add_tags(self) -> None:
        layout = self.project.templates / "layout.html"
        tags = (f"  {MARKER}\n"
                '  <link rel="manifest" href="/static/manifest.webmanifest">\n'
                f'  <meta name="theme-color" content="{self.color}">\n'
                '  <link rel="icon" type="image/png" href="/static/icons/icon-192.png">\n'
                '  <link rel="apple-touch-icon" href="/static/icons/icon-192.png">\n'
                '  <script src="/static/pwa.js" defer></script>\n')
        if not layout.is_file():
            self.notes.append("no templates/layout.html: add these tags to your pages' <head>:\n" + tags)
            return
        text = layout.read_text(encoding="utf-8")
        if MARKER in text:
            return
        if "</head>" not in text:
            self.notes.append("templates/layout.html has no </head>: add these tags to it:\n" + tags)
            return
        layout.write_text(text.replace("</head>", tags + "</head>", 1), encoding="utf-8")
        self.notes.append("templates/layout.html: added the manifest, theme colour, icon and service worker tags")

    def _add_settings(self) -> None:
        config = self.project.config_file
        text = config.read_text(encoding="utf-8") if config.is_file() else ""
        if re.search(r"(?m)^\[pwa\]", text):
            return
        block = ("\n[pwa]\n"
                 "# The service worker at /sw.js (routes/sw.js.py). Strategies: network-first,\n"
                 "# cache-first, network-only. Change version to drop the caches of every browser.\n"
                 + "".join(f"{k} = {json.dumps(v)}\n" for k, v in PWA_DEFAULTS.items()))
        config.write_text(text.rstrip("\n") + "\n" + block, encoding="utf-8")
        self.notes.append("wolfpy.toml: added the [pwa] section")
