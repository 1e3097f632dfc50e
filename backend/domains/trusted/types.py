"""GraphQL types of third-party trusted documents (platform administrators only)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.core.gql import PayloadError, error_type
from backend.domains.trusted import models
from backend.domains.trusted.errors import TrustedCode


@error_type("TrustedDocument", TrustedCode)
class TrustedDocumentError(PayloadError):
    pass


@strawberry.type(description="A document a third-party app may run by id (GraphQL over HTTP persisted documents).")
class TrustedDocument:
    app: str = strawberry.field(description="The app it is registered for.")
    document_id: str = strawberry.field(
        description="What the app sends as `documentId` (\"sha256:<hex>\"); Apollo clients send the hex part as "
                    "`extensions.persistedQuery.sha256Hash`.")
    body: str = strawberry.field(description="The document's text.")
    created_at: datetime = strawberry.field(description="When it was first registered (UTC).")
    _pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, m: models.TrustedDocument) -> TrustedDocument:
        return cls(_pk=m.id, app=m.app, document_id=m.document_id, body=m.body, created_at=m.created_at)


@strawberry.type(description="Result of registering trusted documents.")
class TrustedDocumentsRegisterPayload:
    documents: list[TrustedDocument] | None = strawberry.field(
        description="The app's documents for the bodies given, in their order (duplicates once).")
    errors: list[TrustedDocumentError] = strawberry.field(description="Why it did not work.")


@strawberry.type(description="Result of withdrawing trusted documents.")
class TrustedDocumentWithdrawPayload:
    withdrawn_count: int | None = strawberry.field(description="How many of the ids were standing for the app.")
    errors: list[TrustedDocumentError] = strawberry.field(description="Why it did not work.")
