"""Trusted documents: operations sent by id (GraphQL over HTTP's persisted documents, Apollo's persisted queries).

A trusted document is parsed, measured (core/limits.py) and validated once, when it is loaded (the manifest the
front end's codegen writes, read at start) or first used (a third-party app's document, registered by a platform
admin in the database); requests naming it by id run the DocumentNode kept then, with no parse and no validation.
The content of an id never changes (the id is its SHA-256), so what is kept never goes stale: whether an id may be
used is the only thing that changes (a withdrawn registration), and that is asked of the database on each use.

`TRUSTED_DOCUMENTS` (settings) says who must send ids: nobody (`off`), anonymous and owner callers (`owners`: a
caller without a staff membership in the token's company who is no platform admin), or everyone (`all`).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, GraphQLSyntaxError, parse, specified_rules
from strawberry.schema.schema import validate_document

from backend.core.limits import BudgetedDocuments, QueryBudget, bounded_rules

if TYPE_CHECKING:
    from backend.core.context import Principal

log = logging.getLogger("courtyard.trusted")

ID_PREFIX = "sha256:"
_ID = re.compile(r"sha256:[0-9a-f]{64}")
_HEX = re.compile(r"[0-9a-f]{64}")
# Third-party documents kept parsed in a process (each a few KB of AST); a miss parses and validates again.
MAX_CACHED = 1000


class TrustedCode:
    """Codes of refused requests (`errors[].extensions.code`), alongside core.envelope.EnvelopeCode's."""

    BAD_REQUEST = "BAD_REQUEST"  # a malformed id (core.envelope's code)
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    TRUSTED_DOCUMENT_REQUIRED = "TRUSTED_DOCUMENT_REQUIRED"
    DOCUMENT_ID_MISMATCH = "DOCUMENT_ID_MISMATCH"


class TrustRefusal(Exception):
    """A request the trusted-document rules refuse: a code and a message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class UntrustworthyDocument(Exception):
    """A document that cannot be trusted: it does not parse, is over the budget or does not validate."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def document_id(text: str) -> str:
    """The document's identifier: `sha256:` and the hex SHA-256 of its UTF-8 text (GraphQL over HTTP)."""
    return ID_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_document_id(value: object) -> bool:
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def from_apollo_hash(value: object) -> str | None:
    """Apollo's `persistedQuery.sha256Hash` (64 lowercase hex digits) as a document id; None when malformed."""
    return ID_PREFIX + value if isinstance(value, str) and _HEX.fullmatch(value) else None


def named_id(params: Mapping[str, Any]) -> str | None:
    """The trusted document a request's parameters name, `documentId` or `extensions.persistedQuery` (they must
    agree when both are given), or None; raises TrustRefusal (BAD_REQUEST, DOCUMENT_ID_MISMATCH)."""
    named = params.get("documentId")
    if named is not None and not is_document_id(named):
        raise TrustRefusal(TrustedCode.BAD_REQUEST, "`documentId` must be \"sha256:\" and 64 lowercase hex digits")
    extensions = params.get("extensions")
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if persisted is None:
        return named
    hashed = from_apollo_hash(persisted.get("sha256Hash")) if isinstance(persisted, dict) else None
    if hashed is None or persisted.get("version") != 1:
        raise TrustRefusal(TrustedCode.BAD_REQUEST,
                           "`extensions.persistedQuery` must be {version: 1, sha256Hash: <64 lowercase hex>}")
    if named is not None and named != hashed:
        raise TrustRefusal(TrustedCode.DOCUMENT_ID_MISMATCH,
                           "`documentId` and `extensions.persistedQuery` name different documents")
    return hashed


def must_send_ids(mode: str, principal: Principal | None) -> bool:
    """Whether this caller may run only trusted documents under `mode`."""
    if mode == "all":
        return True
    if mode == "owners":
        return principal is None or not (principal.is_platform_admin or principal.staff_id is not None)
    return False


@dataclass(frozen=True, slots=True)
class TrustedDocument:
    """A document checked once: its id, its text and the parsed document every request by id runs."""

    id: str
    text: str
    document: DocumentNode


