"""Spreadsheet columns per import kind, and reading and writing .xlsx files (no domain rules here)."""

from __future__ import annotations

import io
import pyexpat
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.cell import column_index_from_string, range_boundaries

from backend.core.errors import DomainError
from backend.domains.imports.errors import ImportCode
from backend.domains.imports.models import ImportKind

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# Limits checked on the unpacked file before openpyxl sees it: openpyxl builds every row up to the highest row
# number (a 2.4 MB file of 1,000,000 empty rows kept it busy for seconds), every cell, shared string and style.
# A real sheet of 10,000 rows by 6 columns unpacks to 3.3 MB, 14 times its packed size, in 170,000 XML elements.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_RATIO = 100  # unpacked / packed size of any part over RATIO_FLOOR; deflate of real sheets stays near 15
RATIO_FLOOR = 1024 * 1024
MAX_PARTS = 1000
# Rows of a sheet counting empty ones (Excel keeps formatted empty rows), by count and by highest row number.
MAX_SHEET_ROWS = 2 * MAX_ROWS
MAX_COLUMNS = 100
MAX_CELLS = 150_000  # cells of one sheet (10,000 rows by 15 columns), and shared strings
MAX_SHEETS = 100
MAX_ELEMENTS = 600_000  # XML elements in the whole file: counting them costs about 0.5 µs each
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
    """Refuse anything that is not a real .xlsx of bounded size (by content, never by file name).

    Every part is inflated here, in bounded chunks, and every XML part streamed through expat, counting what
    openpyxl would build: declared sizes and the dimension are only claims, a hostile file can lie in both.
    """
    if len(data) > MAX_FILE_BYTES:
        raise _bad(ImportCode.FILE_TOO_LARGE, "At most 5 MB")
    if not data.startswith(b"PK\x03\x04"):
        raise _bad(ImportCode.NOT_XLSX, "Not an .xlsx file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_parts(infos)
            budget = _Budget()
            sheets = sum(_scan_part(archive, info, budget) for info in infos)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError,
            ValueError):  # a broken or encrypted archive, a bad CRC, an unreadable row number: all mean "not xlsx"
        raise _bad(ImportCode.NOT_XLSX, "Not an .xlsx file") from None
    if not sheets:
        raise _bad(ImportCode.NOT_XLSX, "The file has no worksheet")


def _check_parts(infos: list[zipfile.ZipInfo]) -> None:
    """What the archive's directory claims: checked first because it costs nothing."""
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _bad(ImportCode.NOT_XLSX, "Not an .xlsx file")
    if len(infos) > MAX_PARTS:
        raise _bad(ImportCode.FILE_TOO_LARGE, f"At most {MAX_PARTS} parts in the file")
    if any(info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for info in infos):
        raise _bad(ImportCode.NOT_XLSX, "Not an .xlsx file")  # Excel only deflates; other methods are another attack surface
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise _bad(ImportCode.FILE_TOO_LARGE, "The file unpacks too large")
    for info in infos:
        _check_ratio(info.file_size, info.compress_size)


def _check_ratio(unpacked: int, packed: int) -> None:
    if unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * max(packed, 1):
        raise _bad(ImportCode.FILE_TOO_LARGE, "The file is compressed suspiciously well")


SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
ROW, CELL, STRING, SHEET = (SHEET_NS + tag for tag in ("row", "c", "si", "sheet"))
WORKSHEET, DIMENSION = SHEET_NS + "worksheet", SHEET_NS + "dimension"
CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?\d+$")
CHUNK = 64 * 1024


class _Budget:
    """Unpacked bytes and XML elements of the whole file so far."""

    def __init__(self) -> None:
        self.unpacked = 0
        self.elements = 0


class _PartCounter:
    """Counts one XML part the way openpyxl's sheet reader numbers rows and cells; raises past a limit.

    Every part is counted, whatever its name or root: the workbook's relationships decide which part openpyxl
    reads as the first sheet, and a hostile file can point them anywhere.
    """

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget
        self.rows = self.row = self.col = self.cells = self.strings = self.sheets = 0
        self.root = ""
        self.counted = {ROW: self._row, CELL: self._cell, STRING: self._string, SHEET: self._sheet,
                        DIMENSION: self._declared}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        # Called for every element of the file: kept short, counting only costs about 0.5 µs an element.
        budget = self.budget
        budget.elements += 1
        if budget.elements > MAX_ELEMENTS:
            raise _bad(ImportCode.FILE_TOO_LARGE, "The file holds too much data")
        self.root = self.root or name
        count = self.counted.get(name)
        if count is not None:
            count(attrs)

    def _row(self, attrs: dict[str, str]) -> None:
        self.rows += 1
        number = attrs.get("r")
        self.row, self.col = (self.row + 1 if number is None else _row_number(number)), 0
        if self.rows > MAX_SHEET_ROWS or self.row > MAX_SHEET_ROWS:
            raise _bad(ImportCode.TOO_MANY_ROWS, f"At most {MAX_ROWS} rows")

    def _cell(self, attrs: dict[str, str]) -> None:
        self.cells += 1
        ref = attrs.get("r")
        self.col = self.col + 1 if not ref else _column_number(ref)
        if self.cells > MAX_CELLS:
            raise _bad(ImportCode.FILE_TOO_LARGE, "The sheet holds too many cells")
        if self.col > MAX_COLUMNS:
            raise _bad(ImportCode.FILE_TOO_LARGE, f"At most {MAX_COLUMNS} columns")

    def _string(self, attrs: dict[str, str]) -> None:
        self.strings += 1
        if self.strings > MAX_CELLS:
            raise _bad(ImportCode.FILE_TOO_LARGE, "The file holds too many texts")

    def _sheet(self, attrs: dict[str, str]) -> None:
        self.sheets += 1
        if self.sheets > MAX_SHEETS:
            raise _bad(ImportCode.FILE_TOO_LARGE, f"At most {MAX_SHEETS} sheets")

    @staticmethod
    def _declared(attrs: dict[str, str]) -> None:
        """The sheet's own claim of its size: refused when too large (when too small, the count still runs)."""
        try:
            _, _, max_col, max_row = range_boundaries(attrs.get("ref", ""))
        except ValueError:
            return  # openpyxl refuses it itself when it loads the sheet
        if max_row is not None and max_row > MAX_SHEET_ROWS:
            raise _bad(ImportCode.TOO_MANY_ROWS, f"At most {MAX_ROWS} rows")
        if max_col is not None and max_col > MAX_COLUMNS:
            raise _bad(ImportCode.FILE_TOO_LARGE, f"At most {MAX_COLUMNS} columns")


