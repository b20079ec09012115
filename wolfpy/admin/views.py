"""The pages of one model: change list, add, change, delete, bulk actions, history, CSV."""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

import peewee

from ..errors import HTTPError
from ..http.response import Response, json, redirect
from ..sessions import flash
from ..storage.fields import FileField
from . import audit
from .changelist import ChangeList
from .export import CSVStream
from .forms import display, form_value, label, raw_value, read_files, read_form, snapshot, widget
from .options import ModelAdmin
from .site import AdminSite

CASCADE_SHOWN = 20
LOOKUP_RESULTS = 20


def _object(admin: ModelAdmin, raw_id: str) -> Any:
    pk = admin.cast_pk(raw_id)
    row = admin.model.get_or_none(admin.pk == pk) if pk is not None else None
    if row is None:
        raise HTTPError(404, f"no {admin.name} with id {raw_id[:50]}")
    return row


def _ids(admin: ModelAdmin, raw: list[str]) -> list[Any]:
    if len(raw) > 10_000:
        raise HTTPError(400, "too many rows selected")
    ids = [admin.cast_pk(value) for value in raw]
    if any(value is None for value in ids):
        raise HTTPError(400, "a selected id is not valid")
    return ids


def _query(raw: str) -> str:
    """The change list's query string to go back to, rebuilt from its parameters (never raw text)."""
    if not raw.startswith("?"):
        return ""
    pairs = parse_qsl(raw[1:])[:50]
    return "?" + urlencode(pairs) if pairs else ""


def cascades(row: Any) -> list[dict[str, Any]]:
    """What deleting ``row`` does to rows pointing at it: deleted, unlinked or blocking."""
    out = []
    for query, fk in row.dependencies(search_nullable=True):
        on_delete = (fk.on_delete or "").upper()
        if on_delete in ("RESTRICT", "NO ACTION", "PROTECT"):
            effect = "blocks"
        elif fk.null and on_delete != "CASCADE":
            effect = "unlinked"
        else:
            effect = "deleted"
        model = fk.model
        count = model.select().where(query).count()
        if count:
            rows = [str(r) for r in model.select().where(query).limit(CASCADE_SHOWN)]
            out.append({"model": model.__name__, "field": fk.name, "effect": effect, "count": count,
                        "rows": rows})
    return out


def _delete(site: AdminSite, request: Any, admin: ModelAdmin, row: Any) -> None:
    before = snapshot(admin, row)
    object_id, text = row.get_id(), str(row)
    row.delete_instance(recursive=True, delete_nullable=False)
    audit.record(request, "delete", admin.model, object_id, text, before, None)