class TrustedIndex:
    """The trusted documents of one schema: the shipped manifest (all of it) and recently used third-party ones
    (an LRU of MAX_CACHED), by id and by text."""

    def __init__(self, budget: QueryBudget, *, max_tokens: int, rules: tuple[Any, ...] = ()) -> None:
        self.budget = budget
        self.max_tokens = max_tokens
        # graphql-core's rules, strawberry's own, and the project's extra ones (string literals): a document
        # valid under all of them is valid under whatever subset a request would have run.
        self.rules = bounded_rules((*specified_rules, *rules))
        self.schema: GraphQLSchema | None = None
        self._shipped: dict[str, TrustedDocument] = {}
        self._cached: OrderedDict[str, TrustedDocument] = OrderedDict()
        self._by_text: dict[str, DocumentNode] = {}

    def bind(self, schema: GraphQLSchema) -> None:
        self.schema = schema

    def check(self, text: str) -> DocumentNode:
        """Parse, measure and validate `text` once; raises UntrustworthyDocument with the first problem."""
        assert self.schema is not None, "TrustedIndex.bind(schema) first"
        try:
            document = parse(text, max_tokens=self.max_tokens)
        except GraphQLSyntaxError as error:
            raise UntrustworthyDocument(error.message) from None
        verdict = self.budget.verdict(document, self.schema)
        if verdict is not None:
            raise UntrustworthyDocument(verdict[1])
        errors: list[GraphQLError] = validate_document(self.schema, document, self.rules)
        if errors:
            raise UntrustworthyDocument(errors[0].message)
        return document

    def load_manifest(self, path: Path) -> list[str]:
        """Trust every entry of a codegen manifest (`{"sha256:<hex>": text}`); returns the entries refused."""
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return [f"{path} is missing"]
        problems = []
        for key, text in entries.items():
            if not isinstance(text, str) or document_id(text) != key:
                problems.append(f"{key}: the id is not the SHA-256 of its text")
                continue
            try:
                document = self.check(text)
            except UntrustworthyDocument as bad:
                problems.append(f"{key}: {bad.message}")
                continue
            self._shipped[key] = TrustedDocument(key, text, document)
            self._by_text[text] = document
        return problems

    @property
    def shipped_ids(self) -> frozenset[str]:
        return frozenset(self._shipped)

    def shipped(self, doc_id: str) -> TrustedDocument | None:
        return self._shipped.get(doc_id)

    def admit(self, doc_id: str, text: str) -> TrustedDocument:
        """A registered document, parsed and validated on its first use in this process and kept (LRU)."""
        doc = self._cached.get(doc_id)
        if doc is not None:
            self._cached.move_to_end(doc_id)
            return doc
        doc = TrustedDocument(doc_id, text, self.check(text))
        self._cached[doc_id] = doc
        self._by_text.setdefault(text, doc.document)
        while len(self._cached) > MAX_CACHED:
            old = self._cached.popitem(last=False)[1]
            if old.id not in self._shipped:
                self._by_text.pop(old.text, None)
        return doc

    def parsed(self, text: str) -> DocumentNode | None:
        """The checked document of this exact text, if it is a trusted one."""
        return self._by_text.get(text)


class TrustedDocuments(BudgetedDocuments):
    """BudgetedDocuments that runs a trusted document's kept DocumentNode without parsing or validating it."""

    def __init__(self, budget: QueryBudget, index: TrustedIndex) -> None:
        super().__init__(budget)
        self.index = index
        self.trusted = False

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        document = self.index.parsed(ctx.query) if ctx.query is not None else None
        if document is None:
            yield from super().on_parse()
            return
        self.trusted = True
        ctx.graphql_document = document
        yield

    def on_validate(self) -> Iterator[None]:
        if not self.trusted:
            yield from super().on_validate()
            return
        self.execution_context.pre_execution_errors = []  # validated when it was trusted
        yield


def extension(budget: QueryBudget, index: TrustedIndex) -> Callable[[], TrustedDocuments]:
    """A factory for `Schema(extensions=[...])`, in place of `budget.extension()`."""

    def factory() -> TrustedDocuments:
        return TrustedDocuments(budget, index)

    return factory


# Finds a registered third-party document's text by id, when some app's registration of it stands.
Registered = Callable[[str], Awaitable[str | None]]


class Gate:
    """What a request by id runs, and whether a request with text may run: one per app (installed at start)."""

    def __init__(self, index: TrustedIndex, registered: Registered, mode: Callable[[], str]) -> None:
        self.index = index
        self.registered = registered
        self.mode = mode

    async def find(self, doc_id: str) -> TrustedDocument | None:
        doc = self.index.shipped(doc_id)
        if doc is not None:
            return doc
        text = await self.registered(doc_id)
        if text is None:
            return None
        try:
            return self.index.admit(doc_id, text)
        except UntrustworthyDocument as bad:  # registered against an older schema
            log.warning("registered document %s no longer validates: %s", doc_id, bad.message)
            return None

    async def query_for(self, *, doc_id: str | None, query: str | None, principal: Principal | None) -> str | None:
        """The text to execute: the trusted document's for a known id; the request's own text when the caller may
        send text (also with an unknown id it is the hash of: an Apollo client's retry). Raises TrustRefusal."""
        may_send_text = not must_send_ids(self.mode(), principal)
        if doc_id is not None:
            doc = await self.find(doc_id)
            if doc is not None:
                return doc.text
            if query and may_send_text:  # its own text came along (core.envelope checked it is the id's): as text
                return query
            # Apollo's message: clients of automatic persisted queries recognise it.
            raise TrustRefusal(TrustedCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
        if not may_send_text:
            raise TrustRefusal(TrustedCode.TRUSTED_DOCUMENT_REQUIRED,
                               "Send a trusted document by id (documentId or extensions.persistedQuery)")
        return query


_gate: list[Gate] = []
# The gate of the app serving the current request or socket (set by the view), ahead of the process's.
SERVING: contextvars.ContextVar[Gate | None] = contextvars.ContextVar("courtyard_trusted_gate", default=None)


def install(gate: Gate) -> None:
    """Make `gate` the process's (create_app): what `current()` answers outside a request."""
    _gate[:] = [gate]


def current() -> Gate:
    """The gate of the app serving this request (registration admits what it checked there), else the process's."""
    gate = SERVING.get() or (_gate[0] if _gate else None)
    if gate is None:
        raise RuntimeError("no trusted-document gate installed (backend.main.create_app installs one)")
    return gate
