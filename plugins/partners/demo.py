"""Demo records for the demo communities (``linli demo``), from the seed reports.

Real names come from the seeds: 福百社区 partners with 市检察院, 市教育局, 市交通局 and
others, 16 units in all, under the 五共 model (seed 000); 菖蒲社区 joins 26 units with
"一月一会议、一周一活动" and projects such as 幼儿自然科普课堂, 八段锦沙龙, 电梯维修 and
绿植添彩 (seed 003); 名辉社区's 金辉华府 works with 福清市实验儿童学园, 福清市妇联,
石竹市场监管所, 石竹卫生服务中心 and 福清市城管局石竹执法中队 (seed 002). Names marked
filler are invented to reach the counts the seeds give.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.db import utcnow
from linli.identity import services as identity
from linli.identity.models import Partnership, PartnerUnit
from linli.identity.permissions import PARTNER
from linli.residents.lookup import tagged
from linli.tenancy.models import Tenant
from plugins.partners.models import (
    Activity,
    ActivityUnit,
    HoursStatus,
    Meeting,
    MeetingAttendance,
    Need,
    NeedStatus,
    PartyMember,
    Project,
    ProjectResource,
    ProjectStatus,
    Resource,
    ServiceHours,
    UnitProfile,
)
from plugins.partners.permissions import UNIT_ROLE
from plugins.partners.reporting import PARTY_TAG

FULIAN = "fuqing-fulian"  # created and partnered with fubai and minghui by linli.demo

FUBAI_REAL = ["福清市人民检察院", "福清市教育局", "福清市交通运输局", "福清市卫生健康局"]
FUBAI_REAL += ["福清市妇幼保健院", "福清市家庭教育讲师团"]
FUBAI_FILLER = [  # filler: the seed names only some of the 16 units
    "福清市税务局",
    "福清市司法局",
    "福清市消防救援大队",
    "福清市市场监督管理局",
    "音西派出所",
    "福清市图书馆",
    "福清农商银行音西支行",
    "国网福清供电公司",
    "福清市红十字会",
]
CHANGPU_FILLER = [  # filler: the seed gives the count (26), not the names
    *("仓山区税务局", "仓山区人民医院", "仓山区司法局", "仓山区消防救援大队", "仓山区市场监管局"),
    *("仓山区城市管理局", "仓山区住建局", "仓山区民政局", "仓山区人社局", "仓山区文旅局"),
    *("仓山区科技局", "仓山区图书馆", "仓山区少年宫", "仓山区中医院", "仓山区疾控中心"),
    *("仓山区妇联", "共青团仓山区委", "仓山区总工会", "仓山区残联", "仓山区红十字会"),
    *("工商银行仓山支行", "建设银行仓山支行", "中国移动仓山营业部", "国网仓山供电所"),
    *("仓山实验小学", "仓山区青少年宫"),
]
MINGHUI_REAL = ["福清市实验儿童学园", "石竹市场监管所", "石竹卫生服务中心"]
MINGHUI_REAL += ["福清市城管局石竹执法中队"]


@dataclass(frozen=True)
class Plan:
    """One community's demo: its units (new ones, besides 福清市妇联 where partnered),
    needs, and projects as (title, need index, unit index, status, result)."""

    units: list[str]
    needs: list[tuple[str, str, str]]
    projects: list[tuple[str, int, int, ProjectStatus, str | None]]
    meetings: list[str]
    activities: list[tuple[str, str, int]]


PLANS = {
    "fubai": Plan(
        units=FUBAI_REAL + FUBAI_FILLER,
        needs=[
            ("重阳节高龄老人慰问", "养老服务", "high"),
            ("家庭教育讲座", "儿童关爱", "normal"),
            ("生育友好一站式服务（婚嫁、托育、养育、教育）", "儿童关爱", "normal"),
            ("居民普法宣传", "法律咨询", "normal"),
            ("诚丰世纪园老旧小区改造后的公共空间共管", "环境整治", "high"),
            ("金融安全知识讲座", "文体活动", "low"),  # filler
        ],
        projects=[
            (
                "重阳节茶话会与慰问品上门",
                0,
                3,
                ProjectStatus.DONE,
                "茶话会如期举办，为高龄及行动不便老人送去慰问品。",
            ),
            (
                "家庭教育主题讲座",
                1,
                5,
                ProjectStatus.DONE,
                "讲师分享家庭关系处理方法，并对个别家庭辅导。",
            ),
            ("生育友好咨询点", 2, 4, ProjectStatus.IN_PROGRESS, None),
            ("检察官进社区普法", 3, 0, ProjectStatus.AGREED, None),
            ("巾帼家风课堂", 1, -1, ProjectStatus.DONE, "妇联与社区共办家风课堂，亲子家庭参加。"),
        ],
        meetings=["五共联席会议（季度）", "重阳节活动筹备会", "生育友好社区共建推进会"],
        activities=[
            ("重阳节茶话会", "福百社区党群活动中心", 60),
            ("家庭教育讲座", "福百社区党群活动中心", 40),
        ],
    ),
    "changpu": Plan(
        units=CHANGPU_FILLER,
        needs=[
            ("幼儿自然科普课堂", "儿童关爱", "normal"),
            ("八段锦沙龙", "文体活动", "low"),
            ("电梯维修", "设施维修", "urgent"),
            ("绿植添彩环境焕新", "环境整治", "normal"),
            ("小区睦邻节", "文体活动", "normal"),
        ],
        projects=[
            ("幼儿自然科普课堂", 0, 10, ProjectStatus.DONE, "科普课堂走进三盛巴厘岛邻里活动中心。"),
            ("八段锦沙龙", 1, 13, ProjectStatus.IN_PROGRESS, None),
            (
                "电梯维修民生实事",
                2,
                6,
                ProjectStatus.DONE,
                "联席会议商定后由共建单位助力完成电梯维修。",
            ),
            ("绿植添彩环境焕新", 3, 7, ProjectStatus.AGREED, None),
        ],
        meetings=["党建联席会（大党委议事）", "“小区睦邻节”筹备联席会", "电梯维修专题联席会"],
        activities=[
            ("小区睦邻节", "三盛巴厘岛邻里活动中心", 200),
            ("八段锦沙龙", "三盛巴厘岛邻里活动中心", 30),
        ],
    ),
    "minghui": Plan(
        units=MINGHUI_REAL,
        needs=[
            ("“邻+”圆梦池微心愿认领", "困难帮扶", "normal"),
            ("居家养老服务站健康讲座", "医疗健康", "normal"),
            ("创建全国文明城市宣传", "环境整治", "low"),
        ],
        projects=[
            ("“邻+”圆梦池微心愿认领", 0, -1, ProjectStatus.IN_PROGRESS, None),
            (
                "健康讲座进养老服务站",
                1,
                2,
                ProjectStatus.DONE,
                "卫生服务中心医生为老人讲解慢病防治。",
            ),
        ],
        meetings=["小区事大家议（党建联盟会议）"],
        activities=[("邻里文化节", "金辉华府党群服务中心", 80)],
    ),
}

KINDS = ("services", "experts", "venue", "funds", "goods")


def _units(session: Session, tenant: Tenant, names: list[str]) -> list[PartnerUnit]:
    """The plan's units, created and partnered (the member's role included); 福清市妇联
    last when linli.demo partnered it here."""
    start = date(date.today().year, 1, 1)
    found = []
    for index, name in enumerate(names, start=1):
        slug = f"{tenant.slug}-u{index:02d}"
        unit = session.scalars(select(PartnerUnit).where(PartnerUnit.slug == slug)).one_or_none()
        found.append(unit or identity.create_unit(session, {"slug": slug, "name": name}))
    fulian = session.scalars(
        select(PartnerUnit)
        .join(Partnership, Partnership.unit_id == PartnerUnit.id)
        .where(PartnerUnit.slug == FULIAN, Partnership.tenant_id == tenant.id)
    ).one_or_none()
    if fulian is not None:
        found.append(fulian)
    for unit in found:
        identity.set_partnership(
            session, tenant.id, unit, {"starts_on": start, "roles": [PARTNER, UNIT_ROLE]}
        )
    return found


def seed(session: Session, tenant: Tenant) -> None:
    plan = PLANS.get(tenant.slug)
    if plan is None or session.scalar(select(UnitProfile.id).limit(1)) is not None:
        return
    rng = random.Random(f"partners-{tenant.slug}")  # noqa: S311 (filler, not secrets)
    today = date.today()
    units = _units(session, tenant, plan.units)
    profiles = [
        UnitProfile(
            unit_id=u.id,
            agreement_no=f"{tenant.slug.upper()}-GJ-{today.year}-{i:02d}",
            signed_on=date(today.year, 1, 1),
            contacts=[{"name": "联络员", "post": "党务干事"}],  # filler
            organisation="支部结对共建，联合开展主题党日",
            party_members="在职党员到社区报到，认领服务岗位",
            affairs="参加每月联席会议，共商社区事务",
            activities="每年至少共办两次社区活动",
            resources=None,
            party_org=f"{u.name}党支部",
            party_org_reported_on=date(today.year, 1, 15),
        )
        for i, u in enumerate(units, start=1)
    ]
    resources = [
        Resource(
            unit_id=u.id,
            kind=KINDS[i % len(KINDS)],
            title=f"{u.name}志愿服务",
            categories=sorted({need[1] for need in plan.needs}),
            quantity=rng.choice([None, 10, 20, 50]),
            measure="人次",
            availability="每月第二个周六",  # filler
        )
        for i, u in enumerate(units)
    ]
    needs = [
        Need(title=t, category=c, urgency=urgency, source="staff", status=NeedStatus.OPEN.value)
        for t, c, urgency in plan.needs
    ]
    meetings = [
        Meeting(held_on=today - timedelta(days=30 * (len(plan.meetings) - i)), title=title)
        for i, title in enumerate(plan.meetings)
    ]
    session.add_all([*profiles, *resources, *needs, *meetings])
    session.flush()
    projects = _projects(session, plan, units, resources, needs, meetings)
    _work(session, plan, units, projects, meetings, rng)
    _party_members(session, units)


def _projects(
    session: Session,
    plan: Plan,
    units: list[PartnerUnit],
    resources: list[Resource],
    needs: list[Need],
    meetings: list[Meeting],
) -> list[Project]:
    projects = []
    for title, need_index, unit_index, status, result in plan.projects:
        if unit_index == -1 and units[-1].slug != FULIAN:
            continue  # a 妇联 project, where 妇联 is not partnered
        need = needs[need_index]
        project = Project(
            title=title,
            need_id=need.id,
            meeting_id=meetings[0].id,
            status=status.value,
            result=result,
            starts_on=meetings[0].held_on,
            done_at=utcnow() if status == ProjectStatus.DONE else None,
        )
        need.status = (NeedStatus.MET if status == ProjectStatus.DONE else NeedStatus.MATCHED).value
        projects.append(project)
        resource = resources[unit_index]
        session.add(project)
        session.flush()
        session.add(
            ProjectResource(
                project_id=project.id,
                resource_id=resource.id,
                unit_id=resource.unit_id,
                quantity=None if resource.quantity is None else 1,
            )
        )
    return projects


def _work(
    session: Session,
    plan: Plan,
    units: list[PartnerUnit],
    projects: list[Project],
    meetings: list[Meeting],
    rng: random.Random,
) -> None:
    today = date.today()
    session.add_all(
        MeetingAttendance(meeting_id=m.id, unit_id=u.id) for m in meetings for u in units
    )
    for index, (title, place, served) in enumerate(plan.activities):
        activity = Activity(
            title=title,
            held_on=today - timedelta(days=7 * (index + 1)),
            place=place,
            residents_served=served,
        )
        session.add(activity)
        session.flush()
        taking_part = units[: 3 + index]
        session.add_all(
            ActivityUnit(activity_id=activity.id, unit_id=u.id, headcount=rng.randint(2, 8))
            for u in taking_part
        )
        session.add_all(
            ServiceHours(
                unit_id=u.id,
                activity_id=activity.id,
                person=f"{u.name}志愿者",  # filler
                served_on=activity.held_on,
                hours=Decimal(rng.choice(["1.5", "2.0", "3.0"])),
                content=title,
                logged_by="demo",
                status=(HoursStatus.VERIFIED if i % 3 else HoursStatus.PENDING).value,
            )
            for i, u in enumerate(taking_part)
        )


def _party_members(session: Session, units: list[PartnerUnit]) -> None:
    """Residents tagged 在职党员 in the registry report here, spread over the units."""
    people = tagged(session, PARTY_TAG, limit=len(units))
    session.add_all(
        PartyMember(
            resident_id=person.id,
            unit_id=units[i % len(units)].id,
            reported_on=date(date.today().year, 3, 5),
            post="楼道党员先锋岗",
        )
        for i, person in enumerate(people)
    )
