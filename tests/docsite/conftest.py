"""A small documented project for the docs-site tests."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

ROUTE = '''\
api = True


def get(request, id: int):
    """Fetch one item by its id."""
    return {"id": id}
'''

PAGES = {
    "docs/index.md": """\
        # Demo handbook

        Welcome. Read the [install guide](guide/install.md#requirements) first.

        ## Code

        ```python
        def greet(name):
            return f"hello {name}"
        ```

        | key | value |
        | --- | ----- |
        | a   | 1     |

        !!! note
            Admonitions work.
        """,
    "docs/guide/index.md": """\
        # The guide

        See [advanced](advanced.md) and ![logo](img/logo.png).
        """,
    "docs/guide/install.md": """\
        # Installing

        ## Requirements

        You need a quokkafruit and Python.

        ## Steps

        Back to [the handbook](../index.md).
        """,
    "docs/guide/advanced.md": """\
        # Advanced topics

        Nothing about fruit here.
        """,
    "docs/guide/img/logo.png": "not really a png",
    "docs/hostile.md": """\
        # Hostile

        <script>alert("boom")</script>

        An image <img src=x onerror=alert(1)> inline.

        [click me](javascript:alert(1)) and [tab](java\tscript:alert(2)) and [ok](https://example.com/).
        """,
    "docs/_draft.md": "# Draft\n\nnot published\n",
    "docs/.secret.md": "# Secret\n",
}


def make_project(root: Path, toml: str = "", pages: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "wolfpy.toml").write_text('[app]\nname = "demo"\n' + textwrap.dedent(toml))
    (root / "routes" / "items").mkdir(parents=True)
    (root / "routes" / "items" / "[id].py").write_text(ROUTE)
    for rel, text in (PAGES if pages is None else pages).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "demo", '[docs]\norder = ["guide/install"]\n')
