"""``GraphQL(schema)``: the ``get`` and ``post`` handlers of a route module serving a
Strawberry schema, and the context its resolvers see (request, session, user)."""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

from markupsafe import escape
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from ..errors import BadRequest, HTTPError
from ..http.response import Response

EXPLORER = Path(__file__).resolve().parent / "explorer"
JSON_TYPE = "application/json"


class Context:
    """``info.context`` in a resolver: the ``request``, its ``session`` (None without the
    sessions middleware) and ``user`` (``request.user``: None when signed out)."""

    def __init__(self, request: Any) -> None:
        self.request = request

    @property
    def session(self) -> Any:
        return self.request.session if self.request.has_session else None

    @cached_property
    def user(self) -> Any:
        try:
            return self.request.user
        except Exception:  # no auth middleware: nobody is signed in
            return None


class GraphQL:
    """Serve ``schema`` from a route module::

        graphql = GraphQL(schema)
        get, post = graphql.get, graphql.post

    GET runs queries (``?query=…&variables=…``), POST queries and mutations
    (``application/json`` or ``application/graphql``). With ``[app] debug`` a browser's
    GET without a query gets the explorer page. Make the module ``api = True``: then a
    POST riding on the session cookie needs the CSRF token (``X-CSRF-Token``), and one
    without the cookie (a bearer token, a script) does not.
    """

    def __init__(self, schema: Any, *, explorer: bool | None = None) -> None:
        self.schema = schema
        self.explorer = explorer
        self.get = self._get
        self.post = self._post

    # -- handlers --------------------------------------------------------------------
    def _get(self, request: Any) -> Any:
        query = request.query.get("query")
        if query is None:
            if self._explorer_on(request) and "text/html" in request.headers.get("accept", ""):
                return self._explorer_page(request)
            raise BadRequest(message="no query: send ?query=... or POST a JSON body")
        variables = self._variables(request.query.get("variables"))
        return self._run(request, query, variables, request.query.get("operationName"),
                         {OperationType.QUERY})

    def _post(self, request: Any) -> Any:
        ctype = request.content_type
        if ctype == "application/graphql":
            query, variables, name = request.body.decode("utf-8", "replace"), None, None
        elif ctype == JSON_TYPE:
            body = request.json
            if not isinstance(body, dict):
                raise BadRequest(message="a GraphQL request is a JSON object with \"query\"")
            query = body.get("query")
            variables = body.get("variables")
            name = body.get("operationName")
            if variables is not None and not isinstance(variables, dict):
                raise BadRequest(message="\"variables\" must be an object")
        else:
            raise HTTPError(415, "send application/json or application/graphql")
        if not isinstance(query, str) or not query.strip():
            raise BadRequest(message="no query: the body needs a \"query\" string")
        if name is not None and not isinstance(name, str):
            raise BadRequest(message="\"operationName\" must be a string")
        return self._run(request, query, variables, name,
                         {OperationType.QUERY, OperationType.MUTATION})

    # -- running ------------------------------------------------------------------------
    def _variables(self, raw: str | None) -> dict[str, Any] | None:
        if raw is None or raw == "":
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            raise BadRequest(message="\"variables\" is not JSON") from None
        if not isinstance(value, dict):
            raise BadRequest(message="\"variables\" must be a JSON object")
        return value

    def _run(self, request: Any, query: str, variables: Any, name: str | None, allowed: set[Any]) -> Any:
        try:
            result = self.schema.execute_sync(query, variable_values=variables, context_value=Context(request),
                                              operation_name=name, allowed_operation_types=allowed)
        except InvalidOperationTypeError:  # a mutation sent with GET
            raise HTTPError(405, "mutations need POST", headers={"Allow": "POST"}) from None
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        # A request that could not run at all (syntax, validation, limits: errors without a
        # path) is a 400; errors while running (a resolver's) come with a 200, as data.
        failed = result.data is None and result.errors and all(not e.path for e in result.errors)
        status = 400 if failed else 200
        return Response(json.dumps(body, default=str), status, content_type=JSON_TYPE)

    # -- the explorer --------------------------------------------------------------------
    def _explorer_on(self, request: Any) -> bool:
        return self.explorer if self.explorer is not None else bool(request.app.settings.debug)

    def _explorer_page(self, request: Any) -> Response:
        token = ""
        if request.has_session:
            try:
                from ..middleware.csrf import csrf_token
                token = csrf_token(request)
            except Exception:
                token = ""
        html = (EXPLORER / "explorer.html").read_text(encoding="utf-8")
        page = (html.replace("{{csrf}}", str(escape(token)))
                .replace("{{css}}", (EXPLORER / "explorer.css").read_text(encoding="utf-8"))
                .replace("{{js}}", (EXPLORER / "explorer.js").read_text(encoding="utf-8")))
        return Response(page, 200, content_type="text/html; charset=utf-8")
