"""Demo records for 福百社区 (seeds/000: 《幸福！福清这个社区有人情味！》).

From the seed: since 2021 the community set up 邻和议事厅 in the compounds that could
host one, with party members, mediators and lawyers; it now has 5 邻和议事厅 and 1 邻和议事亭,
and in three-odd years took in 300+ disputes with a 98% success rate; 诚丰世纪园's
"广场舞场与篮球场" dispute was mediated by its hall and solved with the old-compound
renovation. Everything else here (people's names, the other halls' places, each
case's details) is demo filler, generated from a fixed seed so every run is the same.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.privacy import mask_phone, vault
from linli.tenancy.models import Tenant
from plugins.mediation.cases import format_number
from plugins.mediation.models import (
    AgreementKind,
    Case,
    CaseMediator,
    CaseParty,
    CaseState,
    Channel,
    FollowUp,
    Hall,
    HallKind,
    MediationSession,
    Mediator,
    NumberCounter,
    Referral,
    Side,
    Source,
)

HISTORY_START = date(2021, 4, 1)  # 2021年起设立邻和议事厅
HISTORY_END = date(2024, 11, 30)  # "三年多来"
HISTORY_CASES = 305  # + the seed's own case = 306, "300多件"
HISTORY_FAILED = 6  # 300 of 306 resolved: 98%
OPEN_CASES = 6  # demo filler: recent disputes still in progress

#: (name, kind, place): 诚丰世纪园's hall is in the seed; the other places are filler.
HALLS = (
    ("诚丰世纪园邻和议事厅", HallKind.HALL, "诚丰世纪园"),
    ("福百第2小区邻和议事厅", HallKind.HALL, "福百第2小区"),
    ("福百第3小区邻和议事厅", HallKind.HALL, "福百第3小区"),
    ("福百第4小区邻和议事厅", HallKind.HALL, "福百第4小区"),
    ("福百第5小区邻和议事厅", HallKind.HALL, "福百第5小区"),
    ("福百社区邻和议事亭", HallKind.PAVILION, "福百社区党群活动中心旁"),
)
OPENING_HOURS = "周一至周五 8:30-12:00，14:30-17:30；周六上午预约调解"  # filler

#: Demo filler mediators: the seed names the kinds (党员、调解员、律师), not the people.
MEDIATORS = (
    ("陈美华", "staff", "female", "director", ("邻里纠纷", "婚姻家庭")),
    ("林建国", "party_member", "male", "deputy", ("物业纠纷",)),
    ("黄志强", "lawyer", "male", "member", ("合同", "劳资纠纷")),
    ("郑丽君", "lawyer", "female", "member", ("婚姻家庭", "继承")),
    ("王德福", "elder", "male", "member", ("邻里纠纷",)),
    ("吴秀兰", "party_member", "female", None, ("噪音", "漏水")),
    ("何明辉", "staff", "male", None, ("停车", "公共空间")),
    ("俞春梅", "party_member", "female", None, ("邻里纠纷",)),
)

#: Demo filler: typical subjects per category, without names.
SUBJECTS: dict[str, tuple[str, ...]] = {
    "neighbour": ("楼道堆放杂物", "宠物扰邻", "公共通道被占用", "窗户朝向遮挡采光"),
    "noise": ("夜间装修噪音", "广场舞音响扰民", "楼上拖动家具噪音"),
    "water_leak": ("楼上卫生间渗水", "空调冷凝水滴落", "外墙渗水维修费用"),
    "property_management": ("物业费收缴争议", "电梯维修费用分摊", "小区绿化维护争议"),
    "parking": ("占用他人车位", "楼道口停放电动车", "消防通道停车"),
    "family": ("赡养老人费用分担", "房产继承分歧", "夫妻感情纠纷"),
    "public_space": ("公共绿地被占用种菜", "架空层使用争议"),
    "debt": ("邻里借款未还", "装修款结算争议"),
    "labour": ("装修工人工钱结算",),
    "other": ("快递丢失赔偿", "网购代收纠纷"),
}
CATEGORY_WEIGHTS = {
    "neighbour": 25,
    "noise": 12,
    "water_leak": 12,
    "property_management": 15,
    "parking": 10,
    "family": 12,
    "public_space": 5,
    "debt": 5,
    "labour": 2,
    "other": 2,
}
SOURCE_WEIGHTS = {
    Source.PARTY_APPLICATION: 70,
    Source.COMMITTEE_INITIATIVE: 20,
    Source.POLICE_TRANSFER: 5,
    Source.COURT_ENTRUSTED: 3,
    Source.GOVERNMENT_ASSIGNED: 2,
}
CHANNEL_WEIGHTS = {
    Channel.WALK_IN: 50,
    Channel.GRID_WORKER: 25,
    Channel.HOTLINE: 15,
    Channel.ONLINE: 10,
}
SURNAMES = "林陈黄郑王吴刘张李何俞翁施薛叶蔡"
GIVEN = (
    "秀英",
    "国强",
    "丽华",
    "建平",
    "美玲",
    "志明",
    "春花",
    "德胜",
    "玉珍",
    "文斌",
    "金凤",
    "海峰",
)

#: The seed's own case (诚丰世纪园, "去年" in a report of late 2024); its details past the
#: seed's one sentence are illustrative.
SQUARE_CASE = {
    "title": "广场舞场与篮球场之争",
    "category": "public_space",
    "facts": (
        "诚丰世纪园内广场舞场与篮球场相邻，跳广场舞的居民与打篮球的居民"
        "因场地使用时段和噪音多次发生争执。"
    ),
    "matters": "广场舞场地与篮球场的使用时段、音响音量及场地划分。",
    "terms": (
        "借诚丰世纪园老旧小区改造契机，重新规划广场舞场地与篮球场，双方约定错时使用、控制音量。"
    ),
}


@dataclass
class _Builder:
    """Collects the rows of one community's history, to add in one go."""

    rng: random.Random
    halls: list[Hall]
    mediators: list[Mediator]
    rows: list[Any]
    last_seq: dict[int, int]

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def party(self, case: Case, position: int, side: str) -> CaseParty:
        phone = f"139{self.rng.randrange(10**8):08d}"  # filler, encrypted like real ones
        return CaseParty(
            case_id=case.id,
            position=position,
            side=side,
            name=self.person(),
            gender=self.rng.choice(("male", "female")),
            birth_year=self.rng.randrange(1945, 2000),
            phone_cipher=vault().encrypt(phone),
            phone_masked=mask_phone(phone),
        )

    def case(self, filed_on: date, *, hall: Hall | None = None, **fields: Any) -> Case:
        category = (
            fields.pop("category", None)
            or self.rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
        )
        title = fields.pop("title", None) or self.rng.choice(SUBJECTS[category])
        seq = self.last_seq.get(filed_on.year, 0) + 1
        self.last_seq[filed_on.year] = seq
        case = Case(
            id=uuid.UUID(int=self.rng.getrandbits(128), version=4),  # parties refer to it
            year=filed_on.year,
            seq=seq,
            number=format_number(filed_on.year, "福百", seq),
            hall_id=(hall or self.rng.choice(self.halls)).id,
            category=category,
            title=title,
            facts=fields.pop("facts", f"{title}，双方多次协商未果，申请调解。"),
            source=self.rng.choices(list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()))[0],
            channel=self.rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[
                0
            ],
            filed_on=filed_on,
            state=CaseState.FILED,
            documents=[],
            **fields,
        )
        self.rows.append(case)
        self.rows += [self.party(case, 0, Side.APPLICANT), self.party(case, 1, Side.RESPONDENT)]
        return case

    def mediate(self, case: Case, days: int) -> tuple[list[Mediator], date]:
        """Accept, notify, assign and start; a sitting a week over ``days``."""
        accepted_on = case.filed_on + timedelta(days=self.rng.randrange(0, 3))
        case.accepted_on = case.rights_notified_on = case.started_on = accepted_on
        case.id_proof_checked = True
        team = self.rng.sample(self.mediators, self.rng.choice((1, 2)))
        self.rows += [
            CaseMediator(case_id=case.id, mediator_id=m.id, lead=i == 0) for i, m in enumerate(team)
        ]
        for sitting in range(1 + days // 7):
            self.rows.append(
                MediationSession(
                    case_id=case.id,
                    held_on=accepted_on + timedelta(days=min(days, 7 * sitting + 1)),
                    attendees="双方当事人、" + "、".join(m.name for m in team),
                    notes="听取双方陈述，释法析理，引导双方互谅互让。",
                )
            )
        return team, accepted_on

    def close(self, case: Case, *, resolved: bool, today: date, terms: str | None = None) -> None:
        days = self.rng.randrange(2, 25)
        team, accepted_on = self.mediate(case, days)
        case.closed_on = min(accepted_on + timedelta(days=days), today)
        if not resolved:
            case.state = case.outcome = CaseState.FAILED
            case.failure_reason = "双方分歧较大，调解未能达成一致。"
            case.referral = self.rng.choice((Referral.COURT, Referral.DEPARTMENT))
            return
        written = self.rng.random() < 0.6
        case.outcome = CaseState.RESOLVED
        case.agreement_kind = AgreementKind.WRITTEN if written else AgreementKind.ORAL
        case.terms = terms or "双方互谅互让，自愿达成协议，按约定期限履行。"
        if written:
            case.responsibility = "双方均有一定责任。"
            case.performance = "当面履行，地点：本议事厅。"
            case.perform_by = case.closed_on + timedelta(days=15)
            case.agreement_signed_on = case.closed_on
        visited_on = case.closed_on + timedelta(days=self.rng.randrange(7, 30))
        if visited_on <= today:
            case.state = CaseState.FOLLOWED_UP
            self.rows.append(
                FollowUp(
                    case_id=case.id,
                    visited_on=visited_on,
                    visitor=team[0].name,
                    performed=True,
                    satisfaction=self.rng.choices((5, 4, 3), weights=(70, 25, 5))[0],
                    findings="协议已履行，双方无异议，无矛盾激化风险。",
                )
            )
        else:
            case.state = CaseState.RESOLVED
            case.due_on = case.closed_on + timedelta(days=30)


def _history_dates(rng: random.Random) -> list[date]:
    span = (HISTORY_END - HISTORY_START).days
    return sorted(HISTORY_START + timedelta(days=rng.randrange(span)) for _ in range(HISTORY_CASES))


def _open_cases(builder: _Builder, today: date) -> None:
    """Demo filler: a few disputes in progress, one of them past its deadline."""
    for back, stage in (
        (1, "filed"),
        (6, "filed"),
        (3, "accepted"),
        (12, "mediating"),
        (20, "mediating"),
        (45, "mediating"),
    ):
        case = builder.case(today - timedelta(days=back))
        case.due_on = case.filed_on + timedelta(days=3)
        if stage != "filed":
            _team, accepted_on = builder.mediate(case, min(back, 14))
            case.state = CaseState.MEDIATING if stage == "mediating" else CaseState.ACCEPTED
            case.due_on = accepted_on + timedelta(days=30)


def seed(session: Session, tenant: Tenant) -> None:
    if tenant.slug == "fubai":
        seed_fubai(session, date.today())


def seed_fubai(session: Session, today: date) -> None:
    """福百社区's halls, mediators and case history; nothing when it has halls already."""
    if session.scalar(select(Hall.id).limit(1)) is not None:
        return
    rng = random.Random(2021)  # noqa: S311  (demo data, reproducible on purpose)
    halls = [
        Hall(name=name, kind=kind, place=place, opening_hours=OPENING_HOURS)
        for name, kind, place in HALLS
    ]
    mediators = [
        Mediator(name=n, kind=k, gender=g, committee_role=r, specialities=list(s))
        for n, k, g, r, s in MEDIATORS
    ]
    session.add_all([*halls, *mediators])
    session.flush()
    builder = _Builder(rng, halls, mediators, [], {})
    dates = _history_dates(rng)
    failed = set(rng.sample(range(len(dates)), HISTORY_FAILED))
    square_at = date(2023, 6, 12)
    for index, filed_on in enumerate(dates):
        builder.close(builder.case(filed_on), resolved=index not in failed, today=today)
        if filed_on <= square_at < (dates[index + 1] if index + 1 < len(dates) else HISTORY_END):
            fields = dict(SQUARE_CASE)
            terms = fields.pop("terms")
            square = builder.case(square_at, hall=halls[0], **fields)
            builder.close(square, resolved=True, today=today, terms=terms)
    _open_cases(builder, today)
    session.add_all(builder.rows)
    session.add_all(NumberCounter(year=y, last=n) for y, n in builder.last_seq.items())
    session.flush()
