"""Guaranteed-service model (Graves-Willems) for acyclic networks, solved exactly by CP-SAT.

Each stage ``j`` has a processing time ``T_j``, quotes a committed service time ``S_j``
to its customers and waits the inbound service time ``SI_j >= S_i`` of each supplier
``i``. It holds safety stock ``h_j * z * sigma_j * sqrt(SI_j + T_j - S_j)``. Service
times are integers, so the concave cost of each stage is a table lookup over its
possible net lead times; CP-SAT then finds the optimum over all stages together, on
trees and on any other acyclic network.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from supplynet.graph.errors import Problem, ValidationFailed

COST_SCALE = 1e6


@dataclass(frozen=True)
class GsmStage:
    """One stage; ``max_service_time`` caps what it may quote (end items: to customers)."""

    id: str
    processing_time: int
    holding_cost: float
    demand_sd: float
    max_service_time: int | None = None
    external_service_time: int = 0


@dataclass(frozen=True)
class GsmSolution:
    """Committed service times, net lead times, safety stock and its cost per period."""

    service_time: Mapping[str, int]
    net_lead_time: Mapping[str, int]
    safety_stock: Mapping[str, float]
    cost: float
    optimal: bool


def optimize_service_times(
    stages: Sequence[GsmStage],
    edges: Sequence[tuple[str, str]],
    z: float,
    time_limit_s: float = 10.0,
) -> GsmSolution:
    """Minimise total safety stock cost over committed service times.

    Parameters
    ----------
    stages
        Every stage; ``demand_sd`` is the demand standard deviation it sees per period.
    edges
        ``(supplier, customer)`` pairs.
    z
        Safety factor (demand bound constant).
    time_limit_s
        CP-SAT wall-clock limit.

    Raises
    ------
    ValidationFailed
        For edges that name unknown stages.
    """
    by_id = {s.id: s for s in stages}
    bad = [
        Problem(f"edges[{i}]", f"unknown stage {end!r}")
        for i, edge in enumerate(edges)
        for end in edge
        if end not in by_id
    ]
    if bad:
        raise ValidationFailed(bad, "GSM network")
    horizon = sum(s.processing_time + s.external_service_time for s in stages)
    model = cp_model.CpModel()
    service = {
        s.id: model.new_int_var(
            0, horizon if s.max_service_time is None else s.max_service_time, f"S_{s.id}"
        )
        for s in stages
    }
    inbound = {s.id: model.new_int_var(0, horizon, f"SI_{s.id}") for s in stages}
    net = {s.id: model.new_int_var(0, horizon, f"NLT_{s.id}") for s in stages}
    costs = []
    for s in stages:
        model.add(inbound[s.id] >= s.external_service_time)
        model.add(net[s.id] == inbound[s.id] + s.processing_time - service[s.id])
        table = [
            round(COST_SCALE * _safety_stock(s, z, k) * s.holding_cost) for k in range(horizon + 1)
        ]
        cost = model.new_int_var(0, max(table), f"c_{s.id}")
        model.add_element(net[s.id], table, cost)
        costs.append(cost)
    for supplier, customer in edges:
        model.add(inbound[customer] >= service[supplier])
    model.minimize(sum(costs))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ValidationFailed([Problem("stages", "no service time assignment found")], "GSM")
    nlt = {s.id: int(solver.value(net[s.id])) for s in stages}
    stock = {s.id: _safety_stock(s, z, nlt[s.id]) for s in stages}
    return GsmSolution(
        service_time={s.id: int(solver.value(service[s.id])) for s in stages},
        net_lead_time=nlt,
        safety_stock=stock,
        cost=sum(s.holding_cost * stock[s.id] for s in stages),
        optimal=status == cp_model.OPTIMAL,
    )


def _safety_stock(stage: GsmStage, z: float, net_lead_time: int) -> float:
    return z * stage.demand_sd * math.sqrt(net_lead_time)
