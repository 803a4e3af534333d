"""Demo volunteers for the demo communities, from the seed reports (shared/seeds).

- 福惠社区 (seeds/001): 福惠彩虹志愿服务队, 826 people in five teams (党员, 青年, 巾帼, 慈善义工,
  阳光助老), "五帮五送", 百余场次 activities in three years serving 15,800余人次.
- 菖蒲社区 (seeds/003): the 三盛邻聚力 team of 60-odd with three squads; its 健康服务小分队
  of 17 medical staff (口腔, 急诊, 骨科, 中医 …) with contact cards.
- 名辉社区 (seeds/002): 金辉华府 party-member volunteers and the 红色管家技能库.

Volunteers are residents taken from the registry's demo residents (seeded by the core
before this hook runs); a community with fewer adult residents than the seed's figure
gets as many volunteers as it has adults. Names come from the registry; skills, dates
and hours are filler drawn with a fixed seed.

History is aggregated: one approved hour entry per volunteer per month of service
(not one per participation), so 福惠's three years stay a few thousand rows and
``linli demo`` stays fast; people served per entry add up to the seed's ≈15,800.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from linli.plugins.services import current_settings
from linli.residents import lookup
from linli.tenancy.context import require_tenant
from linli.tenancy.models import Tenant
from plugins.volunteers import stars
from plugins.volunteers.models import (
    Activity,
    HourRecord,
    HourStatus,
    Shift,
    Team,
    TeamMember,
    Volunteer,
    skill_index,
)

ADULT_AGE = 18


@dataclass(frozen=True)
class DemoTeam:
    name: str
    kind: str
    size: int
    content: str  # the service its history is logged as
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoCommunity:
    teams: tuple[DemoTeam, ...]
    activities: int  # past activities (场次) over three years
    people_served: int  # 服务居民人次 over those three years
    #: Titles the past activities take in turn (the seed's where it names them).
    titles: tuple[str, ...] = ("志愿服务活动",)


# 826 in total, as the seed says; the split between the five teams is filler.
FUHUI = DemoCommunity(
    teams=(
        DemoTeam("福惠彩虹·党员志愿服务队", "party_member", 236, "送温暖：走访慰问空巢老人"),
        DemoTeam("福惠彩虹·青年志愿服务队", "youth", 180, "送文化：青少年美德教育"),
        DemoTeam("福惠彩虹·巾帼志愿服务队", "women", 160, "送清洁：帮扶困难家庭"),
        DemoTeam("福惠彩虹·慈善义工服务队", "charity", 120, "送技能：农民工技能帮扶"),
        DemoTeam("福惠彩虹·阳光助老志愿服务队", "elder_help", 130, "送健康：助老陪伴与健康查体"),
    ),
    activities=110,  # seed: 百余场次
    people_served=15_800,  # seed: 服务居民15800余人次
    titles=(  # named in the seed
        "邻里守望送温暖",
        "邻里守望、相扶相帮消夏晚会",
        "社区趣味运动会",
        "党建知识抢答赛",
        "“志愿服务在行动，让冬天不再寒冷”微心愿认领",
        "心连心进社区——青少年美德教育之大手牵小手、文明行动一起来",
        "情暖福惠、让爱飞扬",
        "福惠社区老年协会书画摄影艺术展",
    ),
)
# The 17-person medical squad's specialities: 口腔, 急诊, 骨科, 中医 from the seed; the
# other specialities are filler.
MEDICAL_SKILLS = (
    ("口腔", "口腔科：牙痛应急、口腔检查咨询"),
    ("急诊", "急诊科：夜间急症、发热处置指导"),
    ("骨科", "骨科：跌倒扭伤、骨质疏松咨询"),
    ("中医", "中医科：推拿理疗、慢病调理咨询"),
    ("儿科", "儿科：儿童发热咨询"),
    ("护理", "护理：换药、血压血糖测量"),
)
CHANGPU = DemoCommunity(
    teams=(
        DemoTeam("三盛邻聚力·健康服务小分队", "medical", 17, "健康服务：义诊与急症帮助"),
        DemoTeam("三盛邻聚力·安全护卫服务队", "safety", 20, "安全护卫：暴雨天排查隐患"),
        DemoTeam("三盛邻聚力·邻里和谐服务队", "neighbourhood", 26, "邻里和谐：入户了解居民需求"),
    ),
    activities=24,  # filler
    people_served=1_200,  # filler
    titles=("健康义诊", "暴雨天排查隐患", "入户了解居民需求", "上门照料孤寡老人"),  # seed's words
)
# The seed names the 红色管家技能库 but not its skills: these are filler.
MINGHUI = DemoCommunity(
    teams=(
        DemoTeam(
            "金辉华府小区党员志愿服务队",
            "party_member",
            40,
            "“580”我帮邻：创城宣传与走访",
            ("水电维修", "法律咨询", "家电维修", "理发", "心理疏导"),
        ),
    ),
    activities=18,  # filler
    people_served=900,  # filler
    titles=("创建全国文明城市宣传", "邻里文化节", "公益培训"),  # seed's words
)
DEMOS = {"fuhui": FUHUI, "changpu": CHANGPU, "minghui": MINGHUI}
YEARS = 3  # 近三年


def _adults(session: Session, wanted: int, rng: random.Random) -> list[lookup.ResidentCard]:
    """Adult residents of the registry, shuffled deterministically."""
    everyone = lookup.search(session, "", limit=100_000)
    adults = [c for c in everyone if not c.erased and (c.age is None or c.age >= ADULT_AGE)]
    rng.shuffle(adults)
    return adults[:wanted]


def _bulk(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert many rows in one statement. Filler history goes in without an audit event
    per row (the ORM's unit of work would write thousands of them and take seconds);
    the rows still carry the community, and on PostgreSQL its row-level security."""
    if rows:
        tenant_id = require_tenant().id
        session.execute(insert(model), [{"tenant_id": tenant_id, **row} for row in rows])


