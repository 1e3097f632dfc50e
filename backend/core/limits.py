"""Bound a GraphQL document before graphql-core validates it, in linear time; hide suggestions in production.

Strawberry's depth and alias limiters walk every path with fragments expanded, so a 1 KB document of fragments
that each spread the next one four times costs 4^levels. Here each fragment is measured once, dependencies
first, and a spread adds the fragment's figures (memoized integers, capped), so the work is one pass over the
document however large its expansion. Every operation of the document is measured, since a verdict is cached
by document text whatever operation name comes with it.

Per operation, with fragments inlined:
- depth: field nesting below the root, as strawberry's `QueryDepthLimiter` counts it (`{ a { b } }` is 1;
  introspection fields such as `__schema` are not counted, so GraphiQL keeps working in development);
- aliases: aliased fields, each spread counted again;
- fields: every field, each spread counted again (what validation and execution would visit);
- cost: an estimate of the work. A field costs 1 plus its selection times a multiplier: a field with a
  `first`/`last` argument multiplies by its literal value (0 counts as 1), by the argument's default when it
  is absent, or by the largest page (100) when it is a variable; any other list field multiplies by 20,
  except the `edges`/`nodes` lists of a connection (a type with `pageInfo`): its connection field has paid.
  `@skip`/`@include` are ignored (their variables are unknown here): everything written counts.

Also refused before validation, as GRAPHQL_VALIDATION_FAILED: fragment cycles, empty selection sets and input
object literals wider than any input type (where graphql-core's own work or messages blow up). What is left
to graphql-core is linear, except field merging, which runs on a smaller budget (`OVERLAP_BUDGET`).

`BudgetedDocuments` runs it all per request (parse, budget, validate), cached by document text in a cache that
keeps only documents within the budget and at most a fixed number of tokens of them (see `DocumentCache`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    get_named_type,
    get_nullable_type,
    is_input_object_type,
    is_list_type,
    parse,
)
from graphql.validation import ASTValidationRule, OverlappingFieldsCanBeMergedRule, ValidationContext
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from backend.core.fastfields import LeafFastExecution
from backend.core.pagination import MAX_PAGE

LIST_SIZE = 20  # the assumed length of a list field that has no `first`/`last`
CAP = 10**9  # figures saturate here: an expansion can be astronomically large, the arithmetic stays small
# Field-merging comparisons graphql-core may make for one document (its own default, 500,000, is ~0.7 s of CPU
# on `{ viewer { a } viewer { a } ... }`, ~1.3 µs a unit). The console's documents spend under 100.
OVERLAP_BUDGET = 5_000


@dataclass(frozen=True, slots=True)
class Measure:
    """One operation's figures with its fragments inlined (fields and cost saturate at CAP)."""

    name: str | None
    depth: int
    aliases: int
    fields: int
    cost: int


class InvalidDocument(Exception):
    """A document no operation can run: a fragment that spreads itself (it has no finite expansion), or an
    empty selection set (the grammar wants one selection or more; graphql-core 3.3 lets it through)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def measure(document: DocumentNode, schema: GraphQLSchema) -> list[Measure]:
    """Figures for every operation of `document`, each fragment measured once; raises InvalidDocument."""
    fragments: dict[str, FragmentDefinitionNode] = {}
    operations: list[OperationDefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments.setdefault(definition.name.value, definition)  # a duplicate is a validation error
        elif isinstance(definition, OperationDefinitionNode):
            operations.append(definition)
    summaries: dict[str, _Summary] = {}
    for name in _dependencies_first(fragments):
        fragment = fragments[name]
        parent = schema.get_type(fragment.type_condition.name.value)
        summaries[name] = _summarize(fragment.selection_set, parent, summaries, schema)
    measures = []
    for operation in operations:
        s = _summarize(operation.selection_set, schema.get_root_type(operation.operation), summaries, schema)
        op_name = operation.name.value if operation.name else None
        measures.append(Measure(op_name, s.depth, s.aliases, s.fields, s.cost))
    return measures


# ------------------------------------------------------------------------------------------------ the walk


class _Summary:
    """Running figures of one selection set; `multiplier`/`counts_depth` say how it joins its parent field."""

    __slots__ = ("aliases", "cost", "counts_depth", "depth", "fields", "is_field", "multiplier", "parent",
                 "selections")

    def __init__(self, selection_set: SelectionSetNode, parent: Any, *, is_field: bool = False,
                 multiplier: int = 1, counts_depth: bool = True) -> None:
        if not selection_set.selections:
            loc = selection_set.loc
            where = f" (line {loc.start_token.line})" if loc else ""
            raise InvalidDocument(f"A selection set must not be empty{where}.")
        self.selections = iter(selection_set.selections)
        self.parent = parent
        self.is_field = is_field
        self.multiplier = multiplier
        self.counts_depth = counts_depth
        self.depth = self.aliases = self.fields = self.cost = 0

    def add(self, child: _Summary) -> None:
        """Fold a finished child in: a field's selection, an inline fragment or a fragment spread."""
        if child.is_field:
            self.depth = max(self.depth, 1 + child.depth if child.counts_depth else 0)
            self.cost = min(CAP, self.cost + (1 + child.multiplier * child.cost if child.counts_depth else 1))
        else:
            self.depth = max(self.depth, child.depth)
            self.cost = min(CAP, self.cost + child.cost)
        self.aliases = min(CAP, self.aliases + child.aliases)
        self.fields = min(CAP, self.fields + child.fields)


