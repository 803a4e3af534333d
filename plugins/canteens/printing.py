"""A round's route sheet as a PDF the volunteer carries: stops in walking order, what
each elder must not eat, and a column to tick delivered or not at home.

Chinese text uses reportlab's built-in ``STSong-Light`` CID font, so no font file has
to be installed on the server. Names and notes typed by people go through
``Paragraph`` escaped, so a ``<`` in a note cannot break the layout.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
MEALS = {"breakfast": _l("Breakfast"), "lunch": _l("Lunch"), "dinner": _l("Dinner")}
_BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14)
_TITLE = ParagraphStyle("title", parent=_BODY, fontSize=16, leading=22)


def _font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _cell(text: Any) -> Paragraph:
    return Paragraph(escape(str(text or "")), _BODY)


def _needs(stop: dict[str, Any]) -> str:
    allergies = "、".join(stop["allergies"])
    parts = [
        stop["dietary_notes"] or "",
        gettext("Allergies: %(list)s", list=allergies) if allergies else "",
    ]
    return "；".join(part for part in parts if part)


def route_sheet_pdf(sheet: dict[str, Any]) -> bytes:
    """The PDF of :func:`plugins.canteens.delivery.route_sheet`'s data."""
    _font()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm
    )
    meal = MEALS.get(sheet["meal"] or "", sheet["meal"] or "")
    heading = gettext("Delivery route sheet")
    details = gettext(
        "%(day)s %(meal)s · %(label)s · carried by %(who)s",
        day=sheet["day"],
        meal=meal,
        label=sheet["label"],
        who=sheet["volunteer_name"] or "—",
    )
    header = [
        gettext("No."),
        gettext("Name"),
        gettext("Address"),
        gettext("Phone"),
        gettext("Diet and allergies"),
        gettext("Delivered / not at home"),
    ]
    rows = [[_cell(h) for h in header]] + [
        [
            _cell(number),
            _cell(stop["name"]),
            _cell(stop["address"]),
            _cell(stop["phone_masked"]),
            _cell(_needs(stop)),
            _cell("□ / □"),
        ]
        for number, stop in enumerate(sheet["stops"], start=1)
    ]
    table = Table(
        rows, colWidths=[10 * mm, 24 * mm, 50 * mm, 26 * mm, 50 * mm, 26 * mm], repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    dishes = gettext("Dishes: %(list)s", list="、".join(sheet["dishes"]))
    story = [
        Paragraph(escape(heading), _TITLE),
        Paragraph(escape(details), _BODY),
        Paragraph(escape(dishes), _BODY),
        Spacer(1, 4 * mm),
        table,
    ]
    document.build(story)
    return buffer.getvalue()
