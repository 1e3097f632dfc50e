"""Excel imports: templates, preview with per-row errors, commit in one transaction, refusals and scope."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from tortoise.exceptions import IntegrityError

from backend.core.ids import encode_id
from backend.domains.accounts.models import Role
from backend.domains.residents.models import Relation
from backend.domains.tenancy.models import Unit
from tests.domains.imports.support import (
    HEADERS,
    commit,
    preview,
    read_xlsx,
    rows,
    upload_raw,
    xlsx,
)
from tests.factories import (
    bind,
    make_building,
    make_community,
    make_platform_admin,
    make_staff,
    make_unit,
    make_user,
    make_world,
    token_for,
)

UNITS = "query($b: ID) { units(filter: {buildingId: $b}, first: 100) { totalCount nodes { number floor area type } } }"
AUDIT = "{ auditLogs(filter: {action: \"import.\"}) { nodes { action targetType targetId } } }"


async def _admin(label: str = "A") -> tuple[object, str]:
    w = await make_world(label)
    return w, await token_for(w.admin)


@pytest.mark.parametrize("kind", ["buildings", "units", "owners"])
async def test_template_has_bilingual_headers_an_example_and_instructions(api, kind):
    # When anyone downloads a template (no sign-in)
    resp = await api.client.get(f"/api/import-templates/{kind}.xlsx")
    # Then it is an .xlsx with the bilingual header, one example row and an instructions sheet in both languages
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheets = read_xlsx(resp.content)
    data, notes = list(sheets.values())
    assert data[0] == HEADERS[kind.upper()]
    assert len(data) == 2 and all(v not in (None, "") for v in data[1][:3])
    assert len(notes) > 3 and all(len(r) == 2 for r in notes)


async def test_unknown_template_is_not_found(api):
    resp = await api.client.get("/api/import-templates/payments.xlsx")
    assert resp.status_code == 404 and resp.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(("bad", "column", "code"), [
    (["1201", 12, "-5", "住宅"], "area", "INVALID"),
    (["12 01", 12, 80, "住宅"], "number", "INVALID"),
    (["1201", 500, 80, "住宅"], "floor", "INVALID"),
    (["1201", 12, 80, "villa"], "type", "INVALID"),
    (["1201", 12, "", "住宅"], "area", "REQUIRED"),
    (["101", 1, 80, "住宅"], "number", "DUPLICATE"),  # exists in the database
    (["0501", 5, 80, "住宅"], "number", "DUPLICATE"),  # listed twice in the file
])
async def test_preview_shows_the_bad_row_with_its_code(api, bad, column, code):
    # Given a units sheet with three good rows and one bad one (row 4 of the sheet)
    w, token = await _admin()
    c, b = w.community.name, w.building.name
    data = xlsx("UNITS", [[c, b, "0501", 5, 88.5, "住宅"], [c, b, "S-01", 1, "120.25", "商铺"], [c, b, *bad],
                          [c, b, "P1", -1, 12, "parking"]])
    # When it is uploaded for preview
    payload = await preview(api, "UNITS", data, token)
    # Then the job lists that row with the column and code, and nothing is imported yet
    assert payload["errors"] == []
    job = payload["job"]
    assert (job["status"], job["totalRows"], job["validRows"], job["errorCount"]) == ("PREVIEWED", 4, 3, 1)
    bad_rows = await rows(api, job["id"], token, only_errors=True)
    assert bad_rows["totalCount"] == 1
    assert bad_rows["nodes"][0]["rowNumber"] == 4
    assert [(e["column"], e["code"]) for e in bad_rows["nodes"][0]["errors"]] == [(column, code)]
    assert (await rows(api, job["id"], token))["totalCount"] == 4
    assert await Unit.filter(building_id=w.building.id).count() == 1


async def test_unknown_building_and_community_are_not_found(api):
    w, token = await _admin()
    data = xlsx("UNITS", [["Nowhere", w.building.name, "1", 1, 50, ""], [w.community.name, "No such", "1", 1, 50, ""]])
    job = (await preview(api, "UNITS", data, token))["job"]
    got = [(r["rowNumber"], r["errors"][0]["column"], r["errors"][0]["code"])
           for r in (await rows(api, job["id"], token, only_errors=True))["nodes"]]
    assert got == [(2, "community", "NOT_FOUND"), (3, "building", "NOT_FOUND")]


async def test_fixed_upload_commits_and_the_rows_exist(api):
    # Given a preview with a bad row
    w, token = await _admin()
    c, b = w.community.name, w.building.name
    bad = (await preview(api, "UNITS", xlsx("UNITS", [[c, b, "201", 2, 90, "住宅"], [c, b, "202", 2, "abc", "住宅"]]),
                         token))["job"]
    # When committing it, then it is refused with HAS_ERRORS and nothing is written
    refused = await commit(api, bad["id"], token)
    assert refused["job"] is None and [e["code"] for e in refused["errors"]] == ["HAS_ERRORS"]
    assert await Unit.filter(building_id=w.building.id).count() == 1
    # When the fixed file is uploaded and committed
    fixed = (await preview(api, "UNITS", xlsx("UNITS", [[c, b, "201", 2, 90, "住宅"], [c, b, "202", 2, 75.5, "商铺"]]),
                           token))["job"]
    assert fixed["errorCount"] == 0
    done = await commit(api, fixed["id"], token)
    # Then the units exist as given, and the job is done
    assert done["errors"] == [] and done["job"]["status"] == "DONE" and done["job"]["processed"] == 2
    listed = (await api.gql(UNITS, {"b": encode_id("Building", w.building.id)}, token=token))["units"]
    assert {(n["number"], n["floor"], n["area"], n["type"]) for n in listed["nodes"]} >= {
        ("201", 2, "90.00", "RESIDENTIAL"), ("202", 2, "75.50", "COMMERCIAL")}
    # And committing again returns the same job unchanged, importing nothing twice
    again = await commit(api, fixed["id"], token)
    assert again["errors"] == [] and again["job"] == done["job"]
    assert await Unit.filter(building_id=w.building.id).count() == 3
    # And every import mutation was audited
    actions = [(n["action"], n["targetId"]) for n in (await api.gql(AUDIT, token=token))["auditLogs"]["nodes"]]
    assert ("import.commit", fixed["id"]) in actions and ("import.preview", fixed["id"]) in actions


async def test_ten_thousand_units_import_in_one_commit(api):
    # Given a sheet of 10,000 units over 5 buildings
    w, token = await _admin()
    buildings = [w.building] + [await make_building(w.community, f"T{i}") for i in range(4)]
    data = xlsx("UNITS", [[w.community.name, buildings[i % 5].name, f"X{i}", i % 30 + 1, 66.6, "住宅"]
                          for i in range(10_000)])
    started = time.perf_counter()
    job = (await preview(api, "UNITS", data, token))["job"]
    previewed = time.perf_counter()
    assert job["totalRows"] == 10_000 and job["errorCount"] == 0
    # When it is committed
    done = await commit(api, job["id"], token)
    finished = time.perf_counter()
    print(f"\n10,000 units: preview {previewed - started:.2f} s, commit {finished - previewed:.2f} s")
    # Then all of them exist
    assert done["errors"] == [] and done["job"]["status"] == "DONE" and done["job"]["processed"] == 10_000
    assert await Unit.filter(company_id=w.company.id).count() == 10_001


async def test_a_failing_batch_rolls_back_the_whole_commit(api, monkeypatch):
    # Given a valid preview of 1,200 units (three batches)
    w, token = await _admin()
    data = xlsx("UNITS", [[w.community.name, w.building.name, f"R{i}", 3, 70, ""] for i in range(1200)])
    job = (await preview(api, "UNITS", data, token))["job"]
    # When the second batch fails in the database (a concurrent change the checks could not see)
    original, calls = Unit.bulk_create, []

    async def flaky(objects, *args, **kwargs):
        calls.append(len(objects))
        if len(calls) == 2:
            raise IntegrityError("unique constraint failed")
        return await original(objects, *args, **kwargs)

    monkeypatch.setattr(Unit, "bulk_create", flaky)
    failed = await commit(api, job["id"], token)
    monkeypatch.undo()
    # Then nothing of the file was written, and the job says it failed
    assert failed["job"] is None and [e["code"] for e in failed["errors"]] == ["IMPORT_FAILED"]
    assert calls[:2] == [500, 500]
    assert await Unit.filter(building_id=w.building.id).count() == 1
    node = await api.gql("query($id: ID!) { node(id: $id) { ... on ImportJob { status processed failure } } }",
                         {"id": job["id"]}, token=token)
    assert node["node"]["status"] == "FAILED" and node["node"]["processed"] == 0 and node["node"]["failure"]
    # And a retry imports everything
    retried = await commit(api, job["id"], token)
    assert retried["job"]["status"] == "DONE"
    assert await Unit.filter(building_id=w.building.id).count() == 1201


async def test_rows_that_became_invalid_since_the_preview_refuse_the_commit(api):
    # Given a valid preview, and then one of its units is created by hand
    w, token = await _admin()
    data = xlsx("UNITS", [[w.community.name, w.building.name, f"Q{i}", 3, 70, ""] for i in range(600)])
    job = (await preview(api, "UNITS", data, token))["job"]
    await make_unit(w.building, "Q550")
    # When committing, then it is refused with the row's new error, and no row of the file is written
    refused = await commit(api, job["id"], token)
    assert [e["code"] for e in refused["errors"]] == ["HAS_ERRORS"]
    assert await Unit.filter(building_id=w.building.id).count() == 2
    bad = await rows(api, job["id"], token, only_errors=True)
    assert [(r["rowNumber"], r["errors"][0]["code"]) for r in bad["nodes"]] == [(552, "DUPLICATE")]


async def test_buildings_import(api):
    w, token = await _admin()
    other = await make_community(w.company, "东区")
    data = xlsx("BUILDINGS", [[w.community.name, "9栋", 30], [other.name, "1栋", ""], [other.name, "1栋", 5],
                              [w.community.name, w.building.name, 3], [w.community.name, "10栋", 999]])
    job = (await preview(api, "BUILDINGS", data, token))["job"]
    bad = (await rows(api, job["id"], token, only_errors=True))["nodes"]
    assert [(r["rowNumber"], r["errors"][0]["column"], r["errors"][0]["code"]) for r in bad] == [
        (4, "building", "DUPLICATE"), (5, "building", "DUPLICATE"), (6, "floors", "INVALID")]
    fixed = (await preview(api, "BUILDINGS", xlsx("BUILDINGS", [[w.community.name, "9栋", 30], [other.name, "1栋", ""]]),
                           token))["job"]
    assert (await commit(api, fixed["id"], token))["job"]["status"] == "DONE"
    names = await api.gql("{ buildings(first: 100) { nodes { name floors } } }", token=token)
    assert {("9栋", 30), ("1栋", 0)} <= {(n["name"], n["floors"]) for n in names["buildings"]["nodes"]}


async def test_owners_import_creates_people_and_approved_bindings(api):
    # Given units, an account the company knows (a resident of unit 101), an account it does not know, and an
    # existing approved owner of unit 101
    w, token = await _admin()
    c, b = w.community.name, w.building.name
    u2 = await make_unit(w.building, "102")
    known = await make_user("Known", phone="13700009999")
    await bind(known, w.unit, Relation.FAMILY)
    await make_user("Stranger", phone="13700008888")
    data = xlsx("OWNERS", [
        [c, b, "101", "李四", "138 0000 1111", "家属"],
        [c, b, "102", "李四", "+8613800001111", "业主"],
        [c, b, "102", "Known Person", "13700009999", "tenant"],
        [c, b, "101", "Owner again", "", "业主"],
        [c, b, "999", "王五", "13800002222", ""],
        [c, b, "102", "赵六", "12345", "业主"],
        [c, b, "102", "Someone", "13700008888", "业主"],
    ])
    job = (await preview(api, "OWNERS", data, token))["job"]
    bad = (await rows(api, job["id"], token, only_errors=True))["nodes"]
    # (an account the company does not know is not bound by a file: that would show the person's own name for any
    # number in it; they ask for the unit in the app)
    assert [(r["rowNumber"], r["errors"][0]["column"], r["errors"][0]["code"]) for r in bad] == [
        (5, "phone", "INVALID_PHONE"), (6, "number", "NOT_FOUND"), (7, "phone", "INVALID_PHONE"),
        (8, "phone", "HAS_ACCOUNT")]
    # The company admin holds owner.phone: the preview shows phones in full
    all_rows = (await rows(api, job["id"], token))["nodes"]
    assert all_rows[0]["values"]["phone"] == "13800001111"
    # When the good rows are uploaded again and committed
    good = xlsx("OWNERS", [[c, b, "101", "李四", "138 0000 1111", "家属"], [c, b, "102", "李四", "+8613800001111", "业主"],
                           [c, b, "102", "Known Person", "13700009999", "tenant"]])
    job = (await preview(api, "OWNERS", good, token))["job"]
    assert job["errorCount"] == 0
    assert (await commit(api, job["id"], token))["job"]["status"] == "DONE"
    # Then one new person with two approved bindings, and the known account reused
    owners = await api.gql('{ owners(filter: {phone: "13800001111"}) { nodes { name phone bindings { relation status unit { number } } } } }',
                           token=token)
    person = owners["owners"]["nodes"]
    assert len(person) == 1 and person[0]["name"] == "李四" and person[0]["phone"] == "13800001111"
    assert sorted((x["unit"]["number"], x["relation"], x["status"]) for x in person[0]["bindings"]) == [
        ("101", "FAMILY", "APPROVED"), ("102", "OWNER", "APPROVED")]
    known_bindings = await api.gql('{ owners(filter: {phone: "13700009999"}) { nodes { id bindings { relation unit { id } } } } }',
                                   token=token)
    node = known_bindings["owners"]["nodes"][0]
    assert node["id"] == encode_id("User", known.id)
    assert sorted((x["relation"], x["unit"]["id"]) for x in node["bindings"]) == sorted(
        [("FAMILY", encode_id("Unit", w.unit.id)), ("TENANT", encode_id("Unit", u2.id))])
    # And uploading the same people again is a duplicate
    again = (await preview(api, "OWNERS", good, token))["job"]
    assert again["errorCount"] == 3
    assert {r["errors"][0]["code"] for r in (await rows(api, again["id"], token, only_errors=True))["nodes"]} == {"DUPLICATE"}


async def test_preview_masks_phones_for_staff_without_owner_phone(api):
    w = await make_world("A")
    data = xlsx("OWNERS", [[w.community.name, w.building.name, "101", "甲", "13800003333", "家属"]])
    # finance has owner.read but not binding.review: they cannot import owners at all
    finance = await token_for(await make_staff(w.company, "finance"))
    resp = (await upload_raw(api, "OWNERS", data, finance)).json()
    assert [e["code"] for e in resp["data"]["importPreview"]["errors"]] == ["FORBIDDEN"]
    # Given the platform takes owner.phone away from customer service (binding.review stays)
    platform = await token_for(await make_platform_admin())
    role = await Role.get(code="customer_service")
    perms = ["COMMUNITY_READ", "UNIT_READ", "OWNER_READ", "BINDING_REVIEW"]
    changed = await api.gql("mutation($id: ID!, $p: [Perm!]) { roleUpdate(id: $id, input: {permissions: $p}) "
                            "{ errors { code } } }", {"id": encode_id("Role", role.id), "p": perms}, token=platform)
    assert changed["roleUpdate"]["errors"] == []
    # When customer service previews owners, then the phone shows masked; the company admin sees it in full
    token = await token_for(await make_staff(w.company, "customer_service", community=w.community))
    job = (await preview(api, "OWNERS", data, token))["job"]
    assert (await rows(api, job["id"], token))["nodes"][0]["values"]["phone"] == "138****3333"
    admin = await token_for(w.admin)
    assert (await rows(api, job["id"], admin))["nodes"][0]["values"]["phone"] == "13800003333"


async def test_community_outside_the_callers_scope_is_forbidden_per_row(api):
    w = await make_world("A")
    other = await make_community(w.company, "西区")
    await make_building(other, "1栋")
    manager = await token_for(await make_staff(w.company, "community_manager", community=w.community))
    data = xlsx("UNITS", [[w.community.name, w.building.name, "301", 3, 80, ""], [other.name, "1栋", "301", 3, 80, ""]])
    job = (await preview(api, "UNITS", data, manager))["job"]
    bad = (await rows(api, job["id"], manager, only_errors=True))["nodes"]
    assert [(r["rowNumber"], r["errors"][0]["code"]) for r in bad] == [(3, "FORBIDDEN")]


async def test_technician_cannot_import_units(api):
    w = await make_world("A")
    tech = await token_for(await make_staff(w.company, "technician"))
    resp = await upload_raw(api, "UNITS", xlsx("UNITS", [[w.community.name, w.building.name, "1", 1, 1, ""]]), tech)
    assert [e["code"] for e in resp.json()["data"]["importPreview"]["errors"]] == ["FORBIDDEN"]


async def test_upload_without_the_csrf_header_or_sign_in_is_refused(api):
    w, token = await _admin()
    data = xlsx("UNITS", [[w.community.name, w.building.name, "701", 7, 80, ""]])
    # Without the non-simple header a browser could send cross-site
    resp = await upload_raw(api, "UNITS", data, token, headers={})
    assert resp.status_code == 400 and resp.json()["errors"][0]["extensions"]["code"] == "CSRF_HEADER_REQUIRED"
    # Without a token
    resp = await upload_raw(api, "UNITS", data, None)
    assert resp.status_code == 401 and resp.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # With a bad token
    resp = await upload_raw(api, "UNITS", data, "not-a-token")
    assert resp.status_code == 401 and resp.json()["errors"][0]["extensions"]["code"] == "TOKEN_INVALID"
    # apollo-require-preflight is accepted as well
    resp = await upload_raw(api, "UNITS", data, token, headers={"apollo-require-preflight": "true"})
    assert resp.status_code == 200 and resp.json()["data"]["importPreview"]["job"]["errorCount"] == 0
    from backend.domains.imports.models import ImportJob

    assert await ImportJob.all().count() == 1


def _zip(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in names.items():
            z.writestr(name, content)
    return buf.getvalue()


@pytest.mark.parametrize(("content", "code"), [
    (b"community,building\nA,B\n", "NOT_XLSX"),  # a CSV named .xlsx
    (_zip({"hello.txt": b"hi"}), "NOT_XLSX"),  # a zip that is no workbook
    (_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<broken"}), "NOT_XLSX"),
    (b"", "NOT_XLSX"),
])
async def test_files_that_are_not_xlsx_are_refused(api, content, code):
    _, token = await _admin()
    resp = await upload_raw(api, "UNITS", content, token)
    payload = resp.json()["data"]["importPreview"]
    assert payload["job"] is None and [e["code"] for e in payload["errors"]] == [code]


async def test_wrong_header_empty_sheet_and_too_many_rows_are_refused(api):
    w, token = await _admin()
    cases = [
        (xlsx("UNITS", [["a", "b"]], header=["小区 Community", "Something"]), "BAD_HEADER"),
        (xlsx("UNITS", []), "EMPTY_FILE"),
        (xlsx("BUILDINGS", [[w.community.name, f"B{i}", 1] for i in range(10_001)]), "TOO_MANY_ROWS"),
    ]
    for data, code in cases:
        payload = (await upload_raw(api, "BUILDINGS" if code == "TOO_MANY_ROWS" else "UNITS", data, token)).json()
        assert [e["code"] for e in payload["data"]["importPreview"]["errors"]] == [code], code


async def test_a_file_over_5_mb_is_refused(api):
    _, token = await _admin()
    # Over the request allowance of every upload (a 50 MB video): refused before the body is read
    resp = await upload_raw(api, "UNITS", b"PK\x03\x04" + b"0" * (50 * 1024 * 1024 + 70_000), token)
    assert resp.status_code == 413 and resp.json()["errors"][0]["extensions"]["code"] == "FILE_TOO_LARGE"
    # Just over 5 MB fits the request allowance but not the import's own file limit
    for size in (5 * 1024 * 1024, 5 * 1024 * 1024 + 70_000):
        resp = await upload_raw(api, "UNITS", b"PK\x03\x04" + b"0" * size, token)
        assert [e["code"] for e in resp.json()["data"]["importPreview"]["errors"]] == ["FILE_TOO_LARGE"]


async def test_another_company_cannot_see_or_commit_a_job(api):
    a, token_a = await _admin("A")
    b, token_b = await _admin("B")
    job = (await preview(api, "UNITS", xlsx("UNITS", [[a.community.name, a.building.name, "801", 8, 80, ""]]),
                         token_a))["job"]
    seen = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": job["id"]}, token=token_b)
    assert seen["node"] is None
    refused = await commit(api, job["id"], token_b)
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    # World B's names do not resolve A's community either
    other = (await preview(api, "UNITS", xlsx("UNITS", [[a.community.name, a.building.name, "802", 8, 80, ""]]),
                           token_b))["job"]
    assert other["errorCount"] == 1
    assert await Unit.filter(company_id=a.company.id).count() == 1
    # A resident of A's unit cannot read the job
    owner = await token_for(a.owner)
    await bind(await make_user("x"), a.unit)
    assert (await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": job["id"]}, token=owner))["node"] is None


async def test_rows_page_with_cursors(api):
    w, token = await _admin()
    data = xlsx("UNITS", [[w.community.name, w.building.name, f"C{i}", 1, 10 if i % 2 else -1, ""] for i in range(30)])
    job = (await preview(api, "UNITS", data, token))["job"]
    first = await rows(api, job["id"], token, only_errors=True, first=10)
    assert first["totalCount"] == 15 and first["pageInfo"]["hasNextPage"]
    second = await rows(api, job["id"], token, only_errors=True, first=10, after=first["pageInfo"]["endCursor"])
    numbers = [r["rowNumber"] for r in first["nodes"] + second["nodes"]]
    assert numbers == list(range(2, 32, 2)) and not second["pageInfo"]["hasNextPage"]