def _summarize(selection_set: SelectionSetNode, parent: Any, fragments: dict[str, _Summary],
               schema: GraphQLSchema) -> _Summary:
    """One definition's figures, walked with an explicit stack (a chain of nested selections may be long)."""
    root = _Summary(selection_set, parent)
    stack = [root]
    while stack:
        top = stack[-1]
        node = next(top.selections, None)
        if node is None:
            stack.pop()
            if stack:
                stack[-1].add(top)
            continue
        if isinstance(node, FieldNode):
            top.fields = min(CAP, top.fields + 1)
            if node.alias:
                top.aliases = min(CAP, top.aliases + 1)
            field = _field(top.parent, node.name.value)
            if node.selection_set is None:
                top.cost = min(CAP, top.cost + 1)
                continue
            child_type = get_named_type(field.type) if field else None
            stack.append(_Summary(node.selection_set, child_type, is_field=True,
                                  multiplier=_multiplier(top.parent, field, node),
                                  counts_depth=not node.name.value.startswith("__")))
        elif isinstance(node, InlineFragmentNode):
            condition = node.type_condition
            inner = schema.get_type(condition.name.value) if condition else top.parent
            stack.append(_Summary(node.selection_set, inner))
        elif isinstance(node, FragmentSpreadNode):
            spread = fragments.get(node.name.value)
            if spread is not None:  # an unknown fragment is a validation error; it adds nothing here
                top.add(spread)
    return root


