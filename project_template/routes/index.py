from wolfpy import render


def get(request):
    return render("index.html", title="Welcome")
