"""Middleware for every route: functions `(request, call_next) -> response`.

A `_middleware.py` in a sub-folder applies to that folder only, inside this one.
Example:

    def timing(request, call_next):
        response = call_next(request)
        response.headers["X-Handled-By"] = "__NAME__"
        return response

    middlewares = [timing]
"""

middlewares = []
