"""Who may see a stored file: its uploader, staff of the company it belongs to, and whoever may see the object it is
attached to. That last decision belongs to the object's domain, which registers it with `target_rule` (repairs:
tickets and their timeline steps), so a file is never more visible than what it illustrates, nor less.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from backend.core.access import rule
from backend.core.context import Context
from backend.domains.files.types import StoredFile

# target type (the part of `attached_to` before ':') -> (caller, target ids) -> the ids the caller may see
TargetRule = Callable[[Context, list[int]], Awaitable[set[int]]]
TARGET_RULES: dict[str, TargetRule] = {}


def target_rule(target_type: str) -> Callable[[TargetRule], TargetRule]:
    """Register who may see objects of `target_type` that files are attached to."""

    def register(fn: TargetRule) -> TargetRule:
        TARGET_RULES[target_type] = fn
        return fn

    return register


def _target(attached_to: str | None) -> tuple[str, int] | None:
    kind, _, pk = (attached_to or "").partition(":")
    return (kind, int(pk)) if kind in TARGET_RULES and pk.isascii() and pk.isdigit() else None


@rule(StoredFile)
async def file_visible(ctx: Context, objs: list[StoredFile]) -> list[bool]:
    p = ctx.principal
    if p is None:
        return [False] * len(objs)
    direct = [o._owner_id == p.user_id or (p.company_id is not None and o._company_id == p.company_id) for o in objs]
    wanted: dict[str, set[int]] = {}
    for o, ok in zip(objs, direct, strict=True):
        if not ok and (t := _target(o._attached_to)) is not None:
            wanted.setdefault(t[0], set()).add(t[1])
    seen = {kind: await TARGET_RULES[kind](ctx, sorted(ids)) for kind, ids in wanted.items()}
    out: list[bool] = []
    for o, ok in zip(objs, direct, strict=True):
        t = _target(o._attached_to)
        out.append(ok or (t is not None and t[1] in seen.get(t[0], set())))
    return out
