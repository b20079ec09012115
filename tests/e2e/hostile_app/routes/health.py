"""GET /health: the ordinary request a load balancer sends."""


def get(request):
    return "ok"
