"""Identity belongs to its owner: no staff or resident action sets another person's password, phone or name.

Adding someone who already has an account (to a company's staff or to a household) sends an invitation that only
they can accept; nothing of their account changes, and the inviter sees only what they typed and a masked phone.
A password change by the signed-in user ends their other sessions.
"""

from __future__ import annotations

import json

import pytest

from backend.core.crypto import open_phone, phone_hash
from backend.core.ids import encode_id
from backend.domains.accounts import service as accounts
from backend.domains.accounts.models import Role, StaffInvitation, StaffMember, User
from backend.domains.residents.models import BindingStatus, Relation, UnitBinding
from tests.factories import bind, make_staff, make_unit, make_user, make_world, next_phone, token_for

PASSWORD = "Victim-pass-1"
ATTACKER_PASSWORD = "Attack3r-pass"

LOGIN = """
mutation($phone: String!, $password: String!) {
  authPasswordLogin(phone: $phone, password: $password) {
    tokens { accessToken refreshToken } errors { code }
  }
}"""
REFRESH = "mutation($t: String!) { authRefresh(refreshToken: $t) { tokens { accessToken } errors { code } } }"
VIEWER = """{ viewer { user { id name phone } company { id } permissions memberships { company { id } }
  staffInvitations { id name status companyName phone roles { code communityName } } } }"""
STAFF_CREATE = """
mutation($input: StaffCreateInput!) {
  staffCreate(input: $input) {
    __typename
    staffMember { __typename id user { name phone } }
    invitation { __typename id name title phone status companyName roles { code } }
    errors { field code }
  }
}"""
STAFF_UPDATE = """
mutation($id: ID!, $input: StaffUpdateInput!) {
  staffUpdate(id: $id, input: $input) { staffMember { id isActive } errors { field code } }
}"""
STAFF_LIST = "query($a: Boolean) { staffMembers(first: 20, isActive: $a) { totalCount nodes { id user { id name } } } }"
ACCEPT = "mutation($id: ID!) { staffInvitationAccept(id: $id) { invitation { id status } errors { field code } } }"
DECLINE = "mutation($id: ID!) { staffInvitationDecline(id: $id) { invitation { id status } errors { field code } } }"
CANCEL = "mutation($id: ID!) { staffInvitationCancel(id: $id) { invitation { id status } errors { field code } } }"
SWITCH = """
mutation($c: ID!) { authSwitchCompany(companyId: $c) { tokens { accessToken } errors { field code } } }"""
ADMIN_CREATE = """
mutation($phone: String!, $name: String!, $password: String) {
  platformAdminCreate(phone: $phone, name: $name, password: $password) { user { id name } errors { field code } }
}"""
HOUSEHOLD_ADD = """
mutation($unitId: ID!, $phone: String!, $name: String!, $relation: Relation!) {
  householdMemberAdd(unitId: $unitId, phone: $phone, name: $name, relation: $relation) {
    binding { __typename id status relation user { id name phone } invitation { name phone } }
    errors { field code }
  }
}"""
HOUSEHOLD_REMOVE = """
mutation($id: ID!) { householdMemberRemove(id: $id) { binding { id status } errors { field code } } }"""
HOUSEHOLD_ACCEPT = """
mutation($id: ID!) { householdInvitationAccept(id: $id) { binding { id status } errors { field code } } }"""
HOUSEHOLD_DECLINE = """
mutation($id: ID!) { householdInvitationDecline(id: $id) { binding { id status } errors { field code } } }"""
MY_BINDINGS = "{ viewer { bindings { id status relation invitation { name } } } }"
RESIDENTS = "query($id: ID!) { node(id: $id) { ... on Unit { residents { relation user { id } } } } }"
REQUEST = """
mutation($unitId: ID!) { bindingRequest(unitId: $unitId, relation: OWNER) { binding { id } errors { field code } } }"""
PASSWORD_CHANGE = """
mutation($current: String!, $new: String!) {
  authPasswordChange(currentPassword: $current, newPassword: $new) { ok errors { field code } }
}"""


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def login(api, phone: str, password: str) -> dict | None:  # noqa: ANN001 - the Api fixture
    """The tokens of a password sign-in, or None when it is refused."""
    result = (await api.gql(LOGIN, {"phone": phone, "password": password}))["authPasswordLogin"]
    return result["tokens"] if not result["errors"] else None


