"""GraphQL types of imports: jobs, their preview rows, payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from backend.core.access import visible_one
from backend.core.context import Context
from backend.core.crypto import open_phone
from backend.core.errors import Codes, DomainError
from backend.core.gql import Info, Node, PayloadError, error_type
from backend.core.pagination import Connection, _decode_cursor, build_connection, check_first
from backend.core.permissions import Perm, has_perm
from backend.domains.accounts.loaders import USER
from backend.domains.accounts.types import User
from backend.domains.imports import models
from backend.domains.imports.errors import ImportCode
from backend.domains.imports.models import ImportKind, ImportStatus

strawberry.enum(ImportKind, description="What a spreadsheet imports.")
strawberry.enum(ImportStatus, description="Where an import stands.")


@error_type("Import", ImportCode)
class ImportError_(PayloadError):  # GraphQL's ImportError, without shadowing the builtin
    pass


@strawberry.type(description="Why a cell of an import row was refused.")
class ImportCellError:
    column: str = strawberry.field(description="Column key: community, building, number, floor, area, type, "
                                               "floors, name, phone or relation.")
    message: str = strawberry.field(description="Human-readable explanation.")
    code: str = strawberry.field(description="Stable code to branch on (NOT_FOUND, DUPLICATE, INVALID, ...).")


@strawberry.type(description="One data row of an uploaded sheet as it was read, with its errors.")
class ImportRow:
    row_number: int = strawberry.field(description="Row number in the spreadsheet (the header is row 1).")
    values: JSON = strawberry.field(description="Cell values by column key; phones are masked unless the caller "
                                                "may see them.")
    errors: list[ImportCellError] = strawberry.field(description="Why the row cannot be imported; empty when it can.")

    @property
    def id(self) -> int:  # the cursor position
        return self.row_number


class _RowCount:
    def __init__(self, n: int) -> None:
        self._n = n

    async def count(self) -> int:
        return self._n


def _row(raw: dict[str, Any], full_phones: bool) -> ImportRow:
    values = dict(raw["v"])
    if full_phones and raw["p"].get("pe"):
        values["phone"] = open_phone(raw["p"]["pe"], raw["p"]["ph"])
    errors = [ImportCellError(**e) for e in raw["e"]]
    return ImportRow(row_number=raw["n"], values=JSON(values), errors=errors)


@strawberry.type(description="An uploaded spreadsheet: its checked rows and how far committing them has come.")
class ImportJob(Node):
    kind: ImportKind = strawberry.field(description="Buildings, units or owners.")
    status: ImportStatus = strawberry.field(description="Previewed, committing, done or failed.")
    file_name: str = strawberry.field(description="Name of the uploaded file.")
    total_rows: int = strawberry.field(description="Data rows in the file.")
    valid_rows: int = strawberry.field(description="Rows without errors.")
    error_count: int = strawberry.field(description="Rows with at least one error; the job commits only at 0.")
    processed: int = strawberry.field(description="Rows written so far by the commit.")
    failure: str = strawberry.field(description="Why the last commit failed, if it did.")
    created_at: datetime = strawberry.field(description="When it was uploaded (UTC).")
    finished_at: datetime | None = strawberry.field(description="When the commit finished (UTC).")
    _created_by_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, m: models.ImportJob, processed: int | None = None) -> ImportJob:
        return cls(
            _pk=m.id, kind=m.kind, status=m.status, file_name=m.file_name, total_rows=m.total_rows,
            valid_rows=m.valid_rows, error_count=m.error_count,
            processed=m.processed if processed is None else processed, failure=m.failure, created_at=m.created_at,
            finished_at=m.finished_at, _created_by_id=m.created_by_id,
        )

    @strawberry.field(description="Who uploaded it.")
    async def created_by(self, info: Info) -> User | None:
        if self._created_by_id is None:
            return None
        row = await USER.of(info.context).load(self._created_by_id)
        return await visible_one(info.context, User.from_model(row)) if row is not None else None

    @strawberry.field(description="The rows in spreadsheet order; onlyErrors for those that need fixing.")
    async def rows(
        self, info: Info, first: int | None = 20, after: str | None = None, only_errors: bool = False
    ) -> Connection[ImportRow]:
        ctx: Context = info.context
        size = check_first(first)
        start = _decode_cursor(after) if after else 0
        raw = await models.ImportJob.filter(id=self._pk).values_list("rows", flat=True)
        if not raw:
            raise DomainError(Codes.NOT_FOUND, "No such import")
        rows = [r for r in raw[0] if not only_errors or r["e"]]
        page = [r for r in rows if r["n"] > start][: size + 1]
        full = ctx.principal is not None and has_perm(ctx, Perm.OWNER_PHONE)
        return build_connection([_row(r, full) for r in page], size=size, after=after, to_node=lambda r: r,
                                counter=_RowCount(len(rows)))


@strawberry.type(description="Result of uploading a sheet for preview.")
class ImportPreviewPayload:
    job: ImportJob | None = strawberry.field(description="The checked upload, when the file could be read.")
    errors: list[ImportError_] = strawberry.field(description="Why the file was refused as a whole.")


@strawberry.type(description="Result of committing an import.")
class ImportJobPayload:
    job: ImportJob | None = strawberry.field(description="The import, when it worked.")
    errors: list[ImportError_] = strawberry.field(description="Why it did not work.")