def register(ext: Any, site: AdminSite) -> None:
    """Add the model pages to ``ext``."""

    @ext.route("/{group}/{model}", ["GET"], name="admin:changelist")
    def changelist(request: Any, group: str, model: str) -> Response:
        admin = site.model(group, model)
        cl = ChangeList(admin, request.query)
        page = cl.page(request.query.get("p"))
        columns = [(name, label(admin.fields[name]) if name in admin.fields else name) for name in admin.list_display]
        rows = [(row.get_id(), [display(getattr(row, name, None)) for name in admin.list_display])
                for row in page.rows]
        actions = [("delete_selected", "Delete selected")] + [(k, v[0]) for k, v in admin.actions.items()]
        return site.page(request, "changelist.html", title=admin.name, admin=admin, cl=cl, page=page,
                         columns=columns, rows=rows, actions=actions)

    @ext.route("/{group}/{model}/export.csv", ["GET"], name="admin:export")
    def export(request: Any, group: str, model: str) -> Response:
        admin = site.model(group, model)
        cl = ChangeList(admin, request.query)
        stream = CSVStream(site.app.database, cl.query, admin.export_fields())
        headers = {"content-disposition": f'attachment; filename="{admin.slug}.csv"',
                   "cache-control": "no-store"}
        return Response(stream, 200, headers, "text/csv; charset=utf-8")

    @ext.route("/{group}/{model}/action", ["POST"], name="admin:action")
    def action(request: Any, group: str, model: str) -> Response:
        admin = site.model(group, model)
        name = request.form.get("action") or ""
        ids = _ids(admin, request.form.getlist("ids"))
        back = site.model_url(admin) + _query((request.form.get("back") or "")[:2000])
        if not ids:
            flash(request, "Select at least one row first.", "error")
            return redirect(back, status=303)
        query = admin.model.select().where(admin.pk.in_(ids))
        if name == "delete_selected":
            rows = list(query)
            if request.form.get("confirm") != "yes":
                return site.page(request, "delete_selected.html", title=f"Delete {admin.name}", admin=admin,
                                 rows=rows, effects=[(r, cascades(r)) for r in rows[:50]], back=back)
            with site.app.database.atomic():
                for row in rows:
                    _delete(site, request, admin, row)
            flash(request, f"Deleted {len(rows)} {admin.name} row{'s' if len(rows) != 1 else ''}.")
            return redirect(back, status=303)
        if name not in admin.actions:
            raise HTTPError(400, "unknown action")
        label_text, func = admin.actions[name]
        with site.app.database.atomic():
            before = {row.get_id(): (str(row), snapshot(admin, row)) for row in query}
            result = func(request, admin.model.select().where(admin.pk.in_(ids)))
            after = {row.get_id(): snapshot(admin, row) for row in admin.model.select().where(admin.pk.in_(ids))}
            for pk, (text, old) in before.items():
                if pk in after:
                    audit.record(request, "change", admin.model, pk, text, old, after[pk])
                else:
                    audit.record(request, "delete", admin.model, pk, text, old, None)
        if isinstance(result, Response):
            return result
        flash(request, str(result) if isinstance(result, str) else f"{label_text}: done for {len(before)} rows.")
        return redirect(back, status=303)

    def form_page(request: Any, admin: ModelAdmin, row: Any | None, shown: dict[str, str],
                  errors: dict[str, str], status: int = 200, message: str = "") -> Response:
        fields = []
        for f in admin.form_fields():
            if admin.editable(f):
                fields.append({"name": f.name, "label": label(f), "help": f.help_text or "",
                               "widget": widget(admin, f, shown.get(f.name, ""), errors.get(f.name)),
                               "error": errors.get(f.name), "boolean": isinstance(f, peewee.BooleanField),
                               "readonly": None})
            else:
                value = getattr(row, f.name) if row is not None else (f.default() if callable(f.default)
                                                                       else f.default)
                fields.append({"name": f.name, "label": label(f), "help": "", "widget": None, "error": None,
                               "boolean": False, "readonly": display(value)})
        title = f"Change {admin.name}" if row is not None else f"Add {admin.name}"
        return site.page(request, "change_form.html", status=status, title=title, admin=admin, row=row,
                         fields=fields, errors=errors, message=message,
                         multipart=any(isinstance(f, FileField) for f in admin.form_fields()))

    def save(request: Any, admin: ModelAdmin, row: Any | None) -> Response:
        values, errors, shown = read_form(admin, request.form, row)
        if not errors:
            read_files(admin, request, row, values, errors)
        if errors:
            return form_page(request, admin, row, shown, errors, 422, "Please correct the errors below.")
        before = snapshot(admin, row) if row is not None else None
        target = row if row is not None else admin.model()
        for name, value in values.items():
            setattr(target, name, value)
        try:
            with site.app.database.atomic():
                if row is None:
                    target.save(force_insert=True)
                else:
                    target.save()
                audit.record(request, "change" if row is not None else "add", admin.model, target.get_id(),
                             str(target), before, snapshot(admin, target))
        except peewee.IntegrityError as exc:
            unique = [f.name for f in admin.form_fields() if f.unique and f.name in values]
            field_errors = {name: "This value is already used." for name in unique
                            if name.lower() in str(exc).lower()}
            return form_page(request, admin, row, shown, field_errors, 422,
                             "The database refused this: " + str(exc).splitlines()[0][:200])
        verb = "Changed" if row is not None else "Added"
        flash(request, f"{verb} {admin.name} “{target}”.")
        if request.form.get("_continue"):
            return redirect(site.model_url(admin, target.get_id()), status=303)
        return redirect(site.model_url(admin), status=303)

    @ext.route("/{group}/{model}/add", ["GET", "POST"], name="admin:add")
    def add(request: Any, group: str, model: str) -> Response:
        admin = site.model(group, model)
        if request.method == "POST":
            return save(request, admin, None)
        shown = {f.name: form_value(f, f.default() if callable(f.default) else f.default)
                 for f in admin.form_fields() if f.default is not None}
        return form_page(request, admin, None, shown, {})

    @ext.route("/{group}/{model}/{id}", ["GET", "POST"], name="admin:change")
    def change(request: Any, group: str, model: str, id: str) -> Response:
        admin = site.model(group, model)
        row = _object(admin, id)
        if request.method == "POST":
            return save(request, admin, row)
        shown = {f.name: form_value(f, raw_value(row, f)) for f in admin.form_fields()
                 if f.name not in ("password_hash",)}
        return form_page(request, admin, row, shown, {})

    @ext.route("/{group}/{model}/{id}/delete", ["GET", "POST"], name="admin:delete")
    def delete(request: Any, group: str, model: str, id: str) -> Response:
        admin = site.model(group, model)
        row = _object(admin, id)
        effects = cascades(row)
        if request.method == "POST":
            if any(e["effect"] == "blocks" for e in effects):
                raise HTTPError(409, "other rows protect this one from deletion")
            text = str(row)
            try:
                with site.app.database.atomic():
                    _delete(site, request, admin, row)
            except peewee.IntegrityError as exc:
                raise HTTPError(409, "the database refused the delete: " + str(exc).splitlines()[0][:200]) from None
            flash(request, f"Deleted {admin.name} “{text}”.")
            return redirect(site.model_url(admin), status=303)
        return site.page(request, "delete.html", title=f"Delete {admin.name}", admin=admin, row=row,
                         effects=effects, blocked=any(e["effect"] == "blocks" for e in effects))

    @ext.route("/{group}/{model}/{id}/history", ["GET"], name="admin:history")
    def history(request: Any, group: str, model: str, id: str) -> Response:
        admin = site.model(group, model)
        pk = admin.cast_pk(id)
        if pk is None:
            raise HTTPError(404, "not a valid id")
        audit.ensure_table(site.app)
        entries = list(audit.search("", audit.model_label(admin.model), str(pk)).limit(200))
        row = admin.model.get_or_none(admin.pk == pk)
        return site.page(request, "history.html", title=f"History of {admin.name} {pk}", admin=admin, row=row,
                         object_id=pk, entries=entries)

    @ext.route("/{group}/{model}/lookup/{field}", ["GET"], name="admin:lookup", api=True)
    def lookup(request: Any, group: str, model: str, field: str) -> Any:
        admin = site.model(group, model)
        f = admin.field(field)
        if not isinstance(f, peewee.ForeignKeyField):
            raise HTTPError(404, "not a foreign key of this model")
        rel = f.rel_model
        term = (request.query.get("q") or "").replace("\x00", "").strip()[:100]
        query = rel.select()
        target = site.registry.for_model(rel)
        names = list(target.search_fields) if target is not None and target.search_fields else [
            x.name for x in rel._meta.sorted_fields if isinstance(x, peewee.CharField)][:3]
        if term:
            clause = None
            pk_value = ModelAdmin(rel, "", "").cast_pk(term)
            if pk_value is not None:
                clause = rel._meta.primary_key == pk_value
            for name in names:
                cond = peewee.fn.LOWER(rel._meta.fields[name]).contains(term.lower())
                clause = cond if clause is None else clause | cond
            if clause is not None:
                query = query.where(clause)
        rows = query.order_by(rel._meta.primary_key).limit(LOOKUP_RESULTS)
        return json({"results": [{"id": str(r.get_id()), "label": str(r)} for r in rows]})
