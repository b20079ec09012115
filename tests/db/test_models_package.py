"""A project's models/ is its own `models` package, whatever else sits on sys.path."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import wolfpy

MODEL = "from wolfpy.db import CharField, Model\n\n\nclass {name}(Model):\n    title = CharField()\n"


def project(root: Path, model: str, init: bool) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "routes").mkdir()
    (root / "routes/index.py").write_text("def get(request):\n    return 'hi'\n")
    (root / "wolfpy.toml").write_text("[app]\ndebug = false\n")
    if init:
        (root / "models/__init__.py").write_text("")
    (root / f"models/{model.lower()}.py").write_text(MODEL.format(name=model))
    return root


@pytest.fixture(autouse=True)
def _clean_modules(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setenv("WOLFPY_SECRET_KEY", "k" * 40)
    yield
    for name in [n for n in sys.modules if n == "models" or n.startswith("models.")]:
        del sys.modules[name]


def test_a_models_folder_without_init_is_not_shadowed_by_another_projects_package(tmp_path: Path) -> None:
    first = wolfpy.load(project(tmp_path / "a", "Post", init=True))
    assert [m.__name__ for m in first.models] == ["Post"]
    second = wolfpy.load(project(tmp_path / "b", "Note", init=False))    # `a` is still on sys.path
    assert [m.__name__ for m in second.models] == ["Note"]


def test_a_failing_models_init_names_the_file(tmp_path: Path) -> None:
    root = project(tmp_path / "c", "Post", init=True)
    (root / "models/__init__.py").write_text("raise RuntimeError('boom')\n")
    with pytest.raises(wolfpy.errors.RouteLoadError, match=r"models/__init__.py: importing failed: RuntimeError: boom"):
        wolfpy.load(root)