async def role_id(code: str) -> str:
    return encode_id("Role", (await Role.get(code=code)).id)


async def person(label: str, kind: str):  # noqa: ANN201 - (user, phone, name) of one victim
    """A victim with a known phone, name and password: staff of another company, an owner or a platform admin."""
    phone, name = next_phone(), f"Real {label}"
    if kind == "staff":
        other = await make_world(f"{label} employer")
        guard = await Role.get(code="guard")
        await accounts.create_staff(company_id=other.company.id, phone=phone, name=name, password=PASSWORD, title="",
                                    grants=[accounts.GrantSpec(role_id=guard.id, community_id=None)])
        return await User.get(phone_hash=phone_hash(phone)), phone, name
    user = await make_user(name, phone=phone, password=PASSWORD)
    if kind == "owner":
        await bind(user, (await make_world(f"{label} home")).unit)
    elif kind == "platform":
        user.is_platform_admin = True
        await user.save()
    return user, phone, name


def staff_input(phone: str, **over: object) -> dict:
    return {"phone": phone, "name": "Whatever I type", "title": "Night guard", **over}


# --- staffCreate on someone else's account ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["staff", "owner"])
async def test_staff_create_on_an_existing_account_only_invites(api, kind: str):
    # given: a victim signed in on their own device, and another company's admin who knows their phone
    victim, phone, real_name = await person("Victim", kind)
    own = await login(api, phone, PASSWORD)
    assert own is not None
    attacker_world = await make_world("Attacker")
    attacker = await token_for(attacker_world.admin)
    guard = await role_id("guard")
    # when: the admin tries to set a password for the account
    with_password = (await api.gql(STAFF_CREATE, {"input": staff_input(phone, password=ATTACKER_PASSWORD, grants=[
        {"roleId": guard}])}, token=attacker))["staffCreate"]
    # then: refused with a code, and nothing was created
    assert with_password["errors"] == [{"field": "password", "code": "ACCOUNT_EXISTS"}]
    assert (with_password["staffMember"], with_password["invitation"]) == (None, None)
    assert await StaffInvitation.filter(user_id=victim.id).count() == 0
    # when: without a password
    body = await api.raw(STAFF_CREATE, {"input": staff_input(phone, grants=[{"roleId": guard}])}, token=attacker)
    payload = body["data"]["staffCreate"]
    # then: an invitation, showing only what the admin typed and a masked phone
    assert payload["errors"] == [] and payload["staffMember"] is None
    invitation = payload["invitation"]
    assert invitation["__typename"] == "StaffInvitation"
    assert (invitation["name"], invitation["phone"], invitation["status"]) == (
        "Whatever I type", masked(phone), "PENDING")
    assert invitation["roles"] == [{"code": "guard"}]
    text = json.dumps(body)
    assert real_name not in text and phone not in text
    # the account is untouched: the victim's password works, the attacker's does not, the name is theirs
    assert await login(api, phone, ATTACKER_PASSWORD) is None
    fresh = await login(api, phone, PASSWORD)
    assert fresh is not None
    viewer = (await api.gql(VIEWER, token=own["accessToken"]))["viewer"]  # the old session still works
    assert viewer["user"]["name"] == real_name
    assert (await api.gql(REFRESH, {"t": own["refreshToken"]}))["authRefresh"]["errors"] == []
    # the invitation grants nothing: no membership, no switch, not on the company's staff list
    assert encode_id("Company", attacker_world.company.id) not in [m["company"]["id"] for m in viewer["memberships"]]
    switched = (await api.gql(SWITCH, {"c": encode_id("Company", attacker_world.company.id)},
                              token=own["accessToken"]))["authSwitchCompany"]
    assert switched["errors"] == [{"field": "companyId", "code": "FORBIDDEN"}]
    listed = (await api.gql(STAFF_LIST, {}, token=attacker))["staffMembers"]
    assert listed["totalCount"] == 1 and real_name not in json.dumps(listed)
    # the person sees the invitation waiting for their answer
    assert [(i["id"], i["companyName"], i["phone"]) for i in viewer["staffInvitations"]] == [
        (invitation["id"], attacker_world.company.name, masked(phone))]


