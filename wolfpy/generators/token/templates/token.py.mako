"""POST /auth/token: JSON {"username", "password"} -> {"token", "type": "Bearer", "expires_in"}.

Written by `wolfpy generate token`; edit it freely. Send the token back as
`Authorization: Bearer <token>` to handlers decorated with @token_required:

    from wolfpy import api_route, token_required

    @api_route
    @token_required
    def get(request):
        return {"user": request.user.username}

The endpoint reads no session, so it needs no CSRF token (@csrf_exempt). A wrong
password and an unknown user both get 401; repeated failures get 429.
"""
from wolfpy import HTTPError, ValidationError, api_route, csrf_exempt
from wolfpy.auth import LoginThrottle, authenticate, issue_token

EXPIRES_IN = ${expires_in}      # seconds a token stays valid
MAX_FAILURES = 5        # failed attempts per address, and per account ...
WINDOW = 300            # ... within this many seconds
MAX_PASSWORD_BYTES = ${max_password_bytes}

_throttle = None


def throttle(app):
    global _throttle
    if _throttle is None:
        _throttle = LoginThrottle(app, max_failures=MAX_FAILURES, window=WINDOW)
    return _throttle


@csrf_exempt
@api_route
def post(request):
    body = request.json
    if not isinstance(body, dict):
        raise ValidationError({"body": 'expected a JSON object: {"username": ..., "password": ...}'})
    username, password = body.get("username"), body.get("password")
    errors = {name: "expected a non-empty string" for name, value in
              (("username", username), ("password", password)) if not isinstance(value, str) or not value}
    if errors:
        raise ValidationError(errors)
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ValidationError({"password": f"at most {MAX_PASSWORD_BYTES} bytes"})
    limiter = throttle(request.app)
    limiter.check(request, username)     # 429 with Retry-After
    user = authenticate(username, password)
    if user is None:
        limiter.failed(request, username)
        raise HTTPError(401, "wrong username or password", headers={"www-authenticate": "Bearer"})
    limiter.succeeded(request, username)
    return {"token": issue_token(user, expires_in=EXPIRES_IN), "type": "Bearer", "expires_in": EXPIRES_IN}
