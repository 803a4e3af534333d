"""One row of every kind the canteens' routes name by id, for the access matrix."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from linli.db import utcnow
from linli.residents.people import Resident
from plugins.canteens.models import (
    Alert,
    Canteen,
    DeliveryRound,
    Elder,
    Menu,
    Order,
    RecurringOrder,
    SampleRecord,
)

#: A meal far ahead: its orders are open whenever the suite runs.
FAR_DAY = date(2999, 1, 4)


def _resident(name: str) -> Resident:
    return Resident(name=name, gender="female", birth_date=date(1940, 1, 1), purpose="test")


def rows(session: Session) -> dict[str, uuid.UUID | str]:
    """Rows of the current community for every ``<…_id>`` of the canteens' routes, and
    for the bodies of its writes: an elder with a booked delivery on a round, a spare
    elder with no order (and the card they show), a resident with no profile."""
    resident, spare, newcomer = (_resident(n) for n in ("矩阵老人", "备用老人", "新登记老人"))
    canteen = Canteen(name="矩阵食堂", dine_in_capacity=5, delivery_capacity=5)
    session.add_all([resident, spare, newcomer, canteen])
    session.flush()
    card = f"S-{uuid.uuid4().hex[:8]}"
    elder = Elder(resident_id=resident.id, card_code=f"M-{uuid.uuid4().hex[:8]}")
    spare_elder = Elder(resident_id=spare.id, card_code=card)
    menu = Menu(
        canteen_id=canteen.id,
        day=FAR_DAY,
        meal="lunch",
        dishes=[{"name": "米饭", "allergens": [], "tags": [], "photo_url": None}],
        price_fen=1500,
        dine_in_capacity=5,
        delivery_capacity=5,
        delivery_booked=1,
        published_at=utcnow(),
    )
    session.add_all([elder, spare_elder, menu])
    session.flush()
    round_ = DeliveryRound(menu_id=menu.id, label="矩阵送餐组")
    recurring = RecurringOrder(
        canteen_id=canteen.id,
        elder_id=elder.id,
        meal="lunch",
        mode="delivery",
        weekdays=[1],
        starts_on=FAR_DAY,
    )
    session.add_all([round_, recurring])
    session.flush()
    order = Order(
        menu_id=menu.id,
        elder_id=elder.id,
        mode="delivery",
        tier="age_80",
        price_fen=1500,
        subsidy_fen=510,
        paid_fen=990,
        round_id=round_.id,
    )
    sample = SampleRecord(
        canteen_id=canteen.id,
        day=FAR_DAY,
        meal="lunch",
        dish="米饭",
        grams=150,
        taken_at=utcnow(),
        taken_by="留样员",
        kept_until=utcnow(),
    )
    session.add_all([order, sample])
    session.flush()
    alert = Alert(order_id=order.id, kind="not_at_home")
    session.add(alert)
    session.flush()
    return {
        "resident_id": newcomer.id,
        "spare_elder_id": spare_elder.id,
        "spare_card": card,
        "canteen_id": canteen.id,
        "elder_id": elder.id,
        "menu_id": menu.id,
        "order_id": order.id,
        "recurring_id": recurring.id,
        "round_id": round_.id,
        "sample_id": sample.id,
        "alert_id": alert.id,
    }
