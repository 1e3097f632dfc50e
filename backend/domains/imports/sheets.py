"""Spreadsheet columns per import kind, and reading and writing .xlsx files (no domain rules here)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from backend.core.errors import DomainError
from backend.domains.imports.models import ImportKind

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# A 5 MB zip can inflate to gigabytes; real sheets of 10,000 rows stay far below this.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_CELL = 200
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = True

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"


COMMUNITY = Column("community", "小区", "Community")
BUILDING = Column("building", "楼栋", "Building")
NUMBER = Column("number", "房号", "Unit number")
COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.BUILDINGS: (COMMUNITY, BUILDING, Column("floors", "楼层数", "Floors", required=False)),
    ImportKind.UNITS: (
        COMMUNITY, BUILDING, NUMBER, Column("floor", "楼层", "Floor"), Column("area", "面积(㎡)", "Area (m²)"),
        Column("type", "类型", "Type", required=False),
    ),
    ImportKind.OWNERS: (
        COMMUNITY, BUILDING, NUMBER, Column("name", "姓名", "Name"), Column("phone", "手机", "Phone"),
        Column("relation", "关系", "Relation", required=False),
    ),
}
EXAMPLES: dict[ImportKind, list[Any]] = {
    ImportKind.BUILDINGS: ["阳光花园", "1栋", 18],
    ImportKind.UNITS: ["阳光花园", "1栋", "1201", 12, 89.5, "住宅"],
    ImportKind.OWNERS: ["阳光花园", "1栋", "1201", "张三", "13800000000", "业主"],
}
INSTRUCTIONS: dict[ImportKind, list[tuple[str, str]]] = {
    ImportKind.BUILDINGS: [
        ("每行一个楼栋；小区须已存在。楼栋名称在小区内唯一，至多 50 字。楼层数 0–200，可留空。",
         "One building per row; the community must exist. Names are unique in their community, at most 50 "
         "characters. Floors 0–200, may be empty."),
    ],
    ImportKind.UNITS: [
        ("每行一套房屋；小区与楼栋须已存在。房号为字母、数字或短横线，至多 20 位，在楼栋内唯一。",
         "One unit per row; community and building must exist. Unit numbers: letters, digits or dashes, at most "
         "20, unique in their building."),
        ("楼层 -10 到 200；面积大于 0 且小于 100000 平方米；类型：住宅、商铺、车位（留空为住宅）。",
         "Floor -10 to 200; area above 0 and below 100000 m²; type: residential, commercial or parking "
         "(empty means residential)."),
    ],
    ImportKind.OWNERS: [
        ("每行一位住户；小区、楼栋与房号须已存在。手机为中国大陆手机号；关系：业主、家属、租户（留空为业主）。",
         "One resident per row; community, building and unit must exist. Phone: a mainland China mobile number; "
         "relation: owner, family or tenant (empty means owner)."),
        ("导入的住户直接生效，无需审核；已有账号的手机号沿用原账号。",
         "Imported residents are approved at once; a phone that already has an account keeps it."),
    ],
}
COMMON_INSTRUCTIONS = [
    ("第一行为表头，请勿修改；自第二行起填写数据（示例行请删除或替换）。", "Keep the header row; data starts on row 2 "
     "(replace or delete the example row)."),
    (f"至多 {MAX_ROWS} 行，文件不超过 5 MB，格式为 .xlsx。", f"At most {MAX_ROWS} rows, 5 MB, .xlsx format."),
    ("上传后先预览：有错误的行会列出原因，修改后重新上传，全部无误才能导入。",
     "Uploading shows a preview: rows with errors list the reason; fix and upload again. Only an error-free "
     "file can be imported."),
]


def _bad(code: str, message: str, field: str = "file") -> DomainError:
    return DomainError(code, message, field)


def check_xlsx(data: bytes) -> None:
    """Refuse anything that is not a real, reasonably sized .xlsx (by content, never by file name)."""
    if len(data) > MAX_FILE_BYTES:
        raise _bad("FILE_TOO_LARGE", "At most 5 MB")
    if not data.startswith(b"PK\x03\x04"):
        raise _bad("NOT_XLSX", "Not an .xlsx file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise _bad("NOT_XLSX", "Not an .xlsx file") from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _bad("NOT_XLSX", "Not an .xlsx file")
    if unpacked > MAX_UNPACKED_BYTES:
        raise _bad("FILE_TOO_LARGE", "The file unpacks too large")


def cell_text(value: Any) -> str:
    """A cell as text: whole floats lose their '.0' (Excel stores 1201 as 1201.0), dates become ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).strip()[:MAX_CELL]


def _match_header(kind: ImportKind, header: list[str]) -> dict[str, int]:
    """Column key -> index, matching the bilingual header or either language alone."""
    wanted = {}
    for col in COLUMNS[kind]:
        for spelling in (col.header, col.zh, col.en, col.key):
            wanted[" ".join(spelling.lower().split())] = col.key
    found: dict[str, int] = {}
    for i, text in enumerate(header):
        key = wanted.get(" ".join(text.lower().split()))
        if key is not None and key not in found:
            found[key] = i
    missing = [c for c in COLUMNS[kind] if c.required and c.key not in found]
    if missing:
        raise _bad("BAD_HEADER", "Missing column: " + ", ".join(c.header for c in missing), missing[0].key)
    return found


def read_rows(kind: ImportKind, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {column key: text}) of every non-empty data row of the first sheet."""
    check_xlsx(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a broken file; all mean "not xlsx"
        raise _bad("NOT_XLSX", "The spreadsheet cannot be read") from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise _bad("EMPTY_FILE", "The sheet is empty")
        columns = _match_header(kind, [cell_text(v) for v in header])
        out: list[tuple[int, dict[str, str]]] = []
        for number, values in enumerate(rows, start=2):
            texts = {key: cell_text(values[i]) if i < len(values) else "" for key, i in columns.items()}
            if not any(texts.values()):
                continue
            if len(out) >= MAX_ROWS:
                raise _bad("TOO_MANY_ROWS", f"At most {MAX_ROWS} rows")
            out.append((number, texts))
    finally:
        book.close()
    if not out:
        raise _bad("EMPTY_FILE", "No data rows")
    return out


def write_workbook(sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    """An .xlsx of (title, header, rows) sheets, written in streaming mode so 50,000 rows stay cheap."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def template(kind: ImportKind) -> bytes:
    """The template: bilingual headers, one example row, and a sheet of instructions in zh-CN and en."""
    book = Workbook()
    sheet = book.active
    sheet.title = "数据 Data"
    sheet.append([c.header for c in COLUMNS[kind]])
    sheet.append(EXAMPLES[kind])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, col in enumerate(COLUMNS[kind]):
        sheet.column_dimensions[chr(ord("A") + i)].width = max(14, len(col.header) + 4)
    notes = book.create_sheet("说明 Instructions")
    notes.append(["说明", "Instructions"])
    for zh, en in INSTRUCTIONS[kind] + COMMON_INSTRUCTIONS:
        notes.append([zh, en])
    notes.append(["", ""])
    notes.append(["列", "Columns"])
    for col in COLUMNS[kind]:
        notes.append([f"{col.zh}{'（必填）' if col.required else '（选填）'}",
                      f"{col.en}{' (required)' if col.required else ' (optional)'}"])
    notes.column_dimensions["A"].width = 60
    notes.column_dimensions["B"].width = 80
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
