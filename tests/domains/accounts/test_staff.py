"""Staff members, their role grants, platform role templates and platform administrators."""

from __future__ import annotations

from backend.core.ids import encode_id
from backend.domains.accounts.models import Role
from tests.factories import (
    make_community,
    make_platform_admin,
    make_staff,
    make_user,
    make_world,
    next_phone,
    token_for,
)

STAFF_CREATE = """
mutation($input: StaffCreateInput!) {
  staffCreate(input: $input) {
    staffMember {
      __typename id title isActive
      user { name phone }
      grants { role { code } community { id name } }
    }
    errors { field code }
  }
}"""
STAFF_UPDATE = """
mutation($id: ID!, $input: StaffUpdateInput!) {
  staffUpdate(id: $id, input: $input) {
    staffMember { id title isActive grants { role { code } community { id } } }
    errors { field code }
  }
}"""
STAFF_CREATE_OR_INVITE = """
mutation($input: StaffCreateInput!) {
  staffCreate(input: $input) {
    staffMember { id }
    invitation { id name phone status }
    errors { field code }
  }
}"""
ROLE_UPDATE = """
mutation($id: ID!, $input: RoleUpdateInput!) {
  roleUpdate(id: $id, input: $input) { role { id code name nameEn permissions } errors { field code } }
}"""
ADMIN_CREATE = """
mutation($phone: String!, $name: String!, $password: String!) {
  platformAdminCreate(phone: $phone, name: $name, password: $password) {
    user { __typename id name } errors { field code }
  }
}"""
LOGIN = """
mutation($phone: String!, $password: String!) {
  authPasswordLogin(phone: $phone, password: $password) { tokens { accessToken } errors { code } }
}"""
STAFF = """
query($search: String, $isActive: Boolean) {
  staffMembers(first: 20, search: $search, isActive: $isActive) { totalCount nodes { id title isActive user { name } } }
}"""
VIEWER = "{ viewer { isPlatformAdmin permissions roles { code } company { id } } }"


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def role_id(code: str) -> str:
    return encode_id("Role", (await Role.get(code=code)).id)


async def staff_id_of(api, token: str, name: str) -> str:  # noqa: ANN001 - the Api fixture
    data = await api.gql(STAFF, {"search": name}, token=token)
    (node,) = data["staffMembers"]["nodes"]
    return node["id"]


async def login(api, phone: str, password: str) -> str:  # noqa: ANN001
    data = (await api.gql(LOGIN, {"phone": phone, "password": password}))["authPasswordLogin"]
    assert data["errors"] == []
    return data["tokens"]["accessToken"]


# --- staffCreate -----------------------------------------------------------------------------------------------


async def test_admin_adds_a_staff_member_with_a_community_grant(api):
    # given
    w = await make_world("A")
    token = await token_for(w.admin)
    phone = next_phone()
    # when
    payload = (await api.gql(STAFF_CREATE, {"input": {
        "phone": phone, "name": "Wang Wu", "title": "Plumber", "password": "pipe-123x",
        "grants": [{"roleId": await role_id("technician"), "communityId": encode_id("Community", w.community.id)}],
    }}, token=token))["staffCreate"]
    # then
    assert payload["errors"] == []
    member = payload["staffMember"]
    assert member["__typename"] == "StaffMember"
    assert (member["title"], member["isActive"]) == ("Plumber", True)
    assert member["user"] == {"name": "Wang Wu", "phone": phone}
    assert member["grants"] == [{"role": {"code": "technician"},
                                 "community": {"id": encode_id("Community", w.community.id), "name": w.community.name}}]
    # the new staff member signs in with the technician's permissions
    viewer = (await api.gql(VIEWER, token=await login(api, phone, "pipe-123x")))["viewer"]
    assert viewer["permissions"] == ["COMMUNITY_READ", "TICKET_WORK", "UNIT_READ"]
    assert viewer["roles"] == [{"code": "technician"}]
    assert viewer["company"]["id"] == encode_id("Company", w.company.id)


