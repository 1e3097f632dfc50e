"""Cross-tenant and cross-owner matrix, enumerated from the live schema.

Every registered Node type, every Query/Mutation argument that takes an ID (directly or inside an input
object) and every list is probed with world A's objects by world B's callers. New types, operations and
lists are covered without editing this file; the small tables below fail loudly when something new
cannot be mapped, so whoever adds it decides how it is probed.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_enum_type,
    is_input_object_type,
    is_interface_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    is_scalar_type,
)
from tortoise import Tortoise

from backend.core.gql import NODE_TYPES
from backend.core.ids import decode_any, decode_id, encode_id
from backend.domains.accounts.models import Role, StaffInvitation, StaffMember, User
from backend.domains.audit.models import AuditLog
from backend.domains.files.models import FileKind, Upload, UploadPurpose
from backend.domains.imports.models import ImportJob, ImportKind
from backend.domains.notifications.models import Notification
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from backend.schema import schema
from tests.factories import World, bind, make_staff, make_user, make_world, token_for

GQL: GraphQLSchema = schema._schema
REFUSED = {"NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "INVALID_ID"}

# Types shared by every company by design: not tenant data, so staff of any company may read them.
GLOBAL_TYPES = {
    "Role",  # a platform role template (company_admin, technician, ...) that every company's grants point to
}

# ID argument name -> the type it names. A plain `id` is typed by the operation's name (see below).
ARG_TYPES = {
    "unitId": "Unit",
    "communityId": "Community",
    "buildingId": "Building",
    "companyId": "Company",
    "roleId": "Role",
    "actorId": "User",
    "ownerId": "User",
    "jobId": "ImportJob",
    "categoryId": "RepairCategory",
    "categoryIds": "RepairCategory",
    "technicianId": "StaffMember",
    "staffId": "StaffMember",
    "ids": "Notification",
    "fileIds": "StoredFile",
    "avatarFileId": "StoredFile",
}
# Operation name prefix -> the type its plain `id` argument names (longest prefix wins).
ID_PREFIXES = {
    "company": "Company",
    "community": "Community",
    "building": "Building",
    "unit": "Unit",
    "staff": "StaffMember",
    "role": "Role",
    "owner": "User",
    "binding": "UnitBinding",
    "householdMember": "UnitBinding",
    "householdInvitation": "UnitBinding",
    "staffInvitation": "StaffInvitation",
    "ticket": "Ticket",
    "repairCategory": "RepairCategory",
}
# Which of world A's objects an operation's `id` is probed with, where the default would be refused for a
# trivial reason (household removal only applies to approved family members or tenants; only an invitation can be
# accepted or declined).
TARGET_VARIANT = {"householdMemberRemove": "household", "householdInvitationAccept": "invited",
                  "householdInvitationDecline": "invited"}
# Operations whose ID arguments are probed elsewhere in this file.
COVERED_ELSEWHERE = {("Query", "node"), ("Query", "nodes"),
                     # Finding one's home takes any company's community and building, by design: what they answer
                     # (names, and a unit's ID for its exact number, capped per person) is checked in
                     # tests/domains/residents/test_homes.py.
                     ("Query", "homeBuildings"), ("Query", "homeUnit")}
# Operations that legitimately accept another company's ID: a signed-in person may ask to be bound to any
# unit (the unit's staff review the request). The probe checks that only the caller's own PENDING
# request is created and nothing of world A is returned or changed.
OPEN_REQUESTS = {"bindingRequest"}

# Query fields that return connections, with the node type they list ("platform": platform admins only).
LISTS = {
    "companies": "platform",
    "communities": "Community",
    "buildings": "Building",
    "units": "Unit",
    "staffMembers": "StaffMember",
    "bindings": "UnitBinding",
    "owners": "User",
    "auditLogs": "AuditLog",
    "tickets": "Ticket",
    "myTickets": "Ticket",
    "notifications": "Notification",
    "jobRuns": "platform",
    "trustedDocuments": "platform",
}
# Lists of the caller's own rows, with the caller whose rows make the non-vacuous check (default: admin).
LIST_VIEWERS = {"myTickets": "owner"}
# The other Query fields and why they need no list probe.
OTHER_QUERY_FIELDS = {
    "viewer": "the caller themself",
    "node": "probed per Node type below",
    "nodes": "probed per Node type below",
    "roles": "platform-global role templates",
    "permissions": "the platform-global permission catalog (no rows of any company)",
    "auditActions": "the platform-global catalog of audit action labels (no rows of any company)",
    "platformAdmins": "platform administrators only (probed as platform-only)",
    "dashboard": "the caller's own figures; its communityId is probed as an ID argument",
    "repairCategories": "a plain list; its communityId is probed as an ID argument",
    "repairSettings": "one community's settings; its communityId is probed as an ID argument",
    "technicianWorkload": "one community's technicians; its communityId is probed as an ID argument",
    "technicianStats": "figures of the caller's company; its communityId is probed as an ID argument",
    "unreadNotificationCount": "the caller's own count",
    "homeCommunities": "community names and addresses of every active company, for finding one's home (public facts)",
    "homeBuildings": "building names of any active company's community, for finding one's home (public facts)",
    "homeUnit": "one unit's ID for its exact number, capped per person (tests/domains/residents/test_homes.py)",
    "jobs": "declared jobs and their run figures: platform administrators only (probed as platform-only)",
}
# Operations marked "(platform)" in their description; the marker must stay on these at least.
KNOWN_PLATFORM_ONLY = {
    ("Mutation", "companyCreate"), ("Mutation", "companyDisable"), ("Mutation", "companyEnable"),
    ("Mutation", "roleUpdate"), ("Mutation", "platformAdminCreate"), ("Query", "companies"),
    ("Query", "platformAdmins"), ("Query", "jobRuns"), ("Query", "jobs"), ("Query", "trustedDocuments"),
    ("Mutation", "trustedDocumentsRegister"), ("Mutation", "trustedDocumentWithdraw"),
}

STRONG_PASSWORD = "Courtyard-2024"
STRING_VALUES = {"password": STRONG_PASSWORD, "newPassword": STRONG_PASSWORD, "adminPassword": STRONG_PASSWORD,
                 "reason": "probe", "name": "Probe", "number": "P1"}
PHONE_ARGS = {"phone", "adminPhone"}
# Owners add household members only as FAMILY or TENANT: a valid value, so only the ID can be at fault.
ENUM_VALUES = {"relation": "FAMILY"}
_phones = itertools.count(1)


# ---------------------------------------------------------------------------------------------------- data


@dataclass
class Side:
    """One company's world plus one instance of every Node type and a token for each caller."""

    world: World
    technician: User
    applicant: User
    household: User
    pending: UnitBinding
    family: UnitBinding
    owner_binding: UnitBinding
    audit: AuditLog
    tokens: dict[str, str] = field(default_factory=dict)
    instances: dict[str, list[str]] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)


