"""The 调解协议书 as a DOCX, filled from the case.

It carries everything 《人民调解工作若干规定》 asks of an agreement: both parties' basic
details; the facts, the matters in dispute and each side's responsibility; the rights
and duties agreed; how, where and by when it is carried out; lines for the parties' and
mediators' signatures and the committee's seal; one copy per party plus one kept. It is
a Chinese legal document, so it is always rendered in Chinese, whatever the caller's
language.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from linli.api.problems import Problem
from linli.audit.recorder import record_access
from plugins.mediation import cases
from plugins.mediation.confidential import PartyView, party_views
from plugins.mediation.models import AgreementKind, Case
from plugins.mediation.services import committee_name

DOCUMENT_LOCALE = "zh_Hans_CN"
GENDERS: dict[str, Any] = {"male": _l("male"), "female": _l("female")}


def chinese_date(day: date | None) -> str:
    return "____年__月__日" if day is None else f"{day.year}年{day.month}月{day.day}日"


def _party_line(party: PartyView) -> str:
    details = [party.name or str(_l("(name not given)"))]
    if party.gender in GENDERS:
        details.append(str(GENDERS[party.gender]))
    if party.birth_year:
        details.append(str(_l("born %(year)s", year=party.birth_year)))
    elif party.age is not None:
        details.append(str(_l("aged %(age)s", age=party.age)))
    if party.id_number:
        details.append(str(_l("ID number %(number)s", number=party.id_number)))
    if party.address:
        details.append(str(_l("living at %(address)s", address=party.address)))
    if party.phone:
        details.append(str(_l("phone %(phone)s", phone=party.phone)))
    return f"{party.label}：" + "，".join(details)


def _section(document: Any, heading: Any, text: str | None) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{heading}：").bold = True
    paragraph.add_run(text or "")


def agreement_docx(session: Session, case: Case, settings: Mapping[str, Any]) -> bytes:
    """The agreement of a resolved case with a written agreement; it holds the parties'
    details, so producing it is audited like any other read of them."""
    if case.agreement_kind != AgreementKind.WRITTEN:
        raise Problem(409, "oral_agreement", _l("An oral agreement has no agreement document"))
    record_access(session, case, "agreement_docx", {"number": case.number})
    with force_locale(DOCUMENT_LOCALE):
        parties = party_views(session, case, reveal=True)
        mediators = [mediator.name for mediator, _lead in cases.assigned(session, case)]
        committee = committee_name(session, settings)
        document = Document()
        style = document.styles["Normal"]
        style.font.size = Pt(12)
        title = document.add_heading(settings["agreement_title"], level=1)
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        number = document.add_paragraph(case.number)
        number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for party in parties:
            document.add_paragraph(_party_line(party))
        _section(document, _l("Facts of the dispute"), case.facts)
        _section(document, _l("Matters in dispute"), case.matters)
        _section(document, _l("Responsibility of each side"), case.responsibility)
        _section(document, _l("Through mediation, the parties freely agree as follows"), case.terms)
        _section(document, _l("How and where it is carried out"), case.performance)
        _section(document, _l("To be carried out by"), chinese_date(case.perform_by))
        copies = len(parties) + 1
        document.add_paragraph(
            str(
                _l(
                    "This agreement is made in %(copies)s copies: one for each party and one kept "
                    "by the people's mediation committee.",
                    copies=copies,
                )
            )
        )
        document.add_paragraph(settings["agreement_closing"])
        document.add_paragraph(
            str(
                _l(
                    "The parties may jointly apply to the people's court for judicial "
                    "confirmation within %(days)s days of the agreement taking effect.",
                    days=settings["confirmation_within_days"],
                )
            )
        )
        signatures = document.add_table(rows=0, cols=2)
        for party in parties:
            row = signatures.add_row().cells
            row[0].text = str(_l("%(label)s (signature)", label=party.label))
            row[1].text = party.name or ""
        row = signatures.add_row().cells
        row[0].text = str(_l("Mediator (signature)"))
        row[1].text = "、".join(mediators)
        row = signatures.add_row().cells
        row[0].text = str(_l("People's mediation committee (seal)"))
        row[1].text = committee
        document.add_paragraph(chinese_date(case.closed_on)).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
