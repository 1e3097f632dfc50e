"""Property companies: the platform creates, lists, disables and re-enables them."""

from __future__ import annotations

from backend.core.ids import encode_id
from tests.factories import make_company, make_platform_admin, make_staff, make_world, next_phone, token_for

CREATE = """
mutation($input: CompanyCreateInput!) {
  companyCreate(input: $input) {
    company { __typename id name status contactName }
    errors { field code }
  }
}"""
COMPANIES = """
query($first: Int, $after: String, $search: String, $status: CompanyStatus) {
  companies(first: $first, after: $after, search: $search, status: $status) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name status }
  }
}"""
DISABLE = "mutation($id: ID!) { companyDisable(id: $id) { company { id status } errors { field code } } }"
ENABLE = "mutation($id: ID!) { companyEnable(id: $id) { company { id status } errors { field code } } }"
LOGIN = """
mutation($phone: String!, $password: String!) {
  authPasswordLogin(phone: $phone, password: $password) { tokens { accessToken } errors { code } }
}"""


def _codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def test_platform_admin_creates_a_company_whose_admin_can_sign_in(api):
    # given
    platform = await token_for(await make_platform_admin())
    phone = next_phone()
    # when
    data = await api.gql(CREATE, {"input": {"name": "Green Leaf Property", "adminPhone": phone,
                                             "adminName": "Li Lei", "adminPassword": "s3cret-pass"}}, token=platform)
    # then
    payload = data["companyCreate"]
    assert payload["errors"] == []
    assert payload["company"]["__typename"] == "Company"
    assert payload["company"]["status"] == "ACTIVE"
    assert payload["company"]["contactName"] == "Li Lei"
    login = (await api.gql(LOGIN, {"phone": phone, "password": "s3cret-pass"}))["authPasswordLogin"]
    assert login["errors"] == []
    viewer = await api.gql("{ viewer { company { id name } roles { code } permissions } }",
                           token=login["tokens"]["accessToken"])
    assert viewer["viewer"]["company"] == {"id": payload["company"]["id"], "name": "Green Leaf Property"}
    assert [r["code"] for r in viewer["viewer"]["roles"]] == ["company_admin"]
    assert "COMPANY_MANAGE" in viewer["viewer"]["permissions"]


async def test_company_names_are_unique(api):
    platform = await token_for(await make_platform_admin())
    await make_company("Taken Name")
    data = await api.gql(CREATE, {"input": {"name": "Taken Name", "adminPhone": next_phone(), "adminName": "X"}},
                         token=platform)
    assert data["companyCreate"]["company"] is None
    assert data["companyCreate"]["errors"] == [{"field": "name", "code": "DUPLICATE"}]


async def test_company_create_validates_its_input(api):
    platform = await token_for(await make_platform_admin())
    cases = [
        ({"name": "  ", "adminPhone": next_phone(), "adminName": "X"}, "REQUIRED"),
        ({"name": "N" * 101, "adminPhone": next_phone(), "adminName": "X"}, "TOO_LONG"),
        ({"name": "Bad Phone Co", "adminPhone": "12345", "adminName": "X"}, "INVALID_PHONE"),
        ({"name": "No Admin Name Co", "adminPhone": next_phone(), "adminName": ""}, "REQUIRED"),
        ({"name": "Weak Password Co", "adminPhone": next_phone(), "adminName": "X", "adminPassword": "short"},
         "WEAK_PASSWORD"),
    ]
    for data_in, code in cases:
        data = await api.gql(CREATE, {"input": data_in}, token=platform)
        assert [e["code"] for e in data["companyCreate"]["errors"]] == [code], data_in
    # a refused create leaves nothing behind (the company row is rolled back with its admin)
    listed = await api.gql(COMPANIES, {}, token=platform)
    assert listed["companies"]["totalCount"] == 0


