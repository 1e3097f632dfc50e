"""Imports: preview an uploaded sheet (every bad row with its reason), then commit it all in one transaction.

A sheet is read and checked before any transaction opens (check_sheet); preview only writes the job.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.core import events
from backend.core.errors import Codes, DomainError
from backend.core.permissions import Perm
from backend.domains.accounts.models import User
from backend.domains.imports.errors import ImportCode
from backend.domains.imports.models import ImportJob, ImportKind, ImportStatus
from backend.domains.imports.sheets import read_rows
from backend.domains.imports.validate import SheetRow, parse, resolve
from backend.domains.residents.models import BindingStatus, UnitBinding
from backend.domains.tenancy.models import Building, Unit

# The permission each kind needs: what creating those rows one by one would need.
PERMS = {ImportKind.BUILDINGS: Perm.COMMUNITY_WRITE, ImportKind.UNITS: Perm.UNIT_WRITE,
         ImportKind.OWNERS: Perm.BINDING_REVIEW}
BATCH = 500
# A commit that has not reported progress for this long died with its process: it may be retried.
STALE_COMMIT = timedelta(minutes=10)
LIGHT_FIELDS = ("id", "company_id", "kind", "status", "file_name", "total_rows", "valid_rows", "error_count",
                "processed", "failure", "created_by_id", "created_at", "updated_at", "finished_at")


def channel(job_id: int) -> str:
    """Pub/sub channel of one job's progress."""
    return f"import:{job_id}"


def _event(job: ImportJob, processed: int | None = None) -> dict[str, Any]:
    return {"jobId": job.id, "status": job.status.value,
            "processed": job.processed if processed is None else processed, "total": job.total_rows}


@dataclass(frozen=True)
class Sheet:
    """An upload read and checked, ready to be kept as a job."""

    kind: ImportKind
    file_name: str
    company_id: int
    rows: tuple[SheetRow, ...]  # checked, with the database ids resolve found (a job keeps them without)
    error_count: int

    def stored(self) -> list[dict[str, Any]]:
        """The rows as a job keeps them (SheetRow.to_json)."""
        return [r.to_json(self.kind) for r in self.rows]


def _outside_transaction(what: str) -> None:
    # On SQLite one connection serves everyone and an open transaction holds it: a second of parsing there
    # stalls every request, /healthz included.
    if isinstance(connections.get("default"), TransactionalDBClient):
        raise RuntimeError(f"{what} must not run inside a transaction")


def _read(kind: ImportKind, data: bytes) -> list[SheetRow]:
    return [parse(kind, number, values) for number, values in read_rows(kind, data)]


async def check_sheet(
    *, kind: ImportKind, data: bytes, file_name: str, company_id: int, communities: frozenset[int] | None,
) -> Sheet:
    """Read an upload and check every row against the database; call it before opening a transaction."""
    _outside_transaction("Reading a sheet")
    # The unpacking, openpyxl and the row rules (phones are encrypted and hashed) are CPU-bound: a worker thread
    # keeps other requests and sockets going.
    rows = await asyncio.to_thread(_read, kind, data)
    rows = await resolve(kind, rows, company_id=company_id, communities=communities)
    return Sheet(kind=kind, file_name=file_name[:255], company_id=company_id, rows=tuple(rows),
                 error_count=sum(1 for r in rows if not r.ok))


async def preview(*, sheet: Sheet, user_id: int) -> ImportJob:
    """Keep a checked sheet as a job: every row with its errors, for review."""
    total, bad = len(sheet.rows), sheet.error_count
    return await ImportJob.create(
        company_id=sheet.company_id, kind=sheet.kind, status=ImportStatus.PREVIEWED, file_name=sheet.file_name,
        total_rows=total, valid_rows=total - bad, error_count=bad, rows=sheet.stored(), created_by_id=user_id,
    )


def visible(job: ImportJob, *, user_id: int, communities: frozenset[int] | None) -> bool:
    """Its creator sees a job, and so does staff holding the kind's permission company-wide."""
    return job.created_by_id == user_id or communities is None


async def get_job(*, job_id: int, company_id: int, user_id: int, perm_scope: dict[ImportKind, Any]) -> ImportJob:
    """A job of the caller's company they may see (perm_scope: kind -> community scope, for kinds they hold)."""
    job = await ImportJob.filter(id=job_id, company_id=company_id).first()
    if job is None or job.kind not in perm_scope or not visible(job, user_id=user_id, communities=perm_scope[job.kind]):
        raise DomainError(Codes.NOT_FOUND, "No such import", "jobId")
    return job


def _side_connection() -> Any:
    """A pooled client outside the current transaction (PostgreSQL), so progress is visible while it runs.

    SQLite has one connection that the transaction holds: progress then travels by events only.
    """
    conn: Any = connections.get("default")
    while getattr(conn, "_parent", None) is not None:
        conn = conn._parent
    return conn if getattr(conn, "_pool", None) is not None else None


async def _claim(job: ImportJob, side: Any) -> ImportJob | None:
    """Mark the job COMMITTING outside the transaction; None when another commit holds it (or finished it)."""
    now = datetime.now(UTC)
    open_ = Q(status__in=[ImportStatus.PREVIEWED, ImportStatus.FAILED]) | Q(
        status=ImportStatus.COMMITTING, updated_at__lt=now - STALE_COMMIT)
    qs = ImportJob.filter(open_, id=job.id)
    claimed = await (qs.using_db(side) if side is not None else qs).update(
        status=ImportStatus.COMMITTING, processed=0, updated_at=now)
    if claimed:
        await events.publish(channel(job.id), {**_event(job, 0), "status": ImportStatus.COMMITTING.value})
        return job
    return None


