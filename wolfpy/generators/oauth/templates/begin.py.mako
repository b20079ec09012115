"""GET /auth/oauth/${provider}: off to ${title} to sign in (a 303 to its authorization page).

Written by `wolfpy generate oauth ${provider}`; edit it freely. A same-site `next`
parameter is where the user lands afterwards. Credentials: [oauth.${provider}] client_id
and client_secret in wolfpy.toml, or WOLFPY_OAUTH_${provider.upper()}_CLIENT_ID and
WOLFPY_OAUTH_${provider.upper()}_CLIENT_SECRET.
"""
from wolfpy.auth.oauth import begin

PROVIDER = "${provider}"
ISSUER = "${issuer}"   # [oauth.${provider}] issuer overrides it


def get(request):
    return begin(request, PROVIDER, issuer=ISSUER)
