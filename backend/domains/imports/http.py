"""HTTP routes of imports and exports: templates, list exports, and the guard on multipart uploads."""

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
from backend.core.storage import MAX_UPLOAD_BYTES, UPLOAD_OVERHEAD
from backend.domains.auth.service import authenticate
from backend.domains.imports.export import export_rows
from backend.domains.imports.models import ImportKind
from backend.domains.imports.sheets import MAX_FILE_BYTES, XLSX_MEDIA, template, write_workbook

log = logging.getLogger("courtyard.imports")
CSRF_HEADERS = ("x-courtyard-csrf", "apollo-require-preflight")
# The largest file of any upload (a short video; each mutation checks its own limit, the Excel import 5 MB)
# plus the operations and map parts and multipart framing.
MAX_UPLOAD_REQUEST = max(MAX_FILE_BYTES, MAX_UPLOAD_BYTES) + UPLOAD_OVERHEAD
STATUS = {"UNAUTHENTICATED": 401, "TOKEN_INVALID": 401, "TOKEN_EXPIRED": 401, "TOKEN_REVOKED": 401,
          "FORBIDDEN": 403, "NOT_FOUND": 404}


def _refuse(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


async def upload_refusal(request: Request) -> Response | None:
    """Refuse a multipart (file upload) GraphQL request unless it is CSRF-safe, signed in and small enough.

    A browser sends multipart/form-data cross-site without a preflight; a custom header forces one, so a
    page on another origin cannot make a signed-in console upload a file. Strawberry 0.341 has no such check.
    """
    if request.method != "POST" or not request.headers.get("content-type", "").lower().startswith("multipart/"):
        return None
    if not any(request.headers.get(h, "").strip() for h in CSRF_HEADERS):
        return _refuse("CSRF_HEADER_REQUIRED", "Uploads need the header x-courtyard-csrf: 1", 400)
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        return _refuse("LENGTH_REQUIRED", "Uploads need a Content-Length", 411)
    if int(length) > MAX_UPLOAD_REQUEST:
        return _refuse("FILE_TOO_LARGE", f"At most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB", 413)
    principal, error = await authenticate(request.headers.get("authorization"))
    if principal is None:
        return _refuse(error or Codes.UNAUTHENTICATED, "Sign in to upload", 401)
    return None


async def template_download(request: Request) -> Response:
    """GET /api/import-templates/{kind}.xlsx: no sign-in needed, the template holds no data."""
    try:
        kind = ImportKind(request.path_params["kind"].lower())
    except ValueError:
        return _refuse(Codes.NOT_FOUND, "No such template", 404)
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
        header, rows, truncated = await export_rows(ctx, name, params)
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
