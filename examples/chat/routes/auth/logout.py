"""POST /auth/logout: sign out (the session is emptied, deleted server-side and renewed).

Written by `wolfpy generate auth`; edit it freely. Sign-out is a POST with the CSRF
token, so another site cannot sign your users out; put this form in your layout:

    <form method="post" action="/auth/logout">
      ${csrf_field()}
      <button type="submit">Sign out</button>
    </form>
"""
from wolfpy import flash, redirect
from wolfpy.auth import logout, safe_next


def post(request):
    logout(request)
    flash(request, "You have been signed out.")
    return redirect(safe_next(request.form.get("next"), request), status=303)