async def _side(api: Any, label: str) -> Side:
    w = await make_world(label)
    technician = await make_staff(w.company, "technician", name=f"Technician {label}")
    applicant = await make_user(f"Applicant {label}")
    household = await make_user(f"Family {label}")
    pending = await bind(applicant, w.unit, Relation.OWNER, BindingStatus.PENDING)
    family = await bind(household, w.unit, Relation.FAMILY, BindingStatus.APPROVED)
    owner_binding = await UnitBinding.get(user_id=w.owner.id, unit_id=w.unit.id)
    admin_token = await token_for(w.admin)
    # An audit row written by a real staff mutation.
    data = await api.gql(
        "mutation($id: ID!) { communityUpdate(id: $id, input: {name: $name}) { errors { code } } }"
        .replace("$name", json.dumps(w.community.name)),
        {"id": encode_id("Community", w.community.id)}, token=admin_token,
    )
    assert data["communityUpdate"]["errors"] == []
    audit = await AuditLog.get(company_id=w.company.id, action="community.update")
    staff_admin = await StaffMember.get(company_id=w.company.id, user_id=w.admin.id)
    staff_tech = await StaffMember.get(company_id=w.company.id, user_id=technician.id)
    role = await Role.get(code="technician")
    # A previewed, error-free import of one unit: committing it would add a row, which the probes would see.
    job = await ImportJob.create(
        company_id=w.company.id, kind=ImportKind.UNITS, file_name="units.xlsx", total_rows=1, valid_rows=1,
        created_by_id=w.admin.id, rows=[{"n": 2, "v": {}, "e": [], "p": {
            "community": w.community.name, "building": w.building.name, "number": "P9", "floor": 1,
            "area": "10.00", "type": "residential"}}],
    )
    # An owner's photo attached to one of the company's objects: the uploader and the company's staff see it.
    upload = await Upload.create(company_id=w.company.id, owner_id=w.owner.id, key=f"{w.company.id}/2024/01/a.jpg",
                                 content_type="image/jpeg", size=3, kind=FileKind.IMAGE,
                                 purpose=UploadPurpose.TICKET_PHOTO, attached_to="Ticket:1")
    s = Side(world=w, technician=technician, applicant=applicant, household=household, pending=pending,
             family=family, owner_binding=owner_binding, audit=audit)
    s.tokens = {"admin": admin_token, "owner": await token_for(w.owner), "technician": await token_for(technician)}
    # A repair ticket of the owner, with the company's (lazily created) categories; a message for the admin.
    data = await api.gql("query { repairCategories { id } }", token=admin_token)
    category = data["repairCategories"][0]["id"]
    data = await api.gql(
        "mutation($i: TicketCreateInput!) { ticketCreate(input: $i) { ticket { id } errors { code } } }",
        {"i": {"unitId": encode_id("Unit", w.unit.id), "categoryId": category, "description": "Leak",
               "idempotencyKey": "matrix"}}, token=s.tokens["owner"])
    ticket = data["ticketCreate"]["ticket"]["id"]
    notification = await Notification.create(user_id=w.admin.id, company_id=w.company.id, kind="probe", title="t")
    # An existing account invited to the staff, and one invited into the owner's household (neither answered yet).
    invitation = await StaffInvitation.create(company_id=w.company.id, user=await make_user(f"Staff invitee {label}"),
                                              invited_by_id=w.admin.id, name="Invitee", grants=[[role.id, None]])
    invited = await UnitBinding.create(company_id=w.company.id, community_id=w.community.id, unit=w.unit,
                                       user=await make_user(f"Household invitee {label}"), relation=Relation.FAMILY,
                                       status=BindingStatus.INVITED, added_by=w.owner, invited_name="Cousin")
    # Every registered Node type needs an entry here (global types map to their shared rows).
    s.instances = {
        "Company": [encode_id("Company", w.company.id)],
        "Community": [encode_id("Community", w.community.id)],
        "Building": [encode_id("Building", w.building.id)],
        "Unit": [encode_id("Unit", w.unit.id)],
        "User": [encode_id("User", u.id) for u in (w.owner, w.admin, technician, applicant, household)],
        "StaffMember": [encode_id("StaffMember", staff_tech.id), encode_id("StaffMember", staff_admin.id)],
        "UnitBinding": [encode_id("UnitBinding", b.id) for b in (pending, owner_binding, family)],
        "AuditLog": [encode_id("AuditLog", audit.id)],
        "Role": [encode_id("Role", role.id)],
        "ImportJob": [encode_id("ImportJob", job.id)],
        "StoredFile": [encode_id("StoredFile", upload.id)],
        "Ticket": [ticket],
        "RepairCategory": [category],
        "Notification": [encode_id("Notification", notification.id)],
        "StaffInvitation": [encode_id("StaffInvitation", invitation.id)],
    }
    # The object an ID argument of each type is probed with (first of each list; variants by name).
    s.targets = {name: ids[0] for name, ids in s.instances.items()}
    s.targets["UnitBinding:household"] = encode_id("UnitBinding", family.id)
    s.targets["UnitBinding:invited"] = encode_id("UnitBinding", invited.id)
    return s


