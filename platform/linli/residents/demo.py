"""Demo residents at the real communities' scale, for ``linli demo``.

Figures from the seed reports: 福百社区 has over 5,000 residents in 8 compounds; 金辉华府
小区 (名辉社区) has 2,443 households, about 6,000 residents and 108 party members. The
other communities' sizes, and every person, are filler: names drawn from common
surnames, ID numbers that pass the check digit but use the demo birth-order block 9xx,
phones in the 170 virtual-operator range. The same seed gives the same people on every
machine, and a community that has residents already is left alone.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.db import flush_in_order
from linli.residents.identity_numbers import check_character
from linli.residents.models import Building, Compound, Grid, GridBuilding, Room, Unit
from linli.residents.people import Household, Relation, Residency, Resident, ResidentTag
from linli.residents.services import prepared_resident

SURNAMES = "陈林黄张吴王郑李刘杨何许谢魏蔡翁方施严薛邱余苏游叶曾詹".replace("", " ").split()
GIVEN = "建国秀英志强丽华美玲文杰淑珍海燕子涵宇轩雨桐明辉春梅金水玉兰国平晓静思远佳怡永福"
PURPOSE = "社区居民信息登记（社区服务与管理）"
DOORS = 4  # doors per floor of a unit
#: Half registered here (户籍), a quarter living here registered elsewhere, a quarter floating.
RESIDENCIES = (Residency.REGISTERED, Residency.REGISTERED, Residency.PERMANENT, Residency.FLOATING)


@dataclass(frozen=True)
class Scale:
    """Households per compound (named ones; the rest share ``other_households``)."""

    region: str  # 行政区划代码 of the ID numbers
    compounds: dict[str, int]
    other_households: int
    party_share: float = 0.06


SCALES = {
    "fubai": Scale("350181", {}, 2_250),  # >5,000 residents in 8 compounds
    "minghui": Scale("350181", {"金辉华府小区": 2_443}, 300, party_share=0.018),  # 108 党员
    "fuhui": Scale("370611", {}, 1_100),  # filler
    "changpu": Scale("350104", {}, 800),  # filler
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _id_number(region: str, born: date, taken: set[str]) -> str:
    """A number that passes the check digit, in the 9xx birth-order block, unique."""
    for serial in range(900, 1000):
        first17 = f"{region}{born:%Y%m%d}{serial}"
        if first17 not in taken:
            taken.add(first17)
            return first17 + check_character(first17)
    return _id_number(region, born + timedelta(days=1), taken)


def _household_members(rng: random.Random, today: date) -> Iterator[tuple[str, date]]:
    """Relations and birth dates of one household: a head, often a spouse, children or
    an elderly parent; a share of seniors live alone or as a couple."""
    head_age = rng.choice((28, 35, 42, 50, 58, 63, 68, 72, 78, 84, 88))
    born = today - timedelta(days=365 * head_age + rng.randrange(365))
    yield Relation.HEAD, born
    if rng.random() < 0.75:
        yield Relation.SPOUSE, born + timedelta(days=rng.randrange(-1500, 1500))
    if head_age < 60:
        for _ in range(rng.choice((0, 1, 1, 2))):
            yield Relation.CHILD, born + timedelta(days=365 * rng.randrange(22, 34))
        if rng.random() < 0.2:
            yield Relation.PARENT, born - timedelta(days=365 * rng.randrange(24, 32))


def _places(session: Session) -> list[tuple[str, Building]]:
    query = select(Compound.name, Building).join(Compound, Compound.id == Building.compound_id)
    return sorted(session.execute(query).all(), key=lambda pair: (pair[0], pair[1].name))


def _rooms(session: Session, building: Building, wanted: int) -> list[Room]:
    """As many rooms as ``wanted``: four doors per floor and unit (01–04), floor by floor
    up to the building's height, with as many units (单元) as that takes."""
    floors = building.floors or 6
    count = max(1, -(-wanted // (floors * DOORS)))
    units = [Unit(building_id=building.id, name=f"{n}单元") for n in range(1, count + 1)]
    flush_in_order(session, units)
    rooms = [
        Room(building_id=building.id, unit_id=unit.id, number=f"{floor}{door:02d}", floor=floor)
        for unit in units
        for floor in range(1, floors + 1)
        for door in range(1, DOORS + 1)
    ][:wanted]
    flush_in_order(session, rooms)
    return rooms


def seed_residents(session: Session, slug: str) -> int:
    """Residents, households, rooms and grids of one demo community (inside its context)."""
    scale = SCALES.get(slug)
    if scale is None or session.scalar(select(func.count()).select_from(Resident)):
        return 0
    rng = random.Random(f"linli-demo-{slug}")  # noqa: S311  (reproducible filler, no secret)
    today = date.today()
    places = _places(session)
    others = [b for name, b in places if name not in scale.compounds]
    counted = 0
    taken: set[str] = set()
    for compound, total in [*scale.compounds.items(), (None, scale.other_households)]:
        buildings = [b for name, b in places if name == compound] if compound else others
        for index, building in enumerate(buildings):
            share = total // len(buildings) + (index < total % len(buildings))
            households: list[Household] = []
            residents: list[Resident] = []
            tagged: list[ResidentTag] = []
            for room in _rooms(session, building, share):
                household = Household(id=uuid.uuid4(), room_id=room.id, number=room.number)
                households.append(household)
                for resident in _members(rng, scale, household, today, taken):
                    residents.append(resident)
                    tagged += _tags(rng, scale, resident)
            flush_in_order(session, households, residents, tagged)
            counted += len(residents)
    _grids(session, places)
    session.flush()
    return counted


def _members(
    rng: random.Random, scale: Scale, household: Household, today: date, taken: set[str]
) -> Iterator[Resident]:
    for relation, born in _household_members(rng, today):
        resident = prepared_resident(
            {
                "name": _name(rng),
                "id_number": _id_number(scale.region, born, taken),
                "phone": f"170{rng.randrange(10**8):08d}",
                "relation": relation,
                "residency": rng.choice(RESIDENCIES),
                "purpose": PURPOSE,
            }
        )
        resident.room_id, resident.household_id = household.room_id, household.id
        yield resident


def _tags(rng: random.Random, scale: Scale, resident: Resident) -> list[ResidentTag]:
    shares = (
        ("party_member", scale.party_share),
        ("subsistence", 0.02),
        ("disabled", 0.02),
        ("veteran", 0.015),
    )
    return [
        ResidentTag(resident_id=resident.id, code=code)
        for code, share in shares
        if rng.random() < share
    ]


def _grids(session: Session, places: list[tuple[str, Building]]) -> None:
    """One grid (网格) per compound, named after it."""
    grids: dict[str, Grid] = {}
    for compound, building in places:
        if compound not in grids:
            grids[compound] = Grid(name=f"{compound}网格")
            session.add(grids[compound])
            session.flush()
        session.add(GridBuilding(grid_id=grids[compound].id, building_id=building.id))