async def test_an_existing_account_is_invited_and_joins_each_company_by_accepting(api):
    a = await make_world("A")
    b = await make_world("B")
    phone = next_phone()
    person = await make_user("Shared", phone=phone)
    me = await token_for(person)
    invitations = []
    for world in (a, b):
        payload = (await api.gql(STAFF_CREATE_OR_INVITE, {"input": {
            "phone": "+86 " + phone, "name": "What the company calls them",
            "grants": [{"roleId": await role_id("guard")}],
        }}, token=await token_for(world.admin)))["staffCreate"]
        assert payload["errors"] == [] and payload["staffMember"] is None
        assert payload["invitation"]["name"] == "What the company calls them"
        assert payload["invitation"]["phone"] == f"{phone[:3]}****{phone[-4:]}"
        invitations.append(payload["invitation"]["id"])
    # nothing applies until the person accepts
    assert (await api.gql("{ viewer { memberships { company { id } } } }", token=me))["viewer"]["memberships"] == []
    pending = (await api.gql("{ viewer { staffInvitations { id } } }", token=me))["viewer"]["staffInvitations"]
    assert {i["id"] for i in pending} == set(invitations)
    for invitation in invitations:
        accepted = await api.gql("mutation($id: ID!) { staffInvitationAccept(id: $id) { errors { code } } }",
                                 {"id": invitation}, token=me)
        assert accepted["staffInvitationAccept"]["errors"] == []
    memberships = await api.gql("{ viewer { user { name } memberships { company { id } } } }", token=me)
    assert len(memberships["viewer"]["memberships"]) == 2
    assert memberships["viewer"]["user"]["name"] == "Shared"


async def test_staff_create_refuses_bad_input(api):
    # given
    a = await make_world("A")
    b = await make_world("B")
    token = await token_for(a.admin)
    technician = await role_id("technician")
    taken = next_phone()
    await api.gql(STAFF_CREATE, {"input": {"phone": taken, "name": "Already here", "grants": [
        {"roleId": await role_id("guard")}]}}, token=token)

    def staff(**over: object) -> dict:
        return {"phone": next_phone(), "name": "New", "grants": [{"roleId": technician}], **over}

    cases = [
        (staff(grants=[]), "grants", "REQUIRED"),
        (staff(grants=[{"roleId": encode_id("Role", 987654)}]), "grants", "NOT_FOUND"),
        (staff(grants=[{"roleId": technician, "communityId": encode_id("Community", b.community.id)}]),
         "grants", "NOT_FOUND"),
        (staff(grants=[{"roleId": encode_id("Unit", 1)}]), "grants", "INVALID_ID"),
        (staff(phone="555-0100"), "phone", "INVALID_PHONE"),
        (staff(name=" "), "name", "REQUIRED"),
        (staff(name="n" * 51), "name", "TOO_LONG"),
        (staff(password="abcdefgh"), "password", "WEAK_PASSWORD"),
        (staff(phone=taken), "phone", "DUPLICATE"),
    ]
    for data_in, field, code in cases:
        payload = (await api.gql(STAFF_CREATE, {"input": data_in}, token=token))["staffCreate"]
        assert payload["staffMember"] is None
        assert payload["errors"] == [{"field": field, "code": code}], data_in
    # nobody was added by the refused requests
    assert (await api.gql(STAFF, {}, token=token))["staffMembers"]["totalCount"] == 2


async def test_staff_without_staff_write_cannot_add_staff(api):
    w = await make_world("A")
    token = await token_for(await make_staff(w.company, "community_manager"))
    payload = (await api.gql(STAFF_CREATE, {"input": {
        "phone": next_phone(), "name": "X", "grants": [{"roleId": await role_id("company_admin")}]}},
        token=token))["staffCreate"]
    assert payload["errors"][0]["code"] == "FORBIDDEN"
    owner = (await api.gql(STAFF_CREATE, {"input": {
        "phone": next_phone(), "name": "X", "grants": [{"roleId": await role_id("guard")}]}},
        token=await token_for(w.owner)))["staffCreate"]
    assert owner["errors"][0]["code"] == "FORBIDDEN"


