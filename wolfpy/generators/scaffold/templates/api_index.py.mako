"""GET /api/${folder}: the ${humans} as JSON, 20 a page (?page=2). POST: create one from a JSON object.

Written by `${command}`; edit it freely. Mistakes are 422 with a message per field:
{"error": {"status": 422, "message": ..., "fields": {"${fields[0].name}": ...}}}.
"""
from wolfpy import ValidationError
from wolfpy.db import paginate
from wolfpy.forms import Form

from models.${snake} import ${class_name}

api = True
PER_PAGE = 20


def body(request):
    data = request.json
    if not isinstance(data, dict):
        raise ValidationError({"body": "expected a JSON object"})
    return data


def get(request, page: int = 1):
    rows = paginate(${class_name}.select().order_by(${class_name}.id), page, PER_PAGE)
    return {"items": [row.to_dict() for row in rows], "page": rows.page, "pages": rows.pages,
            "total": rows.total}


def post(request):
    form = Form(${class_name}, data=body(request))
    ${var} = form.save() if form.valid else None
    if ${var} is None:
        raise ValidationError(form.errors)
    return ${var}.to_dict(), 201
