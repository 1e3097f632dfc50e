"""The GraphQL schema: domain Query/Mutation types merged, limits and caches on, errors coded and masked."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import MaxTokensLimiter, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.tools import merge_types
from strawberry.types.base import get_object_definition

from backend.core import trusted
from backend.core.access import guard_schema
from backend.core.envelope import STRING_LITERAL_RULE, StringLiteralGuard
from backend.core.errors import DomainError
from backend.core.fastfields import LeafFastExecution, direct_fields
from backend.core.limits import HideSuggestions, QueryBudget, SuggestionFreeExecution
from backend.core.metrics import MetricsExtension
from backend.domains.registry import DOMAINS

log = logging.getLogger("courtyard.graphql")
# Strawberry logs every resolver error, expected ones included; CodedErrors logs the unexpected ones.
logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)

# Raised through the operation on purpose: strawberry's HTTP view answers them with a 400.
_ANSWERED_BY_HTTP = (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError)
MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_FIELDS = 2000  # fields with fragments inlined
MAX_COST = 200_000  # the estimate of backend/core/limits.py: a 100-ticket page with timelines and photos is ~51,000
MAX_TOKENS = 2000

Query = merge_types("Query", tuple(d.query for d in DOMAINS if d.query is not None))
Mutation = merge_types("Mutation", tuple(d.mutation for d in DOMAINS if d.mutation is not None))
# merge_types takes no description; the schema contract wants one on every type.
get_object_definition(Query, strict=True).description = (
    "Reads, each scoped to the caller: the viewer, objects by ID and lists.")
get_object_definition(Mutation, strict=True).description = (
    "Changes; expected failures come back in each payload's errors.")


@strawberry.type(description="Socket health check.")
class CoreSubscription:
    @strawberry.subscription(description="Ticks `count` times, one a second: a socket health check for clients.")
    async def heartbeat(self, count: int = 3) -> AsyncGenerator[int, None]:
        for i in range(max(0, min(count, 60))):
            yield i
            await asyncio.sleep(1)


class CodedErrors(SchemaExtension):
    """Give every error an `extensions.code`; mask unexpected exceptions (logged with the request id)."""

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as error:
            # ParserCache parses while entering on_parse, so a syntax error (too many tokens included) escapes
            # the operation and skips the coding below: code it on its way out.
            code = "GRAPHQL_VALIDATION_FAILED" if self._validating else "GRAPHQL_PARSE_FAILED"
            error.extensions = {"code": code, **(error.extensions or {})}
            raise
        except _ANSWERED_BY_HTTP:
            raise
        except Exception as exc:
            # A validation rule that crashed on a malformed document (the depth limiter on `{ ...Undefined }` or
            # `mutation {}`) is the client's error; anything else escaping here is ours, masked like the rest.
            if self._validating:
                raise GraphQLError("Invalid document", extensions={"code": "GRAPHQL_VALIDATION_FAILED"}) from None
            request_id = getattr(self.execution_context.context, "request_id", "-")
            log.error("unexpected error (request %s)", request_id, exc_info=exc)
            raise GraphQLError("Internal error; quote request id " + request_id,
                               extensions={"code": "INTERNAL", "requestId": request_id}) from None
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [self._code(e) for e in result.errors]

    _validating = False

    def on_validate(self) -> Iterator[None]:
        self._validating = True
        yield
        self._validating = False

    def on_stream_result(self, result: Any) -> Iterator[None]:  # noqa: ANN401 - strawberry's hook
        """Streamed results leave before on_operation finishes: code and mask each one."""
        if getattr(result, "errors", None):
            result.errors = [e if (e.extensions or {}).get("code") else self._code(e) for e in result.errors]
        yield

    def _code(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        ext = dict(error.extensions or {})
        if isinstance(original, DomainError):
            ext["code"] = original.code
            if original.field:
                ext["field"] = original.field
            return GraphQLError(original.message, nodes=error.nodes, path=error.path, extensions=ext)
        if original is None:
            ext.setdefault("code", "GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_USER_INPUT")
            return GraphQLError(error.message, nodes=error.nodes, source=error.source, positions=error.positions,
                                path=error.path, extensions=ext)
        if isinstance(original, GraphQLError) or type(original).__name__ in ("GlobalIDValueError",):
            ext["code"] = "BAD_USER_INPUT"
            return GraphQLError(error.message, nodes=error.nodes, path=error.path, extensions=ext)
        ctx = self.execution_context.context
        request_id = getattr(ctx, "request_id", "-")
        log.error("unexpected error (request %s)", request_id, exc_info=original)
        return GraphQLError(
            "Internal error; quote request id " + request_id, nodes=error.nodes, path=error.path,
            extensions={"code": "INTERNAL", "requestId": request_id},
        )


Subscription = merge_types("Subscription", (CoreSubscription, *(d.subscription for d in DOMAINS
                                                              if d.subscription is not None)))
get_object_definition(Subscription, strict=True).description = "Live updates over graphql-transport-ws."


def build_schema(*, production: bool = False) -> strawberry.Schema:
    """The schema with limits and caches built once, so the validation cache keeps hitting."""
    return build(production=production)[0]


def build(*, production: bool = False) -> tuple[strawberry.Schema, trusted.TrustedIndex]:
    """The schema and its trusted documents' index (empty: create_app loads the manifest into it)."""
    budget = QueryBudget(max_depth=MAX_DEPTH, max_aliases=MAX_ALIASES, max_fields=MAX_FIELDS, max_cost=MAX_COST)
    index = trusted.TrustedIndex(budget, max_tokens=MAX_TOKENS, rules=(STRING_LITERAL_RULE,))
    extensions: list[Any] = [
        MetricsExtension,
        CodedErrors,
        MaxTokensLimiter(max_token_count=MAX_TOKENS),
        # parse, budget, validate, cached by text (in place of ParserCache and ValidationCache, which keep any
        # document they see): a document over the budget meets no standard rule and is never kept; a trusted
        # document (core/trusted.py) was checked once when it was loaded and runs as it was parsed then
        trusted.extension(budget, index),
        StringLiteralGuard(),
    ]
    if production:
        from strawberry.extensions import DisableIntrospection

        extensions += [DisableIntrospection(), HideSuggestions]
    built = strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
        execution_context_class=SuggestionFreeExecution if production else LeafFastExecution,
    )
    # Every object type implementing Node checks its domain's visibility rule on every path (core.access).
    guard_schema(built._schema)
    # Plain resolver fields skip Strawberry's per-field wrapper (core.fastfields).
    direct_fields(built._schema)
    index.bind(built._schema)
    return built, index


schema = build_schema()