async def test_a_platform_admins_phone_is_out_of_every_companys_reach(api):
    admin_user, phone, real_name = await person("Ops", "platform")
    own = await login(api, phone, PASSWORD)
    w = await make_world("A")
    token = await token_for(w.admin)
    for extra in ({}, {"password": ATTACKER_PASSWORD}):
        body = await api.raw(STAFF_CREATE, {"input": staff_input(phone, grants=[{"roleId": await role_id("guard")}],
                                                                 **extra)}, token=token)
        payload = body["data"]["staffCreate"]
        assert payload["errors"] == [{"field": "phone", "code": "FORBIDDEN"}]
        assert (payload["staffMember"], payload["invitation"]) == (None, None)
        assert real_name not in json.dumps(body)
    assert await StaffInvitation.filter(user_id=admin_user.id).count() == 0
    assert await StaffMember.filter(user_id=admin_user.id).count() == 0
    assert await login(api, phone, ATTACKER_PASSWORD) is None
    assert await login(api, phone, PASSWORD) is not None
    viewer = (await api.gql(VIEWER, token=own["accessToken"]))["viewer"]
    assert viewer["user"]["name"] == real_name and viewer["staffInvitations"] == []


async def test_a_new_phone_still_becomes_an_active_staff_member(api):
    w = await make_world("A")
    phone = next_phone()
    payload = (await api.gql(STAFF_CREATE, {"input": staff_input(phone, name="New Hire", password="N3w-hire-pw",
                                                                 grants=[{"roleId": await role_id("guard")}])},
                             token=await token_for(w.admin)))["staffCreate"]
    assert payload["errors"] == [] and payload["invitation"] is None
    assert payload["staffMember"]["__typename"] == "StaffMember"
    tokens = await login(api, phone, "N3w-hire-pw")
    assert tokens is not None
    viewer = (await api.gql(VIEWER, token=tokens["accessToken"]))["viewer"]
    assert viewer["user"]["name"] == "New Hire"
    assert viewer["company"]["id"] == encode_id("Company", w.company.id)


# --- answering a staff invitation -------------------------------------------------------------------------------


async def _invited(api, label: str = "Invitee"):  # noqa: ANN001, ANN202
    """A person with an account (signed in) invited as technician by world A's admin."""
    w = await make_world("A")
    admin = await token_for(w.admin)
    phone = next_phone()
    user = await make_user(f"Real {label}", phone=phone, password=PASSWORD)
    tokens = await login(api, phone, PASSWORD)
    payload = (await api.gql(STAFF_CREATE, {"input": staff_input(phone, grants=[
        {"roleId": await role_id("technician"), "communityId": encode_id("Community", w.community.id)}])},
        token=admin))["staffCreate"]
    assert payload["errors"] == []
    return w, admin, user, tokens["accessToken"], payload["invitation"]["id"]


async def test_accepting_makes_the_roles_effective_from_the_next_request(api):
    # given
    w, admin, user, token, invitation = await _invited(api)
    company = encode_id("Company", w.company.id)
    assert codes(await api.raw("{ units(first: 5) { totalCount } }", token=token)) == ["FORBIDDEN"]
    # when
    accepted = (await api.gql(ACCEPT, {"id": invitation}, token=token))["staffInvitationAccept"]
    # then
    assert accepted == {"invitation": {"id": invitation, "status": "ACCEPTED"}, "errors": []}
    viewer = (await api.gql(VIEWER, token=token))["viewer"]
    assert [m["company"]["id"] for m in viewer["memberships"]] == [company]
    assert viewer["staffInvitations"] == []
    switched = (await api.gql(SWITCH, {"c": company}, token=token))["authSwitchCompany"]
    assert switched["errors"] == []
    staff_token = switched["tokens"]["accessToken"]
    assert (await api.gql("{ units(first: 5) { totalCount } }", token=staff_token))["units"]["totalCount"] == 1
    assert "TICKET_WORK" in (await api.gql(VIEWER, token=staff_token))["viewer"]["permissions"]
    # the company now has them on its staff, and their name stayed theirs
    listed = (await api.gql(STAFF_LIST, {"a": True}, token=admin))["staffMembers"]
    assert "Real Invitee" in [n["user"]["name"] for n in listed["nodes"]]
    # an invitation is answered once
    again = (await api.gql(ACCEPT, {"id": invitation}, token=staff_token))["staffInvitationAccept"]
    assert again["errors"] == [{"field": "id", "code": "NOT_FOUND"}]