async def commit(*, job: ImportJob, communities: frozenset[int] | None, user_id: int) -> ImportJob:
    """Import every row of an error-free job in one transaction; a DONE job is returned unchanged."""
    if job.status == ImportStatus.DONE:
        return job
    if job.error_count:
        raise DomainError(ImportCode.HAS_ERRORS, "Fix the rows with errors and upload again", "jobId")
    side = _side_connection()
    if await _claim(job, side) is None:
        fresh = await ImportJob.filter(id=job.id).only(*LIGHT_FIELDS).first()
        if fresh is not None and fresh.status == ImportStatus.DONE:
            return await ImportJob.get(id=job.id)
        raise DomainError(ImportCode.IN_PROGRESS, "This import is being committed", "jobId")
    # Checked again: the database may have changed since the preview.
    rows = await resolve(job.kind, [SheetRow.from_json(r, errors=False) for r in job.rows],
                         company_id=job.company_id, communities=communities)
    bad = sum(1 for r in rows if not r.ok)
    if bad:
        job.rows, job.error_count, job.valid_rows = [r.to_json(job.kind) for r in rows], bad, len(rows) - bad
        job.status, job.processed = ImportStatus.PREVIEWED, 0
        await _record(job, side)
        raise DomainError(ImportCode.HAS_ERRORS, "Rows changed since the preview; see their errors", "jobId", keep_writes=True)
    try:
        async with in_transaction():  # a savepoint: if any batch fails, no row of this import stays
            await _insert(job, rows, user_id, side)
    except (IntegrityError, OperationalError):
        job.status, job.processed, job.failure = ImportStatus.FAILED, 0, "A row conflicted with a concurrent change"
        await _record(job, side)
        raise DomainError(ImportCode.IMPORT_FAILED, "Nothing was imported: a row conflicted; try again", "jobId",
                          keep_writes=True) from None
    job.status, job.processed, job.failure = ImportStatus.DONE, len(rows), ""
    job.finished_at = datetime.now(UTC)
    await job.save()
    events.emit(channel(job.id), _event(job))
    return job


async def _record(job: ImportJob, side: Any) -> None:
    """Save a refused or failed commit's outcome where it survives the rollback, and tell subscribers."""
    # With a pooled database it commits at once through the side connection; on SQLite keep_writes commits it.
    await job.save(using_db=side) if side is not None else await job.save()
    await events.publish(channel(job.id), _event(job))


async def _progress(job: ImportJob, processed: int, side: Any) -> None:
    if side is not None:
        await ImportJob.filter(id=job.id).using_db(side).update(processed=processed, updated_at=datetime.now(UTC))
    await events.publish(channel(job.id), {**_event(job, processed), "status": ImportStatus.COMMITTING.value})


async def _batches(job: ImportJob, model: Any, objects: list[Any], side: Any, done: int = 0) -> None:
    for start in range(0, len(objects), BATCH):
        batch = objects[start:start + BATCH]
        await model.bulk_create(batch)
        await _progress(job, done + start + len(batch), side)


async def _insert(job: ImportJob, rows: list[SheetRow], user_id: int, side: Any) -> None:
    company_id = job.company_id
    if job.kind == ImportKind.BUILDINGS:
        objs: list[Any] = [Building(company_id=company_id, community_id=r.refs.community, name=r.parsed.building,
                                    floors=r.parsed.floors) for r in rows]
        await _batches(job, Building, objs, side)
    elif job.kind == ImportKind.UNITS:
        objs = [Unit(company_id=company_id, community_id=r.refs.community, building_id=r.refs.building,
                     number=r.parsed.number, floor=r.parsed.floor, area=r.parsed.area, type=r.parsed.type)
                for r in rows]
        await _batches(job, Unit, objs, side)
    else:
        await _insert_owners(job, rows, user_id, side)


async def _insert_owners(job: ImportJob, rows: list[SheetRow], user_id: int, side: Any) -> None:
    new: dict[str | None, User] = {}
    for r in rows:
        if r.refs.user is None and r.parsed.phone_hash not in new:
            new[r.parsed.phone_hash] = User(phone_enc=r.parsed.phone_enc, phone_hash=r.parsed.phone_hash,
                                            name=r.parsed.name)
    for start in range(0, len(new), BATCH):
        await User.bulk_create(list(new.values())[start:start + BATCH])
    created: dict[str | None, int] = {}
    hashes = list(new)
    for start in range(0, len(hashes), BATCH):
        created.update(dict(await User.filter(phone_hash__in=hashes[start:start + BATCH]).values_list("phone_hash", "id")))
    now = datetime.now(UTC)
    bindings = [
        UnitBinding(company_id=job.company_id, community_id=r.refs.community, unit_id=r.refs.unit,
                    user_id=r.refs.user or created[r.parsed.phone_hash], relation=r.parsed.relation,
                    status=BindingStatus.APPROVED, added_by_id=user_id, reviewed_by_id=user_id, reviewed_at=now)
        for r in rows
    ]
    await _batches(job, UnitBinding, bindings, side)
