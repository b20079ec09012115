"""GET /${folder}/new: the form for a new ${human} (it posts to /${folder}).

Written by `${command}`; edit it freely. Pre-fill it with Form(${class_name}, initial={...}).
"""
from wolfpy import render
from wolfpy.forms import Form

from models.${snake} import ${class_name}


def get(request):
    return render("${folder}/new.html", form=Form(${class_name}))
