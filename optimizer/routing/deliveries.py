"""A day's deliveries from a replenishment plan, and the default fleet that carries them.

A replenishment ``StoredPlan`` has one line per order or transfer. The deliveries of a
day are its ``transfer`` lines (warehouse -> store) shipping that day, summed per
(warehouse, store) into kilograms and cubic metres with the SKUs' unit weight and volume.
Each becomes a stop tied to its warehouse, with the store's delivery window and service
time. The stop id is the store id, or ``store.warehouse`` when two warehouses deliver to
the same store on the same day.

The fleet is not part of the domain model. Unless the caller gives one, each warehouse
that ships that day gets ``default_fleet``: identical rigid trucks (``DEFAULT_TRUCK``:
12 t, 45 m3, 150 fixed per day used, 1.10 per km, shift 05:00-20:00, at most 10 h on
the road, a 45 min break starting 11:00-14:00), as many as carry its load by weight or
volume with 25% headroom, and at least one per 15 stops.

Travel is per network (``network_travel``): great-circle km times the road factor the
network's own warehouse -> store lanes show (the median of lane km over great-circle km),
so routes and the network's lanes agree on distances, at ``TravelModel``'s speed; the
caller may set either instead.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network
from supplynet.graph.plans import StoredPlan
from supplynet.optimizer.routing.problem import (
    ROAD_FACTORS,
    Depot,
    DriverBreak,
    RoutingProblem,
    Stop,
    TravelModel,
    Vehicle,
)

DEFAULT_TRUCK: dict[str, Any] = {
    "capacity_kg": 12_000.0,
    "capacity_m3": 45.0,
    "fixed_cost": 150.0,
    "cost_per_km": 1.10,
    "shift_start_min": 5 * 60.0,
    "shift_end_min": 20 * 60.0,
    "max_duration_min": 10 * 60.0,
    "driver_break": DriverBreak(earliest_start_min=660, latest_start_min=840, duration_min=45),
}
STOPS_PER_TRUCK = 15
HEADROOM = 1.25
MIN_LANE_KM = 1.0
"""Lanes shorter than this (great circle) say nothing about the road factor: rounding."""


def plan_day(plan: StoredPlan, day: dt.date | str | int) -> dt.date:
    """Resolve ``day``: a date, an ISO date, or N for the N-th day from the plan's first ship date.

    Raises
    ------
    ValidationFailed
        For a day that is neither, or a plan without lines.
    """
    if isinstance(day, dt.date):
        return day
    text = str(day).strip()
    if text.lstrip("-").isdigit():
        dates = [dt.date.fromisoformat(str(line["ship_date"])) for line in plan.lines]
        if not dates or int(text) < 1:
            raise ValidationFailed([Problem("day", f"no day {text} in plan {plan.id}")], "day")
        return min(dates) + dt.timedelta(days=int(text) - 1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            [Problem("day", f"{text!r} is neither an ISO date nor a day number")], "day"
        ) from None


def day_deliveries(
    plan: StoredPlan, network: Network, day: dt.date | str | int
) -> tuple[Stop, ...]:
    """Stops for the transfers of ``plan`` that ship on ``day``.

    Raises
    ------
    ValidationFailed
        If the plan is not a replenishment plan or names stores, warehouses or SKUs the
        network does not have.
    """
    if plan.kind != "replenishment":
        raise ValidationFailed(
            [Problem("plan.kind", f"expected a replenishment plan, got {plan.kind!r}")], "plan"
        )
    date = plan_day(plan, day).isoformat()
    stores = {s.id: s for s in network.stores}
    warehouses = {w.id for w in network.warehouses}
    skus = {s.id: s for s in network.skus}
    loads: dict[tuple[str, str], list[float]] = {}
    problems: list[Problem] = []
    for i, line in enumerate(plan.lines):
        if line.get("line_type") != "transfer" or str(line.get("ship_date")) != date:
            continue
        origin, dest, sku = (str(line[k]) for k in ("origin_id", "destination_id", "sku_id"))
        for key, value, known in (
            ("origin_id", origin, warehouses),
            ("destination_id", dest, stores),
            ("sku_id", sku, skus),
        ):
            if value not in known:
                problems.append(Problem(f"plan.lines[{i}].{key}", f"unknown {value!r}"))
        if sku in skus:
            qty = float(line["quantity"] or 0.0)
            load = loads.setdefault((origin, dest), [0.0, 0.0])
            load[0] += qty * skus[sku].unit_weight_kg
            load[1] += qty * skus[sku].unit_volume_m3
    if problems:
        raise ValidationFailed(problems, "replenishment plan")
    per_store: dict[str, int] = {}
    for _, dest in loads:
        per_store[dest] = per_store.get(dest, 0) + 1
    stops = []
    for (origin, dest), (kg, m3) in sorted(loads.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        store = stores[dest]
        stops.append(
            Stop(
                id=dest if per_store[dest] == 1 else f"{dest}.{origin}",
                latitude=store.latitude,
                longitude=store.longitude,
                demand_kg=kg,
                demand_m3=m3,
                window_open_min=store.window_open_min,
                window_close_min=store.window_close_min,
                service_min=store.service_min,
                depot_id=origin,
            )
        )
    return tuple(stops)


def default_fleet(stops: Sequence[Stop]) -> tuple[Vehicle, ...]:
    """Identical ``DEFAULT_TRUCK``s per shipping warehouse, enough for its load and stops."""
    by_depot: dict[str, list[Stop]] = {}
    for s in stops:
        by_depot.setdefault(s.depot_id or "", []).append(s)
    vehicles = []
    for depot_id, group in sorted(by_depot.items()):
        weight = sum(s.demand_kg for s in group) / DEFAULT_TRUCK["capacity_kg"]
        volume = sum(s.demand_m3 for s in group) / DEFAULT_TRUCK["capacity_m3"]
        count = max(
            1, math.ceil(HEADROOM * max(weight, volume)), math.ceil(len(group) / STOPS_PER_TRUCK)
        )
        vehicles += [
            Vehicle(id=f"{depot_id}-T{k + 1}", depot_id=depot_id, **DEFAULT_TRUCK)
            for k in range(count)
        ]
    return tuple(vehicles)


def lane_road_factor(network: Network) -> float | None:
    """Median of lane km / great-circle km over the network's warehouse -> store lanes
    with both ends located, within ``TravelModel``'s bounds; None without such lanes."""
    from supplynet.graph.synthetic import haversine_km  # heavy (pandas); only needed here

    warehouses = {w.id: w for w in network.warehouses}
    stores = {s.id: s for s in network.stores}
    ends = [
        (warehouses[lane.origin_id], stores[lane.destination_id], lane.distance_km)
        for lane in network.transport_lanes
        if lane.origin_id in warehouses and lane.destination_id in stores
    ]
    located = np.array(
        [
            (a.latitude, a.longitude, b.latitude, b.longitude, km)
            for a, b, km in ends
            if None not in (a.latitude, a.longitude, b.latitude, b.longitude)
        ],
        dtype=float,
    ).reshape(-1, 5)
    great = haversine_km(located[:, 0], located[:, 1], located[:, 2], located[:, 3])
    usable = (great >= MIN_LANE_KM) & (located[:, 4] > 0)
    if not usable.any():
        return None
    return float(np.clip(np.median(located[usable, 4] / great[usable]), *ROAD_FACTORS))


