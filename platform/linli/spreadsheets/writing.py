"""Writing rows out as .xlsx or .csv for people to open in Excel (or WPS).

An export carries what residents and staff typed, and a spreadsheet program treats a cell
starting with ``=``, ``+``, ``-`` or ``@`` as a formula: ``=HYPERLINK(...)`` in a name
would become a live link, worse in a CSV opened elsewhere. So every string starting with
one of those, a tab or a carriage return is prefixed with ``'`` in both formats (OWASP's
"CSV injection" advice); numbers are written as numbers, so -5 stays -5. The prefix is
visible and survives a re-import: that is the price of safety, and it is the same text
the person would have to type to enter the value by hand.

Rows are consumed one at a time: the .xlsx goes through openpyxl's write-only workbook,
which streams rows to a temporary file, so a large export holds one row in memory (plus
the first few, to size the columns), not the whole table. openpyxl (~23 MB) is imported
by the functions that write a workbook, so the web app and the workers that never do
never load it.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Rows looked at to size the .xlsx columns: widths must be set before the first row is
#: written, and a sample is enough for "wide enough to read".
_WIDTH_SAMPLE = 100
_MIN_WIDTH, _MAX_WIDTH = 8, 60


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an export: ``key`` in each row mapping, ``title`` in the header.

    Titles come from code, not from users, so they are written as they are.
    """

    key: str
    title: str


def write_xlsx(
    columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], *, tz: dt.tzinfo = dt.UTC
) -> bytes:
    """An .xlsx workbook with a bold, frozen header row and typed cells.

    Numbers, booleans, dates, datetimes and times become typed cells; anything else is
    text, neutralised against formulas (see the module docstring). Excel has no time
    zones, so aware datetimes are shown as wall-clock time in ``tz`` (pass the
    community's zone; UTC by default). A row lacking a column's key raises KeyError.
    """
    from openpyxl import Workbook  # see the module docstring
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    remaining = iter(rows)
    sample = list(islice(remaining, _WIDTH_SAMPLE))
    # The typing stubs omit the column dimensions write-only sheets share with Worksheet.
    dimensions = cast(Any, sheet).column_dimensions
    for number, column in enumerate(columns, start=1):
        texts = [column.title, *(_csv_value(row[column.key], tz) for row in sample)]
        widest = max(_display_width(text) for text in texts)
        dimensions[get_column_letter(number)].width = min(max(widest + 2, _MIN_WIDTH), _MAX_WIDTH)
    sheet.freeze_panes = "A2"
    try:
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.title)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in chain(sample, remaining):
            # Converted in full before append: openpyxl failing halfway through a row
            # leaves the sheet's XML broken.
            sheet.append([_xlsx_value(row[column.key], tz) for column in columns])
    except BaseException:
        _discard(sheet)
        raise
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(
    columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], *, tz: dt.tzinfo = dt.UTC
) -> bytes:
    """A CSV file in UTF-8 with a BOM, which Excel needs to open Chinese text correctly.

    Dates are ISO (2024-01-05), datetimes ``2024-01-05 10:30:00`` (wall-clock in ``tz``
    when aware), booleans TRUE/FALSE as Excel writes them, numbers as digits; text is
    neutralised against formulas (see the module docstring). A row lacking a column's
    key raises KeyError.
    """
    buffer = io.BytesIO()
    with io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="") as text:
        writer = csv.writer(text)
        writer.writerow([column.title for column in columns])
        for row in rows:
            writer.writerow([_csv_value(row[column.key], tz) for column in columns])
        text.flush()
        return buffer.getvalue()


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` if a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _plain(value: Any, tz: dt.tzinfo) -> Any:
    """The value with enums unwrapped and aware datetimes as wall-clock time in ``tz``."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(tz).replace(tzinfo=None)
    if isinstance(value, dt.time) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _xlsx_value(value: Any, tz: dt.tzinfo) -> Any:
    value = _plain(value, tz)
    if value is None or isinstance(value, bool | int | Decimal | dt.date | dt.time):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    # Control characters are not allowed in XML: openpyxl would refuse the whole row.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _csv_value(value: Any, tz: dt.tzinfo) -> str:
    value = _plain(value, tz)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def _display_width(text: str) -> int:
    """Columns a text takes in Excel's default font: CJK characters count two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _discard(sheet: WriteOnlyWorksheet) -> None:
    """Finish the sheet and remove the temporary file it streams into.

    openpyxl deletes that file only when the workbook is saved or the process exits; a
    long-lived job worker whose exports fail would otherwise fill the temporary directory.
    The writer is private, hence the getattr: if a release renames it, only this
    clean-up is lost.
    """
    sheet.close()
    writer = getattr(sheet, "_writer", None)
    if writer is not None:
        writer.cleanup()
