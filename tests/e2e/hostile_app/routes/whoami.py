"""GET /whoami: who the session says you are, and what the request looks like to the app."""


def get(request):
    session = request.session
    session["visits"] = session.get("visits", 0) + 1
    user = request.user
    return {"user": user.username if user else None, "visits": session["visits"],
            "client_ip": request.client_ip, "scheme": request.scheme, "host": request.host,
            "url": request.url}