# --- staffUpdate -----------------------------------------------------------------------------------------------


async def test_staff_update_changes_roles_on_the_next_request(api):
    # given: a technician with a live token
    w = await make_world("A")
    admin = await token_for(w.admin)
    tech = await make_staff(w.company, "technician", name="Zhao Tech")
    tech_token = await token_for(tech)
    sid = await staff_id_of(api, admin, "Zhao Tech")
    assert codes(await api.raw("{ owners(first: 20) { totalCount } }", token=tech_token)) == ["FORBIDDEN"]
    # when: the admin makes them customer service with a new title
    payload = (await api.gql(STAFF_UPDATE, {"id": sid, "input": {
        "title": "Front desk", "grants": [{"roleId": await role_id("customer_service")}]}}, token=admin))["staffUpdate"]
    # then
    assert payload["errors"] == []
    assert payload["staffMember"]["title"] == "Front desk"
    assert payload["staffMember"]["grants"] == [{"role": {"code": "customer_service"}, "community": None}]
    viewer = (await api.gql(VIEWER, token=tech_token))["viewer"]
    assert viewer["roles"] == [{"code": "customer_service"}]
    assert "OWNER_READ" in viewer["permissions"]
    assert (await api.gql("{ owners(first: 20) { totalCount } }", token=tech_token))["owners"]["totalCount"] == 1


async def test_disabled_staff_lose_access_and_are_filtered(api):
    w = await make_world("A")
    admin = await token_for(w.admin)
    tech = await make_staff(w.company, "technician", name="Sun Tech")
    tech_token = await token_for(tech)
    sid = await staff_id_of(api, admin, "Sun Tech")
    payload = (await api.gql(STAFF_UPDATE, {"id": sid, "input": {"isActive": False}}, token=admin))["staffUpdate"]
    assert payload["staffMember"]["isActive"] is False
    assert codes(await api.raw(UNITS_QUERY, token=tech_token)) == ["FORBIDDEN"]
    inactive = (await api.gql(STAFF, {"isActive": False}, token=admin))["staffMembers"]
    assert [n["user"]["name"] for n in inactive["nodes"]] == ["Sun Tech"]
    active = (await api.gql(STAFF, {"isActive": True}, token=admin))["staffMembers"]
    assert "Sun Tech" not in [n["user"]["name"] for n in active["nodes"]]


UNITS_QUERY = "{ units(first: 20) { totalCount } }"


async def test_nobody_changes_their_own_roles_or_status(api):
    w = await make_world("A")
    admin = await token_for(w.admin)
    own = await staff_id_of(api, admin, "Admin A")
    for change in ({"grants": [{"roleId": await role_id("technician")}]}, {"isActive": False}):
        payload = (await api.gql(STAFF_UPDATE, {"id": own, "input": change}, token=admin))["staffUpdate"]
        assert payload["errors"][0]["code"] == "FORBIDDEN", change
    viewer = (await api.gql(VIEWER, token=admin))["viewer"]
    assert viewer["roles"] == [{"code": "company_admin"}]
    # their own title is theirs to change
    titled = (await api.gql(STAFF_UPDATE, {"id": own, "input": {"title": "Boss"}}, token=admin))["staffUpdate"]
    assert titled["errors"] == [] and titled["staffMember"]["title"] == "Boss"


