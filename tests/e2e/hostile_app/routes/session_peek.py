"""GET /session_peek: reads the session without changing it."""


def get(request):
    user = request.user
    return {"marker": request.session.get("marker"), "user": user.username if user else None}
