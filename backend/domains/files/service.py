"""Files: sniff and store an upload, let other domains claim (attach) the caller's uploads, read them back."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from backend.core.errors import Codes, DomainError
from backend.core.ratelimit import Rule
from backend.core.runtime import get_runtime, get_storage
from backend.core.storage import MAX_UPLOAD_BYTES, new_key
from backend.domains.files.errors import FileCode
from backend.domains.files.models import FileKind, Upload, UploadPurpose

log = logging.getLogger("courtyard.files")

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_VIDEO_BYTES = MAX_UPLOAD_BYTES
LIMITS = {FileKind.IMAGE: MAX_IMAGE_BYTES, FileKind.VIDEO: MAX_VIDEO_BYTES}
# What each purpose accepts, and whether only staff (of the token's company) may upload for it.
PURPOSE_KINDS = {
    UploadPurpose.TICKET_PHOTO: FileKind.IMAGE,
    UploadPurpose.TICKET_VIDEO: FileKind.VIDEO,
    UploadPurpose.TICKET_WORK_PHOTO: FileKind.IMAGE,
    UploadPurpose.AVATAR: FileKind.IMAGE,
}
STAFF_PURPOSES = frozenset({UploadPurpose.TICKET_WORK_PHOTO})
# Codes other domains' error enums must list when they call claim_files (or pass upload errors through).
UPLOAD_RULES = (Rule("file-upload", 60, 600), Rule("file-upload-day", 500, 86400))

# ISO base media file brands (the `ftyp` box): HEIF stills and MP4 / QuickTime movies.
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis"}
HEIF_BRANDS = {b"mif1"}
MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"MSNV",
              b"dash"}
QT_BRANDS = {b"qt  "}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic",
              "image/heif": "heif", "video/mp4": "mp4", "video/quicktime": "mov"}


def _ftyp(data: bytes) -> tuple[bytes, set[bytes]] | None:
    """(major brand, compatible brands) of an ISO BMFF file's leading `ftyp` box, if it has one."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return None
    size = int.from_bytes(data[:4], "big")
    if size < 16 or size % 4 or size > min(len(data), 4096):
        return None
    return data[8:12], {data[i:i + 4] for i in range(16, size, 4)}


def sniff(data: bytes) -> tuple[FileKind, str] | None:
    """(kind, content type) read from the leading bytes, never from a name or a client's claim; None if unknown."""
    if data.startswith(b"\xff\xd8\xff"):
        return FileKind.IMAGE, "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.IMAGE, "image/png"
    if len(data) >= 16 and data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data[12:15] == b"VP8":
        return FileKind.IMAGE, "image/webp"
    box = _ftyp(data)
    if box is None:
        return None
    major, compatible = box
    if major in HEIC_BRANDS or (major in HEIF_BRANDS and compatible & HEIC_BRANDS):
        return FileKind.IMAGE, "image/heic"
    if major in HEIF_BRANDS:
        return FileKind.IMAGE, "image/heif"
    if major in QT_BRANDS:
        return FileKind.VIDEO, "video/quicktime"
    if major in MP4_BRANDS:
        return FileKind.VIDEO, "video/mp4"
    return None


def read_limit(purpose: UploadPurpose) -> int:
    """How many bytes to read at most for a purpose (one more tells a file that is too large)."""
    return LIMITS[PURPOSE_KINDS[purpose]]


async def store(
    *, data: bytes, truncated: bool, purpose: UploadPurpose, user_id: int, company_id: int | None,
) -> Upload:
    """Check an upload by its content and size, store the bytes and record them (unattached).

    `truncated` says the reader stopped at the purpose's limit with bytes left over. `company_id` is the caller's
    staff company: required for staff purposes, ignored for owner purposes (their company is set when claimed).
    """
    if purpose in STAFF_PURPOSES and company_id is None:
        raise DomainError(Codes.FORBIDDEN, "Staff only", "purpose")
    if not data:
        raise DomainError(FileCode.EMPTY_FILE, "The file is empty", "file")
    found = sniff(data[:4096])
    if found is None or found[0] != PURPOSE_KINDS[purpose]:
        raise DomainError(FileCode.UNSUPPORTED_TYPE, "Upload a JPEG, PNG, WebP or HEIC photo, or an MP4 or MOV video",
                          "file")
    kind, content_type = found
    if truncated or len(data) > LIMITS[kind]:
        raise DomainError(FileCode.FILE_TOO_LARGE, f"At most {LIMITS[kind] // (1024 * 1024)} MB", "file")
    await get_runtime().limiter.hit(f"user:{user_id}", UPLOAD_RULES, field="file")
    owned_by = company_id if purpose in STAFF_PURPOSES else None
    key = new_key(str(owned_by) if owned_by is not None else "personal", EXTENSIONS[content_type])
    storage = get_storage()
    await storage.put(key, data, content_type)
    try:
        return await Upload.create(company_id=owned_by, owner_id=user_id, key=key, content_type=content_type,
                                   size=len(data), kind=kind, purpose=purpose)
    except BaseException:
        await storage.delete(key)
        raise


