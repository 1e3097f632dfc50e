"""GET /api/files/{key}?exp=&sig=: a stored file by its signed, expiring URL (no sign-in: the URL is the grant)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from backend.core.runtime import get_storage
from backend.core.storage import (
    URL_PREFIX,
    LocalStorage,
    StorageKeyError,
    check_key,
    verify_signature,
)
from backend.domains.files import service


def _refuse(code: str, status: int) -> JSONResponse:
    return JSONResponse({"errors": [{"message": code.replace("_", " ").capitalize(), "extensions": {"code": code}}]},
                        status_code=status, headers={"cache-control": "no-store"})


async def file_download(request: Request) -> Response:
    key = request.path_params["key"]
    try:
        check_key(key)
    except StorageKeyError:
        return _refuse("NOT_FOUND", 404)
    remaining = verify_signature(key, request.query_params.get("exp", ""), request.query_params.get("sig", ""))
    if remaining is None:
        return _refuse("FORBIDDEN", 403)
    upload = await service.by_key(key)
    storage = get_storage()
    if upload is None or not await storage.exists(key):
        return _refuse("NOT_FOUND", 404)
    headers = {
        "x-content-type-options": "nosniff",
        "content-disposition": "inline",
        "cache-control": f"private, max-age={remaining}",
        # Even opened as a page, a stored file can run nothing.
        "content-security-policy": "default-src 'none'; sandbox",
    }
    if isinstance(storage, LocalStorage):  # byte ranges, which Safari needs to play a video
        return FileResponse(storage.path(key), media_type=upload.content_type, headers=headers)
    return StreamingResponse(storage.open(key), media_type=upload.content_type,
                             headers={**headers, "content-length": str(upload.size)})


def routes() -> list[Route]:
    """The routes to mount before the console's catch-all."""
    return [Route(URL_PREFIX + "{key:path}", file_download, methods=["GET", "HEAD"])]