@pytest.fixture
async def worlds(api: Any) -> tuple[Side, Side]:
    return await _side(api, "A"), await _side(api, "B")


def _owned_ids(side: Side) -> set[str]:
    return {gid for name, ids in side.instances.items() if name not in GLOBAL_TYPES for gid in ids}


async def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model (the probes must not change any of them)."""
    apps = Tortoise.apps
    assert apps is not None
    out: dict[str, list[dict[str, Any]]] = {}
    for model in apps.get_models_iterable():
        pk = model._meta.pk_attr
        out[model._meta.db_table] = [
            {k: str(v) for k, v in row.items()} for row in await model.all().order_by(pk).values()
        ]
    return out


def _diff(before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {t: {"before": before[t], "after": after.get(t)} for t in before if before[t] != after.get(t)}


def _codes(body: dict[str, Any], field_name: str) -> set[str]:
    codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
    result = (body.get("data") or {}).get(field_name)
    if isinstance(result, dict) and isinstance(result.get("errors"), list):
        codes |= {e["code"] for e in result["errors"]}
    return codes


# ---------------------------------------------------------------------------------------------- schema walk


def _root(kind: str) -> GraphQLObjectType:
    t = GQL.query_type if kind == "Query" else GQL.mutation_type
    assert t is not None
    return t


def _required(t: Any, default: Any) -> bool:
    return is_non_null_type(t) and default is Undefined


def _id_paths(t: Any, path: tuple[str, ...], depth: int = 0) -> list[tuple[str, ...]]:
    """Paths to every ID inside a (possibly wrapped) input type; "[]" marks a list level."""
    if is_non_null_type(t):
        return _id_paths(t.of_type, path, depth)
    if is_list_type(t):
        return _id_paths(t.of_type, (*path, "[]"), depth)
    if is_input_object_type(t):
        assert depth < 5, f"input nesting too deep at {path}"
        return [p for name, f in t.fields.items() for p in _id_paths(f.type, (*path, name), depth + 1)]
    if is_scalar_type(t) and t.name == "ID":
        return [path]
    return []


def id_arguments(kind: str, name: str) -> list[tuple[str, ...]]:
    """Every ID an operation takes, as argument paths such as ("input", "grants", "[]", "communityId")."""
    f: GraphQLField = _root(kind).fields[name]
    return [p for arg_name, arg in f.args.items() for p in _id_paths(arg.type, (arg_name,))]


def infer_type(op: str, path: tuple[str, ...]) -> str:
    """The Node type an ID argument names; fails for a name this matrix has not been taught."""
    names = [p for p in path if p != "[]"]
    last = names[-1]
    if last == "id" and len(names) == 1:
        matches = [p for p in ID_PREFIXES if op.startswith(p) and op[len(p):][:1].isupper()]
        if matches:
            return ID_PREFIXES[max(matches, key=len)]
        pytest.fail(f"{op}(id:) cannot be typed: add its name prefix to ID_PREFIXES in {__file__}")
    if last in ARG_TYPES:
        return ARG_TYPES[last]
    pytest.fail(f"{op}: ID argument {'.'.join(path)} cannot be typed: add {last!r} to ARG_TYPES in {__file__}")


def _fields(kind: str) -> list[tuple[str, str]]:
    return [(kind, n) for n in _root(kind).fields]


ID_OPERATIONS = [
    (kind, name) for kind, name in _fields("Query") + _fields("Mutation")
    if (kind, name) not in COVERED_ELSEWHERE and id_arguments(kind, name)
]


def _probed(kind: str, name: str) -> bool:
    """Whether an operation takes an ID of tenant data (or one not yet typed: its probe then fails loudly)."""
    for path in id_arguments(kind, name):
        last = [p for p in path if p != "[]"][-1]
        typed = ARG_TYPES.get(last) if last != "id" else next(
            (t for p, t in ID_PREFIXES.items() if name.startswith(p) and name[len(p):][:1].isupper()), None)
        if typed not in GLOBAL_TYPES:
            return True
    return False


# Operations whose only IDs name platform-global types (roleUpdate) are probed as platform-only below.
PROBED_OPERATIONS = [op for op in ID_OPERATIONS if _probed(*op)]


class Filler:
    """Valid dummy arguments from GraphQL types; one ID path carries world A's object, others world B's."""

    def __init__(self, op: str, attack: tuple[str, ...] | None, victim: Side, caller: Side) -> None:
        self.op, self.attack, self.victim, self.caller = op, attack, victim, caller

    def wants(self, path: tuple[str, ...]) -> bool:
        return self.attack is not None and self.attack[: len(path)] == path

    def id_for(self, path: tuple[str, ...]) -> str:
        type_name = infer_type(self.op, path)
        side = self.victim if path == self.attack else self.caller
        variant = TARGET_VARIANT.get(self.op) if path == ("id",) else None
        return side.targets[f"{type_name}:{variant}" if variant else type_name]

    def value(self, t: Any, name: str, path: tuple[str, ...]) -> Any:
        if is_non_null_type(t):
            return self.value(t.of_type, name, path)
        if is_list_type(t):
            return [self.value(t.of_type, name, (*path, "[]"))]
        if is_input_object_type(t):
            return self.input_object(t, path)
        if is_enum_type(t):
            return ENUM_VALUES.get(name, next(iter(t.values)))
        scalar = t.name
        if scalar == "ID":
            return self.id_for(path)
        if scalar == "String":
            if name in PHONE_ARGS:
                return f"139{next(_phones):08d}"
            return STRING_VALUES.get(name, "x")
        simple = {"Int": 1, "Float": 1.0, "Boolean": True, "Decimal": "10.00", "JSON": {},
                  "DateTime": "2024-01-01T00:00:00+00:00"}
        if scalar not in simple:
            pytest.fail(f"no dummy value for scalar {scalar} ({self.op}.{'.'.join(path)}): add one to Filler")
        return simple[scalar]

    def input_object(self, t: GraphQLInputObjectType, path: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for fname, f in t.fields.items():
            fpath = (*path, fname)
            if _required(f.type, f.default_value) or self.wants(fpath):
                out[fname] = self.value(f.type, fname, fpath)
        return out


def nodes_selection(connection: Any) -> str:
    """A connection's items with their IDs, where they are Nodes (platform records such as JobRun are not)."""
    item = get_named_type(get_named_type(connection).fields["nodes"].type)
    ids = " ... on Node { id }" if any(i.name == "Node" for i in getattr(item, "interfaces", ())) else ""
    return f"nodes {{ __typename{ids} }}"


