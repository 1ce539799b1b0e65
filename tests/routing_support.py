"""Small routing problems on a line, where every distance and time is easy to check by hand.

Locations sit at positions on a straight road: distance = |a - b| km, driven at 60 km/h,
so a kilometre is a minute.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from supplynet.optimizer.routing.problem import Depot, RoutingProblem, Stop, UserMatrix, Vehicle


def line_matrix(positions: dict[str, float]) -> UserMatrix:
    """Distances |a - b| km and equal durations in minutes."""
    ids = tuple(positions)
    pos = np.array([positions[i] for i in ids], dtype=float)
    dist = np.abs(pos[:, None] - pos[None, :])
    return UserMatrix(ids, dist, dist.copy())


def line_problem(
    stops: list[dict[str, Any]],
    vehicles: list[dict[str, Any]] | None = None,
    depots: dict[str, float] | None = None,
) -> RoutingProblem:
    """A problem on the line: ``stops`` carry a ``pos`` key besides the ``Stop`` fields."""
    depots = depots or {"W1": 0.0}
    positions = dict(depots)
    stop_records = []
    for s in stops:
        fields = {k: v for k, v in s.items() if k != "pos"}
        positions[fields["id"]] = float(s["pos"])
        stop_records.append(Stop(latitude=45.0, longitude=7.0 + s["pos"] / 100, **fields))
    depot_records = [Depot(id=d, latitude=45.0, longitude=7.0 + p / 100) for d, p in depots.items()]
    vehicles = vehicles or [{"id": "T1", "depot_id": next(iter(depots)), "capacity_kg": 1000}]
    return RoutingProblem.build(
        depot_records,
        [Vehicle(**v) for v in vehicles],
        stop_records,
        matrix=line_matrix(positions),
    )


def mixed_problem(seed: int = 3, n_stops: int = 24) -> RoutingProblem:
    """Two depots, a heterogeneous fleet with shifts, limits and breaks, windows and volumes."""
    rng = np.random.default_rng(seed)
    depots = [
        Depot(id="W1", latitude=45.07, longitude=7.68),
        Depot(id="W2", latitude=45.46, longitude=9.19),
    ]
    stops = []
    for i in range(n_stops):
        base = depots[i % 2]
        open_min = float(rng.integers(6, 14) * 60)
        stops.append(
            Stop(
                id=f"S{i}",
                latitude=base.latitude + float(rng.normal(0, 0.12)),
                longitude=base.longitude + float(rng.normal(0, 0.15)),
                demand_kg=float(rng.integers(50, 400)),
                demand_m3=float(rng.uniform(0.2, 2.0)),
                window_open_min=open_min,
                window_close_min=open_min + float(rng.integers(2, 5) * 60),
                service_min=float(rng.integers(10, 30)),
            )
        )
    vehicles = []
    for k in range(6):
        vehicles.append(
            Vehicle(
                id=f"T{k}",
                depot_id=depots[k % 2].id,
                capacity_kg=1500.0 if k < 4 else 3000.0,
                capacity_m3=6.0 if k < 4 else 12.0,
                fixed_cost=80.0 if k < 4 else 150.0,
                cost_per_km=0.9 if k < 4 else 1.4,
                shift_start_min=300.0 + 60 * (k % 2),
                shift_end_min=1080.0,
                max_duration_min=540.0,
                driver_break={
                    "earliest_start_min": 660,
                    "latest_start_min": 780,
                    "duration_min": 30,
                },
            )
        )
    return RoutingProblem.build(depots, vehicles, stops)
