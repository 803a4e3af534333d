"""The rows the access matrix (tests/test_access_matrix.py) needs for the mediation
module's URLs: a hall, a mediator and a freshly registered case."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from plugins.mediation.models import Case, CaseParty, Hall, Mediator


def rows(session: Any) -> dict[str, uuid.UUID]:
    hall = Hall(name="邻和议事厅", place="党群服务中心")
    mediator = Mediator(name="调解员", kind="staff")
    case = Case(
        year=2026,
        seq=1,
        number="（2026）矩阵人调字第1号",
        category="noise",
        title="噪音",
        facts="夜间噪音",
        filed_on=date.today(),
        due_on=date.today(),
        documents=[],
    )
    session.add_all([hall, mediator, case])
    session.flush()
    session.add_all(
        CaseParty(case_id=case.id, side=side, name="当事人") for side in ("applicant", "respondent")
    )
    session.flush()  # inside this community's context
    return {"hall_id": hall.id, "mediator_id": mediator.id, "case_id": case.id}
