"""Demo records for 菖蒲社区 (seeds/003: 《福州菖蒲社区做实"小而精"的社区服务》, 2025-06-06).

From the seed: the 三盛巴厘岛 业委会 and the property company run the 六事 mechanism
(收集民情提事—民主协商议事—多元协同理事—闭环落实办事—公开透明晒事—居民满意评事)
with a 民情二维码: a vote the same day, a plan the next day, done within a week; the
实事微清单 has three categories (行政便民, 志愿服务, 社会服务) and 125 problems tracked and
solved, "一问题一建档, 一办结一销号"; the report names 老电梯维修, 四点半课堂, 综合活动场所
and 八段锦. Every matter's wording, date, reporter and building here is demo filler,
generated from a fixed seed so every run is the same; three recent matters still open
are filler too.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.residents.models import Building
from linli.tenancy.models import Tenant
from plugins.affairs.models import (
    Channel,
    CloseBasis,
    Counter,
    Ending,
    Event,
    Matter,
    Poll,
    Rating,
    Stage,
    Visit,
)
from plugins.affairs.services import new_code

SLUG = "changpu"
PREFIX = "CP"
SOLVED = 125  # 限时跟踪解决125个群众反映的问题
START = date(2024, 6, 1)  # demo filler: the year before the report
END = date(2025, 5, 31)

#: (category, title, what was done): demo filler in the seed's three categories.
PROBLEMS = {
    "admin_service": (
        ("代办老年人优待证", "社区代办点上门采集信息，证件办好送到家"),
        ("咨询城乡居民医保续缴", "网格员上门讲解并协助在线缴费"),
        ("居住证到期需续办", "代办点预约窗口，一次办结"),
        ("电梯年检结果未公示", "物业在各单元张贴年检合格证复印件"),
        ("地下车库车位划线不清", "物业重新划线并加装反光标识"),
        ("小区门禁卡补办流程不明", "公布补办流程，代办点可现场办理"),
        ("高龄津贴申领咨询", "社工上门协助申领，材料一次提交"),
    ),
    "volunteer_service": (
        ("独居老人希望有人定期探访", "邻里和谐服务队结对，每周上门探访"),
        ("四点半课堂想增加科普课程", "在职教师志愿者开设自然科普课"),
        ("楼道堆放杂物清理", "党员志愿者带头清理，发出倡议书"),
        ("老人夜间突发疾病求助", "健康服务小分队发放联系卡，24小时可联系"),
        ("暴雨天地下室进水隐患", "安全护卫服务队排查并加装挡水板"),
        ("希望开设八段锦晨练", "志愿者教练每周二、四、六带练"),
        ("残障居民代购生活用品", "志愿者每周代购送货上门"),
    ),
    "social_service": (
        ("老电梯运行时嘎嘎响", "业委会议定维修方案，物业更换曳引轮，电梯恢复平稳"),
        ("公共活动场所太少", "提升综合活动场所，增设健身器材"),
        ("路灯不亮晚上出行不便", "物业更换损坏路灯，增设两盏庭院灯"),
        ("绿化带杂草丛生", "物业修剪绿化并补种绿植"),
        ("楼顶防水层老化漏水", "维修资金列支，完成防水翻新"),
        ("非机动车乱停放", "增设非机动车棚与充电桩"),
        ("垃圾分类投放点异味大", "调整清运时间，加装除臭设备"),
        ("儿童游乐设施破损", "更换破损滑梯与围栏"),
    ),
}
REPORTERS = ("李阿婆", "陈先生", "林女士", "王阿伯", "张女士", "郑先生", "黄阿姨", "吴先生")
OWNERS = ("小区业委会", "物业服务中心", "社区代办点", "三盛邻聚力服务队", "社区党委")


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def seed(session: Session, tenant: Tenant) -> None:
    if tenant.slug == SLUG:
        seed_changpu(session)


def seed_changpu(session: Session) -> None:
    """125 closed files of the tracked list and three still open (once)."""
    if session.scalars(select(Matter.id).limit(1)).first() is not None:
        return
    rng = random.Random(20250606)  # noqa: S311 (demo filler, not secrets)
    buildings = list(session.scalars(select(Building.id).order_by(Building.name)))
    span = (END - START).days
    days = sorted(START + timedelta(days=rng.randrange(span)) for _ in range(SOLVED))
    last: dict[int, int] = {}
    for day in days:
        last[day.year] = last.get(day.year, 0) + 1
        _solved(session, rng, last[day.year], day, buildings)
    this_year = date.today().year
    last[this_year] = _open_matters(session, rng, buildings, last.get(this_year, 0))
    session.add_all(Counter(year=year, last=count) for year, count in last.items())
    session.flush()


def _pick(rng: random.Random) -> tuple[str, str, str]:
    category = rng.choice(sorted(PROBLEMS))
    title, result = rng.choice(PROBLEMS[category])
    return category, title, result


def _matter(
    rng: random.Random, number: str, day: date, buildings: list[uuid.UUID], channel: Channel
) -> tuple[Matter, str]:
    category, title, result = _pick(rng)
    matter = Matter(
        number=number,
        tracking_code=new_code(),
        title=title,
        description=f"{title}，请社区帮忙协调解决。",
        category=category,
        channel=channel,
        building_id=rng.choice(buildings) if buildings else None,
        reporter_name=rng.choice(REPORTERS),
        fingerprint=uuid.uuid4().hex,
        raised_at=_at(day, 9),
    )
    return matter, result


def _solved(
    session: Session, rng: random.Random, n: int, day: date, buildings: list[uuid.UUID]
) -> None:
    """当天投票、次日定方案、一周内办结, confirmed by the resident or visited, 销号."""
    channel = Channel.QR if rng.random() < 0.7 else Channel.STAFF
    matter, result = _matter(rng, f"{PREFIX}{day.year}-{n:04d}", day, buildings, channel)
    work_days = rng.randint(2, 7)
    done_on = day + timedelta(days=1 + work_days)
    by_visit = rng.random() < 0.3
    matter.stage, matter.ending, matter.close_basis = (
        Stage.RATE,
        Ending.CLOSED,
        CloseBasis.VISIT if by_visit else CloseBasis.CONFIRMATION,
    )
    matter.responded_at = _at(day, 11)
    matter.decision = "居民线上投票通过"
    matter.owner = rng.choice(OWNERS)
    matter.plan = result
    matter.planned_at = _at(day + timedelta(days=1), 10)
    matter.done_by = day + timedelta(days=8)
    matter.result = result
    matter.done_at = _at(done_on, 16)
    matter.published_at = _at(done_on, 18)
    matter.confirmed_at = None if by_visit else _at(done_on + timedelta(days=1), 20)
    matter.resolved = True
    matter.closed_at = _at(done_on + timedelta(days=2), 10)
    session.add(matter)
    session.flush()
    steps = (
        ("raised", Stage.RAISE, day, None),
        ("accepted", Stage.DELIBERATE, day, None),
        ("vote_opened", Stage.DELIBERATE, day, f"是否同意：{result}？"),
        ("planned", Stage.EXECUTE, day + timedelta(days=1), f"{matter.owner}: {result}"),
        ("done", Stage.PUBLISH, done_on, result),
        ("published", Stage.RATE, done_on, None),
        ("closed", Stage.RATE, done_on + timedelta(days=2), matter.close_basis),
    )
    session.add_all(
        Event(
            matter_id=matter.id,
            at=_at(when, 10 + i),
            kind=kind,
            stage=stage,
            note=note,
            actor="demo",
            public=True,
        )
        for i, (kind, stage, when, note) in enumerate(steps)
    )
    session.add(
        Rating(
            matter_id=matter.id,
            score=rng.choices((5, 4, 3), weights=(80, 17, 3))[0],
            source="reporter",
            rated_at=_at(done_on + timedelta(days=1), 21),
        )
    )
    if by_visit:
        session.add(
            Visit(
                matter_id=matter.id,
                visited_on=done_on + timedelta(days=1),
                visitor="业委会委员",
                method=rng.choice(("visit", "phone")),
                reached=True,
                resolved=True,
                findings="居民表示问题已解决",
            )
        )


def _open_matters(
    session: Session, rng: random.Random, buildings: list[uuid.UUID], numbered: int
) -> int:
    """Three recent matters: one just raised, one in its same-day vote, one being done;
    returns the year's last number."""
    today = date.today()
    now = datetime.now(UTC)
    for stage in (Stage.RAISE, Stage.DELIBERATE, Stage.EXECUTE):
        numbered += 1
        number = f"{PREFIX}{today.year}-{numbered:04d}"
        matter, result = _matter(rng, number, today, buildings, Channel.QR)
        matter.stage, matter.stage_due_on = stage, today + timedelta(days=1)
        if stage != Stage.RAISE:
            matter.responded_at = matter.raised_at
        if stage == Stage.EXECUTE:
            matter.owner, matter.plan = "物业服务中心", result
            matter.planned_at, matter.done_by = matter.raised_at, today + timedelta(days=7)
            matter.stage_due_on = matter.done_by
        session.add(matter)
        session.flush()
        session.add(
            Event(
                matter_id=matter.id,
                at=matter.raised_at,
                kind="raised",
                stage=Stage.RAISE,
                actor="demo",
                public=True,
            )
        )
        if stage == Stage.DELIBERATE:
            session.add(
                Poll(
                    matter_id=matter.id,
                    question=f"是否同意：{result}？",
                    options=["同意", "不同意"],
                    unit="household",
                    opens_at=now,
                    closes_at=now + timedelta(hours=12),
                )
            )
    return numbered
