"""Import rows checked with the domain rules: each row on its own, then against the database with set lookups.

A row is a dict: "n" spreadsheet row number, "v" values as shown, "e" errors ({column, message, code}),
"p" the normalized values the commit uses, and after `resolve` "r" the database ids it refers to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from backend.core.crypto import mask_phone, seal_phone
from backend.core.errors import Codes, DomainError
from backend.domains.accounts import service as accounts
from backend.domains.accounts.models import User
from backend.domains.imports.models import ImportKind
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from backend.domains.tenancy import service as tenancy
from backend.domains.tenancy.models import Building, Community, Unit, UnitType

Row = dict[str, Any]
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


def _err(row: Row, column: str, code: str, message: str) -> None:
    row["e"].append({"column": column, "code": code, "message": message})


def _check(row: Row, column: str, fn: Callable[[], Any]) -> Any:
    """Run one domain rule; its DomainError becomes an error of this row and column."""
    try:
        return fn()
    except DomainError as exc:
        _err(row, column, exc.code, exc.message)
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


def parse(kind: ImportKind, number: int, values: dict[str, str]) -> Row:
    """Check one row on its own (formats, lengths, ranges); no database access."""
    row: Row = {"n": number, "v": dict(values), "e": [], "p": {}}
    p = row["p"]
    p["community"] = _check(row, "community", lambda: accounts.clean_name(values["community"], required=True, limit=100))
    p["building"] = _check(row, "building", lambda: accounts.clean_name(values["building"], required=True, limit=50))
    if kind == ImportKind.BUILDINGS:
        floors = values.get("floors", "")
        p["floors"] = _check(row, "floors", lambda: _int(floors, 0, 200, "Floors")) if floors else 0
    else:
        p["number"] = _check(row, "number", lambda: tenancy.clean_unit_number(values["number"]))
    if kind == ImportKind.UNITS:
        p["floor"] = _check(row, "floor", lambda: _int(values["floor"], -10, 200, "Floor"))
        area = _check(row, "area", lambda: tenancy.clean_area(_required(values["area"])))
        p["area"] = str(area) if area is not None else None
        p["type"] = _check(row, "type", lambda: _choice(values.get("type", ""), UNIT_TYPES, UnitType.RESIDENTIAL))
    if kind == ImportKind.OWNERS:
        p["name"] = _check(row, "name", lambda: accounts.clean_name(values["name"], required=True))
        phone = _check(row, "phone", lambda: accounts.clean_phone(values["phone"]))
        if phone is not None:
            # Phones are stored encrypted like everywhere else; the preview shows them masked.
            p["pe"], p["ph"] = seal_phone(phone)
            row["v"]["phone"] = mask_phone(phone)
        p["relation"] = _check(row, "relation", lambda: _choice(values.get("relation", ""), RELATIONS, Relation.OWNER))
    return row


def _chunks(items: Iterable[Any]) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


async def resolve(kind: ImportKind, rows: list[Row], *, company_id: int, communities: frozenset[int] | None) -> None:
    """Check names against the database and duplicates in the file and the database; sets "r" on good rows."""
    clean = [r for r in rows if not r["e"]]
    found = dict(await Community.filter(company_id=company_id).values_list("name", "id"))
    for row in clean:
        cid = found.get(row["p"]["community"])
        if cid is None:
            _err(row, "community", Codes.NOT_FOUND, "No such community")
        elif communities is not None and cid not in communities:
            _err(row, "community", Codes.FORBIDDEN, "Not your community")
        else:
            row["r"] = {"community": cid}
    clean = [r for r in clean if not r["e"]]
    if kind == ImportKind.BUILDINGS:
        await _resolve_buildings(clean)
        return
    await _resolve_building_ids(clean, company_id)
    clean = [r for r in clean if not r["e"]]
    if kind == ImportKind.UNITS:
        await _resolve_units(clean)
    else:
        await _resolve_owners(clean)


async def _resolve_buildings(rows: list[Row]) -> None:
    ids = {r["r"]["community"] for r in rows}
    taken: set[tuple[int, str]] = set()
    for batch in _chunks(ids):
        taken |= set(await Building.filter(community_id__in=batch).values_list("community_id", "name"))
    seen: set[tuple[int, str]] = set()
    for row in rows:
        key = (row["r"]["community"], row["p"]["building"])
        if key in taken:
            _err(row, "building", Codes.DUPLICATE, "This building exists")
        elif key in seen:
            _err(row, "building", Codes.DUPLICATE, "Listed twice in the file")
        seen.add(key)


async def _resolve_building_ids(rows: list[Row], company_id: int) -> None:
    ids = {r["r"]["community"] for r in rows}
    buildings: dict[tuple[int, str], int] = {}
    for batch in _chunks(ids):
        for bid, cid, name in await Building.filter(company_id=company_id, community_id__in=batch).values_list(
            "id", "community_id", "name"
        ):
            buildings[(cid, name)] = bid
    for row in rows:
        bid = buildings.get((row["r"]["community"], row["p"]["building"]))
        if bid is None:
            _err(row, "building", Codes.NOT_FOUND, "No such building in this community")
        else:
            row["r"]["building"] = bid


async def _resolve_units(rows: list[Row]) -> None:
    taken: set[tuple[int, str]] = set()
    for batch in _chunks({r["r"]["building"] for r in rows}):
        taken |= set(await Unit.filter(building_id__in=batch).values_list("building_id", "number"))
    seen: set[tuple[int, str]] = set()
    for row in rows:
        key = (row["r"]["building"], row["p"]["number"])
        if key in taken:
            _err(row, "number", Codes.DUPLICATE, "This unit exists in the building")
        elif key in seen:
            _err(row, "number", Codes.DUPLICATE, "Listed twice in the file")
        seen.add(key)


async def _resolve_owners(rows: list[Row]) -> None:
    units: dict[tuple[int, str], int] = {}
    for batch in _chunks({r["r"]["building"] for r in rows}):
        for uid, bid, number in await Unit.filter(building_id__in=batch).values_list("id", "building_id", "number"):
            units[(bid, number)] = uid
    for row in rows:
        uid = units.get((row["r"]["building"], row["p"]["number"]))
        if uid is None:
            _err(row, "number", Codes.NOT_FOUND, "No such unit in this building")
        else:
            row["r"]["unit"] = uid
    rows = [r for r in rows if not r["e"]]
    users: dict[str, int] = {}
    for batch in _chunks({r["p"]["ph"] for r in rows}):
        users.update(dict(await User.filter(phone_hash__in=batch).values_list("phone_hash", "id")))
    bound: set[tuple[int, int]] = set()
    for batch in _chunks(set(users.values())):
        bound |= set(await UnitBinding.filter(user_id__in=batch, status=BindingStatus.APPROVED).values_list(
            "unit_id", "user_id"))
    seen: set[tuple[int, str]] = set()
    for row in rows:
        key = (row["r"]["unit"], row["p"]["ph"])
        uid = users.get(row["p"]["ph"])
        if uid is not None and (row["r"]["unit"], uid) in bound:
            _err(row, "phone", Codes.DUPLICATE, "Already bound to this unit")
        elif key in seen:
            _err(row, "phone", Codes.DUPLICATE, "Listed twice in the file")
        seen.add(key)
        row["r"]["user"] = uid