def _skill(spec: DemoTeam, i: int, rng: random.Random) -> tuple[list[str], str | None]:
    if spec.kind == "medical":
        skill, note = MEDICAL_SKILLS[i % len(MEDICAL_SKILLS)]
        return [skill], note
    return ([rng.choice(spec.skills)] if spec.skills else []), None


def _volunteers(
    session: Session, tenant: Tenant, plan: DemoCommunity, rng: random.Random, today: date
) -> dict[Team, list[uuid.UUID]]:
    """Teams, and volunteers drawn from the registry's adults (ids per team)."""
    people = _adults(session, sum(t.size for t in plan.teams), rng)
    made: dict[Team, list[uuid.UUID]] = {}
    if not people:
        return made  # no demo residents yet: a later ``linli demo`` seeds the volunteers
    rows: list[dict[str, Any]] = []
    for spec in plan.teams:
        team = Team(name=spec.name, kind=spec.kind, description=spec.content)
        session.add(team)
        chosen, people = people[: spec.size], people[spec.size :]
        made[team] = []
        for i, person in enumerate(chosen):
            skills, note = _skill(spec, i, rng)
            made[team].append(uuid.uuid4())
            rows.append(
                {
                    "id": made[team][-1],
                    "resident_id": person.id,
                    "name": person.name,
                    "number": f"{tenant.slug.upper()}-{today.year - YEARS}-{len(rows) + 1:05d}",
                    "skills": skills,
                    "skill_index": skill_index(skills),
                    "service_note": note,
                    "availability": rng.choice(("工作日晚上", "周末", "随叫随到", "周末上午")),
                    "joined_on": today - timedelta(days=rng.randrange(YEARS * 365, YEARS * 400)),
                }
            )
    session.flush()
    _bulk(session, Volunteer, rows)
    members = [
        {"team_id": team.id, "volunteer_id": vid, "is_lead": i == 0}
        for team, ids in made.items()
        for i, vid in enumerate(ids)
    ]
    _bulk(session, TeamMember, members)
    return made