async def test_declining_leaves_no_membership(api):
    w, admin, user, token, invitation = await _invited(api)
    declined = (await api.gql(DECLINE, {"id": invitation}, token=token))["staffInvitationDecline"]
    assert declined == {"invitation": {"id": invitation, "status": "DECLINED"}, "errors": []}
    assert (await api.gql(ACCEPT, {"id": invitation}, token=token))["staffInvitationAccept"]["errors"] == [
        {"field": "id", "code": "NOT_FOUND"}]
    assert await StaffMember.filter(user_id=user.id).count() == 0
    viewer = (await api.gql(VIEWER, token=token))["viewer"]
    assert (viewer["memberships"], viewer["staffInvitations"]) == ([], [])


async def test_only_the_invitee_answers_and_only_the_company_withdraws(api):
    # given
    w, admin, user, token, invitation = await _invited(api)
    outsider = await token_for(await make_user("Outsider"))
    other_admin = await token_for((await make_world("B")).admin)
    # then: nobody else can accept or decline it, and another company cannot withdraw it
    for who in (outsider, admin, other_admin):
        for mutation, name in ((ACCEPT, "staffInvitationAccept"), (DECLINE, "staffInvitationDecline")):
            result = (await api.gql(mutation, {"id": invitation}, token=who))[name]
            assert result == {"invitation": None, "errors": [{"field": "id", "code": "NOT_FOUND"}]}
    assert (await api.gql(CANCEL, {"id": invitation}, token=other_admin))["staffInvitationCancel"]["errors"] == [
        {"field": "id", "code": "NOT_FOUND"}]
    assert (await api.gql(CANCEL, {"id": invitation}, token=outsider))["staffInvitationCancel"]["errors"][0][
        "code"] == "FORBIDDEN"
    node = "query($id: ID!) { node(id: $id) { __typename } }"
    assert (await api.gql(node, {"id": invitation}, token=outsider))["node"] is None
    assert (await api.gql(node, {"id": invitation}, token=other_admin))["node"] is None
    assert (await api.gql(node, {"id": invitation}, token=token))["node"] == {"__typename": "StaffInvitation"}
    # when: the inviting company withdraws it
    cancelled = (await api.gql(CANCEL, {"id": invitation}, token=admin))["staffInvitationCancel"]
    assert cancelled == {"invitation": {"id": invitation, "status": "CANCELLED"}, "errors": []}
    # then: it can no longer be accepted
    assert (await api.gql(ACCEPT, {"id": invitation}, token=token))["staffInvitationAccept"]["errors"] == [
        {"field": "id", "code": "NOT_FOUND"}]
    assert await StaffMember.filter(user_id=user.id).count() == 0


async def test_staff_update_cannot_activate_a_pending_invitation(api):
    # given: a pending invitation, which is no staff membership at all
    w, admin, user, token, invitation = await _invited(api)
    assert await StaffMember.filter(user_id=user.id).count() == 0
    # when: the admin tries to switch it on as if it were a membership
    as_member = (await api.gql(STAFF_UPDATE, {"id": invitation, "input": {"isActive": True}},
                               token=admin))["staffUpdate"]
    # then
    assert as_member == {"staffMember": None, "errors": [{"field": "id", "code": "INVALID_ID"}]}
    inactive = (await api.gql(STAFF_LIST, {"a": False}, token=admin))["staffMembers"]
    assert inactive["totalCount"] == 0
    assert await StaffMember.filter(user_id=user.id).count() == 0
    assert (await api.gql(VIEWER, token=token))["viewer"]["memberships"] == []


# --- platform administrators ------------------------------------------------------------------------------------


async def test_platform_admin_create_on_an_existing_account_grants_only_the_role(api):
    # given
    victim, phone, real_name = await person("Staffer", "staff")
    own = await login(api, phone, PASSWORD)
    platform = await token_for(await _platform_admin())
    # when: a password is given for the existing account
    refused = (await api.gql(ADMIN_CREATE, {"phone": phone, "name": "Renamed", "password": ATTACKER_PASSWORD},
                             token=platform))["platformAdminCreate"]
    # then
    assert refused == {"user": None, "errors": [{"field": "password", "code": "ACCOUNT_EXISTS"}]}
    await victim.refresh_from_db()
    assert victim.is_platform_admin is False
    # when: without one
    granted = (await api.gql(ADMIN_CREATE, {"phone": phone, "name": "Renamed"}, token=platform))["platformAdminCreate"]
    # then: the role only; name, password and sessions stay
    assert granted["errors"] == [] and granted["user"]["name"] == real_name
    assert await login(api, phone, ATTACKER_PASSWORD) is None
    assert await login(api, phone, PASSWORD) is not None
    assert (await api.gql("{ viewer { isPlatformAdmin user { name } } }", token=own["accessToken"]))["viewer"] == {
        "isPlatformAdmin": True, "user": {"name": real_name}}


