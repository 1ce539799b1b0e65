"""A day's shipments as a routing problem, and the routes a policy returns, judged.

Shipments become the routing package's day problem (``deliveries.day_problem``: one
stop per warehouse and store, the stores' windows, the default fleet). The policy's
visit orders are then checked by the routing package's independent evaluator, never
trusted: a route that breaks capacity, a window, the shift or the driver's break is not
driven, and its stops, like stops no route visits, are not delivered that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from supplynet.graph.plans import StoredPlan
from supplynet.optimizer.routing.deliveries import day_problem
from supplynet.optimizer.routing.evaluator import evaluate
from supplynet.optimizer.routing.matrix import integer_model
from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.twin.policy import Routes
from supplynet.optimizer.twin.world import FloatArray, IntArray, TwinWorld


@dataclass(frozen=True)
class DeliveryOutcome:
    """Which shipments were delivered and what the driven routes cost."""

    delivered: np.ndarray
    distance_km: float
    cost: float
    vehicles: int


def shipment_problem(
    world: TwinWorld, day: int, position: IntArray, quantity: FloatArray
) -> tuple[RoutingProblem, IntArray]:
    """The routing problem of shipments to store positions; the stop index of each shipment."""
    date = world.date(day).isoformat()
    origin = world.location_id[world.source[position]]
    destination = world.location_id[position]
    lines = tuple(
        {
            "line_type": "transfer",
            "origin_id": str(o),
            "destination_id": str(d),
            "sku_id": str(k),
            "quantity": float(q),
            "ship_date": date,
        }
        for o, d, k, q in zip(origin, destination, world.sku_id[position], quantity, strict=True)
    )
    plan = StoredPlan(
        id="twin", kind="replenishment", created_at=dt.datetime(2000, 1, 1), lines=lines
    )
    problem = day_problem(plan, world.network, date)
    stop_of = {}
    for index, stop in enumerate(problem.stops):
        depot = stop.depot_id or ""
        suffix = f".{depot}"
        store = stop.id[: -len(suffix)] if stop.id.endswith(suffix) else stop.id
        stop_of[(depot, store)] = index
    stops = np.array(
        [stop_of[(str(o), str(d))] for o, d in zip(origin, destination, strict=True)],
        dtype=np.int64,
    )
    return problem, stops


def judge_routes(problem: RoutingProblem, routes: Routes, stops: IntArray) -> DeliveryOutcome:
    """Drive the feasible routes; a shipment is delivered when its stop is on one.

    Raises
    ------
    ValueError
        For routes that are malformed rather than infeasible (unknown or repeated stops,
        more routes than vehicles): a policy bug, not a bad day.
    """
    stop_ids = [s.id for s in problem.stops]
    evaluation = evaluate(integer_model(problem), routes, stop_ids)
    route_problems = {v for r in evaluation.routes for v in r.violations}
    malformed = [v for v in evaluation.violations if v not in route_problems]
    if malformed:
        raise ValueError(f"malformed routes: {'; '.join(malformed)}")
    driven = [r for r in evaluation.routes if not r.violations]
    served = np.zeros(len(stop_ids), dtype=bool)
    for r in driven:
        served[list(r.stops)] = True
    return DeliveryOutcome(
        delivered=served[stops],
        distance_km=sum(r.distance_km for r in driven),
        cost=sum(r.cost for r in driven),
        vehicles=len(driven),
    )
