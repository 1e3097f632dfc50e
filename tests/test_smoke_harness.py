from tests.factories import make_world, token_for


async def test_company_admin_lists_units(api):
    w = await make_world("A")
    token = await token_for(w.admin)
    data = await api.gql("{ units(first: 5) { totalCount nodes { number residents { user { name } } } } }", token=token)
    assert data["units"]["totalCount"] == 1
    assert data["units"]["nodes"][0]["residents"][0]["user"]["name"] == "Owner A"