async def _platform_admin():  # noqa: ANN202
    user = await make_user("Root")
    user.is_platform_admin = True
    await user.save()
    return user


# --- households ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("existing", [True, False])
async def test_household_member_add_invites_and_reveals_no_name(api, existing: bool):
    # given
    w = await make_world("A")
    owner = await token_for(w.owner)
    phone = next_phone()
    if existing:
        await make_user("Real Cousin", phone=phone, password=PASSWORD)
    # when
    body = await api.raw(HOUSEHOLD_ADD, {"unitId": encode_id("Unit", w.unit.id), "phone": phone, "name": "Cuz",
                                         "relation": "FAMILY"}, token=owner)
    # then: an invitation; the owner sees the name they typed and a masked phone, nothing of the account
    payload = body["data"]["householdMemberAdd"]
    assert payload["errors"] == []
    binding = payload["binding"]
    assert (binding["__typename"], binding["status"], binding["relation"]) == ("UnitBinding", "INVITED", "FAMILY")
    assert binding["invitation"] == {"name": "Cuz", "phone": masked(phone)}
    assert binding["user"] is None
    assert "Real Cousin" not in json.dumps(body) and phone not in json.dumps(body)
    # the account is not named by the owner, and is not a resident yet
    invitee_tokens = await login(api, phone, PASSWORD) if existing else None
    invitee = (invitee_tokens["accessToken"] if invitee_tokens
               else await token_for(await make_user("unused", phone=phone)))
    viewer = (await api.gql(VIEWER, token=invitee))["viewer"]
    assert viewer["user"]["name"] == ("Real Cousin" if existing else "")
    residents = (await api.gql(RESIDENTS, {"id": encode_id("Unit", w.unit.id)}, token=owner))["node"]["residents"]
    assert [r["relation"] for r in residents] == ["OWNER"]
    mine = (await api.gql(MY_BINDINGS, token=invitee))["viewer"]["bindings"]
    assert [(b["id"], b["status"], b["invitation"]) for b in mine] == [(binding["id"], "INVITED", None)]
    # when: the person accepts
    accepted = (await api.gql(HOUSEHOLD_ACCEPT, {"id": binding["id"]}, token=invitee))["householdInvitationAccept"]
    # then
    assert accepted == {"binding": {"id": binding["id"], "status": "APPROVED"}, "errors": []}
    residents = (await api.gql(RESIDENTS, {"id": encode_id("Unit", w.unit.id)}, token=owner))["node"]["residents"]
    assert [r["relation"] for r in residents] == ["OWNER", "FAMILY"]


