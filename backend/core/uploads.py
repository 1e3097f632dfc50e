"""The guard in front of multipart (file upload) GraphQL requests: CSRF-safe, signed in, bounded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from backend.core.envelope import (
    EnvelopeCode,
    EnvelopeError,
    check_params,
    check_value,
    parse_object,
    remember_parsed,
)
from backend.core.errors import Codes
from backend.core.storage import MAX_UPLOAD_BYTES, UPLOAD_OVERHEAD

CSRF_HEADERS = ("x-courtyard-csrf", "apollo-require-preflight")
# The largest file of any upload (a short video; each mutation checks its own limit, the Excel import 5 MB)
# plus the operations and map parts and multipart framing.
MAX_UPLOAD_REQUEST = MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD
MAX_UPLOAD_FILES = 1  # every Upload argument in the schema takes one file
Authenticate = Callable[[str | None], Awaitable[tuple[Any, str | None]]]


def refuse(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


async def upload_refusal(request: Request, authenticate: Authenticate) -> Response | None:
    """Refuse a multipart request unless it is CSRF-safe, signed in and small enough; None lets it through.

    A browser sends multipart/form-data cross-site without a preflight; a custom header forces one, so a
    page on another origin cannot make a signed-in console upload a file. Strawberry 0.341 has no such check.
    The authentication result is kept in `request.state.auth` so the GraphQL context does not repeat it.
    Malformed `operations` or `map` parts raise EnvelopeError (the view answers 400).
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
    await check_operations(request)
    return None


async def check_operations(request: Request) -> None:
    """Parse the form (Starlette keeps it for Strawberry) and check `operations` and `map` as Strawberry needs them.

    Strawberry answers 500 on `operations` that is not an object, on `map` that is not an object of lists and
    on a path that points nowhere: every path must name a null placeholder under `variables`.
    """
    try:
        form = await request.form(max_files=MAX_UPLOAD_FILES, max_fields=2, max_part_size=UPLOAD_OVERHEAD)
    except (HTTPException, MultiPartException, ValueError):
        raise EnvelopeError(EnvelopeCode.BAD_REQUEST, "The multipart body could not be parsed") from None
    operations, files_map = form.get("operations"), form.get("map")
    if not isinstance(operations, str) or not isinstance(files_map, str):
        raise EnvelopeError(EnvelopeCode.BAD_REQUEST, "A multipart request needs `operations` and `map` fields")
    data = parse_object(operations, "`operations`")
    check_params(data)
    paths = parse_object(files_map, "`map`")
    check_value(paths, "`map`")
    for name, targets in paths.items():
        if not isinstance(form.get(name), UploadFile):
            raise EnvelopeError(EnvelopeCode.BAD_REQUEST, f"`map` names a file part that is not there: {name[:64]}")
        if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
            raise EnvelopeError(EnvelopeCode.BAD_REQUEST, "Each `map` entry must be a list of paths")
        for target in targets:
            if not _names_placeholder(data.get("variables"), target):
                raise EnvelopeError(EnvelopeCode.BAD_REQUEST,
                                    f"`map` path {target[:64]!r} names no null placeholder in `variables`")
    remember_parsed(operations, data)
    remember_parsed(files_map, paths)


def _names_placeholder(variables: object, path: str) -> bool:
    """True when `path` (e.g. `variables.file` or `variables.files.0`) names a null value in `variables`."""
    head, *keys = path.split(".")
    if head != "variables" or not keys:
        return False
    node = variables
    for key in keys:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdecimal() and len(key) < 7 and int(key) < len(node):
            node = node[int(key)]
        else:
            return False
    return node is None
