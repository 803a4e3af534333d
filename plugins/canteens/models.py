"""Elder canteens: canteens, their menus (which also hold each meal's capacity counters),
elders' canteen profiles, orders with their subsidy ledger, recurring orders, delivery
rounds, food samples (留样), alerts, ratings and dish votes.

Money is kept in fen (分, integers): a ledger must add up to the fen, which floats and
rounded decimals do not promise. Elders are residents of the core registry; the profile
holds only what the canteen needs besides (diet, allergies, helpers, diner card).
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linli.db import Base, TenantScoped, Timestamped, UTCDateTime, tenant_fk
from linli.residents.lookup import resident_fk


class Meal(enum.StrEnum):
    BREAKFAST = "breakfast"
    LUNCH = "lunch"
    DINNER = "dinner"


class Mode(enum.StrEnum):
    DINE_IN = "dine_in"  # 集中就餐
    DELIVERY = "delivery"  # 送餐入户


class OrderStatus(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    SERVED = "served"  # ate in the canteen
    DELIVERED = "delivered"
    ABSENT = "absent"  # delivery: nobody answered the door


#: Orders the operator claims the subsidy of: the meal reached the elder.
CLAIMABLE = (OrderStatus.SERVED.value, OrderStatus.DELIVERED.value)


class Canteen(TenantScoped, Timestamped, Base):
    __tablename__ = "canteens_canteens"
    __table_args__ = (
        tenant_fk("compound_id", "compounds"),
        UniqueConstraint("tenant_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(200))
    compound_id: Mapped[uuid.UUID | None] = mapped_column()
    opening_hours: Mapped[str | None] = mapped_column(String(200))
    seats: Mapped[int] = mapped_column(Integer, default=0)
    dine_in_capacity: Mapped[int] = mapped_column(Integer)
    delivery_capacity: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Elder(TenantScoped, Timestamped, Base):
    """A resident's canteen profile; age and tags are read from the registry when needed."""

    __tablename__ = "canteens_elders"
    __table_args__ = (
        resident_fk("resident_id"),
        UniqueConstraint("tenant_id", "resident_id"),
        UniqueConstraint("tenant_id", "card_code"),
    )

    resident_id: Mapped[uuid.UUID] = mapped_column()
    #: What the diner card or QR code carries: identifies the elder at the till.
    card_code: Mapped[str] = mapped_column(String(40))
    dietary_notes: Mapped[str | None] = mapped_column(Text)
    allergies: Mapped[list[str]] = mapped_column(JSON, default=list)
    subsidy_eligible: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Relatives or helpers who may order for the elder: ``{"name", "relation"}``.
    helpers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Menu(TenantScoped, Timestamped, Base):
    """One meal of one day at one canteen; its counters are the capacity the orders take,
    with check constraints so the database itself refuses an overbooked meal."""

    __tablename__ = "canteens_menus"
    __table_args__ = (
        tenant_fk("canteen_id", "canteens_canteens"),
        UniqueConstraint("tenant_id", "canteen_id", "day", "meal"),
        CheckConstraint("dine_in_booked <= dine_in_capacity", name="dine_in_within_capacity"),
        CheckConstraint("delivery_booked <= delivery_capacity", name="delivery_within_capacity"),
        CheckConstraint("dine_in_booked >= 0 AND delivery_booked >= 0", name="booked_not_negative"),
    )

    canteen_id: Mapped[uuid.UUID] = mapped_column()
    day: Mapped[date] = mapped_column(Date)
    meal: Mapped[str] = mapped_column(String(10))
    #: ``{"name", "allergens": [...], "tags": [...], "photo_url"}`` per dish.
    dishes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    price_fen: Mapped[int] = mapped_column(Integer)
    dine_in_capacity: Mapped[int] = mapped_column(Integer)
    delivery_capacity: Mapped[int] = mapped_column(Integer)
    dine_in_booked: Mapped[int] = mapped_column(Integer, default=0)
    delivery_booked: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecurringOrder(TenantScoped, Timestamped, Base):
    """ "Every weekday's lunch, delivered": orders made for each published menu that
    matches, except while paused (``paused_from`` ≤ day < ``resume_on``)."""

    __tablename__ = "canteens_recurring"
    __table_args__ = (
        tenant_fk("canteen_id", "canteens_canteens"),
        tenant_fk("elder_id", "canteens_elders"),
    )

    canteen_id: Mapped[uuid.UUID] = mapped_column()
    elder_id: Mapped[uuid.UUID] = mapped_column()
    meal: Mapped[str] = mapped_column(String(10))
    mode: Mapped[str] = mapped_column(String(10))
    #: ISO weekdays, 1 = Monday … 7 = Sunday.
    weekdays: Mapped[list[int]] = mapped_column(JSON)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    paused_from: Mapped[date | None] = mapped_column(Date)
    resume_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class DeliveryRound(TenantScoped, Timestamped, Base):
    """A volunteer's (or staff member's) round delivering one meal's orders."""

    __tablename__ = "canteens_rounds"
    __table_args__ = (tenant_fk("menu_id", "canteens_menus"),)

    menu_id: Mapped[uuid.UUID] = mapped_column()
    label: Mapped[str] = mapped_column(String(100))
    #: The volunteers module's id, when the volunteer came from it.
    volunteer_id: Mapped[str | None] = mapped_column(String(64))
    volunteer_name: Mapped[str | None] = mapped_column(String(100))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hours: Mapped[float | None] = mapped_column()


