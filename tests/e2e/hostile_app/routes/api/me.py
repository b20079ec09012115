"""GET /api/me: the user of the bearer token."""
from wolfpy import api_route, token_required


@api_route
@token_required
def get(request):
    return {"user": request.user.username, "admin": request.user.is_admin}
