"""One row of each kind of the volunteer module, for tests that walk its routes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from linli.residents.people import Resident
from plugins.volunteers.models import (
    Activity,
    Application,
    Certificate,
    HourRecord,
    Recruitment,
    Shift,
    Signup,
    StarAward,
    Team,
    TeamMember,
    Volunteer,
)


def rows(session: Any) -> dict[str, uuid.UUID]:
    """Rows in the current community, by the path parameter that names them."""
    person, applicant = (
        Resident(
            name=name,
            gender="female",
            birth_date=date(1980, 5, 1),
            purpose="test",
            id_type="resident_card",
            id_number_masked="3501**********1234",
        )
        for name in ("林志愿", "陈报名")
    )
    team = Team(name="党员志愿服务队", kind="party_member")
    session.add_all([person, applicant, team])
    session.flush()
    volunteer = Volunteer(
        resident_id=person.id, name=person.name, number="T-0001", joined_on=date(2024, 1, 1)
    )
    activity = Activity(team_id=team.id, title="周末义诊", content="义诊")
    call = Recruitment(team_id=team.id, title="招募助老志愿者")
    session.add_all([volunteer, activity, call])
    session.flush()
    start = datetime.now(UTC) + timedelta(days=3)
    shift = Shift(
        activity_id=activity.id, starts_at=start, ends_at=start + timedelta(hours=2), slots=5
    )
    session.add_all([shift, TeamMember(team_id=team.id, volunteer_id=volunteer.id)])
    session.flush()
    signup = Signup(
        shift_id=shift.id,
        volunteer_id=volunteer.id,
        status="confirmed",
        queued_at=datetime.now(UTC),
    )
    entry = HourRecord(
        volunteer_id=volunteer.id,
        team_id=team.id,
        served_on=date(2025, 3, 1),
        hours=Decimal(3),
        content="义诊",
        source="manual",
    )
    award = StarAward(
        volunteer_id=volunteer.id,
        stars=1,
        hours=Decimal(100),
        notice_from=date.today(),
        notice_until=date.today() + timedelta(days=7),
    )
    certificate = Certificate(
        volunteer_id=volunteer.id,
        number=f"T-ZM-{uuid.uuid4().hex[:6]}",
        issued_on=date.today(),
        hours=Decimal(3),
        content="义诊",
        issuer="居委会",
        principal="林书记",
        handler="小陈",
        contact="0591-0000000",
    )
    application = Application(recruitment_id=call.id, resident_id=applicant.id)
    session.add_all([signup, entry, award, certificate, application])
    session.flush()
    return {
        "team_id": team.id,
        "volunteer_id": volunteer.id,
        "activity_id": activity.id,
        "shift_id": shift.id,
        "signup_id": signup.id,
        "hour_id": entry.id,
        "award_id": award.id,
        "certificate_id": certificate.id,
        "recruitment_id": call.id,
        "application_id": application.id,
    }