async def claim_files(
    *, ids: list[int], user_id: int, company_id: int, target: str, max_images: int = 9, max_videos: int = 1,
    purposes: Collection[UploadPurpose] | None = None, field: str = "files",
) -> list[Upload]:
    """Attach the caller's own unattached uploads to `target` (e.g. "Ticket:12") of `company_id`, in `ids` order.

    Call it inside the mutation's transaction. Refuses (NOT_FOUND) any ID that is not the caller's, is already
    attached, belongs to another company or has another purpose; TOO_MANY_FILES past the limits per kind.
    """
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    if len(wanted) > max_images + max_videos:
        raise DomainError(FileCode.TOO_MANY_FILES, f"At most {max_images} photos and {max_videos} video", field)
    rows = {u.id: u for u in await Upload.filter(id__in=wanted, owner_id=user_id, attached_to=None)
            .select_for_update()}
    for pk in wanted:
        u = rows.get(pk)
        if (u is None or u.company_id not in (None, company_id)
                or (purposes is not None and u.purpose not in purposes)):
            raise DomainError(Codes.NOT_FOUND, "No such file", field)
    images = sum(1 for u in rows.values() if u.kind == FileKind.IMAGE)
    if images > max_images or len(rows) - images > max_videos:
        raise DomainError(FileCode.TOO_MANY_FILES, f"At most {max_images} photos and {max_videos} video", field)
    now = datetime.now(UTC)
    # Conditional on still being unattached: of two concurrent claims of one file, only one succeeds.
    changed = await Upload.filter(id__in=wanted, attached_to=None).update(
        attached_to=target[:64], attached_at=now, company_id=company_id)
    if changed != len(wanted):
        raise DomainError(Codes.NOT_FOUND, "No such file", field)
    out = [rows[pk] for pk in wanted]
    for u in out:
        u.attached_to, u.attached_at, u.company_id = target[:64], now, company_id
    return out


async def check_claimable(*, ids: list[int], user_id: int, purposes: Collection[UploadPurpose] | None = None,
                          field: str = "files") -> None:
    """NOT_FOUND unless every ID is the caller's own unattached upload (of one of `purposes`).

    A cheap early check, so a request naming someone else's file is refused before anything else is looked at;
    claim_files still decides atomically.
    """
    wanted = set(ids)
    if not wanted:
        return
    qs = Upload.filter(id__in=wanted, owner_id=user_id, attached_to=None)
    if purposes is not None:
        qs = qs.filter(purpose__in=list(purposes))
    if await qs.count() != len(wanted):
        raise DomainError(Codes.NOT_FOUND, "No such file", field)


def avatar_target(user_id: int) -> str:
    return f"Avatar:{user_id}"


async def claim_avatar(*, upload_id: int, user_id: int, field: str = "avatarFileId") -> Upload:
    """Make the caller's own unattached AVATAR upload their avatar; the one it replaces is deleted. Call it inside the
    mutation's transaction."""
    target = avatar_target(user_id)
    # Conditional: only the caller's own, unclaimed avatar upload; of two concurrent claims one wins.
    if not await Upload.filter(id=upload_id, owner_id=user_id, attached_to=None, purpose=UploadPurpose.AVATAR).update(
            attached_to=target, attached_at=datetime.now(UTC)):
        raise DomainError(Codes.NOT_FOUND, "No such photo", field)
    await _delete(await Upload.filter(attached_to=target).exclude(id=upload_id).values_list("id", "key"))
    return await Upload.get(id=upload_id)


async def keys_by_id(ids: list[int]) -> dict[int, str]:
    """The storage keys of these uploads (the caller has decided they may be shown)."""
    return dict(await Upload.filter(id__in=ids).values_list("id", "key"))


async def files_for_targets(targets: list[str]) -> dict[str, list[Upload]]:
    """Uploads attached to each target, oldest first (the caller has checked access to the targets)."""
    out: dict[str, list[Upload]] = {t: [] for t in targets}
    for u in await Upload.filter(attached_to__in=list(out)).order_by("id"):
        out[str(u.attached_to)].append(u)
    return out


async def release_files(*, target: str) -> int:
    """Delete the uploads attached to `target` (its blobs after the rows), e.g. when the object is purged."""
    rows = await Upload.filter(attached_to=target).values_list("id", "key")
    return await _delete(rows)


async def purge_unattached(*, older_than: timedelta = timedelta(hours=24)) -> int:
    """Delete uploads nobody claimed within `older_than` (abandoned forms); returns how many."""
    cutoff = datetime.now(UTC) - older_than
    rows = await Upload.filter(attached_to=None, created_at__lt=cutoff).limit(1000).values_list("id", "key")
    return await _delete(rows)


async def _delete(rows: list[Any]) -> int:
    if not rows:
        return 0
    await Upload.filter(id__in=[pk for pk, _ in rows]).delete()
    storage = get_storage()
    for _, key in rows:
        try:
            await storage.delete(key)
        except OSError:
            log.warning("could not delete blob %s", key)
    return len(rows)


async def by_key(key: str) -> Upload | None:
    """The record of a stored blob."""
    return await Upload.filter(key=key).first()
