"""POST /api/echo: a JSON endpoint reading request.json (a webhook, say)."""
from wolfpy import ValidationError, api_route


@api_route
def post(request):
    data = request.json
    if not isinstance(data, dict):
        raise ValidationError({"body": "expected a JSON object"})
    return {"keys": sorted(data)[:50], "size": len(request.body)}
