"""GET /${folder}/{id}/delete: "Delete this ${human}?". POST: delete it and go back to the list.

Written by `${command}`; edit it freely. A ${human} that other rows still refer to
(a foreign key with on_delete="RESTRICT") is not deleted: the page says so, with 409.
"""
from wolfpy import flash, redirect, render, url_for
from wolfpy.db import DATABASE, IntegrityError
from wolfpy.forms import protected_message

from models.${snake} import ${class_name}


def get(request, id: int):
    return render("${folder}/delete.html", ${var}=${class_name}.get_or_404(id), error="")


def post(request, id: int):
    ${var} = ${class_name}.get_or_404(id)
    try:
        with DATABASE.atomic():
            ${var}.delete_instance()
    except IntegrityError:
        return render("${folder}/delete.html", ${var}=${var}, error=protected_message(${var}), status=409)
    flash(request, "${Human} deleted.")
    return redirect(url_for("${folder}/index"), status=303)
