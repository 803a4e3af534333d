"""Reading an uploaded .xlsx or .csv table into rows validated by a marshmallow schema.

Uploads come from people, so everything here assumes the file may be wrong or hostile:

- Every problem with a row is collected (not just the first) and reported with the row
  number Excel shows, the header being row 1, so a person can find and fix it.
- A file that cannot be read raises :class:`UnreadableSpreadsheet`, one that is too big
  :class:`SpreadsheetTooLarge`; no openpyxl, zipfile or csv exception escapes, so a job
  can turn either into a message instead of a crash.
- Formulas are never evaluated: a formula cell is read as its text (``"=SUM(A1:A3)"``),
  a plain string the schema then judges like any other.

No Flask application context is needed (jobs call this outside requests), so messages are
plain English strings; :attr:`RowError.code` and the exceptions' ``code`` are stable, and
the API layer translates by them. openpyxl (~23 MB) is imported where a workbook is read,
so the web app and the workers that never read one never load it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from marshmallow import Schema, ValidationError, fields

MiB = 1024 * 1024

#: Largest size an .xlsx may unpack to. openpyxl keeps shared strings in memory and zipfile
#: never reads past a member's declared size, so the declared total bounds the memory a
#: small, highly compressed upload (a zip bomb) can claim.
MAX_UNPACKED_BYTES = 256 * MiB

#: Excel's last row. A sheet declaring a cell further down is not a real workbook, and
#: openpyxl would otherwise produce every empty row up to it.
EXCEL_MAX_ROW = 1_048_576

_INTEGER = re.compile(r"[+-]?\d{1,30}")
#: Dates as Chinese Excel writes them into CSV files: 2024/1/5, 2024.1.5, 2024年1月5日.
_LOCAL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


class SpreadsheetTooLarge(ValueError):
    """The upload exceeds a limit: ``code`` is ``file_too_large``, ``unpacked_too_large``
    or ``too_many_rows``, and ``limit`` the limit exceeded (bytes or rows)."""

    def __init__(self, message: str, *, code: str, limit: int) -> None:
        super().__init__(message)
        self.code = code
        self.limit = limit


class UnreadableSpreadsheet(ValueError):
    """The upload is not a table this module reads: ``code`` is ``unsupported_format``
    (wrong extension) or ``unreadable`` (corrupt, or not what its extension says)."""

    def __init__(self, message: str, *, code: str = "unreadable") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem, located where a person looks for it in the spreadsheet.

    ``code`` is ``invalid`` (the schema refused a value; ``message`` is the schema's),
    ``no_header``, ``unknown_column``, ``missing_column`` or ``duplicate_column``.
    ``field`` is the schema's key for the value (None for the whole row or header), and
    ``columns`` the titles, as written in the file, that a header error is about.
    """

    row: int
    field: str | None
    code: str
    message: str
    columns: tuple[str, ...] = ()