async def test_household_invitations_are_answered_by_the_invitee_only(api):
    # given
    w = await make_world("A")
    owner = await token_for(w.owner)
    invitee_user = await make_user("Invitee")
    invitee = await token_for(invitee_user)
    phone = open_phone(invitee_user.phone_enc, invitee_user.phone_hash)

    async def invite() -> str:
        data = await api.gql(HOUSEHOLD_ADD, {"unitId": encode_id("Unit", w.unit.id), "phone": phone, "name": "Kid",
                                             "relation": "TENANT"}, token=owner)
        assert data["householdMemberAdd"]["errors"] == []
        return data["householdMemberAdd"]["binding"]["id"]

    first = await invite()
    # then: a second invitation to the same person is a duplicate
    dup = (await api.gql(HOUSEHOLD_ADD, {"unitId": encode_id("Unit", w.unit.id), "phone": phone, "name": "Kid",
                                         "relation": "FAMILY"}, token=owner))["householdMemberAdd"]
    assert dup["errors"] == [{"field": "phone", "code": "DUPLICATE"}]
    # nobody but the invitee can accept or decline, the owner included
    outsider = await token_for(await make_user("Outsider"))
    for who in (outsider, owner):
        for mutation, name in ((HOUSEHOLD_ACCEPT, "householdInvitationAccept"),
                               (HOUSEHOLD_DECLINE, "householdInvitationDecline")):
            result = (await api.gql(mutation, {"id": first}, token=who))[name]
            assert result == {"binding": None, "errors": [{"field": "id", "code": "NOT_FOUND"}]}
    # the invitee declines
    declined = (await api.gql(HOUSEHOLD_DECLINE, {"id": first}, token=invitee))["householdInvitationDecline"]
    assert declined == {"binding": {"id": first, "status": "REMOVED"}, "errors": []}
    assert (await api.gql(HOUSEHOLD_ACCEPT, {"id": first}, token=invitee))["householdInvitationAccept"]["errors"] == [
        {"field": "id", "code": "NOT_FOUND"}]
    # the owner may invite again and withdraw the invitation before it is answered
    second = await invite()
    withdrawn = (await api.gql(HOUSEHOLD_REMOVE, {"id": second}, token=owner))["householdMemberRemove"]
    assert withdrawn == {"binding": {"id": second, "status": "REMOVED"}, "errors": []}
    assert (await api.gql(HOUSEHOLD_ACCEPT, {"id": second}, token=invitee))["householdInvitationAccept"]["errors"] == [
        {"field": "id", "code": "NOT_FOUND"}]
    assert await UnitBinding.filter(user_id=invitee_user.id, status=BindingStatus.APPROVED).count() == 0


async def test_an_invitation_lapses_when_its_owner_no_longer_owns_the_unit(api):
    w = await make_world("A")
    invitee_user = await make_user("Invitee")
    binding = await UnitBinding.create(company_id=w.company.id, community_id=w.community.id, unit=w.unit,
                                       user=invitee_user, relation=Relation.FAMILY, status=BindingStatus.INVITED,
                                       added_by=w.owner, invited_name="Kid")
    await UnitBinding.filter(user_id=w.owner.id).update(status=BindingStatus.REMOVED)
    result = (await api.gql(HOUSEHOLD_ACCEPT, {"id": encode_id("UnitBinding", binding.id)},
                            token=await token_for(invitee_user)))["householdInvitationAccept"]
    assert result["errors"] == [{"field": "id", "code": "NOT_FOUND"}]


# --- rate limits -------------------------------------------------------------------------------------------------


async def test_binding_requests_are_limited_per_person(api):
    # given
    w = await make_world("A")
    me = await token_for(await make_user("Prober"))
    missing = encode_id("Unit", 987654)
    # when: ten requests an hour (found or not)...
    for _ in range(10):
        result = (await api.gql(REQUEST, {"unitId": missing}, token=me))["bindingRequest"]
        assert result["errors"] == [{"field": "unitId", "code": "NOT_FOUND"}]
    # then: ...and the eleventh is refused, whatever the unit
    limited = (await api.gql(REQUEST, {"unitId": encode_id("Unit", w.unit.id)}, token=me))["bindingRequest"]
    assert limited["binding"] is None and [e["code"] for e in limited["errors"]] == ["RATE_LIMITED"]
    assert await UnitBinding.filter(unit_id=w.unit.id).count() == 1  # the owner's only
    # someone else is not affected
    other = await token_for(await make_user("Other"))
    assert (await api.gql(REQUEST, {"unitId": encode_id("Unit", w.unit.id)}, token=other))["bindingRequest"][
        "errors"] == []


async def test_household_invitations_are_limited_per_owner(api):
    # given
    w = await make_world("A")
    owner = await token_for(w.owner)
    unit = encode_id("Unit", w.unit.id)
    for _ in range(20):
        data = await api.gql(HOUSEHOLD_ADD, {"unitId": unit, "phone": next_phone(), "name": "Guest",
                                             "relation": "TENANT"}, token=owner)
        assert data["householdMemberAdd"]["errors"] == []
    # when
    limited = (await api.gql(HOUSEHOLD_ADD, {"unitId": unit, "phone": next_phone(), "name": "Guest",
                                             "relation": "TENANT"}, token=owner))["householdMemberAdd"]
    # then
    assert limited["binding"] is None and [e["code"] for e in limited["errors"]] == ["RATE_LIMITED"]
    assert await UnitBinding.filter(unit_id=w.unit.id, status=BindingStatus.INVITED).count() == 20
    # another owner is not affected
    second = await make_unit(w.building, "909", 9)
    other_owner = await make_user("Other owner")
    await bind(other_owner, second)
    data = await api.gql(HOUSEHOLD_ADD, {"unitId": encode_id("Unit", second.id), "phone": next_phone(),
                                         "name": "Guest", "relation": "TENANT"}, token=await token_for(other_owner))
    assert data["householdMemberAdd"]["errors"] == []


