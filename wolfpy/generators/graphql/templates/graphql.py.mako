"""GraphQL at /graphql: a Strawberry schema served by WolfPy (docs/graphql.md).

Written by `wolfpy generate graphql`; edit it freely. Resolvers get
info.context.request, info.context.session and info.context.user.
"""
% if models:
from typing import Optional

from wolfpy.graphql import (GraphQL, Page, create_row, default_extensions, delete_row, get_row, model_input,
                            model_types, paginate, require_admin, require_user, update_row)
% else:
from wolfpy.graphql import GraphQL, default_extensions
% endif
import strawberry
from strawberry.types import Info
% for m in models:
from ${m["module"]} import ${m["cls"]}
% endfor

# An API module: errors are JSON, and a POST riding on the session cookie needs the
# CSRF token (X-CSRF-Token) while one without the cookie does not.
api = True
% if models:

# Output types: each model's fields (secrets left out), related to one another.
${", ".join(m["cls"] + "Type" for m in models)}${"," if len(models) == 1 else ""} = model_types(${", ".join(m["cls"] for m in models)})

% endif
% for m in models:
%   if not m["user"]:
${m["cls"]}Input = model_input(${m["cls"]})
%   endif
${m["cls"]}Patch = model_input(${m["cls"]}, partial=True)
% endfor


@strawberry.type
class Query:
% if not models:
    @strawberry.field
    def hello(self, info: Info, name: str = "world") -> str:
        user = info.context.user
        return f"Hello, {user.username if user else name}!"
% endif
% for m in models:
    @strawberry.field
    def ${m["many"]}(self, first: int = 20, after: Optional[int] = None) -> Page[${m["cls"]}Type]:
        return paginate(${m["cls"]}, first, after)

    @strawberry.field
    def ${m["one"]}(self, id: int) -> Optional[${m["cls"]}Type]:
        return get_row(${m["cls"]}, id)
%   if not loop.last:

%   endif
% endfor
% if models:


@strawberry.type
class Mutation:
% for m in models:
%   if not m["user"]:
    @strawberry.mutation
    def create_${m["one"]}(self, info: Info, data: ${m["cls"]}Input) -> ${m["cls"]}Type:
        require_user(info)
        return create_row(${m["cls"]}, data)

%   endif
    @strawberry.mutation
    def update_${m["one"]}(self, info: Info, id: int, data: ${m["cls"]}Patch) -> Optional[${m["cls"]}Type]:
        ${"require_admin" if m["user"] else "require_user"}(info)
        return update_row(${m["cls"]}, id, data)

    @strawberry.mutation
    def delete_${m["one"]}(self, info: Info, id: int) -> bool:
        ${"require_admin" if m["user"] else "require_user"}(info)
        return delete_row(${m["cls"]}, id)
%   if not loop.last:

%   endif
% endfor
% endif


schema = strawberry.Schema(query=Query${", mutation=Mutation" if models else ""}, extensions=default_extensions())
graphql = GraphQL(schema)
get = graphql.get
post = graphql.post
