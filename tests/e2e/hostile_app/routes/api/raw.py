"""POST /api/raw: reads the raw body (whole-body limit only)."""
from wolfpy import api_route


@api_route
def post(request):
    return {"size": len(request.body)}
