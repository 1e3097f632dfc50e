"""The guard in front of multipart (file upload) GraphQL requests: CSRF-safe, signed in, bounded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from backend.core.errors import Codes
from backend.core.storage import MAX_UPLOAD_BYTES, UPLOAD_OVERHEAD

CSRF_HEADERS = ("x-courtyard-csrf", "apollo-require-preflight")
# The largest file of any upload (a short video; each mutation checks its own limit, the Excel import 5 MB)
# plus the operations and map parts and multipart framing.
MAX_UPLOAD_REQUEST = MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD
Authenticate = Callable[[str | None], Awaitable[tuple[Any, str | None]]]


def refuse(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


async def upload_refusal(request: Request, authenticate: Authenticate) -> Response | None:
    """Refuse a multipart request unless it is CSRF-safe, signed in and small enough; None lets it through.

    A browser sends multipart/form-data cross-site without a preflight; a custom header forces one, so a
    page on another origin cannot make a signed-in console upload a file. Strawberry 0.341 has no such check.
    The authentication result is kept in `request.state.auth` so the GraphQL context does not repeat it.
    """
    if request.method != "POST" or not request.headers.get("content-type", "").lower().startswith("multipart/"):
        return None
    if not any(request.headers.get(h, "").strip() for h in CSRF_HEADERS):
        return refuse("CSRF_HEADER_REQUIRED", "Uploads need the header x-courtyard-csrf: 1", 400)
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        return refuse("LENGTH_REQUIRED", "Uploads need a Content-Length", 411)
    if int(length) > MAX_UPLOAD_REQUEST:
        return refuse("FILE_TOO_LARGE", f"At most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB", 413)
    principal, error = request.state.auth = await authenticate(request.headers.get("authorization"))
    if principal is None:
        return refuse(error or Codes.UNAUTHENTICATED, "Sign in to upload", 401)
    return None
