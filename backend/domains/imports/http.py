"""HTTP routes of imports and exports: templates and list exports."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backend.core.context import Context
from backend.core.errors import Codes, DomainError
from backend.core.permissions import require_user
from backend.core.uploads import refuse
from backend.domains.auth.service import authenticate
from backend.domains.imports.export import list_export
from backend.domains.imports.models import ImportKind
from backend.domains.imports.sheets import XLSX_MEDIA, template, write_workbook

log = logging.getLogger("courtyard.imports")
STATUS = {"UNAUTHENTICATED": 401, "TOKEN_INVALID": 401, "TOKEN_EXPIRED": 401, "TOKEN_REVOKED": 401,
          "FORBIDDEN": 403, "NOT_FOUND": 404}


async def template_download(request: Request) -> Response:
    """GET /api/import-templates/{kind}.xlsx: no sign-in needed, the template holds no data."""
    try:
        kind = ImportKind(request.path_params["kind"].lower())
    except ValueError:
        return refuse(Codes.NOT_FOUND, "No such template", 404)
    data = await asyncio.to_thread(template, kind)
    return Response(data, media_type=XLSX_MEDIA, headers={
        "content-disposition": f'attachment; filename="{kind.value}-template.xlsx"',
        "cache-control": "no-cache",
    })


async def export_download(request: Request) -> Response:
    """GET /api/export/{list}.xlsx?filters: the list as the caller sees it through GraphQL (Bearer token)."""
    name = request.path_params["list"]
    ctx = Context(request=request, ip=request.client.host if request.client else "",
                  user_agent=request.headers.get("user-agent", "")[:255])
    ctx.authorization = request.headers.get("authorization")
    ctx.principal, ctx.auth_error = await authenticate(ctx.authorization)
    params = dict(request.query_params)
    try:
        require_user(ctx)
        header, rows, truncated = await list_export(ctx, name, params)
    except DomainError as exc:
        body: dict[str, Any] = {"message": exc.message, "extensions": {"code": exc.code}}
        if exc.field:
            body["extensions"]["field"] = exc.field
        return JSONResponse({"errors": [body]}, status_code=STATUS.get(exc.code, 400))
    data = await asyncio.to_thread(write_workbook, [(name[:31], header, rows)])
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    headers = {"content-disposition": f'attachment; filename="{name}-{stamp}.xlsx"', "cache-control": "no-store",
               "x-courtyard-rows": str(len(rows))}
    if truncated:
        headers["x-courtyard-truncated"] = "1"
    return Response(data, media_type=XLSX_MEDIA, headers=headers)


def routes() -> list[Route]:
    """The routes to mount before the console's catch-all."""
    return [
        Route("/api/import-templates/{kind}.xlsx", template_download, methods=["GET"]),
        Route("/api/export/{list}.xlsx", export_download, methods=["GET"]),
    ]
