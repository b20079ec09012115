"""GET /${folder}/{id}/edit: the form, filled in with the ${human} (it posts to /${folder}/{id}).

Written by `${command}`; edit it freely.
"""
from wolfpy import render
from wolfpy.forms import Form

from models.${snake} import ${class_name}


def get(request, id: int):
    ${var} = ${class_name}.get_or_404(id)
    return render("${folder}/edit.html", form=Form(${class_name}, instance=${var}), ${var}=${var})
