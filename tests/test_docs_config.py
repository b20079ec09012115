"""docs/configuration.md shows the wolfpy.toml that `wolfpy new` writes, word for word."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_configuration_page_shows_the_generated_wolfpy_toml() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    generated = (ROOT / "project_template" / "wolfpy.toml").read_text(encoding="utf-8").replace("__NAME__", "blog")
    start = page.index("```toml\n# blog") + len("```toml\n")
    shown = page[start:page.index("```", start)]
    assert shown == generated
