"""Places every module refers to: compounds (小区), buildings (楼栋), units (单元/梯),
rooms, and grids (网格) with the people who look after them (网格员, 楼长, 梯长)."""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linli.db import Base, TenantScoped, Timestamped, tenant_fk


class Compound(TenantScoped, Timestamped, Base):
    """A residential compound (小区) inside the community."""

    __tablename__ = "compounds"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))


class Building(TenantScoped, Timestamped, Base):
    """A building (楼栋); its compound is referenced by a composite foreign key."""

    __tablename__ = "buildings"
    __table_args__ = (
        tenant_fk("compound_id", "compounds", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "compound_id", "name"),
    )

    compound_id: Mapped[uuid.UUID] = mapped_column()
    name: Mapped[str] = mapped_column(String(100))
    floors: Mapped[int | None] = mapped_column(Integer)


class Unit(TenantScoped, Timestamped, Base):
    """A unit or stairwell (单元/梯) of a building: the beat of a 梯长."""

    __tablename__ = "units"
    __table_args__ = (
        tenant_fk("building_id", "buildings", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "building_id", "name"),
    )

    building_id: Mapped[uuid.UUID] = mapped_column()
    name: Mapped[str] = mapped_column(String(50))


class Room(TenantScoped, Timestamped, Base):
    """A dwelling (房间/户室), the address a household lives at."""

    __tablename__ = "rooms"
    __table_args__ = (
        tenant_fk("building_id", "buildings", ondelete="CASCADE"),
        tenant_fk("unit_id", "units", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "building_id", "unit_id", "number"),
    )

    building_id: Mapped[uuid.UUID] = mapped_column()
    unit_id: Mapped[uuid.UUID | None] = mapped_column()
    number: Mapped[str] = mapped_column(String(20))
    floor: Mapped[int | None] = mapped_column(Integer)


class Grid(TenantScoped, Timestamped, Base):
    """A grid (网格): the buildings one grid worker answers for."""

    __tablename__ = "grids"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))


class GridBuilding(TenantScoped, Base):
    """A building's place in a grid; a building belongs to one grid at most."""

    __tablename__ = "grid_buildings"
    __table_args__ = (
        tenant_fk("grid_id", "grids", ondelete="CASCADE"),
        tenant_fk("building_id", "buildings", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "building_id"),
    )

    grid_id: Mapped[uuid.UUID] = mapped_column()
    building_id: Mapped[uuid.UUID] = mapped_column()


class PlaceRole(enum.StrEnum):
    GRID_WORKER = "grid_worker"  # 网格员
    BUILDING_HEAD = "building_head"  # 楼长
    STAIRWELL_HEAD = "stairwell_head"  # 梯长


#: Which place column each role is tied to.
PLACE_OF_ROLE = {
    PlaceRole.GRID_WORKER: "grid_id",
    PlaceRole.BUILDING_HEAD: "building_id",
    PlaceRole.STAIRWELL_HEAD: "unit_id",
}


class PlaceAssignment(TenantScoped, Timestamped, Base):
    """A user's place role: a 网格员 for a grid, a 楼长 for a building, a 梯长 for a unit.

    It narrows what the user sees of residents to that place (see
    :mod:`linli.residents.visibility`); exactly one place column is set, the one its
    role names.
    """

    __tablename__ = "place_assignments"
    __table_args__ = (
        tenant_fk("grid_id", "grids", ondelete="CASCADE"),
        tenant_fk("building_id", "buildings", ondelete="CASCADE"),
        tenant_fk("unit_id", "units", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "user_id", "role", "grid_id", "building_id", "unit_id"),
        CheckConstraint(
            "(role = 'grid_worker' AND grid_id IS NOT NULL AND building_id IS NULL"
            " AND unit_id IS NULL) OR (role = 'building_head' AND building_id IS NOT NULL"
            " AND grid_id IS NULL AND unit_id IS NULL) OR (role = 'stairwell_head'"
            " AND unit_id IS NOT NULL AND grid_id IS NULL AND building_id IS NULL)",
            name="one_place",
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    grid_id: Mapped[uuid.UUID | None] = mapped_column()
    building_id: Mapped[uuid.UUID | None] = mapped_column()
    unit_id: Mapped[uuid.UUID | None] = mapped_column()
