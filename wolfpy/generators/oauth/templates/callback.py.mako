"""GET /auth/oauth/${provider}/callback: ${title} sends the user back here.

Written by `wolfpy generate oauth ${provider}`; edit it freely. The answer is checked
(state, the PKCE verifier, and for OpenID Connect the ID token: signature, issuer,
audience, expiry, nonce); then the user linked to this ${title} account is signed in,
or the one signed in now is linked to it, or a new user is made. Anything wrong shows
templates/auth/oauth_error.html with status 400.
"""
from wolfpy import redirect, render
from wolfpy.auth.oauth import OAuthError, complete, sign_in

PROVIDER = "${provider}"
ISSUER = "${issuer}"
TITLE = "${title}"


def get(request):
    try:
        identity = complete(request, PROVIDER, issuer=ISSUER)
        sign_in(request, identity, issuer=ISSUER)
    except OAuthError as exc:
        return render("auth/oauth_error.html", status=400, title=TITLE, message=str(exc),
                      retry_url="/auth/oauth/" + PROVIDER)
    return redirect(identity.next_url, status=303)
