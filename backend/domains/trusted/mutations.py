"""Thin mutation resolvers: platform administrators register and withdraw third-party apps' documents."""

from __future__ import annotations

from typing import Any

import strawberry

from backend.core.gql import Info, run_mutation
from backend.core.permissions import require_platform_admin
from backend.domains.trusted import service
from backend.domains.trusted.types import (
    TrustedDocument,
    TrustedDocumentError,
    TrustedDocumentsRegisterPayload,
    TrustedDocumentWithdrawPayload,
)


@strawberry.type
class TrustedMutation:
    @strawberry.mutation(description="Let a third-party app run these documents by id (at most 100; each must "
                                     "validate against the schema; registering one again changes nothing) (platform).")
    async def trusted_documents_register(self, info: Info, app: str,
                                         documents: list[str]) -> TrustedDocumentsRegisterPayload:
        async def run() -> dict[str, Any]:
            uid = require_platform_admin(info.context)
            rows = await service.register(app=app, bodies=documents, actor_id=uid)
            return {"documents": [TrustedDocument.from_model(r) for r in rows], "_audit": {
                "target_type": "TrustedDocument", "platform": True,
                "summary": {"app": app, "ids": [r.document_id for r in rows]}}}

        # atomic=False: the documents are parsed and validated (CPU) before the service's own short transaction
        return await run_mutation(info, TrustedDocumentsRegisterPayload, TrustedDocumentError, run,
                                  audit="trustedDocument.register", atomic=False)

    @strawberry.mutation(description="Stop a third-party app's documents from running, at once (at most 100 ids) "
                                     "(platform).")
    async def trusted_document_withdraw(self, info: Info, app: str,
                                        ids: list[str]) -> TrustedDocumentWithdrawPayload:
        async def run() -> dict[str, Any]:
            require_platform_admin(info.context)
            count = await service.withdraw(app=app, document_ids=ids)
            return {"withdrawn_count": count, "_audit": {
                "target_type": "TrustedDocument", "platform": True, "summary": {"app": app, "ids": ids}}}

        return await run_mutation(info, TrustedDocumentWithdrawPayload, TrustedDocumentError, run,
                                  audit="trustedDocument.withdraw")
