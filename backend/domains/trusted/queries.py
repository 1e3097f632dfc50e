"""Thin resolvers for third-party trusted documents: platform administrators only (access.documents_of)."""

from __future__ import annotations

import strawberry

from backend.core.gql import Info
from backend.core.pagination import Connection, paginate
from backend.domains.trusted import service
from backend.domains.trusted.access import documents_of
from backend.domains.trusted.types import TrustedDocument


@strawberry.type
class TrustedQuery:
    @strawberry.field(description="Third-party apps' standing trusted documents, oldest first; one app's when "
                                  "`app` is given (platform).")
    async def trusted_documents(self, info: Info, app: str | None = None, first: int | None = 20,
                                after: str | None = None) -> Connection[TrustedDocument]:
        qs = documents_of(info.context, None if app is None else service.check_app(app))
        return await paginate(qs, first=first, after=after, to_node=TrustedDocument.from_model)