async def test_staff_of_another_company_are_not_found(api):
    a = await make_world("A")
    b = await make_world("B")
    a_staff = await staff_id_of(api, await token_for(a.admin), "Admin A")
    payload = (await api.gql(STAFF_UPDATE, {"id": a_staff, "input": {"title": "Hijacked"}},
                             token=await token_for(b.admin)))["staffUpdate"]
    assert payload["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    node = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": a_staff}, token=await token_for(b.admin))
    assert node["node"] is None


# --- role templates --------------------------------------------------------------------------------------------


async def test_roles_query_lists_templates_for_staff_only(api):
    w = await make_world("A")
    tech = await token_for(await make_staff(w.company, "technician"))
    roles = (await api.gql("{ roles { __typename code nameEn permissions } }", token=tech))["roles"]
    by_code = {r["code"]: r for r in roles}
    assert set(by_code) == {"company_admin", "community_manager", "customer_service", "technician", "finance", "guard"}
    assert by_code["technician"]["permissions"] == ["COMMUNITY_READ", "UNIT_READ", "TICKET_WORK"]
    assert by_code["guard"]["permissions"] == ["COMMUNITY_READ", "GATE_ACCESS"]
    assert {r["__typename"] for r in roles} == {"Role"}
    platform = await token_for(await make_platform_admin())
    assert len((await api.gql("{ roles { code } }", token=platform))["roles"]) == 6
    assert codes(await api.raw("{ roles { code } }", token=await token_for(w.owner))) == ["FORBIDDEN"]
    assert codes(await api.raw("{ roles { code } }")) == ["UNAUTHENTICATED"]


async def test_role_update_by_platform_admin_applies_on_the_next_request(api):
    # given: a technician reading units with a live token
    w = await make_world("A")
    tech_token = await token_for(await make_staff(w.company, "technician"))
    assert (await api.gql(UNITS_QUERY, token=tech_token))["units"]["totalCount"] == 1
    platform = await token_for(await make_platform_admin())
    # when: the platform takes unit.read away from the technician template
    payload = (await api.gql(ROLE_UPDATE, {"id": await role_id("technician"), "input": {
        "nameEn": "Maintenance", "permissions": ["COMMUNITY_READ"]}}, token=platform))["roleUpdate"]
    # then
    assert payload["errors"] == []
    assert payload["role"]["nameEn"] == "Maintenance"
    assert payload["role"]["permissions"] == ["COMMUNITY_READ"]
    assert codes(await api.raw(UNITS_QUERY, token=tech_token)) == ["FORBIDDEN"]
    assert (await api.gql(VIEWER, token=tech_token))["viewer"]["permissions"] == ["COMMUNITY_READ"]