# --- authPasswordChange ------------------------------------------------------------------------------------------


async def test_password_change_ends_the_other_sessions_only(api):
    # given: one account signed in on two devices
    phone = next_phone()
    await make_user("Two devices", phone=phone, password=PASSWORD)
    here, there = await login(api, phone, PASSWORD), await login(api, phone, PASSWORD)
    # when
    changed = (await api.gql(PASSWORD_CHANGE, {"current": PASSWORD, "new": "Brand-new-pw9"},
                             token=here["accessToken"]))["authPasswordChange"]
    # then
    assert changed == {"ok": True, "errors": []}
    assert (await api.gql(VIEWER, token=here["accessToken"]))["viewer"]["user"]["phone"] == phone
    assert (await api.gql(REFRESH, {"t": here["refreshToken"]}))["authRefresh"]["errors"] == []
    assert codes(await api.raw(VIEWER, token=there["accessToken"])) == ["TOKEN_REVOKED"]
    assert [e["code"] for e in (await api.gql(REFRESH, {"t": there["refreshToken"]}))["authRefresh"]["errors"]] == [
        "TOKEN_EXPIRED"]
    assert await login(api, phone, PASSWORD) is None
    assert await login(api, phone, "Brand-new-pw9") is not None


async def test_password_change_needs_the_current_password_and_is_rate_limited(api):
    # given
    phone = next_phone()
    await make_user("Careful", phone=phone, password=PASSWORD)
    here, there = await login(api, phone, PASSWORD), await login(api, phone, PASSWORD)
    token = here["accessToken"]
    weak = (await api.gql(PASSWORD_CHANGE, {"current": PASSWORD, "new": "short"}, token=token))["authPasswordChange"]
    assert weak == {"ok": None, "errors": [{"field": "newPassword", "code": "WEAK_PASSWORD"}]}
    # when: five wrong current passwords
    for _ in range(5):
        wrong = (await api.gql(PASSWORD_CHANGE, {"current": "Not-my-pass1", "new": "Brand-new-pw9"},
                               token=token))["authPasswordChange"]
        assert wrong == {"ok": None, "errors": [{"field": "currentPassword", "code": "INVALID_CREDENTIALS"}]}
    # then: even the right one is refused for now, and nothing changed
    limited = (await api.gql(PASSWORD_CHANGE, {"current": PASSWORD, "new": "Brand-new-pw9"},
                             token=token))["authPasswordChange"]
    assert [e["code"] for e in limited["errors"]] == ["RATE_LIMITED"]
    assert await login(api, phone, PASSWORD) is not None
    assert (await api.gql(VIEWER, token=there["accessToken"]))["viewer"]["user"]["phone"] == phone
    anonymous = (await api.gql(PASSWORD_CHANGE, {"current": PASSWORD, "new": "Brand-new-pw9"}))["authPasswordChange"]
    assert [e["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]


async def test_the_limit_is_per_account(api):
    # another account's failures do not lock this one
    phones = [next_phone(), next_phone()]
    for p in phones:
        await make_user("Someone", phone=p, password=PASSWORD)
    first, second = [await login(api, p, PASSWORD) for p in phones]
    for _ in range(5):
        await api.gql(PASSWORD_CHANGE, {"current": "Not-my-pass1", "new": "Brand-new-pw9"}, token=first["accessToken"])
    ok = (await api.gql(PASSWORD_CHANGE, {"current": PASSWORD, "new": "Brand-new-pw9"},
                        token=second["accessToken"]))["authPasswordChange"]
    assert ok == {"ok": True, "errors": []}


async def test_staff_factory_still_makes_active_staff(api):
    # make_staff (used across the suite) adds a brand-new account, which joins at once
    w = await make_world("A")
    tech = await make_staff(w.company, "technician")
    assert await StaffMember.filter(user_id=tech.id, is_active=True).count() == 1
