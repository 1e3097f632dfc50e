"""Unit bindings: owners ask, staff review, owners manage their household; staff list owners."""

from __future__ import annotations

from backend.core.ids import encode_id
from backend.domains.residents.models import BindingStatus, Relation
from tests.factories import (
    bind,
    make_building,
    make_community,
    make_staff,
    make_unit,
    make_user,
    make_world,
    next_phone,
    token_for,
)

BINDING_FIELDS = "id __typename relation status reason reviewedAt unit { id number } user { id name } community { id }"
REQUEST = f"""
mutation($unitId: ID!, $relation: Relation!) {{
  bindingRequest(unitId: $unitId, relation: $relation) {{ binding {{ {BINDING_FIELDS} }} errors {{ field code }} }}
}}"""
CANCEL = f"mutation($id: ID!) {{ bindingCancel(id: $id) {{ binding {{ {BINDING_FIELDS} }} errors {{ field code }} }} }}"
APPROVE = f"mutation($id: ID!) {{ bindingApprove(id: $id) {{ binding {{ {BINDING_FIELDS} }} errors {{ field code }} }} }}"
REJECT = f"""
mutation($id: ID!, $reason: String!) {{
  bindingReject(id: $id, reason: $reason) {{ binding {{ {BINDING_FIELDS} }} errors {{ field code }} }}
}}"""
ADD = f"""
mutation($unitId: ID!, $phone: String!, $name: String!, $relation: Relation!) {{
  householdMemberAdd(unitId: $unitId, phone: $phone, name: $name, relation: $relation) {{
    binding {{ {BINDING_FIELDS} }} errors {{ field code }}
  }}
}}"""
REMOVE = f"""
mutation($id: ID!) {{ householdMemberRemove(id: $id) {{ binding {{ {BINDING_FIELDS} }} errors {{ field code }} }} }}"""
QUEUE = """
query($filter: BindingFilter, $first: Int) {
  bindings(filter: $filter, first: $first) { totalCount nodes { id status relation user { name } unit { number } } }
}"""
MINE = "{ viewer { bindings { id relation status reason unit { id number } } } }"
OWNERS = """
query($filter: OwnerFilter, $first: Int) {
  owners(filter: $filter, first: $first) { totalCount nodes { __typename id name phone } }
}"""


def gid(type_name: str, obj) -> str:  # noqa: ANN001 - any model row
    return encode_id(type_name, obj.id)


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


# --- request and review ----------------------------------------------------------------------------------------


async def test_owner_request_is_approved_by_staff(api):
    # given
    w = await make_world("A")
    unit = await make_unit(w.building, "1801", 18)
    person = await make_user("Zhang San")
    me = await token_for(person)
    reviewer = await token_for(await make_staff(w.company, "customer_service"))
    # when: the owner asks
    asked = (await api.gql(REQUEST, {"unitId": gid("Unit", unit), "relation": "OWNER"}, token=me))["bindingRequest"]
    # then
    assert asked["errors"] == []
    binding = asked["binding"]
    assert (binding["__typename"], binding["status"], binding["relation"]) == ("UnitBinding", "PENDING", "OWNER")
    assert binding["reviewedAt"] is None
    assert (binding["unit"], binding["community"]) == (None, None)  # nothing of the unit until approved
    # it is in the staff queue
    queue = (await api.gql(QUEUE, {"filter": {"status": "PENDING"}}, token=reviewer))["bindings"]
    assert [(n["id"], n["user"]["name"], n["unit"]["number"]) for n in queue["nodes"]] == [
        (binding["id"], "Zhang San", "1801")]
    # when approved
    approved = (await api.gql(APPROVE, {"id": binding["id"]}, token=reviewer))["bindingApprove"]
    # then
    assert approved["errors"] == []
    assert approved["binding"]["status"] == "APPROVED"
    assert approved["binding"]["reviewedAt"] is not None
    assert (await api.gql(QUEUE, {"filter": {"status": "PENDING"}}, token=reviewer))["bindings"]["totalCount"] == 0
    mine = (await api.gql(MINE, token=me))["viewer"]["bindings"]
    assert [(b["id"], b["status"], b["unit"]["number"]) for b in mine] == [(binding["id"], "APPROVED", "1801")]
    # a reviewed request cannot be reviewed again
    again = (await api.gql(REJECT, {"id": binding["id"], "reason": "changed my mind"}, token=reviewer))["bindingReject"]
    assert again == {"binding": None, "errors": [{"field": "id", "code": "NOT_PENDING"}]}


