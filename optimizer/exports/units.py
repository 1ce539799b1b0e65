"""Units and precision of exported numbers: what a spreadsheet reader sees.

Times are minutes after midnight (also shown as ``HH:MM`` where a sheet has room),
weights kg, volumes m3, distances km, costs in the network's currency, coordinates
decimal degrees (WGS84). Each is rounded to a precision finer than anyone dispatches by;
a CSV reads back to ``rounded(schedule)``.
"""

from __future__ import annotations

from dataclasses import replace

from supplynet.optimizer.routing.schedule import (
    RouteSchedule,
    ScheduledStop,
    UnservedStop,
    VehicleRoute,
)

DECIMALS = {"min": 2, "kg": 3, "m3": 4, "km": 3, "cost": 2, "deg": 6}
"""Decimals per unit: 0.6 s, a gram, 0.1 litre, a metre, a cent, ~0.1 m."""


def _r(value: float, unit: str) -> float:
    return round(value, DECIMALS[unit])


def _stop(s: ScheduledStop) -> ScheduledStop:
    return replace(
        s,
        latitude=_r(s.latitude, "deg"),
        longitude=_r(s.longitude, "deg"),
        arrival_min=_r(s.arrival_min, "min"),
        start_min=_r(s.start_min, "min"),
        departure_min=_r(s.departure_min, "min"),
        load_on_arrival_kg=_r(s.load_on_arrival_kg, "kg"),
        demand_kg=_r(s.demand_kg, "kg"),
        demand_m3=_r(s.demand_m3, "m3"),
    )


def _route(r: VehicleRoute) -> VehicleRoute:
    return replace(
        r,
        depot_latitude=_r(r.depot_latitude, "deg"),
        depot_longitude=_r(r.depot_longitude, "deg"),
        depart_min=_r(r.depart_min, "min"),
        return_min=_r(r.return_min, "min"),
        distance_km=_r(r.distance_km, "km"),
        cost=_r(r.cost, "cost"),
        load_kg=_r(r.load_kg, "kg"),
        load_m3=_r(r.load_m3, "m3"),
        break_start_min=None if r.break_start_min is None else _r(r.break_start_min, "min"),
        stops=tuple(_stop(s) for s in r.stops),
    )


def _unserved(u: UnservedStop) -> UnservedStop:
    return replace(u, latitude=_r(u.latitude, "deg"), longitude=_r(u.longitude, "deg"))


def rounded(schedule: RouteSchedule) -> RouteSchedule:
    """The schedule with every number at its unit's precision (``DECIMALS``)."""
    return replace(
        schedule,
        routes=tuple(_route(r) for r in schedule.routes),
        unserved=tuple(_unserved(u) for u in schedule.unserved),
    )
