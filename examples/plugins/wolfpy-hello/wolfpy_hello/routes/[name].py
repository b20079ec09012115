from wolfpy import render

from wolfpy_hello.models import Greeting


def get(request, name: str):
    row, _ = Greeting.get_or_create(name=name[:100])
    Greeting.update(visits=Greeting.visits + 1).where(Greeting.id == row.id).execute()
    visits = Greeting.get_by_id(row.id).visits
    return render("greeter/page.html", greeting=request.app.settings.greeter.greeting, name=name,
                  visits=visits)
