"""GET ${url}: renders ${template_file}.

Written by `wolfpy generate route ${name}`; edit it freely.
"""
from wolfpy import render


def get(request${"".join(", " + p for p in params)}):
    return render("${template}"${"".join(", " + p + "=" + p for p in params)})
