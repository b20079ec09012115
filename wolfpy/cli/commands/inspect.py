"""``wolfpy inspect [routes | models | config | middleware | plugins | realtime]``: what the app is made of.

Unlike the generators, inspecting imports the project's code (its models, route
files and middleware), exactly as the app would.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable

import typer

from ..common import count, find_project, table

inspect_app = typer.Typer(help="Show the app's routes, models, configuration, middleware, plugins and realtime "
                               "statistics.",
                          invoke_without_command=True)


@inspect_app.callback()
def _everything(ctx: typer.Context) -> None:
    """With no subcommand: every section, one after the other."""
    if ctx.invoked_subcommand is not None:
        return
    sections: list[tuple[str, Callable[[], None]]] = [
        ("routes", routes), ("models", models), ("middleware", middleware), ("config", config)]
    for i, (title, show) in enumerate(sections):
        typer.echo(("\n" if i else "") + f"== {title} ==")
        show()


@inspect_app.command()
def routes() -> None:
    """Every route: method, URL, file and name (as `wolfpy routes`)."""
    from .info import routes as show_routes
    show_routes(explain="")


@inspect_app.command()
def config() -> None:
    """Every setting with its source, secrets masked (as `wolfpy config show`)."""
    from .info import config_show
    config_show()


@inspect_app.command()
def models() -> None:
    """Every peewee model in models/ (table, columns, types, keys) and every MongoDB document."""
    from ...db.models import discover_models
    project = find_project()
    found = discover_models(project)
    documents = _documents(project)
    if not found and not documents:
        typer.echo("no models yet: create one with: wolfpy generate model Post title:str body:text")
        return
    blocks = []
    for model in found:
        meta = model._meta
        rows = [[f.name, f.column_name, _column_type(f), _yes(f.null), _default(f.default), _key(f),
                 _reference(f)] for f in meta.sorted_fields]
        title = f"{model.__name__}  table {meta.table_name}  ({_source(project, model)})"
        blocks.append(title + "\n" + _indent(table(rows, ["FIELD", "COLUMN", "TYPE", "NULL", "DEFAULT",
                                                           "KEY", "REFERENCES"])))
    for doc in documents:
        rows = [[name, type(f).__name__, _yes(bool(getattr(f, "required", False))),
                 _default(getattr(f, "default", None)),
                 "pk" if name == doc._meta.get("id_field") else ("unique" if getattr(f, "unique", False) else ""),
                 _document_reference(f)]
                for name, f in ((n, doc._fields[n]) for n in doc._fields_ordered)]
        title = (f"{doc.__name__}  MongoDB collection {doc._get_collection_name()}  "
                 f"({_source(project, doc)})")
        blocks.append(title + "\n" + _indent(table(rows, ["FIELD", "TYPE", "REQUIRED", "DEFAULT", "KEY",
                                                           "REFERENCES"])))
    typer.echo("\n\n".join(blocks))
    summary = count(len(found), "model")
    if documents:
        summary += f", {count(len(documents), 'document')}"
    typer.echo(f"\n{summary}")


@inspect_app.command()
def plugins() -> None:
    """The installed plugins and whether the project enables each (as `wolfpy plugin list`)."""
    from .plugin import list_plugins
    list_plugins()


@inspect_app.command()
def middleware() -> None:
    """The built-in middleware (every route) and each folder's _middleware.py, outermost first."""
    from ...config import Settings
    from ...db.models import discover_models
    from ...middleware.builtin import REGISTRY
    from ...routing.loader import MIDDLEWARE_FILE, ModuleLoader, middleware_of, scan
    project = find_project()
    settings = Settings.load(project)
    builtin = list(settings.middleware.builtin)
    typer.echo("built-in, every route, outermost first ([middleware] builtin):")
    for name in builtin:
        typer.echo(f"  {name}")
    if not builtin:
        typer.echo("  (none)")
    if discover_models(project):
        typer.echo("  database  (after the built-ins: returns each request's database connection; "
                   "models/ has models)")
    others = sorted(set(REGISTRY) - set(builtin))
    if others:
        typer.echo(f"  available, not enabled: {', '.join(others)}")
    files = scan(project.routes)
    counts: dict[str, int] = {}
    for rf in files:
        for path in rf.middleware_files:
            counts[path] = counts.get(path, 0) + 1
    # Every _middleware.py, even one in a folder without routes yet.
    for folder, _, names in os.walk(project.routes):
        if MIDDLEWARE_FILE in names:
            counts.setdefault(os.path.join(folder, MIDDLEWARE_FILE), 0)
    if not counts:
        typer.echo("\nno folder middleware (add routes/_middleware.py to wrap every route)")
        return
    loader = ModuleLoader(project.root)
    rows = []
    for path in sorted(counts, key=lambda p: (p.count(os.sep), p)):
        rel = Path(path).relative_to(project.root).as_posix()
        names = [_callable_name(mw) for mw in middleware_of(loader.load(path), rel)]
        folder = rel[: -len(MIDDLEWARE_FILE)]
        rows.append([folder, ", ".join(names) or "(none)", str(counts[path])])
    typer.echo("\nfolder middleware (after the built-ins; a sub-folder's runs inside its parent's):")
    typer.echo(_indent(table(rows, ["FOLDER", "MIDDLEWARE", "ROUTES"])))


