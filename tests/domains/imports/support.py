"""Spreadsheets built in memory and uploads sent by the GraphQL multipart request spec."""

from __future__ import annotations

import io
import json
from typing import Any

from openpyxl import Workbook, load_workbook

from tests.conftest import Api

HEADERS = {
    "BUILDINGS": ["小区 Community", "楼栋 Building", "楼层数 Floors"],
    "UNITS": ["小区 Community", "楼栋 Building", "房号 Unit number", "楼层 Floor", "面积(㎡) Area (m²)", "类型 Type"],
    "OWNERS": ["小区 Community", "楼栋 Building", "房号 Unit number", "姓名 Name", "手机 Phone", "关系 Relation"],
}
JOB_FIELDS = "id kind status fileName totalRows validRows errorCount processed failure finishedAt"
PREVIEW = f"""
mutation($kind: ImportKind!, $file: Upload!) {{
  importPreview(kind: $kind, file: $file) {{ job {{ {JOB_FIELDS} }} errors {{ field code }} }}
}}"""
COMMIT = f"""
mutation($jobId: ID!) {{ importCommit(jobId: $jobId) {{ job {{ {JOB_FIELDS} }} errors {{ field code }} }} }}"""
ROWS = """
query($id: ID!, $onlyErrors: Boolean!, $first: Int, $after: String) {
  node(id: $id) { ... on ImportJob {
    rows(onlyErrors: $onlyErrors, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { rowNumber values errors { column code message } }
    }
  } }
}"""
CSRF = {"x-courtyard-csrf": "1"}


def xlsx(kind: str, rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    """An .xlsx with the template's header (or `header`) and the given rows."""
    book = Workbook()
    sheet = book.active
    sheet.append(header or HEADERS[kind])
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def read_xlsx(data: bytes) -> dict[str, list[list[Any]]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}


async def upload_raw(api: Api, kind: str, data: bytes, token: str | None, *, headers: dict[str, str] | None = None,
                     name: str = "sheet.xlsx") -> Any:
    """POST a multipart request: operations, map and the file part."""
    h = dict(CSRF if headers is None else headers)
    if token:
        h["authorization"] = f"Bearer {token}"
    operations = {"query": PREVIEW, "variables": {"kind": kind, "file": None}}
    return await api.client.post(
        "/graphql", headers=h,
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
    )


async def preview(api: Api, kind: str, data: bytes, token: str) -> dict[str, Any]:
    resp = await upload_raw(api, kind, data, token)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert not body.get("errors"), body
    return body["data"]["importPreview"]


async def commit(api: Api, job_id: str, token: str) -> dict[str, Any]:
    return (await api.gql(COMMIT, {"jobId": job_id}, token=token))["importCommit"]


async def rows(api: Api, job_id: str, token: str, only_errors: bool = False, first: int = 100,
               after: str | None = None) -> dict[str, Any]:
    data = await api.gql(ROWS, {"id": job_id, "onlyErrors": only_errors, "first": first, "after": after}, token=token)
    return data["node"]["rows"]
