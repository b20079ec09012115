"""Tests for the ${human} pages and the /api/${folder} JSON API.

Written by `${command}`; edit them freely. The `client` fixture posts forms with the
session's CSRF token by itself, and each test runs on a throw-away database.
"""
import datetime
import itertools

import pytest
from wolfpy.db import BooleanField, DateField, DateTimeField, DecimalField, FloatField, ForeignKeyField, IntegerField

% for line in model_imports:
${line}
% endfor

_numbers = itertools.count(1)


def make(model, **values):
    """Save a ``model`` row: ``values``, and made-up values for its other required fields."""
    for field in model._meta.sorted_fields:
        if field.name in values or field.null or field.default is not None or field.primary_key:
            continue
        if isinstance(field, ForeignKeyField):
            values[field.name] = make(field.rel_model)
        elif isinstance(field, BooleanField):
            values[field.name] = True
        elif isinstance(field, DateTimeField):
            values[field.name] = datetime.datetime(2024, 1, 1, 12, 0)
        elif isinstance(field, DateField):
            values[field.name] = datetime.date(2024, 1, 1)
        elif isinstance(field, (IntegerField, FloatField, DecimalField)):
            values[field.name] = next(_numbers)
        else:
            values[field.name] = f"{field.name} {next(_numbers)}"[:getattr(field, "max_length", None)]
    return model.create(**values)


@pytest.fixture
def form_data(app):
    """What a user types in the new-${human} form."""
% for f in fk_fields:
    ${f.name} = make(${f.target})
% endfor
    return {
% for f in fields:
        "${f.name}": ${f.form_sample},
% endfor
    }


@pytest.fixture
def json_data(app):
    """A new ${human} as a JSON API client sends it."""
% for f in fk_fields:
    ${f.name} = make(${f.target})
% endfor
    return {
% for f in fields:
        "${f.name}": ${f.json_sample},
% endfor
    }


def test_list_page(client):
% if title_field:
    make(${class_name}, ${title_field}="A listed ${human}")
% else:
    make(${class_name})
% endif
    response = client.get("/${folder}")
    assert response.status_code == 200
% if title_field:
    assert "A listed ${human}" in response.text
% endif
    assert client.get("/${folder}?page=2").status_code == 200
    assert client.get("/${folder}?page=x").status_code == 422


def test_new_page_has_a_form(client):
    response = client.get("/${folder}/new")
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.text
% for f in fields:
    assert 'name="${f.name}"' in response.text
% endfor


def test_create(client, form_data):
    response = client.post("/${folder}", data=form_data)
    assert response.status_code == 303, response.text
    ${var} = ${class_name}.select().order_by(${class_name}.id.desc()).get()
    assert response.headers["location"] == f"/${folder}/{${var}.id}"
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "${Human} created." in page.text
% for f in fields:
% if f.kind in ("str", "text"):
    assert form_data["${f.name}"] in page.text
% endif
% endfor
% if required:


def test_create_with_a_mistake_shows_it_on_the_field(client, form_data):
    count = ${class_name}.select().count()
    response = client.post("/${folder}", data={**form_data, "${required.name}": ""})
    assert response.status_code == 422
    assert 'id="${required.name}-error"' in response.text
    assert 'aria-describedby="${required.name}-error"' in response.text
    assert "This field is required." in response.text
    assert ${class_name}.select().count() == count
% endif


def test_show_and_missing(client):
    ${var} = make(${class_name})
    assert client.get(f"/${folder}/{${var}.id}").status_code == 200
    assert client.get(f"/${folder}/{${var}.id + 1000}").status_code == 404


def test_edit_form_is_filled_in(client):
% if changeable:
    ${var} = make(${class_name}, ${changeable.name}="The ${changeable.name} before")
    response = client.get(f"/${folder}/{${var}.id}/edit")
    assert response.status_code == 200
    assert "The ${changeable.name} before" in response.text
% else:
    ${var} = make(${class_name})
    response = client.get(f"/${folder}/{${var}.id}/edit")
    assert response.status_code == 200
% endif


def test_update(client, form_data):
    ${var} = make(${class_name})
% if changeable:
    response = client.post(f"/${folder}/{${var}.id}", data={**form_data, "${changeable.name}": "Changed"})
    assert response.status_code == 303, response.text
    assert ${class_name}.get_by_id(${var}.id).${changeable.name} == "Changed"
% else:
    response = client.post(f"/${folder}/{${var}.id}", data=form_data)
    assert response.status_code == 303, response.text
% endif
    assert "${Human} updated." in client.get(response.headers["location"]).text


def test_delete_after_confirmation(client):
    ${var} = make(${class_name})
    assert client.get(f"/${folder}/{${var}.id}/delete").status_code == 200
    response = client.post(f"/${folder}/{${var}.id}/delete")
    assert response.status_code == 303
    assert response.headers["location"] == "/${folder}"
    assert ${class_name}.get_or_none(${class_name}.id == ${var}.id) is None
    assert "${Human} deleted." in client.get("/${folder}").text


def test_forms_need_the_csrf_token(client, form_data):
    assert client.post("/${folder}", data=form_data, csrf=False).status_code == 403


def test_json_api(client, json_data):
    created = client.post("/api/${folder}", json=json_data)
    assert created.status_code == 201, created.text
    ident = created.json()["id"]
    assert client.get(f"/api/${folder}/{ident}").json()["id"] == ident
    listing = client.get("/api/${folder}").json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == ident
% if changeable:
    changed = client.patch(f"/api/${folder}/{ident}", json={"${changeable.name}": "Patched"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["${changeable.name}"] == "Patched"
% endif
    assert client.put(f"/api/${folder}/{ident}", json=json_data).status_code == 200
% if required:
    refused = client.post("/api/${folder}", json={**json_data, "${required.name}": ""})
    assert refused.status_code == 422
    assert "${required.name}" in refused.json()["error"]["fields"]
% endif
    assert client.delete(f"/api/${folder}/{ident}").status_code == 204
    assert client.get(f"/api/${folder}/{ident}").status_code == 404
