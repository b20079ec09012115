"""Limits on by default: query depth, query cost, and errors masked unless meant for the client."""
from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLError, IntValueNode, ValidationRule, VariableNode
from graphql.language import (FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode,
                              OperationDefinitionNode)
from strawberry.extensions import AddValidationRules, MaskErrors, MaxTokensLimiter, QueryDepthLimiter

DEFAULT_MAX_DEPTH = 10
DEFAULT_MAX_COST = 1000
#: Tokens in one document: parsing stops past it, before any validation rule runs (some,
#: like overlapping-field checks, cost more than linear time in the document's size).
DEFAULT_MAX_TOKENS = 5000
#: Arguments that say how many items a list field returns.
SIZE_ARGUMENTS = ("first", "last", "limit")


def _cost_rule(max_cost: int, default_size: int) -> type[ValidationRule]:
    class QueryCost(ValidationRule):
        """Each field costs 1; a field with a ``first``/``limit`` argument multiplies the
        cost of what it selects by that number (a variable counts as ``default_size``)."""

        def enter_operation_definition(self, node: OperationDefinitionNode, *args: Any) -> None:
            fragments = {f.name.value: f for f in self.context.document.definitions
                         if isinstance(f, FragmentDefinitionNode)}
            cost = self._cost(node.selection_set, fragments, set())
            if cost > max_cost:
                self.report_error(GraphQLError(
                    f"query cost {cost} is over the limit of {max_cost}: ask for fewer items or fields",
                    node))

        def _cost(self, selection_set: Any, fragments: dict[str, Any], seen: set[str]) -> int:
            if selection_set is None:
                return 0
            total = 0
            for sel in selection_set.selections:
                if isinstance(sel, FieldNode):
                    size = 1
                    for arg in sel.arguments or ():
                        if arg.name.value in SIZE_ARGUMENTS:
                            if isinstance(arg.value, IntValueNode):
                                size = max(1, int(arg.value.value))
                            elif isinstance(arg.value, VariableNode):
                                size = default_size
                    total += 1 + size * self._cost(sel.selection_set, fragments, seen)
                elif isinstance(sel, InlineFragmentNode):
                    total += self._cost(sel.selection_set, fragments, seen)
                elif isinstance(sel, FragmentSpreadNode):
                    name = sel.name.value
                    if name in fragments and name not in seen:
                        total += self._cost(fragments[name].selection_set, fragments, seen | {name})
            return total

    return QueryCost


class QueryCostLimiter(AddValidationRules):
    """Refuse an operation whose cost (see ``_cost_rule``) is over ``max_cost``."""

    def __init__(self, max_cost: int = DEFAULT_MAX_COST, default_size: int = 100) -> None:
        super().__init__([_cost_rule(max_cost, default_size)])


def _should_mask(error: GraphQLError) -> bool:
    # GraphQLErrors raised on purpose (validation, login required) reach the client;
    # anything else is a bug whose message may hold internals.
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def default_extensions(max_depth: int = DEFAULT_MAX_DEPTH, max_cost: int = DEFAULT_MAX_COST,
                       max_tokens: int = DEFAULT_MAX_TOKENS) -> list[Any]:
    """The extensions every generated schema starts with: token, depth and cost limits,
    and unexpected errors shown as ``Unexpected error.`` (logged with their traceback)."""
    # Factories: Strawberry makes fresh extension objects for each request.
    return [lambda: MaxTokensLimiter(max_token_count=max_tokens),
            lambda: QueryDepthLimiter(max_depth=max_depth), lambda: QueryCostLimiter(max_cost),
            lambda: MaskErrors(should_mask_error=_should_mask)]
