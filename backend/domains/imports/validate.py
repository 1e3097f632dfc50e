"""Import rows checked with the domain rules: each row on its own, then against the database with set lookups.

A row is a `SheetRow` (frozen): its spreadsheet row number, the values as shown, the normalized values the commit
uses (`Parsed`), its errors (`CellError`) and, after `resolve`, the database ids it refers to (`Refs`). A job keeps
its rows as JSON in the short form the preview reads (`SheetRow.to_json`: "n", "v", "e", "p"; never the ids).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from backend.core.crypto import mask_phone, seal_phone
from backend.core.errors import Codes, DomainError
from backend.domains.accounts import service as accounts
from backend.domains.accounts.models import User
from backend.domains.imports.models import ImportKind
from backend.domains.residents.errors import ResidentCode
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from backend.domains.tenancy import service as tenancy
from backend.domains.tenancy.models import Building, Community, Unit, UnitType

CHUNK = 1000  # ids or hashes per IN (...) list: far below every driver's parameter limit
UNIT_TYPES = {
    "residential": UnitType.RESIDENTIAL, "住宅": UnitType.RESIDENTIAL,
    "commercial": UnitType.COMMERCIAL, "商铺": UnitType.COMMERCIAL, "商业": UnitType.COMMERCIAL,
    "parking": UnitType.PARKING, "车位": UnitType.PARKING,
}
RELATIONS = {
    "owner": Relation.OWNER, "业主": Relation.OWNER,
    "family": Relation.FAMILY, "家属": Relation.FAMILY,
    "tenant": Relation.TENANT, "租户": Relation.TENANT,
}


@dataclass(frozen=True)
class CellError:
    """Why one cell of a row was refused."""

    column: str
    code: str
    message: str


# The normalized values each kind keeps, under their stored names ("pe"/"ph": the sealed phone, when it was valid).
_STORED = {
    ImportKind.BUILDINGS: ("community", "building", "floors"),
    ImportKind.UNITS: ("community", "building", "number", "floor", "area", "type"),
    ImportKind.OWNERS: ("community", "building", "number", "name", "relation"),
}


@dataclass(frozen=True)
class Parsed:
    """A row's values as the commit uses them; None where the cell was refused (or the kind has no such column)."""

    community: str | None = None
    building: str | None = None
    floors: int | None = None  # buildings
    number: str | None = None  # units and owners
    floor: int | None = None  # units
    area: str | None = None  # units: a decimal, as text
    type: UnitType | None = None  # units
    name: str | None = None  # owners
    relation: Relation | None = None  # owners
    phone_enc: str | None = None  # owners: the phone, encrypted
    phone_hash: str | None = None  # owners: its lookup hash

    def to_json(self, kind: ImportKind) -> dict[str, Any]:
        out: dict[str, Any] = {key: getattr(self, key) for key in _STORED[kind]}
        if self.phone_hash is not None:
            out["pe"], out["ph"] = self.phone_enc, self.phone_hash
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Parsed:
        return cls(
            community=data.get("community"), building=data.get("building"), floors=data.get("floors"),
            number=data.get("number"), floor=data.get("floor"), area=data.get("area"),
            type=UnitType(data["type"]) if data.get("type") is not None else None, name=data.get("name"),
            relation=Relation(data["relation"]) if data.get("relation") is not None else None,
            phone_enc=data.get("pe"), phone_hash=data.get("ph"),
        )


@dataclass(frozen=True)
class Refs:
    """The database ids a checked row refers to (set by `resolve` on rows without errors)."""

    community: int | None = None
    building: int | None = None
    unit: int | None = None
    user: int | None = None  # owners: the account with the row's phone; None: the commit creates one


@dataclass(frozen=True)
class SheetRow:
    """One data row of an uploaded sheet."""

    number: int  # in the spreadsheet (the header is row 1)
    values: dict[str, str]  # cells as shown, by column key (phones masked)
    parsed: Parsed
    errors: tuple[CellError, ...] = ()
    refs: Refs = field(default_factory=Refs)

    @property
    def ok(self) -> bool:
        return not self.errors

    def refused(self, column: str, code: str, message: str) -> SheetRow:
        """This row with one more error."""
        return replace(self, errors=(*self.errors, CellError(column, code, message)))

    def to_json(self, kind: ImportKind) -> dict[str, Any]:
        """The stored form: {"n": number, "v": values, "e": [{column, code, message}], "p": normalized values}."""
        return {"n": self.number, "v": self.values, "e": [asdict(e) for e in self.errors],
                "p": self.parsed.to_json(kind)}

    @classmethod
    def from_json(cls, data: dict[str, Any], *, errors: bool = True) -> SheetRow:
        """A stored row; without its errors when `errors` is False (to be checked again)."""
        return cls(number=data["n"], values=data["v"], parsed=Parsed.from_json(data["p"]),
                   errors=tuple(CellError(**e) for e in data["e"]) if errors else ())


