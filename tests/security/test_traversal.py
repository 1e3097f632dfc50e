"""Schema-wide traversal: every object any role can reach passes an independent ownership check.

For each role of company A (company admin, a manager and a customer-service agent limited to one community, a
technician, finance, a guard, an owner, a household member, an applicant whose request is still pending, and a
platform admin) the walk starts from what the role may legitimately reach: every root field that needs no argument,
`node(id:)` for every object of both companies, and the objects mutations return (a binding request for company B's
unit, the attack of finding 2). From each object it follows every field and connection of the schema, built from the
live schema (new types and fields are walked without edits), to a fixed number of hops.

Every object that comes back is checked against the database by `allowed()`, which knows nothing of the access
code: staff see rows of their company (and, when limited, of their communities); owners see what hangs off their own
approved units, their own rows and their company's reference data; users are visible only through a tie to the
caller's company or unit. Full phone numbers appear only where owner.phone or staff.write covers the person.
A Node type that `allowed()` cannot judge (no model, no company column) fails the test until it is taught.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import pytest
from graphql import (
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_enum_type,
    is_interface_type,
    is_non_null_type,
    is_object_type,
    is_scalar_type,
)
from tortoise import Tortoise

from backend.core.gql import NODE_TYPES
from backend.core.ids import decode_any, encode_id
from backend.domains.accounts.models import Role, StaffGrant, StaffMember
from backend.domains.repairs.models import Ticket
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from backend.schema import schema
from tests.factories import (
    bind,
    make_building,
    make_community,
    make_company,
    make_platform_admin,
    make_staff,
    make_unit,
    make_user,
    token_for,
)

GQL: GraphQLSchema = schema._schema
HOPS = 3  # Node-to-Node steps from each starting object
INLINE_DEPTH = 3  # levels of non-Node objects (connections, edges, grants, timeline steps) expanded inline
FULL_PHONE = re.compile(r"^1[3-9][0-9]{9}$")
# Node type -> Tortoise model, where the names differ.
MODEL_NAMES = {"StoredFile": "Upload"}
# Company-wide reference data residents of the company may read.
RESIDENT_REFERENCE = {"RepairCategory"}
# Platform-global types every staff member may read.
GLOBAL_TYPES = {"Role"}


@dataclass
class Caller:
    name: str
    token: str
    user_id: int
    company_id: int | None = None
    scope: frozenset[int] | None = None  # community ids, None = company-wide
    platform: bool = False
    perms: set[str] = field(default_factory=set)


@dataclass
class Worlds:
    callers: list[Caller]
    ids: list[str]  # every object of both companies, as global IDs
    b_unit: str


async def _company(api: Any, label: str) -> dict[str, Any]:
    company = await make_company(f"Company {label}")
    c1, c2 = await make_community(company, f"{label}1"), await make_community(company, f"{label}2")
    out: dict[str, Any] = {"company": company, "communities": (c1, c2), "units": [], "owners": []}
    for c in (c1, c2):
        b = await make_building(c)
        for n in ("101", "102"):
            unit = await make_unit(b, n)
            owner = await make_user(f"Owner {label}{c.id}{n}")
            await bind(owner, unit)
            out["units"].append(unit)
            out["owners"].append(owner)
    out["admin"] = await make_staff(company, "company_admin", name=f"Admin {label}")
    return out


async def _ticket(api: Any, admin_token: str, owner_token: str, unit_id: int, key: str) -> str:
    cats = await api.gql("query { repairCategories { id } }", token=admin_token)
    data = await api.gql(
        "mutation($i: TicketCreateInput!) { ticketCreate(input: $i) { ticket { id } errors { code } } }",
        {"i": {"unitId": encode_id("Unit", unit_id), "categoryId": cats["repairCategories"][0]["id"],
               "description": "Leak", "idempotencyKey": key}}, token=owner_token)
    assert data["ticketCreate"]["errors"] == [], data
    return data["ticketCreate"]["ticket"]["id"]


async def _caller(name: str, user: Any, role: str | None = None, company: Any = None, community: Any = None,
                  platform: bool = False) -> Caller:
    perms: set[str] = set()
    if role is not None:
        perms = set((await Role.get(code=role)).permissions)
    return Caller(name=name, token=await token_for(user), user_id=user.id,
                  company_id=company.id if company is not None else None,
                  scope=frozenset({community.id}) if community is not None else None, platform=platform, perms=perms)


@pytest.fixture
async def worlds(api: Any) -> Worlds:
    a, b = await _company(api, "A"), await _company(api, "B")
    a1 = a["communities"][0]
    admin_a = await token_for(a["admin"])
    admin_b = await token_for(b["admin"])
    # tickets in both companies, one per community, with a staff note so timelines have actors
    for world, admin in ((a, admin_a), (b, admin_b)):
        for i, unit in enumerate(world["units"][::2]):
            owner = world["owners"][world["units"].index(unit)]
            await _ticket(api, admin, await token_for(owner), unit.id, f"t{i}")
    # an audit row in each company, written by a real staff mutation
    for world, admin in ((a, admin_a), (b, admin_b)):
        c = world["communities"][0]
        body = await api.gql('mutation($id: ID!) { communityUpdate(id: $id, input: {name: "Renamed"}) '
                             "{ errors { code } } }", {"id": encode_id("Community", c.id)}, token=admin)
        assert body["communityUpdate"]["errors"] == []
    # company A's people
    owner = a["owners"][0]
    household = await make_user("Family A")
    await bind(household, a["units"][0], Relation.FAMILY)
    applicant = await make_user("Applicant A")  # asked for a unit of A1; not approved yet
    await bind(applicant, a["units"][1], Relation.OWNER, BindingStatus.PENDING)
    callers = [
        await _caller("admin", a["admin"], "company_admin", a["company"]),
        await _caller("manager@A1", await make_staff(a["company"], "community_manager", a1, "Manager"),
                      "community_manager", a["company"], a1),
        await _caller("service@A1", await make_staff(a["company"], "customer_service", a1, "Service"),
                      "customer_service", a["company"], a1),
        await _caller("technician@A1", await make_staff(a["company"], "technician", a1, "Tech"), "technician",
                      a["company"], a1),
        await _caller("finance", await make_staff(a["company"], "finance", None, "Finance"), "finance",
                      a["company"]),
        await _caller("guard@A1", await make_staff(a["company"], "guard", a1, "Guard"), "guard", a["company"], a1),
        await _caller("owner", owner),
        await _caller("household", household),
        await _caller("applicant", applicant),
        await _caller("platform", await make_platform_admin(), platform=True),
    ]
    ids: list[str] = []
    for name, (_cls, _resolve) in NODE_TYPES.items():
        model = _model(name)
        for pk in await model.all().values_list("id", flat=True):
            ids.append(encode_id(name, pk))
    return Worlds(callers=callers, ids=ids, b_unit=encode_id("Unit", b["units"][0].id))


# --------------------------------------------------------------------------------------------- the oracle


def _model(type_name: str) -> Any:
    apps = Tortoise.apps
    assert apps is not None
    wanted = MODEL_NAMES.get(type_name, type_name)
    for model in apps.get_models_iterable():
        if model.__name__ == wanted:
            return model
    pytest.fail(f"Node type {type_name} has no model: add it to MODEL_NAMES in {__file__}")


class Oracle:
    """Ownership facts read straight from the database for one caller."""

    def __init__(self, caller: Caller) -> None:
        self.c = caller
        self.units: set[int] = set()
        self.buildings: set[int] = set()
        self.communities: set[int] = set()
        self.companies: set[int] = set()

    async def load(self) -> Oracle:
        rows = await UnitBinding.filter(user_id=self.c.user_id, status=BindingStatus.APPROVED).values(
            "unit_id", "unit__building_id", "community_id", "company_id")
        self.units = {r["unit_id"] for r in rows}
        self.buildings = {r["unit__building_id"] for r in rows}
        self.communities = {r["community_id"] for r in rows}
        self.companies = {r["company_id"] for r in rows}
        return self

    def _in_scope(self, company_id: int | None, community_id: int | None) -> bool:
        if company_id != self.c.company_id:
            return False
        return self.c.scope is None or community_id is None or community_id in self.c.scope

    async def user_tied(self, user_id: int, phone_full: bool) -> str | None:
        """None when the caller may know this user (with a full phone only where allowed), else the reason not."""
        c = self.c
        if c.platform or user_id == c.user_id:
            return None
        ties: list[tuple[int | None, str]] = []  # (community, kind)
        if c.company_id is not None:
            for r in await UnitBinding.filter(user_id=user_id, company_id=c.company_id).values("community_id",
                                                                                             "status"):
                ties.append((r["community_id"], "binding:" + r["status"]))
            for g in await StaffGrant.filter(staff__user_id=user_id, company_id=c.company_id).values("community_id"):
                ties.append((g["community_id"], "staff"))
            for t in await Ticket.filter(reporter_id=user_id, company_id=c.company_id).values("community_id"):
                ties.append((t["community_id"], "reporter"))
            mine = [(cid, kind) for cid, kind in ties if c.scope is None or (cid is not None and cid in c.scope)]
            if not mine:
                return f"user {user_id} has no tie to the caller's company in scope"
            if phone_full:
                may = any(
                    ("owner.phone" in c.perms and kind in ("binding:approved", "binding:pending"))
                    or ("staff.write" in c.perms and kind == "staff") for _, kind in mine)
                if not may:
                    return f"full phone of user {user_id} without owner.phone/staff.write over them"
            return None
        co = await UnitBinding.filter(user_id=user_id, unit_id__in=list(self.units),
                                      status=BindingStatus.APPROVED).exists()
        if not co:
            return f"user {user_id} is no co-resident of the caller"
        if phone_full:
            return f"full phone of co-resident {user_id}"
        return None

    async def allowed(self, gid: str, obj: dict[str, Any]) -> str | None:
        """None when the caller may see this object, else why not."""
        type_name, pk = decode_any(gid)
        if self.c.platform:
            return None
        if type_name == "User":
            phone = obj.get("phone")
            return await self.user_tied(pk, isinstance(phone, str) and bool(FULL_PHONE.match(phone)))
        if type_name in GLOBAL_TYPES:
            return None if self.c.company_id is not None else f"{type_name} to a non-staff caller"
        model = _model(type_name)
        fields = model._meta.fields_map
        row = await model.filter(id=pk).values()
        if not row:
            return None  # deleted since; nothing leaked
        r = row[0]
        company = pk if type_name == "Company" else r.get("company_id")
        community = pk if type_name == "Community" else r.get("community_id")
        own = any(r.get(k) == self.c.user_id for k in ("user_id", "owner_id", "reporter_id"))
        if own and type_name != "Unit":
            return None  # the caller's own row: their binding request, notification, upload, ticket, invitation
        if "company" not in fields and type_name != "Company":
            pytest.fail(f"{type_name} has no company column: teach allowed() in {__file__} how to judge it")
        if self.c.company_id is not None:
            if self._in_scope(company, community):
                return None
            return f"{type_name} of company {company} / community {community}"
        # an owner, a household member, an applicant
        if type_name == "Unit" and pk in self.units or type_name == "Building" and pk in self.buildings:
            return None
        if type_name == "Community" and pk in self.communities:
            return None
        if r.get("unit_id") is not None and r["unit_id"] in self.units:
            return None
        if type_name in RESIDENT_REFERENCE and company in self.companies:
            return None
        return f"{type_name} {pk} hangs off no unit of the caller"


# ----------------------------------------------------------------------------------------- the schema walk


def _args_optional(f: Any) -> bool:
    return all(not is_non_null_type(a.type) or a.default_value is not Undefined for a in f.args.values())


def selection(t: Any, depth: int = 0) -> str:
    """Every argument-free field of an object type; Node-typed ones give their id, others are expanded."""
    named = get_named_type(t)
    parts = ["__typename"]
    if is_interface_type(named):
        return "{ __typename ... on Node { id } }"
    for fname, f in named.fields.items():
        if not _args_optional(f):
            continue
        inner = get_named_type(f.type)
        if is_scalar_type(inner) or is_enum_type(inner):
            parts.append(fname)
        elif is_object_type(inner) or is_interface_type(inner):
            if "id" in inner.fields and any(i.name == "Node" for i in getattr(inner, "interfaces", [])):
                parts.append(f"{fname} {{ __typename id {'phone' if inner.name == 'User' else ''} }}")
            elif is_interface_type(inner):
                parts.append(f"{fname} {{ __typename ... on Node {{ id }} }}")
            elif depth < INLINE_DEPTH:
                parts.append(f"{fname} {selection(inner, depth + 1)}")
    return "{ " + " ".join(parts) + " }"


def found_objects(value: Any) -> list[dict[str, Any]]:
    """Every object with an id in a response."""
    out: list[dict[str, Any]] = []
    if isinstance(value, dict):
        if isinstance(value.get("id"), str) and value.get("__typename") in NODE_TYPES:
            out.append(value)
        for v in value.values():
            out += found_objects(v)
    elif isinstance(value, list):
        for v in value:
            out += found_objects(v)
    return out


def _unexpected(body: dict[str, Any]) -> list[Any]:
    allowed = {"FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED", "INVALID_ID"}
    return [e for e in body.get("errors") or [] if (e.get("extensions") or {}).get("code") not in allowed]


async def walk(api: Any, caller: Caller, worlds: Worlds) -> tuple[int, list[str]]:
    """Reach everything the caller can reach; return how many objects were judged and the violations."""
    oracle = await Oracle(caller).load()
    problems: list[str] = []
    judged: set[str] = set()
    queue: deque[tuple[str, int]] = deque()

    async def judge(body: dict[str, Any], where: str) -> None:
        bad = _unexpected(body)
        if bad:
            problems.append(f"{where}: unexpected errors {bad}")
        for obj in found_objects(body.get("data")):
            key = obj["id"] + ("+phone" if FULL_PHONE.match(str(obj.get("phone", ""))) else "")
            if key in judged:
                continue
            judged.add(key)
            why = await oracle.allowed(obj["id"], obj)
            if why is not None:
                problems.append(f"{caller.name} via {where}: {why}")
            queue.append((obj["id"], 0))

    query_type = GQL.query_type
    assert query_type is not None
    for fname, f in query_type.fields.items():
        if fname in ("node", "nodes") or not _args_optional(f):
            continue
        inner = get_named_type(f.type)
        sel = selection(inner) if is_object_type(inner) or is_interface_type(inner) else ""
        await judge(await api.raw(f"query {{ {fname} {sel} }}", token=caller.token), fname)
    for gid in worlds.ids:
        await judge(await api.raw("query($id: ID!) { node(id: $id) { __typename ... on Node { id } } }",
                                  {"id": gid}, token=caller.token), "node")
    mutation = GQL.mutation_type
    assert mutation is not None
    payload = selection(mutation.fields["bindingRequest"].type)
    await judge(await api.raw(f"mutation($u: ID!) {{ bindingRequest(unitId: $u, relation: OWNER) {payload} }}",
                              {"u": worlds.b_unit}, token=caller.token), "bindingRequest")
    walked: set[str] = set()
    while queue:
        gid, hops = queue.popleft()
        if gid in walked or hops >= HOPS:
            continue
        walked.add(gid)
        type_name, _ = decode_any(gid)
        sel = selection(GQL.type_map[type_name])
        body = await api.raw(f'query($id: ID!) {{ node(id: $id) {{ ... on {type_name} {sel} }} }}', {"id": gid},
                             token=caller.token)
        await judge(body, f"node({type_name}).*")
        for obj in found_objects(body.get("data")):
            if obj["id"] != gid:
                queue.append((obj["id"], hops + 1))
    return len(judged), problems


@pytest.mark.slow
async def test_every_object_every_role_reaches_is_theirs_to_see(api: Any, worlds: Worlds) -> None:
    reached: dict[str, int] = {}
    problems: list[str] = []
    for caller in worlds.callers:
        count, found = await walk(api, caller, worlds)
        reached[caller.name] = count
        problems += found
    print("\nobjects judged per role:", reached)
    assert not problems, "\n".join(problems[:40])
    # the walk is not vacuous: staff reach their company's objects, owners their home's, the applicant only
    # themself and their request
    assert reached["admin"] > 40 and reached["manager@A1"] > 15 and reached["owner"] > 5, reached
    assert reached["applicant"] >= 2 and reached["platform"] > 10, reached


async def test_the_oracle_catches_a_foreign_unit(api: Any, worlds: Worlds) -> None:
    # the check itself is not vacuous: another company's unit, or a pending request's unit, is refused
    admin = worlds.callers[0]
    applicant = next(c for c in worlds.callers if c.name == "applicant")
    oracle = await Oracle(admin).load()
    assert await oracle.allowed(worlds.b_unit, {}) is not None
    pending = await UnitBinding.get(user_id=applicant.user_id)
    oracle = await Oracle(applicant).load()
    assert await oracle.allowed(encode_id("Unit", pending.unit_id), {}) is not None
    staff = await StaffMember.filter(company_id=admin.company_id).first()
    assert staff is not None
    assert await oracle.allowed(encode_id("User", staff.user_id), {"phone": "13900000000"}) is not None
