"""Per-request batch loading of the files attached to other domains' objects."""

from __future__ import annotations

from backend.core.context import Context, LoaderKey, loader
from backend.domains.files import service
from backend.domains.files.types import StoredFile


async def files_by_target(ctx: Context, targets: list[str]) -> list[list[StoredFile]]:
    """`FILES_BY_TARGET.of(ctx).load("Ticket:12")`: its files, oldest first.

    No access check here: the resolver that holds the target has already decided the caller may see it.
    """
    found = await service.files_for_targets(targets)
    return [[StoredFile.from_model(u) for u in found[t]] for t in targets]


FILES_BY_TARGET: LoaderKey[str, list[StoredFile]] = loader("files.by_target", files_by_target, shared=True)


async def keys_by_id(ctx: Context, ids: list[int]) -> list[str | None]:
    """`UPLOAD_KEY.of(ctx).load(pk)`: an upload's storage key (no access check: the holder of the reference decides)."""
    found = await service.keys_by_id(ids)
    return [found.get(i) for i in ids]


UPLOAD_KEY: LoaderKey[int, str | None] = loader("files.key_by_id", keys_by_id, shared=True)