async def test_only_platform_admins_manage_companies(api):
    w = await make_world("A")
    admin = await token_for(w.admin)
    data = await api.gql(CREATE, {"input": {"name": "Mine", "adminPhone": next_phone(), "adminName": "X"}}, token=admin)
    assert data["companyCreate"]["errors"][0]["code"] == "FORBIDDEN"
    data = await api.gql(DISABLE, {"id": encode_id("Company", w.company.id)}, token=admin)
    assert data["companyDisable"]["errors"][0]["code"] == "FORBIDDEN"
    anonymous = await api.gql(CREATE, {"input": {"name": "Anon", "adminPhone": next_phone(), "adminName": "X"}})
    assert anonymous["companyCreate"]["errors"][0]["code"] == "UNAUTHENTICATED"
    body = await api.raw(COMPANIES, {}, token=admin)
    assert _codes(body) == ["FORBIDDEN"]


async def test_companies_list_searches_filters_and_pages(api):
    # given
    platform = await token_for(await make_platform_admin())
    for i in range(7):
        await make_company(f"Sunrise {i}")
    await make_company("Moonlight")
    disabled = await make_company("Sunrise Disabled")
    await api.gql(DISABLE, {"id": encode_id("Company", disabled.id)}, token=platform)
    # when / then: search
    found = (await api.gql(COMPANIES, {"search": "sunrise"}, token=platform))["companies"]
    assert found["totalCount"] == 8
    # status filter
    only_disabled = (await api.gql(COMPANIES, {"status": "DISABLED"}, token=platform))["companies"]
    assert [n["name"] for n in only_disabled["nodes"]] == ["Sunrise Disabled"]
    # cursor paging walks every row once
    seen: list[str] = []
    after = None
    while True:
        page = (await api.gql(COMPANIES, {"first": 3, "after": after}, token=platform))["companies"]
        assert page["totalCount"] == 9
        seen += [n["name"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == 9 and len(set(seen)) == 9
    # more than 100 a page is refused
    assert _codes(await api.raw(COMPANIES, {"first": 101}, token=platform)) == ["INVALID"]


async def test_disabling_a_company_cuts_its_staff_off_until_enabled(api):
    # given
    platform = await token_for(await make_platform_admin())
    w = await make_world("A")
    staff_token = await token_for(w.admin)
    gid = encode_id("Company", w.company.id)
    # when
    data = await api.gql(DISABLE, {"id": gid}, token=platform)
    # then
    assert data["companyDisable"] == {"company": {"id": gid, "status": "DISABLED"}, "errors": []}
    assert _codes(await api.raw("{ communities { totalCount } }", token=staff_token)) == ["FORBIDDEN"]
    # when enabled again, the same token works
    data = await api.gql(ENABLE, {"id": gid}, token=platform)
    assert data["companyEnable"]["company"]["status"] == "ACTIVE"
    assert (await api.gql("{ communities { totalCount } }", token=staff_token))["communities"]["totalCount"] == 1


async def test_disable_refuses_unknown_and_malformed_ids(api):
    platform = await token_for(await make_platform_admin())
    data = await api.gql(DISABLE, {"id": encode_id("Company", 987654)}, token=platform)
    assert data["companyDisable"]["errors"][0]["code"] == "NOT_FOUND"
    data = await api.gql(DISABLE, {"id": encode_id("Unit", 1)}, token=platform)
    assert data["companyDisable"]["errors"][0]["code"] == "INVALID_ID"
    data = await api.gql(DISABLE, {"id": "not-an-id"}, token=platform)
    assert data["companyDisable"]["errors"][0]["code"] == "INVALID_ID"


async def test_staff_see_only_their_own_company_through_node(api):
    a = await make_world("A")
    b = await make_world("B")
    token = await token_for(await make_staff(a.company, "technician"))
    query = "query($id: ID!) { node(id: $id) { __typename id ... on Company { name } } }"
    own = await api.gql(query, {"id": encode_id("Company", a.company.id)}, token=token)
    assert own["node"]["__typename"] == "Company"
    assert own["node"]["name"] == a.company.name
    other = await api.gql(query, {"id": encode_id("Company", b.company.id)}, token=token)
    assert other["node"] is None
