"""``wolfpy dockerize``, ``build``, ``release``, ``deploy``, ``install`` and ``upgrade``: shipping an app."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Optional

import typer

from ...errors import WolfPyError
from ..common import echo_file, fail, find_project


def _docker_engine() -> str | None:
    """Why no Docker engine can build here (None: one answers ``docker info``)."""
    docker = shutil.which("docker")
    if docker is None:
        return "the docker command is not installed"
    try:
        proc = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"], capture_output=True,
                              text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"docker info failed: {exc}"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no answer"])[-1]
        return f"no Docker engine is reachable ({last})"
    return None


def dockerize(
    tag: Optional[str] = typer.Option(None, "--tag", "-t", help="The image's name (default: the project's folder name)."),
    build: bool = typer.Option(True, "--build/--no-build", help="Build the image when a Docker engine is reachable."),
    force: bool = typer.Option(False, "--force", help="Overwrite a Dockerfile, .dockerignore or gunicorn.conf.py that differs."),
) -> None:
    """Write a Dockerfile, .dockerignore and gunicorn.conf.py, and build the image if Docker runs here.

    The Dockerfile is multi-stage: requirements, assets and wolfpy check in the first
    stage; a slim final stage run by a user without privileges, with a HEALTHCHECK on
    /_wolfpy/health and gunicorn with uvicorn workers.
    """
    from ...config import Settings
    from ...shipping import docker
    from ...shipping.wheel import framework_wheel
    project = find_project()
    if not (project.root / "requirements.txt").is_file():
        fail("the project has no requirements.txt; the image installs from it (wolfpy new writes one)")
    try:
        wheel = framework_wheel(project.root / docker.WHEELS)
        settings = Settings.load(project, quiet=True)
    except WolfPyError as exc:
        fail(str(exc))
    files = {
        "Dockerfile": docker.dockerfile(has_assets=project.assets.is_dir(), wheel=wheel.name if wheel else None,
                                        host=docker.health_host(settings)),
        ".dockerignore": docker.DOCKERIGNORE,
        "gunicorn.conf.py": docker.gunicorn_conf(),
    }
    results = docker.write_files(project.root, files, force=force)
    for status, name in results:
        echo_file(status, name)
    if wheel is not None:
        echo_file("create", wheel.relative_to(project.root).as_posix())
    kept = [name for status, name in results if status == "exists"]
    if kept:
        fail(f"{', '.join(kept)} exist{'s' if len(kept) == 1 else ''} with other content; "
             "compare, or overwrite with: wolfpy dockerize --force")
    name = tag or _image_name(project.root.name)
    why = _docker_engine() if build else "--no-build"
    if why is not None:
        typer.echo(f"not building the image: {why}.\nWhere a Docker engine runs, build and run it with:\n"
                   f"  docker build -t {name} {project.root}\n"
                   f"  docker run -p 8000:8000 -e WOLFPY_SECRET_KEY=... {name}")
        return
    typer.echo(f"docker build -t {name} .")
    code = subprocess.call(["docker", "build", "-t", name, "."], cwd=project.root)
    if code != 0:
        fail(f"docker build failed (exit {code})", code)
    typer.echo(f"built image {name}; run it with: docker run -p 8000:8000 -e WOLFPY_SECRET_KEY=... {name}")


def _image_name(folder: str) -> str:
    import re
    return re.sub(r"[^a-z0-9._-]+", "-", folder.lower()).strip("-._") or "app"


def build() -> None:
    """Build the app into dist/: files, built assets, migrations, a requirements lock, WolfPy's wheel if needed.

    dist/NAME-VERSION.tar.gz is what wolfpy deploy ships.
    """
    from ...config import Settings
    from ...shipping.build import build_release
    project = find_project()
    try:
        made = build_release(project, Settings.load(project, quiet=True))
    except WolfPyError as exc:
        fail(str(exc))
    _echo_build(project.root, made)


def _echo_build(root: Path, made) -> None:  # type: ignore[no-untyped-def]
    echo_file("create", f"{made.folder.relative_to(root).as_posix()}/")
    echo_file("create", made.archive.relative_to(root).as_posix())
    typer.echo(f"built {made.name} {made.version}" + (f" (with {made.wheel.name})" if made.wheel else ""))


def release(
    bump: Optional[str] = typer.Option(None, "--bump", metavar="patch|minor|major",
                                       help="Raise the version first: patch, minor or major."),
) -> None:
    """Release the app: bump its version in wolfpy.toml, build, commit and tag vX.Y.Z in git.

    Refuses when the working tree has uncommitted changes.
    """
    from ...config import Settings, read_toml
    from ...shipping import release as rel
    from ...shipping.build import build_release
    if bump is not None and bump not in rel.PARTS:
        fail(f"--bump takes patch, minor or major, not {bump!r}", 2)
    project = find_project()
    root = project.root
    try:
        rel.ensure_clean(root)
        text = project.config_file.read_text("utf-8")
        app_table = read_toml(project.config_file).get("app") or {}
        current = str(app_table.get("version", "0.1.0"))
        version = rel.bump(current, bump) if bump else current
        tag = f"v{version}"
        if rel.git(root, "tag", "--list", tag).strip():
            fail(f"tag {tag} exists already; release another version with --bump patch|minor|major")
        changed = rel.set_version(text, version) if version != current or "version" not in app_table else text
        project.config_file.write_text(changed, "utf-8")
        try:
            made = build_release(project, Settings.load(project, quiet=True))
        except BaseException:
            project.config_file.write_text(text, "utf-8")   # a failed build leaves no bumped version
            raise
        _echo_build(root, made)
        if changed != text:
            rel.git(root, "add", "--", project.config_file.name)
            rel.git(root, "commit", "--quiet", "-m", f"Release {tag}", "--", project.config_file.name)
        rel.git(root, "tag", "-a", tag, "-m", f"Release {version}")
    except WolfPyError as exc:
        fail(str(exc))
    typer.echo(f"released {made.name} {version}: commit and tag {tag} (push them with: git push --follow-tags)")


def deploy(
    rollback: bool = typer.Option(False, "--rollback", help="Switch current back to the previous release and restart."),
) -> None:
    """Ship a build to the deploy target: unpack into releases/VERSION, install, migrate, switch current, restart.

    The target (target in the deploy section of wolfpy.toml) is a folder or
    ssh://user@host:port/path. The switch renames a new link over current, so a server
    reading current/ sees one release or the other, never none.
    """
    from ...config import Settings
    from ...shipping import deploy as dep
    from ...shipping.build import build_release
    project = find_project()
    try:
        settings = Settings.load(project, quiet=True)
        section = {**dep.DEFAULTS, **(settings.as_dict().get("deploy") or {})}
        target = dep.parse_target(section["target"], project.root, section.get("ssh_options"))
        if rollback:
            output = dep.run_on_target(target, dep.rollback_script(target, section))
        else:
            made = build_release(project, settings)
            _echo_build(project.root, made)
            typer.echo(f"deploying {made.name} {made.version} to {target}")
            remote = dep.upload(target, made.archive)
            output = dep.run_on_target(target, dep.deploy_script(target, section, made.version, remote))
    except WolfPyError as exc:
        fail(str(exc))
    typer.echo(output.rstrip())


def install() -> None:
    """Install requirements.txt with pip, keeping the installed WolfPy when it satisfies the pin."""
    from ...shipping.install import pip_install
    project = find_project()
    try:
        code = pip_install(project.root, upgrade=False)
    except WolfPyError as exc:
        fail(str(exc))
    if code:
        fail(f"pip install -r requirements.txt failed (exit {code})", code)


def upgrade() -> None:
    """Upgrade WolfPy and the app's requirements (within requirements.txt), then run wolfpy check.

    WolfPy installed from a package index is upgraded as far as its line in
    requirements.txt allows; one installed from a folder is reinstalled from it.
    """
    import sys
    from ...shipping.install import pip_install
    from ...shipping.wheel import framework_source
    project = find_project()
    try:
        source = framework_source()
        if source is not None and source.is_dir():
            typer.echo(f"WolfPy: reinstalling from {source}")
            code = subprocess.call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check",
                                    "--upgrade", str(source)], cwd=project.root)
            if code:
                fail(f"pip install --upgrade {source} failed (exit {code})", code)
        elif source is not None:
            typer.echo(f"WolfPy: installed from {source.name}; install a newer wheel to upgrade it")
        code = pip_install(project.root, upgrade=True)
    except WolfPyError as exc:
        fail(str(exc))
    if code:
        fail(f"pip install --upgrade -r requirements.txt failed (exit {code})", code)
    # a new process: the check must run the WolfPy just installed, not the one in memory
    raise typer.Exit(subprocess.call([sys.executable, "-c", "from wolfpy.cli.main import main; main()", "check"],
                                     cwd=project.root))
