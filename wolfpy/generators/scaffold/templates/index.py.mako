"""GET /${folder}: the ${humans}, newest first, 20 a page (?page=2). POST /${folder}: create one.

Written by `${command}`; edit it freely.
"""
from wolfpy import flash, redirect, render, url_for
from wolfpy.db import paginate
from wolfpy.forms import Form

from models.${snake} import ${class_name}

PER_PAGE = 20


def get(request, page: int = 1):
    rows = paginate(${class_name}.select().order_by(${class_name}.id.desc()), page, PER_PAGE)
    return render("${folder}/index.html", page=rows)


def post(request):
    form = Form(${class_name}, request)
    ${var} = form.save() if form.valid else None
    if ${var} is None:
        return render("${folder}/new.html", form=form, status=422)
    flash(request, "${Human} created.")
    return redirect(url_for("${folder}/[id]", id=${var}.id), status=303)