async def test_rejection_needs_a_reason_and_the_owner_sees_it(api):
    # given
    w = await make_world("A")
    person = await make_user("Li Si")
    me = await token_for(person)
    reviewer = await token_for(w.admin)
    asked = (await api.gql(REQUEST, {"unitId": gid("Unit", w.unit), "relation": "TENANT"}, token=me))["bindingRequest"]
    bid = asked["binding"]["id"]
    # when: no reason
    for reason in ("", "   "):
        refused = (await api.gql(REJECT, {"id": bid, "reason": reason}, token=reviewer))["bindingReject"]
        assert refused == {"binding": None, "errors": [{"field": "reason", "code": "REQUIRED"}]}
    too_long = (await api.gql(REJECT, {"id": bid, "reason": "x" * 201}, token=reviewer))["bindingReject"]
    assert too_long["errors"] == [{"field": "reason", "code": "TOO_LONG"}]
    # when: with a reason
    rejected = (await api.gql(REJECT, {"id": bid, "reason": "Not on the lease"}, token=reviewer))["bindingReject"]
    # then
    assert rejected["errors"] == []
    assert (rejected["binding"]["status"], rejected["binding"]["reason"]) == ("REJECTED", "Not on the lease")
    mine = (await api.gql(MINE, token=me))["viewer"]["bindings"]
    assert [(b["status"], b["reason"]) for b in mine] == [("REJECTED", "Not on the lease")]
    second = (await api.gql(APPROVE, {"id": bid}, token=reviewer))["bindingApprove"]
    assert second["errors"] == [{"field": "id", "code": "NOT_PENDING"}]
    # after a rejection the person may ask again
    retry = (await api.gql(REQUEST, {"unitId": gid("Unit", w.unit), "relation": "TENANT"}, token=me))["bindingRequest"]
    assert retry["errors"] == []


async def test_request_refusals_and_cancel(api):
    w = await make_world("A")
    person = await make_user("Wang")
    me = await token_for(person)
    missing = (await api.gql(REQUEST, {"unitId": encode_id("Unit", 987654), "relation": "OWNER"},
                             token=me))["bindingRequest"]
    assert missing["errors"] == [{"field": "unitId", "code": "NOT_FOUND"}]
    wrong_type = (await api.gql(REQUEST, {"unitId": gid("Building", w.building), "relation": "OWNER"},
                                token=me))["bindingRequest"]
    assert wrong_type["errors"] == [{"field": "unitId", "code": "INVALID_ID"}]
    anonymous = (await api.gql(REQUEST, {"unitId": gid("Unit", w.unit), "relation": "OWNER"}))["bindingRequest"]
    assert anonymous["errors"][0]["code"] == "UNAUTHENTICATED"
    first = (await api.gql(REQUEST, {"unitId": gid("Unit", w.unit), "relation": "OWNER"}, token=me))["bindingRequest"]
    dup = (await api.gql(REQUEST, {"unitId": gid("Unit", w.unit), "relation": "FAMILY"}, token=me))["bindingRequest"]
    assert dup["errors"] == [{"field": "unitId", "code": "DUPLICATE"}]
    # someone else cannot cancel it; the requester can, once
    other = await token_for(await make_user("Other"))
    assert (await api.gql(CANCEL, {"id": first["binding"]["id"]}, token=other))["bindingCancel"]["errors"][0][
        "code"] == "NOT_FOUND"
    cancelled = (await api.gql(CANCEL, {"id": first["binding"]["id"]}, token=me))["bindingCancel"]
    assert cancelled["binding"]["status"] == "REMOVED"
    again = (await api.gql(CANCEL, {"id": first["binding"]["id"]}, token=me))["bindingCancel"]
    assert again["errors"] == [{"field": "id", "code": "NOT_PENDING"}]
    assert (await api.gql(MINE, token=me))["viewer"]["bindings"] == []