@dataclass(slots=True)
class ReadResult:
    """What a table held.

    ``rows`` are the rows the schema loaded, in file order, and ``row_numbers[i]`` is the
    spreadsheet row of ``rows[i]``, so a later failure (a duplicate in the database, say)
    can still point at its row. Rows that failed are in ``errors`` only; whether to import
    the good rows when there are errors is the caller's decision. ``total`` counts the
    non-empty data rows. After a header error no row is validated: the columns cannot be
    trusted, and every row would repeat the same complaint.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0


class _Column(NamedTuple):
    position: int
    key: str
    field: fields.Field[Any]


def read_table(
    data: bytes,
    filename: str,
    schema: Schema,
    *,
    header_map: Mapping[str, str] | None = None,
    max_rows: int = 50_000,
    max_bytes: int = 20 * MiB,
) -> ReadResult:
    """Read the first worksheet of an .xlsx, or a .csv, and load each row with ``schema``.

    The format follows the extension of ``filename``. The first non-empty row is the
    header: each title is a field of ``schema`` (its name or ``data_key``) or a key of
    ``header_map`` (``{"姓名": "name"}``), compared ignoring case, width and whitespace.
    Columns without a title are ignored; empty rows are skipped.

    Cells are adapted to the field that receives them, since spreadsheets type values
    loosely: strings are stripped (blank means absent); whole numbers become ints for an
    Integer field (some programs store 2 as 2.0) and text for a String field (a building
    named 1); a date from Excel stays a date; an integer or a local date (2024/1/5) written as
    text, as every CSV cell is, becomes an int or a date. Formula cells are read as their
    text (the workbook is opened with ``data_only=False``) and never evaluated.

    Raises :class:`SpreadsheetTooLarge` beyond ``max_bytes`` or ``max_rows`` data rows,
    :class:`UnreadableSpreadsheet` for anything that is not a readable table, and
    ``ValueError`` if ``header_map`` names a field ``schema`` does not load.
    """
    if len(data) > max_bytes:
        raise SpreadsheetTooLarge(
            f"The file is {len(data):,} bytes; files of at most {max_bytes:,} bytes are accepted.",
            code="file_too_large",
            limit=max_bytes,
        )
    titles = _titles(schema, header_map or {})
    extension = os.path.splitext(filename)[1].lower()
    if extension == ".xlsx":
        source = _xlsx_rows(data)
    elif extension == ".csv":
        source = _csv_rows(data)
    else:
        raise UnreadableSpreadsheet(
            f"Files of type {extension or '(none)'!r} are not supported; upload .xlsx or .csv.",
            code="unsupported_format",
        )
    result = ReadResult()
    # openpyxl warns about workbook features it drops (extensions, odd styles) that do
    # not matter for reading values. The filter names only openpyxl, so if concurrent
    # threads interleave catch_warnings and leave it behind, nothing else is silenced.
    with warnings.catch_warnings(), closing(source):
        warnings.filterwarnings("ignore", module="openpyxl")
        rows = _guarded(source)
        header = next((row for row in rows if not _blank(row[1])), None)
        if header is None:
            result.errors.append(
                RowError(1, None, "no_header", "The file is empty: it has no header row.")
            )
            return result
        columns, header_errors = _columns(*header, schema, titles)
        result.errors.extend(header_errors)
        for number, values in rows:
            cells = [
                (column, value)
                for column in columns
                if column.position < len(values)
                and (value := _cell(values[column.position])) is not None
            ]
            if not cells:
                continue
            result.total += 1
            if result.total > max_rows:
                raise SpreadsheetTooLarge(
                    f"The file has more than {max_rows:,} rows of data.",
                    code="too_many_rows",
                    limit=max_rows,
                )
            if header_errors:
                continue
            try:
                loaded = schema.load(
                    {column.key: _adapt(column.field, value) for column, value in cells}
                )
            except ValidationError as error:
                result.errors.extend(
                    RowError(number, name, "invalid", message)
                    for name, message in _messages(error.messages)
                )
            else:
                result.rows.append(loaded)
                result.row_numbers.append(number)
    return result


def _normalise(title: str) -> str:
    """Fold what people vary without meaning to: case, full-width letters, spaces."""
    return "".join(unicodedata.normalize("NFKC", title).split()).casefold()


class _Titles(NamedTuple):
    """What a header may say: normalised title → load key, and each key's aliases."""

    keys: dict[str, str]
    aliases: dict[str, list[str]]


def _titles(schema: Schema, header_map: Mapping[str, str]) -> _Titles:
    keys: dict[str, str] = {}  # field name or data_key → the key schema.load expects
    for name, loader in schema.load_fields.items():
        key = loader.data_key or name
        keys[name] = keys[key] = key
    aliases: dict[str, list[str]] = {key: [] for key in keys.values()}
    for title, target in header_map.items():
        if target not in keys:
            raise ValueError(f"header_map maps {title!r} to {target!r}, not a field of the schema")
        aliases[keys[target]].append(title)
    lookup = {_normalise(name): key for name, key in keys.items()}
    lookup.update({_normalise(title): keys[target] for title, target in header_map.items()})
    return _Titles(lookup, aliases)


def _columns(
    number: int, header: Sequence[Any], schema: Schema, titles: _Titles
) -> tuple[list[_Column], list[RowError]]:
    """Match the header row to the schema; any mismatch is an error in that row."""
    loaders = {loader.data_key or name: loader for name, loader in schema.load_fields.items()}
    columns: list[_Column] = []
    found: dict[str, list[str]] = {}
    unknown: list[str] = []
    for index, value in enumerate(header):
        if (title := _cell(value)) is None:
            continue
        title = str(title)
        key = titles.keys.get(_normalise(title))
        if key is None:
            unknown.append(title)
        else:
            found.setdefault(key, []).append(title)
            columns.append(_Column(index, key, loaders[key]))
    errors = []
    if unknown:
        errors.append(
            RowError(
                number,
                None,
                "unknown_column",
                f"Unknown columns: {', '.join(unknown)}.",
                tuple(unknown),
            )
        )
    for key, seen in found.items():
        if len(seen) > 1:
            message = f"Several columns are for {key!r}: {', '.join(seen)}."
            errors.append(RowError(number, key, "duplicate_column", message, tuple(seen)))
    for key, loader in loaders.items():
        if loader.required and key not in found:
            names = (*titles.aliases[key], key)
            message = f"The required column {' / '.join(names)} is missing."
            errors.append(RowError(number, key, "missing_column", message, names))
    return columns, errors


def _cell(value: Any) -> Any:
    """A cell's value with blank text as None and formula objects as their text."""
    if isinstance(value, str):
        return value.strip() or None
    if value is None or isinstance(value, int | float | dt.date | dt.time):
        return value
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula  # see the docstring

    if isinstance(value, ArrayFormula):
        return value.text
    if isinstance(value, DataTableFormula):
        return f"=TABLE({value.r1 or ''},{value.r2 or ''})"
    return value


