"""Per-request batch loading of the files attached to other domains' objects."""

from __future__ import annotations

from backend.core.context import Context, register_loader
from backend.domains.files import service
from backend.domains.files.types import StoredFile


async def files_by_target(ctx: Context, targets: list[str]) -> list[list[StoredFile]]:
    """`info.context.loaders["files.by_target"].load("Ticket:12")`: its files, oldest first.

    No access check here: the resolver that holds the target has already decided the caller may see it.
    """
    found = await service.files_for_targets(targets)
    return [[StoredFile.from_model(u) for u in found[t]] for t in targets]


register_loader("files.by_target", files_by_target, shared=True)
