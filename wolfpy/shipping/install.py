"""``wolfpy install`` and ``wolfpy upgrade``: the app's requirements in the environment WolfPy runs in.

Both run pip with the interpreter that runs ``wolfpy``, so the packages land beside
WolfPy. When the installed WolfPy satisfies the ``wolfpy`` line of ``requirements.txt``
it is kept, pinned by a constraint (a checkout or a wheel no index has is never
swapped for an index's build); when it does not, and it came from no index, the
command stops and says how to install the WolfPy the app asks for.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from ..__about__ import __version__
from ..errors import WolfPyError
from .wheel import framework_source

__all__ = ["wolfpy_pin", "pip_install", "check_pin"]


def wolfpy_pin(requirements: Path) -> str | None:
    """The ``wolfpy`` requirement of ``requirements.txt`` (``wolfpy~=0.1.0``), or None."""
    from packaging.requirements import InvalidRequirement, Requirement
    if not requirements.is_file():
        return None
    for raw in requirements.read_text("utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement:
            raise WolfPyError(f"{requirements.name}: not a requirement: {line!r}") from None
        if req.name.lower() == "wolfpy":
            return line
    return None


def check_pin(pin: str | None) -> bool:
    """True when the running WolfPy satisfies ``pin``. Raises when it does not and no
    index can give the one asked for."""
    from packaging.requirements import Requirement
    if pin is None:
        return True
    req = Requirement(pin)
    if req.specifier.contains(__version__, prereleases=True):
        return True
    source = framework_source()
    if source is not None:
        raise WolfPyError(f"requirements.txt asks for {pin}, but WolfPy {__version__} is installed from {source}, "
                          "which no package index has; install the WolfPy it asks for first "
                          "(pip install PATH/TO/wolfpy), or change the line")
    return False


def pip_install(root: Path, *, upgrade: bool) -> int:
    """``pip install [--upgrade] -r requirements.txt`` in ``root``; pip's exit status.

    ``install`` keeps the installed WolfPy when it satisfies the pin; ``upgrade`` keeps it
    only when it came from no package index."""
    requirements = root / "requirements.txt"
    if not requirements.is_file():
        raise WolfPyError("the project has no requirements.txt (wolfpy new writes one)")
    satisfied = check_pin(wolfpy_pin(requirements))
    # Kept as it is: by install when it satisfies the pin; by upgrade only when no index has it
    # (upgrade moves an index's WolfPy as far as the pin allows, as any other requirement).
    keep = satisfied and (not upgrade or framework_source() is not None)
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-r", str(requirements)]
    if upgrade:
        cmd.insert(4, "--upgrade")
    with tempfile.TemporaryDirectory() as tmp:
        if keep:
            constraints = Path(tmp) / "constraints.txt"
            constraints.write_text(f"wolfpy=={__version__}\n")
            cmd += ["-c", str(constraints)]
        return subprocess.call(cmd, cwd=root)
