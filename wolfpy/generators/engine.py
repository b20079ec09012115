"""The generator engine: find a template, render or copy it, write files safely.

A generator is a folder beside this file: its code (``__init__.py``), a ``USAGE``
text and ``templates/``. A template named ``x.py.mako`` is rendered with Mako; any
other file is copied as it is. A project overrides a generator's template by
putting a file of the same name in ``.wolfpy/templates/<generator>/`` (there too,
the ``.mako`` suffix decides whether it is rendered).

Generators never import the user's app: they read the project's files at most.
Every file is planned first; nothing is written when one of them exists with
other content, unless ``force``.

A generator also declares its command line (``summary``, ``arguments``, ``options``),
from which ``wolfpy generate <name>`` is built: adding a folder adds the command.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..errors import WolfPyError
from ..project import Project

__all__ = ["Argument", "FORCE", "Generator", "GeneratorError", "Option", "Planned", "OVERRIDE_DIR"]

OVERRIDE_DIR = Path(".wolfpy") / "templates"


class GeneratorError(WolfPyError):
    """Bad arguments, or a file in the way; the message is one line for the CLI."""


@dataclass(frozen=True)
class Argument:
    """A positional argument of ``wolfpy generate <name>``, passed to the generator positionally."""

    name: str            # also what the help shows: NAME
    help: str
    many: bool = False   # any number of values, passed as a list (maybe empty)


@dataclass(frozen=True)
class Option:
    """An option of ``wolfpy generate <name>``, passed to the generator as the keyword :attr:`dest`."""

    flags: tuple[str, ...]  # ("--expires-in",), ("--force", "-f"), ("--migration/--no-migration",)
    help: str
    default: Any            # its type is the option's type: bool, int or str

    @property
    def dest(self) -> str:
        """The keyword: ``--expires-in`` gives ``expires_in``."""
        return self.flags[0].split("/")[0].lstrip("-").replace("-", "_")


#: Every generator's ``--force`` (the ``force`` keyword of :class:`Generator`).
FORCE = Option(("--force", "-f"), "Overwrite files that exist with other content.", False)


@dataclass
class Planned:
    """One file a generator will write."""

    path: Path          # absolute
    content: str
    template: Path      # where the content came from
    status: str = ""    # "create", "force" or "identical", decided by Generator.write()


class Generator:
    """Base of every generator. Subclasses set ``name`` and implement :meth:`plan`."""

    name: ClassVar[str] = ""
    #: one line for ``wolfpy generate --help``
    summary: ClassVar[str] = ""
    #: the command line after ``wolfpy generate <name>``: arguments, ``--force``, then options
    arguments: ClassVar[tuple[Argument, ...]] = ()
    options: ClassVar[tuple[Option, ...]] = ()
    #: the name ``wolfpy destroy`` knows this run by (``"route posts/[id]"``); "" is not recorded
    manifest_key: str = ""

    def __init__(self, project: Project, *, force: bool = False) -> None:
        self.project = project
        self.force = force
        self.files: list[Planned] = []
        #: lines for the user once the files are written (next steps, warnings)
        self.notes: list[str] = []

    # -- where things are ------------------------------------------------------
    @classmethod
    def folder(cls) -> Path:
        """The generator's own folder (holding ``USAGE`` and ``templates/``)."""
        return Path(__file__).resolve().parent / cls.name

    @classmethod
    def usage(cls) -> str:
        return (cls.folder() / "USAGE").read_text(encoding="utf-8")

    def template_dirs(self) -> list[Path]:
        """The project's override folder first, then the built-in templates."""
        return [self.project.root / OVERRIDE_DIR / self.name, self.folder() / "templates"]

    def find_template(self, name: str) -> Path:
        """``name`` (e.g. ``model.py``) as ``name.mako`` or ``name``, overrides first."""
        for folder in self.template_dirs():
            for candidate in (folder / f"{name}.mako", folder / name):
                if candidate.is_file():
                    return candidate
        raise GeneratorError(f"generator {self.name!r}: no template {name!r}")

    # -- planning -----------------------------------------------------------------
    def plan(self) -> None:
        """Validate the arguments and call :meth:`add` for every file; nothing is written here."""
        raise NotImplementedError

    def add(self, rel: str, template: str, /, **context: Any) -> None:
        """Plan ``rel`` (relative to the project root) from ``template`` rendered with ``context``."""
        source = self.find_template(template)
        content = render(source, context) if source.suffix == ".mako" else source.read_text(encoding="utf-8")
        self.files.append(Planned(self.project.root / rel, content, source))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.project.root).as_posix()

    # -- writing --------------------------------------------------------------------
    def write(self) -> list[Planned]:
        """Plan, check every target, then write; returns the files with their status.

        Raises:
            GeneratorError: bad arguments, or a target exists with other content
                (without ``force``); nothing has been written then.
        """
        self.plan()
        for item in self.files:
            path = item.path
            if path.is_dir():
                raise GeneratorError(f"{self.rel(path)} is a folder; remove it or choose another name")
            if not path.exists():
                item.status = "create"
            elif path.read_text(encoding="utf-8", errors="replace") == item.content:
                item.status = "identical"
            elif self.force:
                item.status = "force"
            else:
                raise GeneratorError(f"{self.rel(path)} already exists; use --force to overwrite it "
                                     "(nothing was written)")
        for item in self.files:
            if item.status == "identical":
                continue
            item.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = item.path.with_name(item.path.name + ".wolfpy-tmp")
            with open(tmp, "w", encoding="utf-8", newline="\n") as f:
                f.write(item.content)
            os.replace(tmp, item.path)
        self.record(self.files)
        return self.files

    def write_migration(self, table: str) -> Planned | None:
        """Write the migration that brings ``migrations/`` up to the project's models, as
        ``wolfpy db migrate`` would; None (with a note naming ``table``) when there is none
        to write or it cannot be written."""
        from ..db.migrations.runner import Planner
        try:
            planner = Planner(self.project)  # imports models/ (the new model included)
            found = planner.detect()
            if found.migration is None:
                self.notes.append(f"no new migration: the migrations already have {table}")
                return None
            path = Path(planner.write(found))
        except WolfPyError as exc:
            self.notes.append(f"warning: no migration was written ({exc}); fix that, then run "
                              "`wolfpy db migrate`")
            return None
        return Planned(path, path.read_text(encoding="utf-8"), path, status="create")

    def record(self, files: list[Planned], migrations: list[str] = ()) -> None:  # type: ignore[assignment]
        """Note ``files`` in ``.wolfpy/generated.json`` under :attr:`manifest_key` (for ``wolfpy destroy``)."""
        if not self.manifest_key:
            return
        from . import manifest
        hashes = {self.rel(f.path): manifest.digest(f.content.encode("utf-8")) for f in files}
        manifest.record(self.project.root, self.manifest_key, hashes, list(migrations))


def render(source: Path, context: dict[str, Any]) -> str:
    """Render the Mako template file ``source``; a mistake in it is a one-line GeneratorError."""
    from mako import exceptions
    from mako.template import Template

    try:
        template = Template(filename=str(source), strict_undefined=True, input_encoding="utf-8")
        return str(template.render(**context))
    except exceptions.MakoException as exc:
        raise GeneratorError(f"template {source}: {exc}") from None
    except NameError as exc:  # strict_undefined: a name the generator does not provide
        raise GeneratorError(f"template {source}: {exc} (available: {', '.join(sorted(context))})") from None