def _blank(values: Sequence[Any]) -> bool:
    return all(_cell(value) is None for value in values)


def _adapt(loader: fields.Field[Any], value: Any) -> Any:
    """Give a field the type a spreadsheet could not (see :func:`read_table`)."""
    if isinstance(value, str):
        if isinstance(loader, fields.Integer) and _INTEGER.fullmatch(value):
            return int(value)
        if isinstance(loader, fields.Date) and (match := _LOCAL_DATE.fullmatch(value)):
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return value
        return value
    if isinstance(loader, fields.String):
        return _as_text(value)
    if isinstance(value, float) and value.is_integer() and isinstance(loader, fields.Integer):
        return int(value)
    if isinstance(value, float) and isinstance(loader, fields.Decimal):
        return f"{value:.15g}"  # the digits Excel shows, not the binary float's
    if isinstance(value, dt.datetime) and isinstance(loader, fields.Date):
        # marshmallow takes any date, datetimes included, so a time must not slip through.
        return value.date() if value.time() == dt.time() else value.isoformat()
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _messages(messages: Any, name: str | None = None) -> Iterator[tuple[str | None, str]]:
    """Flatten marshmallow's nested messages into (field, message); ``_schema`` → None."""
    if isinstance(messages, dict):
        for key, inner in messages.items():
            if key == "_schema":
                yield from _messages(inner, name)
            else:
                yield from _messages(inner, str(key) if name is None else f"{name}.{key}")
    elif isinstance(messages, list):
        for inner in messages:
            yield from _messages(inner, name)
    else:
        yield name, str(messages)


def _guarded(rows: Iterator[tuple[int, Sequence[Any]]]) -> Iterator[tuple[int, Sequence[Any]]]:
    """Turn whatever a parser raises on a broken file into :class:`UnreadableSpreadsheet`.

    The exception types openpyxl raises for malformed parts are not documented and vary
    (KeyError, TypeError, XML parse errors, ...), so everything but our own is caught.
    """
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except (UnreadableSpreadsheet, SpreadsheetTooLarge):
            raise
        except Exception as error:
            raise UnreadableSpreadsheet(
                "The file could not be read: it is damaged or not what its name says."
            ) from error
        if row[0] > EXCEL_MAX_ROW:
            raise UnreadableSpreadsheet(
                f"The file has rows beyond Excel's last row ({EXCEL_MAX_ROW:,})."
            )
        yield row


def _xlsx_rows(data: bytes) -> Generator[tuple[int, Sequence[Any]], None, None]:
    """(row number, values) of the first worksheet: the first non-empty row, then the
    rows after it cut to its width, so cells far to the right cost nothing."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception as error:
        raise UnreadableSpreadsheet(
            "The file is not a valid .xlsx workbook. Old .xls files and password-protected "
            "workbooks cannot be read: save it as an .xlsx workbook without a password."
        ) from error
    if "[Content_Types].xml" not in {member.filename for member in members}:
        raise UnreadableSpreadsheet("The file is a zip archive but not an .xlsx workbook.")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetTooLarge(
            f"The workbook unpacks to {unpacked:,} bytes; "
            f"at most {MAX_UNPACKED_BYTES:,} are accepted.",
            code="unpacked_too_large",
            limit=MAX_UNPACKED_BYTES,
        )
    from openpyxl import load_workbook

    workbook = load_workbook(
        io.BytesIO(data), read_only=True, data_only=False, keep_links=False, rich_text=False
    )
    try:
        sheet = workbook.worksheets[0]
        # The stored dimensions are often wrong (some exporters write "A1"); trusting
        # them would cut rows short.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > EXCEL_MAX_ROW or not _blank(values):
                break
        else:
            return
        yield number, values  # the header, or a row past Excel's last that _guarded refuses
        below = sheet.iter_rows(min_row=number + 1, max_col=len(values), values_only=True)
        yield from enumerate(below, start=number + 1)
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> Generator[tuple[int, Sequence[Any]], None, None]:
    """(record number, values) of a CSV file; a quoted line break stays in its row, as
    in Excel, so numbers count records, not lines."""
    text = _decode(data)
    first_line = next((line for line in io.StringIO(text) if line.strip()), "")
    # The header names the columns, so the separator it uses most is the file's.
    delimiter = max(",;\t", key=first_line.count)
    yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel adds), else GB18030, what Chinese Excel saves."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # NUL bytes: a binary file (an .xlsx renamed, say), whatever it decodes as
        return text
    raise UnreadableSpreadsheet(
        "The file is not a CSV text file (it should be saved as UTF-8 or GB18030 text)."
    )