def _dependencies_first(fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """Fragment names ordered so that each comes after every fragment it spreads; raises InvalidDocument."""
    spreads = {name: [s for s in _spread_names(f.selection_set) if s in fragments]
               for name, f in fragments.items()}
    order: list[str] = []
    done: set[str] = set()
    for start in fragments:
        if start in done:
            continue
        path = {start}
        stack = [(start, iter(spreads[start]))]
        while stack:
            name, pending = stack[-1]
            nxt = next(pending, None)
            if nxt is None:
                stack.pop()
                path.discard(name)
                done.add(name)
                order.append(name)
            elif nxt in path:
                raise InvalidDocument(f"Cannot spread fragment '{nxt}' within itself.")
            elif nxt not in done:
                path.add(nxt)
                stack.append((nxt, iter(spreads[nxt])))
    return order


def _spread_names(selection_set: SelectionSetNode) -> list[str]:
    names: dict[str, None] = {}
    stack = [selection_set]
    while stack:
        for node in stack.pop().selections:
            if isinstance(node, FragmentSpreadNode):
                names[node.name.value] = None
            elif (inner := getattr(node, "selection_set", None)) is not None:
                stack.append(inner)
    return list(names)


def _field(parent: Any, name: str) -> GraphQLField | None:
    fields = getattr(parent, "fields", None)  # unions and scalars have none; validation reports those
    return fields.get(name) if isinstance(fields, dict) else None


def _multiplier(parent: Any, field: GraphQLField | None, node: FieldNode) -> int:
    if field is None:
        return 1
    for name in ("first", "last"):
        if name not in field.args:
            continue
        value = next((a.value for a in node.arguments or () if a.name.value == name), None)
        if value is None:
            default = field.args[name].default_value
            return max(1, min(default, MAX_PAGE)) if isinstance(default, int) else MAX_PAGE
        if isinstance(value, IntValueNode) and len(value.value) <= 6:
            return max(1, min(int(value.value), MAX_PAGE))
        return MAX_PAGE  # a variable (or a wrong literal, which validation refuses)
    in_connection = "pageInfo" in (getattr(parent, "fields", None) or {})
    if is_list_type(get_nullable_type(field.type)) and not in_connection:
        return LIST_SIZE
    return 1


def widest_object(document: DocumentNode) -> int:
    """The most fields of any input object literal in `document`: arguments, directives, variable defaults."""
    values: list[ValueNode] = []
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        for directive in getattr(node, "directives", None) or ():
            values.extend(argument.value for argument in directive.arguments or ())
        if isinstance(node, FieldNode):
            values.extend(argument.value for argument in node.arguments or ())
        elif isinstance(node, OperationDefinitionNode):
            for variable in node.variable_definitions or ():
                stack.append(variable)
                if variable.default_value is not None:
                    values.append(variable.default_value)
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    widest = 0
    while values:
        value = values.pop()
        if isinstance(value, ObjectValueNode):
            widest = max(widest, len(value.fields or ()))
            values.extend(field.value for field in value.fields or ())
        elif isinstance(value, ListValueNode):
            values.extend(value.values or ())
    return widest


@functools.lru_cache(maxsize=8)
def widest_input_type(schema: GraphQLSchema) -> int:
    """The most fields of any input type of `schema`: a literal with more is invalid whatever its type."""
    return max((len(t.fields) for t in schema.type_map.values() if is_input_object_type(t)), default=0)


# ------------------------------------------------------------------------------------------ the extension


class QueryBudget:
    """The limits and the document cache: one per schema, shared by every request."""

    def __init__(self, *, max_depth: int, max_aliases: int, max_fields: int, max_cost: int,
                 cache: DocumentCache | None = None) -> None:
        self.max_depth = max_depth
        self.max_aliases = max_aliases
        self.max_fields = max_fields
        self.max_cost = max_cost
        self.documents = cache or DocumentCache()

    def verdict(self, document: DocumentNode, schema: GraphQLSchema) -> tuple[str, str] | None:
        """(code, message) for the first operation over a limit, or None."""
        try:
            measures = measure(document, schema)
        except InvalidDocument as invalid:
            return "GRAPHQL_VALIDATION_FAILED", invalid.message
        # graphql-core prints the whole object into the error for each of its unknown fields (100 errors of
        # a 600-field literal: 0.25 s); no object literal can validly have more fields than any input type.
        widest, allowed = widest_object(document), widest_input_type(schema)
        if widest > allowed:
            return ("GRAPHQL_VALIDATION_FAILED",
                    f"An input object value has {widest} fields; no input type has more than {allowed}.")
        for m in measures:
            for code, value, limit, name in (("QUERY_TOO_DEEP", m.depth, self.max_depth, "depth"),
                                             ("TOO_MANY_ALIASES", m.aliases, self.max_aliases, "aliases"),
                                             ("QUERY_TOO_COMPLEX", m.fields, self.max_fields, "fields"),
                                             ("QUERY_TOO_COMPLEX", m.cost, self.max_cost, "estimated cost")):
                if value > limit:
                    what = f"Operation '{m.name}'" if m.name else "The operation"
                    return code, (f"{what} is over the {name} limit, fragments inlined: "
                                  f"{_count(value)} > {limit:,}.")
        return None

    def extension(self) -> Any:
        """A factory for `Schema(extensions=[...])`: a fresh extension per request, the cache shared."""

        def factory() -> BudgetedDocuments:
            return BudgetedDocuments(self)

        return factory


def _count(n: int) -> str:
    return f"at least {CAP:,}" if n >= CAP else f"{n:,}"


Rules = tuple[type[ASTValidationRule], ...]


@dataclass(slots=True)
class _Entry:
    verdict: tuple[str, str] | None  # (code, message) when the budget refuses the document
    document: DocumentNode | None  # kept only when the budget lets it through
    tokens: int
    errors: dict[Rules, list[GraphQLError]] = dataclasses.field(default_factory=dict)


class DocumentCache:
    """Verdicts, parsed documents and validation errors by document text: an LRU of `max_entries` that holds
    at most `max_tokens` tokens of documents in all, and only documents within the budget. A full garbage
    collection walks every object held: 512 cached 2,000-token documents (what strawberry's ParserCache keeps
    after a flood of renamed ones) took it from 25 ms to 1.6 s, on the event loop."""

    def __init__(self, max_entries: int = 512, max_tokens: int = 30_000, max_chars: int = 64 * 1024) -> None:
        self.max_entries = max_entries
        self.max_tokens = max_tokens
        self.max_chars = max_chars
        self.tokens = 0
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def get(self, text: str) -> _Entry | None:
        entry = self._entries.get(text)
        if entry is not None:
            with contextlib.suppress(KeyError):  # evicted meanwhile by a thread running execute_sync
                self._entries.move_to_end(text)
        return entry

    def put(self, text: str, entry: _Entry) -> None:
        if len(text) > self.max_chars or entry.tokens > self.max_tokens:
            return
        previous = self._entries.pop(text, None)
        self.tokens += entry.tokens - (previous.tokens if previous else 0)
        self._entries[text] = entry
        while len(self._entries) > self.max_entries or self.tokens > self.max_tokens:
            self.tokens -= self._entries.popitem(last=False)[1].tokens


def _tokens(document: DocumentNode) -> int:
    """Tokens of a parsed document: each is an object the document keeps alive through its locations."""
    count, token = 0, document.loc.start_token if document.loc else None
    while token is not None:
        count, token = count + 1, token.next
    return count


class BudgetedDocuments(SchemaExtension):
    """Parse, measure, validate, each cached by text: strawberry's ParserCache and ValidationCache in one, with
    the budget in between. A document over the budget gets its error without any standard rule running on
    it; the error goes in as a validation error rather than being raised, so it is an ordinary GraphQL error
    over HTTP and over WebSocket alike."""

    def __init__(self, budget: QueryBudget) -> None:
        super().__init__()
        self.budget = budget
        self.entry: _Entry | None = None

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.query is not None:
            self.entry = self.budget.documents.get(ctx.query)
            if self.entry is not None and self.entry.document is not None:
                ctx.graphql_document = self.entry.document
            else:  # a syntax error raises, as under ParserCache: CodedErrors codes it GRAPHQL_PARSE_FAILED
                ctx.graphql_document = parse(ctx.query, **ctx.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document, entry = ctx.graphql_document, self.entry
        if document is not None and entry is None:
            verdict = self.budget.verdict(document, ctx.schema._schema)
            entry = _Entry(verdict, None, 0) if verdict else _Entry(None, document, _tokens(document))
            if ctx.query is not None:
                self.budget.documents.put(ctx.query, entry)
        if entry is not None and entry.verdict is not None:
            code, message = entry.verdict
            ctx.pre_execution_errors = [GraphQLError(message, extensions={"code": code})]
        elif entry is not None and document is not None:
            rules = bounded_rules(ctx.validation_rules)
            errors = entry.errors.get(rules)
            if errors is None:
                errors = entry.errors[rules] = validate_document(ctx.schema._schema, document, rules)
            ctx.pre_execution_errors = list(errors)
        yield


class BoundedOverlappingFieldsRule(OverlappingFieldsCanBeMergedRule):
    """graphql-core's field-merging rule on a budget of OVERLAP_BUDGET comparisons: the only standard rule
    whose work grows faster than the document (pairs of same-named fields), bounded by its own counter."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.rule_context.remaining_complexity_budget = OVERLAP_BUDGET

    def enter_selection_set(self, *args: Any) -> None:
        try:
            super().enter_selection_set(*args)
        except ValidationAbortedError:
            if self.rule_context.remaining_complexity_budget >= 0:
                raise  # the error limit, not ours
            raise ValidationAbortedError(
                "Too many fields with the same response name to compare; validation aborted.",
                extensions={"code": "QUERY_TOO_COMPLEX"},
            ) from None


def bounded_rules(rules: Rules) -> Rules:
    """`rules` with the field-merging rule on its budget."""
    return tuple(BoundedOverlappingFieldsRule if r is OverlappingFieldsCanBeMergedRule else r for r in rules)


# ----------------------------------------------------------------------------------- no suggestions in prod


class _HideSuggestionsRule(ASTValidationRule):
    """Turns on graphql-core's own `hide_suggestions` for the whole validation run (strawberry never passes
    it); every rule that suggests (fields, arguments, types, enum values, input fields) reads it."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        context._hide_suggestions = True  # what validate(..., hide_suggestions=True) would set


class HideSuggestions(SchemaExtension):
    """No "Did you mean" in validation errors; pair it with `SuggestionFreeExecution` for variable values."""

    def on_operation(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.validation_rules = (*ctx.validation_rules, _HideSuggestionsRule)  # equal tuples: the cache hits
        yield


class SuggestionFreeExecution(LeafFastExecution):
    """Strawberry's executor with `hide_suggestions` on: coercing variables (an unknown enum value or input
    field passed in `variables`) suggests nothing either."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        kwargs["hide_suggestions"] = True
        return super().build(*args, **kwargs)
