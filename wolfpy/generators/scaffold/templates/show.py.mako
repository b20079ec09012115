"""GET /${folder}/{id}: one ${human}. POST: update it from the edit form. DELETE: delete it (204).

Written by `${command}`; edit it freely.
"""
from wolfpy import abort, flash, redirect, render, url_for
from wolfpy.db import DATABASE, IntegrityError
from wolfpy.forms import Form, protected_message

from models.${snake} import ${class_name}


def get(request, id: int):
    return render("${folder}/show.html", ${var}=${class_name}.get_or_404(id))


def post(request, id: int):
    ${var} = ${class_name}.get_or_404(id)
    form = Form(${class_name}, request, instance=${var})
    if not (form.valid and form.save()):
        return render("${folder}/edit.html", form=form, ${var}=${var}, status=422)
    flash(request, "${Human} updated.")
    return redirect(url_for("${folder}/[id]", id=${var}.id), status=303)


def delete(request, id: int):
    ${var} = ${class_name}.get_or_404(id)
    try:
        with DATABASE.atomic():
            ${var}.delete_instance()
    except IntegrityError:  # other rows refer to it (on_delete="RESTRICT")
        abort(409, protected_message(${var}))
    return None