def selection(t: Any) -> str:
    """What to ask for: __typename, payload errors, and the id of every object it returns."""
    named = get_named_type(t)
    if not (is_object_type(named) or is_interface_type(named)):
        return ""
    parts = ["__typename"]
    fields = named.fields
    if "edges" in fields and "totalCount" in fields:
        return "{ __typename totalCount " + nodes_selection(named) + " }"
    for fname, f in fields.items():
        if f.args:
            continue
        inner = get_named_type(f.type)
        if fname == "errors":
            parts.append("errors { code }")
        elif fname == "id":
            parts.append("id")
        elif is_object_type(inner) or is_interface_type(inner):
            parts.append(f"{fname} {{ __typename{' id' if 'id' in inner.fields else ''} }}")
        elif fname != "__typename" and (is_scalar_type(inner) or is_enum_type(inner)):
            parts.append(fname)
    return "{ " + " ".join(parts) + " }"


def build_call(kind: str, name: str, filler: Filler) -> tuple[str, dict[str, Any]]:
    f = _root(kind).fields[name]
    var_defs, args, variables = [], [], {}
    for arg_name, arg in f.args.items():
        if _required(arg.type, arg.default_value) or filler.wants((arg_name,)):
            var_defs.append(f"${arg_name}: {arg.type}")
            args.append(f"{arg_name}: ${arg_name}")
            variables[arg_name] = filler.value(arg.type, arg_name, (arg_name,))
    head = f"{kind.lower()}({', '.join(var_defs)})" if var_defs else kind.lower()
    call = f"{name}({', '.join(args)})" if args else name
    return f"{head} {{ {call} {selection(f.type)} }}", variables