async def test_review_queue_is_scoped_to_company_community_and_permission(api):
    # given: a pending request in each of two communities of A, and one in company B
    a = await make_world("A")
    b = await make_world("B")
    second = await make_community(a.company, "Second")
    far_unit = await make_unit(await make_building(second, "Far"), "501", 5)
    near = await bind(await make_user("Near"), a.unit, Relation.FAMILY, BindingStatus.PENDING)
    far = await bind(await make_user("Far"), far_unit, Relation.OWNER, BindingStatus.PENDING)
    await bind(await make_user("Elsewhere"), b.unit, Relation.OWNER, BindingStatus.PENDING)
    limited = await token_for(await make_staff(a.company, "customer_service", community=a.community))
    admin = await token_for(a.admin)
    # then: company-wide staff see both of A's, newest first, plus the approved owner
    pending = (await api.gql(QUEUE, {"filter": {"status": "PENDING"}}, token=admin))["bindings"]
    assert [n["id"] for n in pending["nodes"]] == [gid("UnitBinding", far), gid("UnitBinding", near)]
    assert (await api.gql(QUEUE, {}, token=admin))["bindings"]["totalCount"] == 3
    by_community = (await api.gql(QUEUE, {"filter": {"communityId": gid("Community", second)}}, token=admin))
    assert [n["id"] for n in by_community["bindings"]["nodes"]] == [gid("UnitBinding", far)]
    # community-limited staff see and review only theirs
    scoped = (await api.gql(QUEUE, {"filter": {"status": "PENDING"}}, token=limited))["bindings"]
    assert [n["id"] for n in scoped["nodes"]] == [gid("UnitBinding", near)]
    refused = (await api.gql(APPROVE, {"id": gid("UnitBinding", far)}, token=limited))["bindingApprove"]
    assert refused["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    # another company's reviewer gets NOT_FOUND too
    other = (await api.gql(APPROVE, {"id": gid("UnitBinding", near)}, token=await token_for(b.admin)))
    assert other["bindingApprove"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    # staff without binding.review cannot list or review
    finance = await token_for(await make_staff(a.company, "finance"))
    assert codes(await api.raw(QUEUE, {}, token=finance)) == ["FORBIDDEN"]
    assert (await api.gql(APPROVE, {"id": gid("UnitBinding", near)}, token=finance))["bindingApprove"]["errors"][0][
        "code"] == "FORBIDDEN"


# --- household -------------------------------------------------------------------------------------------------


async def test_owner_invites_and_removes_a_household_member(api):
    # given
    w = await make_world("A")
    owner = await token_for(w.owner)
    phone = next_phone()
    # when
    added = (await api.gql(ADD, {"unitId": gid("Unit", w.unit), "phone": phone, "name": "Little Owner",
                                 "relation": "FAMILY"}, token=owner))["householdMemberAdd"]
    # then: an invitation; the owner sees no account behind it, only what they typed
    assert added["errors"] == []
    binding = added["binding"]
    assert (binding["status"], binding["relation"], binding["user"]) == ("INVITED", "FAMILY", None)
    assert binding["reviewedAt"] is None
    invitation = (await api.gql("query($id: ID!) { node(id: $id) { ... on UnitBinding { invitation { name phone } } } }",
                                {"id": binding["id"]}, token=owner))["node"]["invitation"]
    assert invitation == {"name": "Little Owner", "phone": masked(phone)}
    # the member signs in with that phone (the account has no name from the owner) and accepts
    member_user = await make_user("ignored", phone=phone)
    assert member_user.name == ""
    member = await token_for(member_user)
    mine = (await api.gql(MINE, token=member))["viewer"]["bindings"]
    assert [(b["id"], b["relation"], b["status"]) for b in mine] == [(binding["id"], "FAMILY", "INVITED")]
    accept = "mutation($id: ID!) { householdInvitationAccept(id: $id) { binding { status } errors { code } } }"
    accepted = (await api.gql(accept, {"id": binding["id"]}, token=member))["householdInvitationAccept"]
    assert accepted == {"binding": {"status": "APPROVED"}, "errors": []}
    mine = (await api.gql(MINE, token=member))["viewer"]["bindings"]
    assert [(b["unit"]["id"], b["relation"], b["status"]) for b in mine] == [(gid("Unit", w.unit), "FAMILY", "APPROVED")]
    residents = await api.gql("query($id: ID!) { node(id: $id) { ... on Unit { residents { relation } } } }",
                              {"id": gid("Unit", w.unit)}, token=owner)
    assert [r["relation"] for r in residents["node"]["residents"]] == ["OWNER", "FAMILY"]
    # adding the same person again is a duplicate
    dup = (await api.gql(ADD, {"unitId": gid("Unit", w.unit), "phone": phone, "name": "Little Owner",
                               "relation": "TENANT"}, token=owner))["householdMemberAdd"]
    assert dup["errors"] == [{"field": "phone", "code": "DUPLICATE"}]
    # when removed
    removed = (await api.gql(REMOVE, {"id": binding["id"]}, token=owner))["householdMemberRemove"]
    # then
    assert removed["binding"]["status"] == "REMOVED"
    assert (await api.gql(MINE, token=member))["viewer"]["bindings"] == []


async def test_only_the_owner_manages_the_household(api):
    # given
    w = await make_world("A")
    tenant = await make_user("Tenant")
    tenant_binding = await bind(tenant, w.unit, Relation.TENANT)
    stranger = await token_for(await make_user("Stranger"))
    tenant_token = await token_for(tenant)
    pending_owner = await make_user("Pending owner")
    other_unit = await make_unit(w.building, "102")
    await bind(pending_owner, other_unit, Relation.OWNER, BindingStatus.PENDING)
    # then: neither a stranger, a tenant, nor a not-yet-approved owner can add or remove members
    for token, unit in ((stranger, w.unit), (tenant_token, w.unit), (await token_for(pending_owner), other_unit)):
        refused = (await api.gql(ADD, {"unitId": gid("Unit", unit), "phone": next_phone(), "name": "Friend",
                                       "relation": "FAMILY"}, token=token))["householdMemberAdd"]
        assert refused == {"binding": None, "errors": [{"field": "unitId", "code": "NOT_FOUND"}]}
    for token in (stranger, tenant_token):
        refused = (await api.gql(REMOVE, {"id": gid("UnitBinding", tenant_binding)}, token=token))
        assert [e["code"] for e in refused["householdMemberRemove"]["errors"]] == ["NOT_FOUND"]
    # the owner cannot add another owner or remove themself this way
    owner = await token_for(w.owner)
    as_owner = (await api.gql(ADD, {"unitId": gid("Unit", w.unit), "phone": next_phone(), "name": "Co-owner",
                                    "relation": "OWNER"}, token=owner))["householdMemberAdd"]
    assert as_owner["errors"] == [{"field": "relation", "code": "INVALID"}]
    mine = (await api.gql(MINE, token=owner))["viewer"]["bindings"]
    own = (await api.gql(REMOVE, {"id": mine[0]["id"]}, token=owner))["householdMemberRemove"]
    assert own["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    bad_phone = (await api.gql(ADD, {"unitId": gid("Unit", w.unit), "phone": "12", "name": "X",
                                     "relation": "FAMILY"}, token=owner))["householdMemberAdd"]
    assert bad_phone["errors"] == [{"field": "phone", "code": "INVALID_PHONE"}]
    # the tenant is still there
    assert [b["status"] for b in (await api.gql(MINE, token=tenant_token))["viewer"]["bindings"]] == ["APPROVED"]


