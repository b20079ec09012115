from wolfpy import Response


def get(request):
    return Response(b"Hello, World!", content_type="text/plain")
