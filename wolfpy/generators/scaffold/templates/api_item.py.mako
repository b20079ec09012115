"""/api/${folder}/{id}: GET one ${human}; PUT replaces its fields, PATCH changes some; DELETE (204).

Written by `${command}`; edit it freely.
"""
from wolfpy import ValidationError, abort
from wolfpy.db import DATABASE, IntegrityError
from wolfpy.forms import Form, protected_message

from models.${snake} import ${class_name}

api = True


def body(request):
    data = request.json
    if not isinstance(data, dict):
        raise ValidationError({"body": "expected a JSON object"})
    return data


def get(request, id: int):
    return ${class_name}.get_or_404(id).to_dict()


def update(request, id, partial):
    ${var} = ${class_name}.get_or_404(id)
    form = Form(${class_name}, data=body(request), instance=${var}, partial=partial)
    if not (form.valid and form.save()):
        raise ValidationError(form.errors)
    return ${var}.to_dict()


def put(request, id: int):
    return update(request, id, partial=False)


def patch(request, id: int):
    return update(request, id, partial=True)


def delete(request, id: int):
    ${var} = ${class_name}.get_or_404(id)
    try:
        with DATABASE.atomic():
            ${var}.delete_instance()
    except IntegrityError:  # other rows refer to it (on_delete="RESTRICT")
        abort(409, protected_message(${var}))
    return None
