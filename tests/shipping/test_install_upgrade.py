"""``wolfpy install`` and ``wolfpy upgrade`` in a fresh virtualenv, offline.

The virtualenv gets WolfPy from its wheel (built from this checkout) and sees this
environment's packages only for WolfPy's own dependencies (a ``.pth`` line), so no
download is needed; the app's requirement is a small wheel the test writes, served by
``PIP_FIND_LINKS`` with ``PIP_NO_INDEX``.
"""
from __future__ import annotations

import base64
import hashlib
import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.e2e.conftest import server_env
from wolfpy.__about__ import __version__
from wolfpy.shipping.wheel import framework_wheel

pytestmark = pytest.mark.e2e


def write_wheel(folder: Path, name: str, version: str) -> Path:
    """A minimal pure-Python wheel: one module ``<name>.py`` saying its version."""
    folder.mkdir(parents=True, exist_ok=True)
    dist = f"{name}-{version}.dist-info"
    files = {f"{name}.py": f"VERSION = {version!r}\n",
             f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
    return wheel


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("fresh")
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    inner = next((venv / "lib").glob("python3*/site-packages"))
    (inner / "_outer_packages.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    wheel = framework_wheel(home / "wheels")
    assert wheel is not None
    env = clean_env()
    subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, env=env)
    return venv


def clean_env(**extra: str) -> dict[str, str]:
    env = server_env(secret=None)
    env.pop("PYTHONPATH", None)          # the virtualenv's own WolfPy, not this checkout
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


def wolfpy(venv: Path, project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin/wolfpy"), *args], cwd=project, capture_output=True, text=True,
                          timeout=120, env=clean_env(**env))


def installed(venv: Path, name: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({name!r}), m.distribution({name!r}).locate_file(''))"
    return subprocess.run([str(venv / "bin/python"), "-c", code], capture_output=True, text=True,
                          env=clean_env()).stdout.strip()


def test_install_then_upgrade_in_a_fresh_virtualenv(venv: Path, tmp_path: Path) -> None:
    assert (venv / "bin" / "wolfpy").is_file()
    before = installed(venv, "wolfpy")
    assert before.startswith(f"{__version__} ") and str(venv) in before   # the venv's own copy
    project = tmp_path / "shop"
    result = wolfpy(venv, tmp_path, "new", "shop")
    assert result.returncode == 0, result.stderr
    requirements = project / "requirements.txt"
    requirements.write_text(requirements.read_text() + "shop-helpers>=1.0\n")
    links = tmp_path / "links"
    write_wheel(links, "shop_helpers", "1.0")
    offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(links)}

    result = wolfpy(venv, project, "install", **offline)
    assert result.returncode == 0, result.stdout + result.stderr
    assert installed(venv, "shop_helpers").startswith("1.0 ")
    assert installed(venv, "wolfpy") == before                     # kept: it satisfies wolfpy~=X.Y.Z

    write_wheel(links, "shop_helpers", "1.1")
    result = wolfpy(venv, project, "upgrade", **offline)
    assert result.returncode == 0, result.stdout + result.stderr
    assert installed(venv, "shop_helpers").startswith("1.1 ")
    assert installed(venv, "wolfpy") == before
    assert "installed from wolfpy-" in result.stdout and result.stdout.rstrip().endswith("no problems found")


def test_a_pin_the_installed_wolfpy_misses_is_one_line(venv: Path, tmp_path: Path) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    (project / "wolfpy.toml").write_text("")
    (project / "requirements.txt").write_text("wolfpy==99.0.0\n")
    result = wolfpy(venv, project, "install", PIP_NO_INDEX="1")
    assert result.returncode == 1
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith(
        f"error: requirements.txt asks for wolfpy==99.0.0, but WolfPy {__version__} is installed from ")
    os.remove(project / "requirements.txt")
    result = wolfpy(venv, project, "install")
    assert result.returncode == 1 and result.stderr.strip() == (
        "error: the project has no requirements.txt (wolfpy new writes one)")
