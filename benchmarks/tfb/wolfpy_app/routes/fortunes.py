from wolfpy import render
from models.fortune import Fortune


def get(request):
    fortunes = list(Fortune.select())
    fortunes.append(Fortune(id=0, message="Additional fortune added at request time."))
    fortunes.sort(key=lambda f: f.message)
    return render("fortunes.html", fortunes=fortunes)
