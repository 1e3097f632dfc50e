"""Register and withdraw third-party apps' trusted documents; find a standing one by id (core/trusted.py asks)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from backend.core import trusted
from backend.core.errors import Codes, DomainError
from backend.domains.trusted.errors import TrustedCode
from backend.domains.trusted.models import TrustedDocument

MAX_DOCUMENTS = 100  # per call, registered or withdrawn
MAX_BODY_CHARS = 64 * 1024  # the document cache's own bound (core/limits.py)
_APP = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def check_app(app: str) -> str:
    """An app name: lowercase letters, digits, `.`, `_`, `-`, at most 64, starting with a letter or digit."""
    if not _APP.fullmatch(app):
        raise DomainError(Codes.INVALID, "Lowercase letters, digits, '.', '_' and '-', at most 64", "app")
    return app


async def register(*, app: str, bodies: list[str], actor_id: int) -> list[TrustedDocument]:
    """Trust `bodies` for `app`, each checked against the live schema first; registering one again changes nothing
    (a withdrawn one stands again). Returns the app's rows for them, in the order given."""
    check_app(app)
    if not bodies:
        raise DomainError(Codes.REQUIRED, "Give at least one document", "documents")
    if len(bodies) > MAX_DOCUMENTS:
        raise DomainError(Codes.TOO_LONG, f"At most {MAX_DOCUMENTS} documents", "documents")
    index = trusted.current().index
    ids = []
    for i, body in enumerate(bodies):  # CPU work, before any transaction
        if len(body) > MAX_BODY_CHARS:
            raise DomainError(Codes.TOO_LONG, f"At most {MAX_BODY_CHARS} characters", f"documents.{i}")
        try:  # parsed and validated once: this process runs it from now on without either
            ids.append(index.admit(trusted.document_id(body), body).id)
        except trusted.UntrustworthyDocument as bad:
            raise DomainError(TrustedCode.INVALID_DOCUMENT, bad.message, f"documents.{i}") from None
    async with in_transaction():
        existing = {d.document_id: d for d in await TrustedDocument.filter(app=app, document_id__in=ids)}
        for doc_id, body in zip(ids, bodies, strict=True):
            row = existing.get(doc_id)
            if row is None:
                existing[doc_id] = await TrustedDocument.create(app=app, document_id=doc_id, body=body,
                                                                created_by_id=actor_id)
            elif row.withdrawn_at is not None:
                row.withdrawn_at = None
                await row.save(update_fields=["withdrawn_at"])
    return [existing[doc_id] for doc_id in dict.fromkeys(ids)]


async def withdraw(*, app: str, document_ids: list[str]) -> int:
    """Stop `app`'s documents with these ids from running, at once in every process; returns how many stood."""
    check_app(app)
    if len(document_ids) > MAX_DOCUMENTS:
        raise DomainError(Codes.TOO_LONG, f"At most {MAX_DOCUMENTS} ids", "ids")
    for i, doc_id in enumerate(document_ids):
        if not trusted.is_document_id(doc_id):
            raise DomainError(Codes.INVALID_ID, "\"sha256:\" and 64 lowercase hex digits", f"ids.{i}")
    return await TrustedDocument.filter(app=app, document_id__in=document_ids, withdrawn_at=None).update(
        withdrawn_at=datetime.now(UTC))


async def standing_body(*, document_id: str) -> str | None:
    """The text of a document some app's registration still stands for, or None (one indexed read per request)."""
    row = await TrustedDocument.filter(document_id=document_id, withdrawn_at=None).first().values("body")
    return row["body"] if row else None
