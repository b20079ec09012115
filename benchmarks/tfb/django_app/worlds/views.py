from random import randint, sample

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from .models import Fortune, World


def _query_count(request):
    try:
        n = int(request.GET.get("queries", "1"))
    except ValueError:
        return 1
    return min(max(n, 1), 500)


def _world(w):
    return {"id": w.id, "randomNumber": w.randomnumber}


def json(request):
    return JsonResponse({"message": "Hello, World!"})


def plaintext(request):
    return HttpResponse(b"Hello, World!", content_type="text/plain")


def db(request):
    return JsonResponse(_world(World.objects.get(id=randint(1, 10000))))


def queries(request):
    worlds = [_world(World.objects.get(id=randint(1, 10000))) for _ in range(_query_count(request))]
    return JsonResponse(worlds, safe=False)


def updates(request):
    ids = sorted(sample(range(1, 10001), _query_count(request)))
    worlds = [World.objects.get(id=i) for i in ids]
    for w in worlds:
        w.randomnumber = randint(1, 10000)
    World.objects.bulk_update(worlds, ["randomnumber"])
    return JsonResponse([_world(w) for w in worlds], safe=False)


def fortunes(request):
    fortunes = list(Fortune.objects.all())
    fortunes.append(Fortune(id=0, message="Additional fortune added at request time."))
    fortunes.sort(key=lambda f: f.message)
    return render(request, "fortunes.html", {"fortunes": fortunes})
