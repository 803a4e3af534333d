"""Finer places API: units (单元/梯) and rooms of a building, grids (网格), and the
place roles of 网格员 and 楼长/梯长."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from flask.views import MethodView
from sqlalchemy import select

from linli import db
from linli.api.tenant_api import tenant_blueprint, tenant_row_or_404
from linli.identity.permissions import (
    MEMBERS_MANAGE,
    MEMBERS_READ,
    PLACES_READ,
    PLACES_WRITE,
    require,
)
from linli.residents import dwellings
from linli.residents.models import Building, Grid, PlaceAssignment, Room, Unit
from linli.residents.schemas import (
    AssignmentIn,
    AssignmentOut,
    GridIn,
    GridOut,
    GridPatch,
    PlaceUnitIn,
    PlaceUnitOut,
    RoomIn,
    RoomOut,
    RoomPatch,
)

T = TypeVar("T")
blp = tenant_blueprint(
    "dwellings", __name__, description="Units (单元), rooms, grids (网格) and their heads"
)


def _committed(row: T) -> T:
    db.session().commit()
    return row


@blp.route("/buildings/<uuid:building_id>/units")
class BuildingUnits(MethodView):
    @require(PLACES_READ)
    @blp.response(200, PlaceUnitOut(many=True))
    def get(self, building_id: uuid.UUID) -> Sequence[Unit]:
        """List the units (单元/梯) of a building"""
        building = tenant_row_or_404(Building, building_id)
        query = select(Unit).where(Unit.building_id == building.id).order_by(Unit.name)
        return db.session().scalars(query).all()

    @require(PLACES_WRITE)
    @blp.arguments(PlaceUnitIn)
    @blp.response(201, PlaceUnitOut)
    def post(self, data: dict[str, Any], building_id: uuid.UUID) -> Unit:
        """Add a unit to a building"""
        building = tenant_row_or_404(Building, building_id)
        unit = dwellings.save_unit(db.session(), Unit(building_id=building.id), data)
        return _committed(unit)


@blp.route("/units/<uuid:unit_id>")
class UnitItem(MethodView):
    @require(PLACES_WRITE)
    @blp.arguments(PlaceUnitIn)
    @blp.response(200, PlaceUnitOut)
    def patch(self, data: dict[str, Any], unit_id: uuid.UUID) -> Unit:
        """Rename a unit"""
        unit = dwellings.save_unit(db.session(), tenant_row_or_404(Unit, unit_id), data)
        return _committed(unit)

    @require(PLACES_WRITE)
    @blp.response(204)
    def delete(self, unit_id: uuid.UUID) -> None:
        """Delete a unit and its rooms"""
        dwellings.delete_unit(db.session(), tenant_row_or_404(Unit, unit_id))
        db.session().commit()


@blp.route("/buildings/<uuid:building_id>/rooms")
class BuildingRooms(MethodView):
    @require(PLACES_READ)
    @blp.response(200, RoomOut(many=True))
    def get(self, building_id: uuid.UUID) -> Sequence[Room]:
        """List the rooms of a building"""
        building = tenant_row_or_404(Building, building_id)
        query = select(Room).where(Room.building_id == building.id)
        return db.session().scalars(query.order_by(Room.floor, Room.number)).all()

    @require(PLACES_WRITE)
    @blp.arguments(RoomIn)
    @blp.response(201, RoomOut)
    def post(self, data: dict[str, Any], building_id: uuid.UUID) -> Room:
        """Add a room (户室) to a building, optionally in one of its units"""
        building = tenant_row_or_404(Building, building_id)
        room = dwellings.save_room(db.session(), Room(building_id=building.id), data)
        return _committed(room)


@blp.route("/rooms/<uuid:room_id>")
class RoomItem(MethodView):
    @require(PLACES_READ)
    @blp.response(200, RoomOut)
    def get(self, room_id: uuid.UUID) -> Room:
        """Get a room"""
        return tenant_row_or_404(Room, room_id)

    @require(PLACES_WRITE)
    @blp.arguments(RoomPatch)
    @blp.response(200, RoomOut)
    def patch(self, data: dict[str, Any], room_id: uuid.UUID) -> Room:
        """Change a room"""
        room = dwellings.save_room(db.session(), tenant_row_or_404(Room, room_id), data)
        return _committed(room)

    @require(PLACES_WRITE)
    @blp.response(204)
    def delete(self, room_id: uuid.UUID) -> None:
        """Delete a room (refused while residents or households live there)"""
        db.session().delete(tenant_row_or_404(Room, room_id))
        db.session().commit()


def _grid_view(grid: Grid) -> dict[str, Any]:
    buildings = dwellings.grid_buildings(db.session(), grid.id)
    return {"id": grid.id, "name": grid.name, "building_ids": buildings}


@blp.route("/grids")
class Grids(MethodView):
    @require(PLACES_READ)
    @blp.response(200, GridOut(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List the grids (网格) with their buildings"""
        return [_grid_view(g) for g in db.session().scalars(select(Grid).order_by(Grid.name))]

    @require(PLACES_WRITE)
    @blp.arguments(GridIn)
    @blp.response(201, GridOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add a grid covering some buildings (a building is in one grid at most)"""
        grid = _committed(dwellings.save_grid(db.session(), Grid(), data))
        return _grid_view(grid)


@blp.route("/grids/<uuid:grid_id>")
class GridItem(MethodView):
    @require(PLACES_READ)
    @blp.response(200, GridOut)
    def get(self, grid_id: uuid.UUID) -> dict[str, Any]:
        """Get a grid"""
        return _grid_view(tenant_row_or_404(Grid, grid_id))

    @require(PLACES_WRITE)
    @blp.arguments(GridPatch)
    @blp.response(200, GridOut)
    def patch(self, data: dict[str, Any], grid_id: uuid.UUID) -> dict[str, Any]:
        """Rename a grid or change its buildings"""
        grid = dwellings.save_grid(db.session(), tenant_row_or_404(Grid, grid_id), data)
        return _grid_view(_committed(grid))

    @require(PLACES_WRITE)
    @blp.response(204)
    def delete(self, grid_id: uuid.UUID) -> None:
        """Delete a grid (its buildings stay)"""
        db.session().delete(tenant_row_or_404(Grid, grid_id))
        db.session().commit()


@blp.route("/place-assignments")
class Assignments(MethodView):
    @require(MEMBERS_READ)
    @blp.response(200, AssignmentOut(many=True))
    def get(self) -> Sequence[PlaceAssignment]:
        """Who looks after which place: 网格员 (grid), 楼长 (building), 梯长 (unit)"""
        return db.session().scalars(select(PlaceAssignment).order_by(PlaceAssignment.role)).all()

    @require(MEMBERS_MANAGE)
    @blp.arguments(AssignmentIn)
    @blp.response(201, AssignmentOut)
    def post(self, data: dict[str, Any]) -> PlaceAssignment:
        """Tie a member holding the grid_worker or building_head role to a place"""
        return _committed(dwellings.assign(db.session(), data))


@blp.route("/place-assignments/<uuid:assignment_id>", methods=["DELETE"])
@require(MEMBERS_MANAGE)
@blp.response(204)
def unassign(assignment_id: uuid.UUID) -> None:
    """End a place role"""
    db.session().delete(tenant_row_or_404(PlaceAssignment, assignment_id))
    db.session().commit()
