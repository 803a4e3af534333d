"""志愿服务记录证明: issued by the community ("谁记录谁证明"), as a PDF.

The contents follow 民政部《志愿服务记录与证明出具办法（试行）》: the volunteer's name,
ID type and number, 志愿者编号; the hours and the service content; the issuer's name,
负责人, 经办人 and contact; a unique 证明编号 and the issue date. Figures are frozen when
the certificate is issued, so a reprint says what the original said.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid
from linli.residents import lookup
from linli.tenancy.models import Tenant
from plugins.volunteers.models import Certificate, HourRecord, HourStatus, Volunteer
from plugins.volunteers.services import row_or_422

FONT = "STSong-Light"
ID_TYPES = {
    "resident_card": "居民身份证",
    "hk_macao_taiwan": "港澳台居民居住证",
    "passport": "护照",
    "foreign_permanent": "外国人永久居留身份证",
    "other": "其他证件",
}
NOT_RECORDED = "未登记"
#: How many times a number is drawn again when a concurrent issue took it.
NUMBER_ATTEMPTS = 5


def _served(session: Session, volunteer: Volunteer, start: date | None, end: date | None) -> Any:
    query = select(HourRecord).where(
        HourRecord.volunteer_id == volunteer.id, HourRecord.status == HourStatus.APPROVED.value
    )
    if start is not None:
        query = query.where(HourRecord.served_on >= start)
    if end is not None:
        query = query.where(HourRecord.served_on <= end)
    return query.subquery()


def _summary(
    session: Session, volunteer: Volunteer, data: Mapping[str, Any]
) -> tuple[Decimal, str]:
    """Total verified hours in the period and the service content, most served first."""
    served = _served(session, volunteer, data.get("period_from"), data.get("period_to"))
    rows = session.execute(
        select(served.c.content, func.sum(served.c.hours))
        .group_by(served.c.content)
        .order_by(func.sum(served.c.hours).desc(), served.c.content)
    ).all()
    total = sum((Decimal(h) for _, h in rows), Decimal(0))
    return total, "、".join(content for content, _ in rows[:10])


def _next_number(session: Session, tenant: Tenant, today: date) -> str:
    prefix = f"{tenant.slug.upper()}-ZM{today.year}-"
    issued = session.scalar(
        select(func.count()).select_from(Certificate).where(Certificate.number.startswith(prefix))
    )
    return f"{prefix}{(issued or 0) + 1:05d}"


def issue(
    session: Session,
    data: Mapping[str, Any],
    settings: Mapping[str, Any],
    tenant: Tenant,
    handler: str,
    today: date,
) -> Certificate:
    """Issue a certificate of verified hours (none verified: nothing to certify)."""
    volunteer = row_or_422(session, Volunteer, data["volunteer_id"], "volunteer_id")
    start, end = data.get("period_from"), data.get("period_to")
    if start is not None and end is not None and end < start:
        raise invalid("json", "period_to", _l("The period ends before it starts."))
    principal = data.get("principal") or settings["certificate_principal"]
    contact = data.get("contact") or settings["certificate_contact"]
    for field, value in (("principal", principal), ("contact", contact)):
        if not value:
            raise invalid("json", field, _l("Give it here or in the module's settings."))
    hours, content = _summary(session, volunteer, data)
    if hours <= 0:
        raise Problem(
            409, "no_verified_hours", _l("The volunteer has no verified hours to certify")
        )
    for _attempt in range(NUMBER_ATTEMPTS):
        certificate = Certificate(
            volunteer_id=volunteer.id,
            number=_next_number(session, tenant, today),
            issued_on=today,
            period_from=start,
            period_to=end,
            hours=hours,
            content=content,
            issuer=tenant.name,
            principal=principal,
            handler=handler,
            contact=contact,
        )
        try:
            with session.begin_nested():
                session.add(certificate)
        except IntegrityError:
            continue  # another certificate took the number meanwhile: draw the next
        return certificate
    raise Problem(409, "number_contended", _l("Certificates are being issued; try again"))


def _identity(session: Session, volunteer: Volunteer) -> tuple[str, str]:
    if volunteer.resident_id is None:
        return NOT_RECORDED, NOT_RECORDED
    document = lookup.id_document(session, volunteer.resident_id)
    if document is None or document.id_type is None:
        return NOT_RECORDED, NOT_RECORDED
    return ID_TYPES.get(document.id_type, document.id_type), document.number_masked or NOT_RECORDED


def _hours_text(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def _wrapped(text: str, width: float, size: int) -> list[str]:
    """Lines of ``text`` no wider than ``width`` (Chinese has no spaces to break at)."""
    from reportlab.pdfbase import pdfmetrics

    lines, current = [], ""
    for char in text:
        if current and pdfmetrics.stringWidth(current + char, FONT, size) > width:
            lines.append(current)
            current = ""
        current += char
    return [*lines, current]


def render_pdf(session: Session, certificate: Certificate) -> bytes:
    """The certificate on one A4 page, in a CID font every PDF reader has (no font file).

    reportlab (~17 MB) is imported here, by the process that prints, not by every one
    that loads the module."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    volunteer = session.scalars(
        select(Volunteer).where(Volunteer.id == certificate.volunteer_id)
    ).one()
    id_type, id_number = _identity(session, volunteer)
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"志愿服务记录证明 {certificate.number}")
    width, height = A4
    pdf.setFont(FONT, 20)
    pdf.drawCentredString(width / 2, height - 40 * mm, "志愿服务记录证明")
    pdf.setFont(FONT, 10)
    pdf.drawRightString(width - 25 * mm, height - 50 * mm, f"证明编号：{certificate.number}")
    period = f"{certificate.period_from or '—'} 至 {certificate.period_to or certificate.issued_on}"
    lines = [
        f"姓名：{volunteer.name}",
        f"证件类型：{id_type}",
        f"证件号码：{id_number}",
        f"志愿者编号：{volunteer.number}",
        f"服务期间：{period}",
        f"志愿服务时长：{_hours_text(certificate.hours)} 小时（实际服务时间，不含往返路程）",
        f"服务内容：{certificate.content}",
        "",
        f"出具单位：{certificate.issuer}",
        f"负责人：{certificate.principal}",
        f"经办人：{certificate.handler}",
        f"联系方式：{certificate.contact}",
        f"出具日期：{certificate.issued_on:%Y年%m月%d日}",
        "",
        "（出具单位盖章）",
    ]
    pdf.setFont(FONT, 12)
    y = height - 65 * mm
    for line in lines:
        for part in _wrapped(line, width - 50 * mm, 12):
            pdf.drawString(25 * mm, y, part)
            y -= 9 * mm
    pdf.setFont(FONT, 8)
    pdf.drawString(25 * mm, 20 * mm, "依据民政部《志愿服务记录与证明出具办法（试行）》出具。")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