def assert_no_data(result: Any, where: str) -> None:
    """Null objects, empty lists, zero counts: nothing of world A came back."""
    if result is None:
        return
    if isinstance(result, list):
        assert result == [], where
        return
    assert isinstance(result, dict), where
    if "totalCount" in result:
        assert result["totalCount"] == 0 and result["nodes"] == [], where
        return
    leaked = {k: v for k, v in result.items() if k not in ("__typename", "errors") and v not in (None, [])}
    assert not leaked, f"{where}: returned {leaked}"


# ------------------------------------------------------------------------------------------ (a) node lookups


NODE_QUERY = "query($id: ID!) { node(id: $id) { __typename ... on Node { id } } }"
NODES_QUERY = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Node { id } } }"


def test_every_node_type_is_registered() -> None:
    implementations = {t.name for t in GQL.get_implementations(GQL.get_type("Node")).objects}  # type: ignore[arg-type]
    assert implementations == set(NODE_TYPES), "every Node implementation must be registered with register_node"


async def test_every_registered_type_has_an_instance(worlds: tuple[Side, Side]) -> None:
    a, _ = worlds
    missing = set(NODE_TYPES) - set(a.instances)
    assert not missing, f"add an instance of {sorted(missing)} to Side.instances in {__file__}"


@pytest.mark.parametrize("caller", ["admin", "owner", "technician", None])
async def test_node_and_nodes_never_return_another_worlds_objects(api: Any, worlds: tuple[Side, Side],
                                                                 caller: str | None) -> None:
    a, b = worlds
    token = b.tokens[caller] if caller else None
    missing = set(NODE_TYPES) - set(a.instances)
    assert not missing, f"add an instance of {sorted(missing)} to Side.instances in {__file__}"
    probed = []
    for type_name in sorted(NODE_TYPES):
        if type_name in GLOBAL_TYPES and caller is not None:
            continue  # shared with every company by design; anonymous callers are still refused below
        for gid in a.instances[type_name]:
            # Given world A's own admin can fetch it (so the query itself works)...
            if type_name not in GLOBAL_TYPES:
                seen = await api.gql(NODE_QUERY, {"id": gid}, token=a.tokens["admin"])
                assert seen["node"] == {"__typename": type_name, "id": gid}
            # ...when world B's caller asks for it, then nothing comes back.
            body = await api.raw(NODE_QUERY, {"id": gid}, token=token)
            assert (body.get("data") or {}).get("node") is None, (type_name, caller, body)
            assert _codes(body, "node") <= REFUSED, (type_name, caller, body)
            assert gid not in json.dumps(body), (type_name, caller)
            probed.append(gid)
    body = await api.raw(NODES_QUERY, {"ids": probed}, token=token)
    nodes = (body.get("data") or {}).get("nodes")
    assert nodes is None or nodes == [None] * len(probed), (caller, body)
    assert _codes(body, "nodes") <= REFUSED, (caller, body)
    if caller is None:
        assert _codes(body, "nodes") == {"UNAUTHENTICATED"}
    assert not any(gid in json.dumps(body) for gid in probed)
    assert set(NODE_TYPES) - GLOBAL_TYPES <= {decode_any(g)[0] for g in probed}