def network_travel(
    network: Network, road_factor: float | None = None, speed_kmh: float | None = None
) -> TravelModel:
    """The network's travel model: ``road_factor`` else its lanes' (``lane_road_factor``)
    else the default, at ``speed_kmh`` else the default speed."""
    factor = road_factor if road_factor is not None else lane_road_factor(network)
    given = {"road_factor": factor, "speed_kmh": speed_kmh}
    return TravelModel(**{k: v for k, v in given.items() if v is not None})


def day_problem(
    plan: StoredPlan,
    network: Network,
    day: dt.date | str | int,
    fleet: Sequence[Vehicle] | None = None,
    travel: TravelModel | None = None,
) -> RoutingProblem:
    """The routing problem of one day: shipping warehouses as depots, the fleet, the stops.

    ``fleet`` replaces the default fleet; its vehicles may be based at any warehouse.
    ``travel`` defaults to the network's (``network_travel``).
    """
    stops = day_deliveries(plan, network, day)
    if not stops:
        when = plan_day(plan, day).isoformat()
        raise ValidationFailed([Problem("day", f"no transfers ship on {when}")], "day")
    vehicles = tuple(fleet) if fleet is not None else default_fleet(stops)
    used = {s.depot_id for s in stops} | {v.depot_id for v in vehicles}
    depots = [
        Depot(id=w.id, latitude=w.latitude, longitude=w.longitude)
        for w in network.warehouses
        if w.id in used
    ]
    return RoutingProblem.build(
        depots, vehicles, stops, travel=travel if travel is not None else network_travel(network)
    )