# -- formatting ---------------------------------------------------------------------------
def _documents(project: Any) -> list[Any]:
    try:
        from ...db.mongo import discover_documents
    except ImportError:  # MissingExtra: without mongoengine there are no documents to show
        return []
    return discover_documents(project)


def _column_type(field: Any) -> str:
    kind = str(field.field_type)
    modifiers = field.get_modifiers() if hasattr(field, "get_modifiers") else None
    return f"{kind}({','.join(str(m) for m in modifiers)})" if modifiers else kind


def _key(field: Any) -> str:
    if field.primary_key:
        return "pk"
    if field.unique:
        return "unique"
    return "index" if field.index else ""


def _reference(field: Any) -> str:
    rel = getattr(field, "rel_model", None)
    if rel is None:
        return ""
    text = f"{rel._meta.table_name}.{field.rel_field.column_name}"
    if getattr(field, "on_delete", None):
        text += f" on delete {field.on_delete.lower()}"
    return text


def _document_reference(field: Any) -> str:
    target = getattr(field, "document_type_obj", None)
    if target is None:
        return ""
    return target if isinstance(target, str) else getattr(target, "__name__", str(target))


def _default(value: Any) -> str:
    if value is None:
        return ""
    if callable(value):
        return f"{getattr(value, '__qualname__', type(value).__name__)}()"
    return repr(value)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _source(project: Any, cls: type) -> str:
    module = sys.modules.get(cls.__module__)
    path = getattr(module, "__file__", None)
    if not path:
        return cls.__module__
    try:
        return Path(path).resolve().relative_to(project.root).as_posix()
    except ValueError:
        return path


def _callable_name(mw: Any) -> str:
    return str(getattr(mw, "name", None) or getattr(mw, "__qualname__", None) or type(mw).__name__)


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())


@inspect_app.command()
def realtime(as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON.")) -> None:
    """WebSocket connections, rooms, members and messages of every server process
    (read from Redis on the Redis layer)."""
    import json

    from ...app import load
    from ...realtime.hub import hub_for, run_sync
    from ..common import fail
    app = load(find_project().root)
    hub = hub_for(app)
    if hub.config.backend != "redis":
        typer.echo("[realtime] backend is \"memory\": each server process keeps its own figures; "
                   "ask a running server at /_wolfpy/stats (admins only), or use the Redis layer")
        return
    try:
        stats = run_sync(hub, lambda h: h.layer.nodes_stats())
    except Exception as exc:  # an unreachable Redis is one line, not a traceback
        fail(f"cannot read the realtime statistics from Redis ({type(exc).__name__}: {exc})")
    if as_json:
        typer.echo(json.dumps(stats, indent=2))
        return
    if not stats:
        typer.echo("no server process is serving WebSockets")
        return
    keys = ["connections", "rooms", "members", "messages_in", "messages_out"]
    rows = [[s["host"], str(s["pid"]), *(str(s[k]) for k in keys),
             f"{s['messages_in_per_second']:g}/{s['messages_out_per_second']:g}", str(s["slow_disconnects"])]
            for s in stats]
    rows.append(["total", "", *(str(sum(s[k] for s in stats)) for k in keys), "",
                 str(sum(s["slow_disconnects"] for s in stats))])
    typer.echo(table(rows, ["HOST", "PID", "CONNECTIONS", "ROOMS", "MEMBERS", "IN", "OUT", "IN/OUT PER S", "SLOW"]))
    typer.echo(f"\n{len(stats)} process{'es' if len(stats) != 1 else ''} (rooms and members are counted per process)")