# --- owners list -----------------------------------------------------------------------------------------------


async def _owners_world():  # noqa: ANN202 - a small namespace of rows
    w = await make_world("A")
    second = await make_community(w.company, "Second")
    far_unit = await make_unit(await make_building(second, "Far"), "2201", 22)
    phones = {"zhang": next_phone(), "zhao": next_phone(), "qian": next_phone()}
    zhang = await make_user("Zhang Wei", phone=phones["zhang"])
    zhao = await make_user("Zhao Wei", phone=phones["zhao"])
    qian = await make_user("Qian Li", phone=phones["qian"])
    await bind(zhang, w.unit)
    await bind(zhao, far_unit, Relation.TENANT)
    await bind(qian, far_unit, Relation.OWNER, BindingStatus.PENDING)  # not an owner until approved
    b = await make_world("B")
    await bind(await make_user("Zhang Outsider"), b.unit)
    return w, second, phones


async def test_owners_list_filters_by_name_phone_unit_and_community(api):
    # given
    w, second, phones = await _owners_world()
    token = await token_for(w.admin)

    async def names(filter_: dict) -> list[str]:
        data = (await api.gql(OWNERS, {"filter": filter_}, token=token))["owners"]
        assert data["totalCount"] == len(data["nodes"])
        return sorted(n["name"] for n in data["nodes"])

    # when / then
    assert await names({}) == ["Owner A", "Zhang Wei", "Zhao Wei"]
    assert await names({"search": "wei"}) == ["Zhang Wei", "Zhao Wei"]
    assert await names({"phone": phones["zhao"]}) == ["Zhao Wei"]
    assert await names({"phone": "+86 " + phones["zhang"]}) == ["Zhang Wei"]
    assert await names({"phone": phones["qian"]}) == []
    assert await names({"unitNumber": "2201"}) == ["Zhao Wei"]
    assert await names({"unitNumber": "101"}) == ["Owner A", "Zhang Wei"]
    assert await names({"communityId": gid("Community", second)}) == ["Zhao Wei"]
    assert await names({"relation": "TENANT"}) == ["Zhao Wei"]
    assert await names({"communityId": gid("Community", w.community), "search": "zhang"}) == ["Zhang Wei"]
    assert codes(await api.raw(OWNERS, {"filter": {"phone": "not a phone"}}, token=token)) == ["INVALID_PHONE"]
    assert codes(await api.raw(OWNERS, {"filter": {"search": "x" * 51}}, token=token)) == ["TOO_LONG"]
    assert codes(await api.raw(OWNERS, {"first": 101}, token=token)) == ["INVALID"]


