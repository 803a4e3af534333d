"""福百社区's demo: 5 halls and a pavilion, 300+ cases over three years at 98%, the
seed's 广场舞场与篮球场 case; seeded once however often ``linli demo`` runs."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import func, select

from linli import db
from linli.tenancy.context import tenant_context
from plugins.mediation import statistics
from plugins.mediation.demo import seed_fubai
from plugins.mediation.models import Case, CaseParty, Hall
from tests.conftest import Communities


def test_demo_history_is_realistic_and_seeded_once(app: Flask, communities: Communities) -> None:
    today = date(2026, 11, 25)
    with app.app_context(), tenant_context(communities.alpha.ref):
        session = db.session()
        seed_fubai(session, today)
        session.commit()
        seed_fubai(session, today)
        session.commit()
        kinds = sorted(session.scalars(select(Hall.kind)))
        assert kinds == ["hall"] * 5 + ["pavilion"]
        history = statistics.figures(session, today)
        assert 300 <= history["cases"] <= 330
        assert history["success_rate"] is not None
        assert 0.975 <= history["success_rate"] <= 0.985
        assert set(history["by_month"]) >= {"2021-04", "2023-06", "2024-11"}
        assert history["overdue"] >= 1  # the demo has open cases past their deadline
        square = session.scalars(select(Case).where(Case.title == "广场舞场与篮球场之争")).one()
        assert (square.outcome, square.year) == ("resolved", 2023)
        numbers = session.scalars(select(Case.number).where(Case.year == 2023)).all()
        assert len(set(numbers)) == len(numbers)
        assert session.scalar(select(func.count()).select_from(CaseParty)) == 2 * history["cases"]
        plain = session.scalars(select(CaseParty.phone_cipher).limit(5)).all()
        assert all(cipher and not cipher.startswith("139") for cipher in plain)
