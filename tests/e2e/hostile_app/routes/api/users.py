"""GET /api/users?sort=...: public user names, in an allowlisted order."""
from wolfpy import abort, api_route

from models.user import User

SORTS = {"id": User.id, "-id": User.id.desc(), "username": User.username, "-username": User.username.desc()}


@api_route
def get(request):
    sort = request.query.get("sort", "id")
    if sort not in SORTS:
        abort(400, f"sort must be one of: {', '.join(SORTS)}")
    return [{"id": u.id, "username": u.username} for u in User.select().order_by(SORTS[sort]).limit(50)]