def _check(errors: list[CellError], column: str, fn: Callable[[], Any]) -> Any:
    """Run one domain rule; its DomainError becomes an error of this row and column."""
    try:
        return fn()
    except DomainError as exc:
        errors.append(CellError(column, exc.code, exc.message))
        return None


def _int(text: str, low: int, high: int, label: str) -> int:
    if not text.strip():
        raise DomainError(Codes.REQUIRED, "Required")
    try:
        value = int(text.strip())
    except ValueError:
        raise DomainError(Codes.INVALID, f"{label} must be a whole number") from None
    if not low <= value <= high:
        raise DomainError(Codes.INVALID, f"{label} must be between {low} and {high}")
    return value


def _required(text: str) -> str:
    if not text.strip():
        raise DomainError(Codes.REQUIRED, "Required")
    return text


def _choice(text: str, choices: dict[str, Any], default: Any) -> Any:
    key = text.strip().lower()
    if not key:
        return default
    if key not in choices:
        raise DomainError(Codes.INVALID, "One of: " + ", ".join(choices))
    return choices[key]


def parse(kind: ImportKind, number: int, values: dict[str, str]) -> SheetRow:
    """Check one row on its own (formats, lengths, ranges); no database access."""
    errors: list[CellError] = []
    shown = dict(values)
    p: dict[str, Any] = {}
    p["community"] = _check(errors, "community",
                            lambda: accounts.clean_name(values["community"], required=True, limit=100))
    p["building"] = _check(errors, "building", lambda: accounts.clean_name(values["building"], required=True, limit=50))
    if kind == ImportKind.BUILDINGS:
        floors = values.get("floors", "")
        p["floors"] = _check(errors, "floors", lambda: _int(floors, 0, 200, "Floors")) if floors else 0
    else:
        p["number"] = _check(errors, "number", lambda: tenancy.clean_unit_number(values["number"]))
    if kind == ImportKind.UNITS:
        p["floor"] = _check(errors, "floor", lambda: _int(values["floor"], -10, 200, "Floor"))
        area = _check(errors, "area", lambda: tenancy.clean_area(_required(values["area"])))
        p["area"] = str(area) if area is not None else None
        p["type"] = _check(errors, "type", lambda: _choice(values.get("type", ""), UNIT_TYPES, UnitType.RESIDENTIAL))
    if kind == ImportKind.OWNERS:
        p["name"] = _check(errors, "name", lambda: accounts.clean_name(values["name"], required=True))
        phone = _check(errors, "phone", lambda: accounts.clean_phone(values["phone"]))
        if phone is not None:
            # Phones are stored encrypted like everywhere else; the preview shows them masked.
            p["phone_enc"], p["phone_hash"] = seal_phone(phone)
            shown["phone"] = mask_phone(phone)
        p["relation"] = _check(errors, "relation",
                               lambda: _choice(values.get("relation", ""), RELATIONS, Relation.OWNER))
    return SheetRow(number=number, values=shown, parsed=Parsed(**p), errors=tuple(errors))


def _chunks(items: Iterable[Any]) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _clean(rows: list[SheetRow]) -> list[int]:
    """Positions of the rows without errors."""
    return [i for i, row in enumerate(rows) if row.ok]


async def resolve(kind: ImportKind, rows: list[SheetRow], *, company_id: int,
                  communities: frozenset[int] | None) -> list[SheetRow]:
    """Check names against the database and duplicates in the file and the database: the rows again, with their
    new errors and, on good rows, the ids they refer to."""
    rows = list(rows)
    found = dict(await Community.filter(company_id=company_id).values_list("name", "id"))
    for i in _clean(rows):
        row = rows[i]
        cid = found.get(row.parsed.community)
        if cid is None:
            rows[i] = row.refused("community", Codes.NOT_FOUND, "No such community")
        elif communities is not None and cid not in communities:
            rows[i] = row.refused("community", Codes.FORBIDDEN, "Not your community")
        else:
            rows[i] = replace(row, refs=Refs(community=cid))
    if kind == ImportKind.BUILDINGS:
        await _resolve_buildings(rows, _clean(rows))
        return rows
    await _resolve_building_ids(rows, _clean(rows), company_id)
    if kind == ImportKind.UNITS:
        await _resolve_units(rows, _clean(rows))
    else:
        await _resolve_owners(rows, _clean(rows))
    return rows