# ------------------------------------------------------------------------------------ (b) ID arguments


def test_every_id_argument_is_mapped() -> None:
    """A new operation with an ID argument must be taught to this matrix (fails with what to add)."""
    assert ID_OPERATIONS, "the schema walk found no ID arguments"
    for kind, name in ID_OPERATIONS:
        for path in id_arguments(kind, name):
            assert infer_type(name, path) in NODE_TYPES


@pytest.mark.parametrize(("kind", "name"), PROBED_OPERATIONS, ids=[n for _, n in PROBED_OPERATIONS])
async def test_foreign_ids_are_refused(api: Any, worlds: tuple[Side, Side], kind: str, name: str) -> None:
    a, b = worlds
    paths = id_arguments(kind, name)
    attacks = [p for p in paths if infer_type(name, p) not in GLOBAL_TYPES]
    assert attacks
    a_ids = _owned_ids(a)
    for caller in ("admin", "owner"):
        for path in attacks:
            query, variables = build_call(kind, name, Filler(name, path, a, b))
            where = f"{name} {'.'.join(path)}=A as B's {caller}: {query} {variables}"
            before = await snapshot()
            body = await api.raw(query, variables, token=b.tokens[caller])
            after = await snapshot()
            assert not any(gid in json.dumps(body) for gid in a_ids), f"{where}: leaked {body}"
            result = (body.get("data") or {}).get(name)
            codes = _codes(body, name)
            if name in OPEN_REQUESTS and not codes:
                await _assert_own_pending_request(result, b, caller, before, after, where)
                continue
            assert_no_data(result, f"{where}: {body}")
            assert codes <= REFUSED, f"{where}: {body}"
            if kind == "Mutation":
                assert codes, f"{where}: a mutation on another world's object must be refused: {body}"
            assert before == after, f"{where}: rows changed {_diff(before, after)}"