async def test_owner_phones_are_masked_without_owner_phone(api):
    # given
    w, _, phones = await _owners_world()
    query_zhang = {"filter": {"phone": phones["zhang"]}}
    # finance may read owners but not their phones
    finance = await token_for(await make_staff(w.company, "finance"))
    node = (await api.gql(OWNERS, query_zhang, token=finance))["owners"]["nodes"][0]
    assert node["__typename"] == "User"
    assert node["phone"] == masked(phones["zhang"])
    # customer service and company admins see them in full
    for role in ("customer_service", "company_admin"):
        token = await token_for(await make_staff(w.company, role))
        node = (await api.gql(OWNERS, query_zhang, token=token))["owners"]["nodes"][0]
        assert node["phone"] == phones["zhang"], role


async def test_owners_are_refused_to_staff_without_owner_read(api):
    w = await make_world("A")
    for role in ("technician", "guard"):
        token = await token_for(await make_staff(w.company, role))
        assert codes(await api.raw(OWNERS, {}, token=token)) == ["FORBIDDEN"], role
    assert codes(await api.raw(OWNERS, {}, token=await token_for(w.owner))) == ["FORBIDDEN"]


async def test_community_limited_staff_list_owners_of_their_community_only(api):
    w, second, _ = await _owners_world()
    token = await token_for(await make_staff(w.company, "customer_service", community=second))
    data = (await api.gql(OWNERS, {}, token=token))["owners"]
    assert sorted(n["name"] for n in data["nodes"]) == ["Zhao Wei"]
    # owner bindings outside their community stay hidden on the user too
    nodes = await api.gql("{ owners(first: 20) { nodes { bindings { unit { number } } } } }", token=token)
    assert [b["unit"]["number"] for b in nodes["owners"]["nodes"][0]["bindings"]] == ["2201"]