async def test_role_update_is_for_platform_admins_and_validated(api):
    w = await make_world("A")
    admin = await token_for(w.admin)
    tech = await role_id("technician")
    payload = (await api.gql(ROLE_UPDATE, {"id": tech, "input": {"permissions": ["COMPANY_MANAGE"]}},
                             token=admin))["roleUpdate"]
    assert payload["errors"][0]["code"] == "FORBIDDEN"
    platform = await token_for(await make_platform_admin())
    missing = (await api.gql(ROLE_UPDATE, {"id": encode_id("Role", 987654), "input": {"name": "x"}},
                             token=platform))["roleUpdate"]
    assert missing["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    blank = (await api.gql(ROLE_UPDATE, {"id": tech, "input": {"name": " "}}, token=platform))["roleUpdate"]
    assert blank["errors"] == [{"field": "name", "code": "REQUIRED"}]
    unknown = await api.raw(ROLE_UPDATE, {"id": tech, "input": {"permissions": ["ROOT"]}}, token=platform)
    assert codes(unknown) == ["BAD_USER_INPUT"]
    roles = (await api.gql("{ roles { code permissions } }", token=admin))["roles"]
    assert {r["code"]: r["permissions"] for r in roles}["technician"] == ["COMMUNITY_READ", "UNIT_READ", "TICKET_WORK"]


# --- platform administrators -----------------------------------------------------------------------------------


async def test_platform_admin_creates_another_platform_admin(api):
    # given
    platform = await token_for(await make_platform_admin())
    phone = next_phone()
    # when
    payload = (await api.gql(ADMIN_CREATE, {"phone": phone, "name": "Ops Two", "password": "very-s3cret"},
                             token=platform))["platformAdminCreate"]
    # then
    assert payload["errors"] == []
    assert payload["user"]["__typename"] == "User"
    viewer = (await api.gql(VIEWER, token=await login(api, phone, "very-s3cret")))["viewer"]
    assert viewer["isPlatformAdmin"] is True
    admins = (await api.gql("{ platformAdmins { id name } }", token=platform))["platformAdmins"]
    assert payload["user"]["id"] in [a["id"] for a in admins]


async def test_platform_admin_create_is_refused_to_others_and_for_weak_passwords(api):
    w = await make_world("A")
    refused = (await api.gql(ADMIN_CREATE, {"phone": next_phone(), "name": "Me", "password": "very-s3cret"},
                             token=await token_for(w.admin)))["platformAdminCreate"]
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    platform = await token_for(await make_platform_admin())
    weak = (await api.gql(ADMIN_CREATE, {"phone": next_phone(), "name": "Weak", "password": "12345678"},
                          token=platform))["platformAdminCreate"]
    assert weak["errors"] == [{"field": "password", "code": "WEAK_PASSWORD"}]
    bad_phone = (await api.gql(ADMIN_CREATE, {"phone": "123", "name": "X", "password": "very-s3cret"},
                               token=platform))["platformAdminCreate"]
    assert bad_phone["errors"] == [{"field": "phone", "code": "INVALID_PHONE"}]
    assert codes(await api.raw("{ platformAdmins { id } }", token=await token_for(w.admin))) == ["FORBIDDEN"]


# --- staffMembers ----------------------------------------------------------------------------------------------


async def test_staff_members_search_by_name_and_exact_phone(api):
    # given
    w = await make_world("A")
    admin = await token_for(w.admin)
    phone = next_phone()
    await api.gql(STAFF_CREATE, {"input": {"phone": phone, "name": "Chen Jing", "grants": [
        {"roleId": await role_id("finance")}]}}, token=admin)
    await make_staff(w.company, "guard", name="Chen Bo")
    await make_staff(w.company, "guard", name="Liu Yang")
    other = await make_world("B")
    await make_staff(other.company, "guard", name="Chen Outsider")

    async def names(search: str) -> list[str]:
        data = (await api.gql(STAFF, {"search": search}, token=admin))["staffMembers"]
        assert data["totalCount"] == len(data["nodes"])
        return sorted(n["user"]["name"] for n in data["nodes"])

    # when / then
    assert await names("chen") == ["Chen Bo", "Chen Jing"]
    assert await names(phone) == ["Chen Jing"]
    assert await names(f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}") == ["Chen Jing"]
    assert await names(phone[:7]) == []  # part of a phone is no phone search
    assert await names("") == ["Admin A", "Chen Bo", "Chen Jing", "Liu Yang"]
    assert codes(await api.raw(STAFF, {"search": "x" * 51}, token=admin)) == ["TOO_LONG"]


async def test_staff_members_need_staff_read_and_follow_community_scope(api):
    w = await make_world("A")
    second = await make_community(w.company, "Second")
    await make_staff(w.company, "guard", community=w.community, name="Here Guard")
    await make_staff(w.company, "guard", community=second, name="There Guard")
    manager = await token_for(await make_staff(w.company, "community_manager", community=w.community, name="Mgr"))
    names = sorted(n["user"]["name"] for n in (await api.gql(STAFF, {}, token=manager))["staffMembers"]["nodes"])
    assert names == ["Here Guard", "Mgr"]
    tech = await token_for(await make_staff(w.company, "technician"))
    assert codes(await api.raw(STAFF, {}, token=tech)) == ["FORBIDDEN"]