async def _assert_own_pending_request(result: Any, b: Side, caller: str, before: Any, after: Any, where: str) -> None:
    """An open request may only create the caller's own PENDING binding; nothing else changes."""
    caller_user = {"admin": b.world.admin, "owner": b.world.owner}[caller]
    gid = result["binding"]["id"]
    row = await UnitBinding.get(id=decode_id(gid, "UnitBinding"))
    assert row.user_id == caller_user.id and row.status == BindingStatus.PENDING, where
    changed = _diff(before, after)
    assert set(changed) == {UnitBinding._meta.db_table}, f"{where}: {changed}"
    table = changed[UnitBinding._meta.db_table]
    assert table["after"][: len(table["before"])] == table["before"], f"{where}: existing bindings changed"
    assert len(table["after"]) == len(table["before"]) + 1, where
    await row.delete()


# ------------------------------------------------------------------------------------- platform-only


def _platform_only() -> list[tuple[str, str]]:
    return [(k, n) for k, n in _fields("Query") + _fields("Mutation")
            if "(platform" in (_root(k).fields[n].description or "")]


def test_platform_only_operations_are_marked() -> None:
    assert KNOWN_PLATFORM_ONLY <= set(_platform_only())


@pytest.mark.parametrize(("kind", "name"), _platform_only(), ids=[n for _, n in _platform_only()])
async def test_platform_only_operations_refuse_company_admins(api: Any, worlds: tuple[Side, Side], kind: str,
                                                              name: str) -> None:
    a, b = worlds
    # Any ID argument points at world A's object (or the shared role template).
    paths = id_arguments(kind, name)
    query, variables = build_call(kind, name, Filler(name, paths[0] if paths else None, a, b))
    for caller in ("admin", "owner", "technician"):
        before = await snapshot()
        body = await api.raw(query, variables, token=b.tokens[caller])
        assert _codes(body, name) == {"FORBIDDEN"}, (caller, query, variables, body)
        assert_no_data((body.get("data") or {}).get(name), f"{name} as {caller}: {body}")
        assert before == await snapshot(), (caller, name)
    body = await api.raw(query, variables)
    assert _codes(body, name) == {"UNAUTHENTICATED"}, body


# --------------------------------------------------------------------------------------------- lists


def _connection_fields() -> list[str]:
    return [n for n, f in _root("Query").fields.items()
            if "edges" in getattr(get_named_type(f.type), "fields", {})]


def test_every_query_field_is_classified() -> None:
    fields = set(_root("Query").fields)
    unknown = fields - set(LISTS) - set(OTHER_QUERY_FIELDS)
    assert not unknown, f"classify {sorted(unknown)} in LISTS or OTHER_QUERY_FIELDS in {__file__}"
    unknown_lists = set(_connection_fields()) - set(LISTS)
    assert not unknown_lists, f"add {sorted(unknown_lists)} to LISTS in {__file__}"


@pytest.mark.parametrize("caller", ["admin", "technician", "owner"])
async def test_lists_never_contain_another_worlds_rows(api: Any, worlds: tuple[Side, Side], caller: str) -> None:
    a, b = worlds
    a_ids = _owned_ids(a)
    for name in _connection_fields():
        kind = LISTS.get(name)
        assert kind is not None, f"add {name} to LISTS in {__file__}"
        query = f"{{ {name}(first: 100) {{ totalCount {nodes_selection(_root('Query').fields[name].type)} }} }}"
        body = await api.raw(query, token=b.tokens[caller])
        assert not any(gid in json.dumps(body) for gid in a_ids), (name, caller, body)
        if kind == "platform":
            assert _codes(body, name) == {"FORBIDDEN"}, (name, caller, body)
            continue
        assert _codes(body, name) <= REFUSED, (name, caller, body)
        if caller == LIST_VIEWERS.get(name, "admin"):
            # Not vacuous: world B's admin (or the list's own viewer) sees world B's rows of that type.
            ids = {n["id"] for n in body["data"][name]["nodes"]}
            assert b.instances[kind][0] in ids, (name, body)
            assert body["data"][name]["totalCount"] == len(ids), (name, body)
