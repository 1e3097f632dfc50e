"""A community's time zone is an IANA zone, checked on the server whatever the console sends."""

from __future__ import annotations

import pytest

from tests.factories import make_world, token_for

CREATE = """mutation($input: CommunityInput!) {
  communityCreate(input: $input) { community { timezone } errors { field code } } }"""


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "UTC",
                                  "Asia/Calcutta", "America/Argentina/Buenos_Aires"])
async def test_iana_zones_are_kept(api, zone: str):
    w = await make_world("A")
    data = await api.gql(CREATE, {"input": {"name": f"C {zone}", "timezone": zone}}, token=await token_for(w.admin))
    assert data["communityCreate"] == {"community": {"timezone": zone}, "errors": []}


@pytest.mark.parametrize("zone", ["Beijing", "asia/shanghai", "Asia/Beijing", "UTC+8", "localtime", "Factory",
                                  "posixrules", "../etc/passwd", "Asia/Shanghai\\u0000"])
async def test_anything_else_is_refused_on_the_timezone_field(api, zone: str):
    w = await make_world("A")
    data = await api.gql(CREATE, {"input": {"name": "C", "timezone": zone}}, token=await token_for(w.admin))
    assert data["communityCreate"] == {"community": None, "errors": [{"field": "timezone", "code": "INVALID"}]}


async def test_an_empty_zone_means_shanghai(api):
    w = await make_world("A")
    data = await api.gql(CREATE, {"input": {"name": "C", "timezone": "  "}}, token=await token_for(w.admin))
    assert data["communityCreate"]["community"] == {"timezone": "Asia/Shanghai"}