# The steps below replace rows[i] for the positions given (rows without errors so far).


async def _resolve_buildings(rows: list[SheetRow], clean: list[int]) -> None:
    ids = {rows[i].refs.community for i in clean}
    taken: set[tuple[int, str]] = set()
    for batch in _chunks(ids):
        taken |= set(await Building.filter(community_id__in=batch).values_list("community_id", "name"))
    seen: set[tuple[int | None, str | None]] = set()
    for i in clean:
        row = rows[i]
        key = (row.refs.community, row.parsed.building)
        if key in taken:
            rows[i] = row.refused("building", Codes.DUPLICATE, "This building exists")
        elif key in seen:
            rows[i] = row.refused("building", Codes.DUPLICATE, "Listed twice in the file")
        seen.add(key)


async def _resolve_building_ids(rows: list[SheetRow], clean: list[int], company_id: int) -> None:
    ids = {rows[i].refs.community for i in clean}
    buildings: dict[tuple[int | None, str | None], int] = {}
    for batch in _chunks(ids):
        for bid, cid, name in await Building.filter(company_id=company_id, community_id__in=batch).values_list(
            "id", "community_id", "name"
        ):
            buildings[(cid, name)] = bid
    for i in clean:
        row = rows[i]
        bid = buildings.get((row.refs.community, row.parsed.building))
        if bid is None:
            rows[i] = row.refused("building", Codes.NOT_FOUND, "No such building in this community")
        else:
            rows[i] = replace(row, refs=replace(row.refs, building=bid))


async def _resolve_units(rows: list[SheetRow], clean: list[int]) -> None:
    taken: set[tuple[int, str]] = set()
    for batch in _chunks({rows[i].refs.building for i in clean}):
        taken |= set(await Unit.filter(building_id__in=batch).values_list("building_id", "number"))
    seen: set[tuple[int | None, str | None]] = set()
    for i in clean:
        row = rows[i]
        key = (row.refs.building, row.parsed.number)
        if key in taken:
            rows[i] = row.refused("number", Codes.DUPLICATE, "This unit exists in the building")
        elif key in seen:
            rows[i] = row.refused("number", Codes.DUPLICATE, "Listed twice in the file")
        seen.add(key)


async def _resolve_owners(rows: list[SheetRow], clean: list[int]) -> None:
    units: dict[tuple[int | None, str | None], int] = {}
    companies: set[int] = set()
    for batch in _chunks({rows[i].refs.building for i in clean}):
        for uid, bid, number, company in await Unit.filter(building_id__in=batch).values_list(
                "id", "building_id", "number", "company_id"):
            units[(bid, number)] = uid
            companies.add(company)
    for i in clean:
        row = rows[i]
        uid = units.get((row.refs.building, row.parsed.number))
        if uid is None:
            rows[i] = row.refused("number", Codes.NOT_FOUND, "No such unit in this building")
        else:
            rows[i] = replace(row, refs=replace(row.refs, unit=uid))
    clean = [i for i in clean if rows[i].ok]
    users: dict[str | None, int] = {}
    for batch in _chunks({rows[i].parsed.phone_hash for i in clean}):
        users.update(dict(await User.filter(phone_hash__in=batch).values_list("phone_hash", "id")))
    bound: set[tuple[int, int]] = set()
    known: set[int] = set()  # people the importing company already has as residents
    for batch in _chunks(set(users.values())):
        for unit_id, user_id, company in await UnitBinding.filter(
                user_id__in=batch, status=BindingStatus.APPROVED).values_list("unit_id", "user_id", "company_id"):
            bound.add((unit_id, user_id))
            if company in companies:
                known.add(user_id)
    seen: set[tuple[int | None, str | None]] = set()
    for i in clean:
        row = rows[i]
        key = (row.refs.unit, row.parsed.phone_hash)
        uid = users.get(row.parsed.phone_hash)
        if uid is not None and (row.refs.unit, uid) in bound:
            row = row.refused("phone", Codes.DUPLICATE, "Already bound to this unit")
        elif uid is not None and uid not in known:
            # as for ownerCreate (residents.service.create_owner): binding an account the company does not know
            # would show it the person's own name for any number in the file; they ask for the unit in the app
            row = row.refused("phone", ResidentCode.HAS_ACCOUNT, "This number already has an account: ask the "
                              "person to request the unit in the owner app, then approve it in binding review")
        elif key in seen:
            row = row.refused("phone", Codes.DUPLICATE, "Listed twice in the file")
        seen.add(key)
        rows[i] = replace(row, refs=replace(row.refs, user=uid))