@dataclass
class _Tally:
    """One volunteer's service in one team and month."""

    hours: Decimal = Decimal(0)
    served: int = 0


def _history(
    session: Session,
    plan: DemoCommunity,
    made: dict[Team, list[uuid.UUID]],
    rng: random.Random,
    today: date,
) -> None:
    """Past activities with participants drawn, and the weekly visits of each team's
    core members (骨干), logged as approved monthly entries; the entries of last month
    and this one still wait for approval. People served are the activities' reach."""
    teams = list(made)
    sums: dict[tuple[uuid.UUID, Team, date], _Tally] = defaultdict(_Tally)
    served_left = plan.people_served
    for n in range(plan.activities):
        team = teams[n % len(teams)]
        day = today - timedelta(days=rng.randrange(1, YEARS * 365))
        session.add(
            Activity(
                team_id=team.id,
                title=plan.titles[n % len(plan.titles)],
                content=team.description or "",
            )
        )
        members = made[team]
        if not members:
            continue
        regulars = members[: max(1, len(members) // 5)]
        crowd = rng.sample(members, k=min(len(members), rng.randint(8, 30)))
        present = list(dict.fromkeys([*rng.sample(regulars, k=min(len(regulars), 6)), *crowd]))
        served = served_left if n == plan.activities - 1 else plan.people_served // plan.activities
        served_left -= served
        for i, volunteer in enumerate(present):
            entry = sums[(volunteer, team, day.replace(day=1))]
            entry.hours += Decimal(rng.choice((2, 2.5, 3, 3.5, 4)))
            entry.served += served // len(present) + (1 if i < served % len(present) else 0)
    for team, members in made.items():
        for volunteer in members[: max(1, len(members) // 10)]:  # 骨干: weekly service
            for month in _months(today):
                entry = sums[(volunteer, team, month)]
                for _visit in range(rng.randint(1, 5)):
                    entry.hours += Decimal(rng.choice((2, 2.5, 3)))
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    rows = []
    for (volunteer, team, month), tally in sums.items():
        pending = month >= last_month
        rows.append(
            {
                "volunteer_id": volunteer,
                "team_id": team.id,
                "served_on": month,
                "hours": tally.hours,
                "people_served": tally.served,
                "content": team.description or team.name,
                "source": "import",
                "status": (HourStatus.PENDING if pending else HourStatus.APPROVED).value,
                "decided_by": None if pending else "demo",
                "decided_at": None if pending else datetime.combine(month, time.min, UTC),
            }
        )
    _bulk(session, HourRecord, rows)


def _months(today: date) -> list[date]:
    """The first days of the last ``YEARS`` years' months, this one included."""
    months, month = [], today.replace(day=1)
    for _ in range(YEARS * 12):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months


def _upcoming(session: Session, made: dict[Team, list[uuid.UUID]], today: date) -> None:
    """An activity next Saturday with two shifts, to sign up for."""
    team = next(iter(made))
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    activity = Activity(team_id=team.id, title="周末便民服务", content=team.description or "")
    session.add(activity)
    session.flush()
    for hour, slots in ((1, 6), (6, 4)):  # 09:00 and 14:00 in China
        start = datetime.combine(saturday, time.min, UTC) + timedelta(hours=hour)
        session.add(
            Shift(
                activity_id=activity.id,
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                place="社区党群服务中心",
                slots=slots,
            )
        )


def seed(session: Session, tenant: Tenant) -> None:
    plan = DEMOS.get(tenant.slug)
    if plan is None or session.scalar(select(Team.id).limit(1)) is not None:
        return
    rng = random.Random(f"volunteers-{tenant.slug}")  # noqa: S311 (demo filler, not secrets)
    today = date.today()
    made = _volunteers(session, tenant, plan, rng, today)
    if not made:
        return
    _history(session, plan, made, rng, today)
    _upcoming(session, made, today)
    session.flush()
    settings = current_settings("volunteers")
    stars.recalculate(session, settings, today - timedelta(days=settings["notice_days"] + 1))
    stars.finalise(session, today)