class Order(TenantScoped, Timestamped, Base):
    """One meal for one elder, with its subsidy ledger fixed when it was ordered."""

    __tablename__ = "canteens_orders"
    __table_args__ = (
        tenant_fk("menu_id", "canteens_menus"),
        tenant_fk("elder_id", "canteens_elders"),
        tenant_fk("recurring_id", "canteens_recurring"),
        tenant_fk("round_id", "canteens_rounds"),
        UniqueConstraint("tenant_id", "menu_id", "elder_id"),
        CheckConstraint("subsidy_fen + paid_fen = price_fen", name="ledger_adds_up"),
        CheckConstraint("subsidy_fen >= 0 AND paid_fen >= 0", name="ledger_not_negative"),
    )

    menu_id: Mapped[uuid.UUID] = mapped_column()
    elder_id: Mapped[uuid.UUID] = mapped_column()
    mode: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=OrderStatus.BOOKED.value)
    tier: Mapped[str | None] = mapped_column(String(40))
    price_fen: Mapped[int] = mapped_column(Integer)
    subsidy_fen: Mapped[int] = mapped_column(Integer)
    paid_fen: Mapped[int] = mapped_column(Integer)
    ordered_by: Mapped[str | None] = mapped_column(String(100))
    recurring_id: Mapped[uuid.UUID | None] = mapped_column()
    round_id: Mapped[uuid.UUID | None] = mapped_column()
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SampleRecord(TenantScoped, Timestamped, Base):
    """留样: a sealed, refrigerated sample of one dish, kept until ``kept_until``."""

    __tablename__ = "canteens_samples"
    __table_args__ = (tenant_fk("canteen_id", "canteens_canteens"),)

    canteen_id: Mapped[uuid.UUID] = mapped_column()
    day: Mapped[date] = mapped_column(Date)
    meal: Mapped[str] = mapped_column(String(10))
    dish: Mapped[str] = mapped_column(String(100))
    grams: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by: Mapped[str] = mapped_column(String(100))
    kept_until: Mapped[datetime] = mapped_column(UTCDateTime)
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discarded_by: Mapped[str | None] = mapped_column(String(100))


class Alert(TenantScoped, Timestamped, Base):
    """Something staff must follow up, e.g. an elder who did not answer the door."""

    __tablename__ = "canteens_alerts"
    __table_args__ = (tenant_fk("order_id", "canteens_orders"),)

    order_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Rating(TenantScoped, Timestamped, Base):
    __tablename__ = "canteens_ratings"
    __table_args__ = (
        tenant_fk("order_id", "canteens_orders"),
        UniqueConstraint("tenant_id", "order_id"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column()
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)


class DishVote(TenantScoped, Timestamped, Base):
    """An elder's wish for a dish on a coming week's menu (菜品投票)."""

    __tablename__ = "canteens_votes"
    __table_args__ = (
        tenant_fk("canteen_id", "canteens_canteens"),
        tenant_fk("elder_id", "canteens_elders"),
        UniqueConstraint("tenant_id", "canteen_id", "elder_id", "week", "dish"),
    )

    canteen_id: Mapped[uuid.UUID] = mapped_column()
    elder_id: Mapped[uuid.UUID] = mapped_column()
    #: ISO week, e.g. ``2026-W49``.
    week: Mapped[str] = mapped_column(String(8))
    dish: Mapped[str] = mapped_column(String(100))


MODELS = (
    Canteen,
    Elder,
    Menu,
    RecurringOrder,
    DeliveryRound,
    Order,
    SampleRecord,
    Alert,
    Rating,
    DishVote,
)