def _row_number(text: str) -> int:
    """A row's r attribute as openpyxl reads it ("7" or "7.0"); ValueError otherwise, as in openpyxl."""
    try:
        return int(text)
    except ValueError:
        value = float(text)
        if not value.is_integer():
            raise
        return int(value)


def _column_number(ref: str) -> int:
    match = CELL_REF.match(ref)
    if match is None:
        raise ValueError(ref)
    return column_index_from_string(match.group(1).upper())


def _refuse_doctype(*_: Any) -> None:
    raise _bad(ImportCode.NOT_XLSX, "Not an .xlsx file")  # no part of a workbook has a DTD; entities are a bomb of their own


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> int:
    """Inflate one part within the budget and count its XML; 1 when it is a worksheet, else 0.

    A part that is not XML from its first byte (an image, say) is only measured; one that starts as XML must
    be well-formed, so no parser can read more of it than was counted here.
    """
    counter = _PartCounter(budget)
    parser: Any = pyexpat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = counter.start
    parser.StartDoctypeDeclHandler = _refuse_doctype
    unpacked = 0
    with archive.open(info) as part:
        while chunk := part.read(CHUNK):
            unpacked += len(chunk)
            budget.unpacked += len(chunk)
            if budget.unpacked > MAX_UNPACKED_BYTES:
                raise _bad(ImportCode.FILE_TOO_LARGE, "The file unpacks too large")
            _check_ratio(unpacked, info.compress_size)
            if parser is not None:
                parser = _feed(parser, counter, chunk)
    if parser is not None:
        _feed(parser, counter, b"", final=True)
    return 1 if counter.root == WORKSHEET else 0


def _feed(parser: Any, counter: _PartCounter, chunk: bytes, *, final: bool = False) -> Any:
    """The parser after this chunk; None once the part turned out not to be XML."""
    try:
        parser.Parse(chunk, final)
    except pyexpat.ExpatError:
        if counter.root:
            raise _bad(ImportCode.NOT_XLSX, "A part of the file is broken") from None
        return None
    return parser


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
        raise _bad(ImportCode.BAD_HEADER, "Missing column: " + ", ".join(c.header for c in missing), missing[0].key)
    return found


def read_rows(kind: ImportKind, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {column key: text}) of every non-empty data row of the first sheet.

    CPU-bound for up to a second: call it in a worker thread, and never while a transaction is open.
    """
    check_xlsx(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a broken file; all mean "not xlsx"
        raise _bad(ImportCode.NOT_XLSX, "The spreadsheet cannot be read") from None
    try:
        return _data_rows(kind, book)
    except DomainError:
        raise
    except Exception:  # noqa: BLE001 - a sheet part that breaks halfway (bad XML, a bad cell reference)
        raise _bad(ImportCode.NOT_XLSX, "The spreadsheet cannot be read") from None
    finally:
        book.close()


def _data_rows(kind: ImportKind, book: Any) -> list[tuple[int, dict[str, str]]]:
    if not book.worksheets:
        raise _bad(ImportCode.NOT_XLSX, "The file has no worksheet")
    sheet = book.worksheets[0]
    # Read every row the part holds (check_xlsx counted them), not as many as its dimension claims.
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise _bad(ImportCode.EMPTY_FILE, "The sheet is empty")
    columns = _match_header(kind, [cell_text(v) for v in header])
    out: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_SHEET_ROWS:  # check_xlsx refused more; this keeps the loop bounded regardless
            raise _bad(ImportCode.TOO_MANY_ROWS, f"At most {MAX_ROWS} rows")
        texts = {key: cell_text(values[i]) if i < len(values) else "" for key, i in columns.items()}
        if not any(texts.values()):
            continue
        if len(out) >= MAX_ROWS:
            raise _bad(ImportCode.TOO_MANY_ROWS, f"At most {MAX_ROWS} rows")
        out.append((number, texts))
    if not out:
        raise _bad(ImportCode.EMPTY_FILE, "No data rows")
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
