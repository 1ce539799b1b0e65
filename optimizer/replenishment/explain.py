"""Explanations: which limit binds, in which periods, and how much demand it leaves unmet.

A plan never fails with a bare "infeasible": shortages are variables, so every unit
missing is accounted for here, next to the capacities that were full when it went
missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from supplynet.optimizer.replenishment.plan import Explanation
from supplynet.optimizer.replenishment.problem import PlanningProblem

FloatArray = npt.NDArray[np.float64]
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Flows:
    """A solution over the whole problem: ``[items, horizon]`` arrays."""

    orders: FloatArray
    transfers: FloatArray
    stock: FloatArray
    short: FloatArray
    below: FloatArray


def explain(
    problem: PlanningProblem, flows: Flows, unsolved: list[npt.NDArray[np.int64]] | None = None
) -> tuple[Explanation, ...]:
    """Every binding capacity and every store x SKU with unmet demand, largest first.

    A capacity full in period ``t`` limits the stock carried into every later period,
    so its shortfall counts what is missing behind it from its first full period on.
    Stocking points of parts without a solution get one ``unsolved`` explanation per part
    instead of one per shortage.
    """
    ids = _Ids(
        problem.nodes["location_id"].to_numpy(dtype=object),
        problem.nodes["sku_id"].to_numpy(dtype=object),
    )
    missing = flows.short + flows.below
    skip = np.zeros(len(problem.nodes), dtype=bool)
    for nodes in unsolved or []:
        skip[nodes] = True
    found = [
        *_warehouse_capacity(problem, flows, missing, ids),
        *_lane_capacity(problem, flows, missing),
        *_supply_capacity(problem, flows, missing, ids),
        *_position_capacity(problem, flows, missing, ids),
        *_shortages(problem, flows, ids, skip),
        *(_unsolved(problem, flows, nodes, ids) for nodes in unsolved or []),
    ]
    return tuple(sorted(found, key=lambda e: (-e.shortfall, e.kind, e.location_id)))


@dataclass(frozen=True)
class _Ids:
    """Location and SKU id of every node, as plain arrays (pandas lookups are slow)."""

    location: npt.NDArray[np.object_]
    sku: npt.NDArray[np.object_]


def _unsolved(
    problem: PlanningProblem, flows: Flows, nodes: npt.NDArray[np.int64], ids: _Ids
) -> Explanation:
    where = ids.location[nodes]
    short = float(flows.short[nodes].sum())
    return Explanation(
        kind="unsolved",
        constraint="time_limit",
        location_id=str(where[0]),
        sku_id=None,
        periods=tuple(range(problem.horizon)),
        shortfall=short,
        message=f"no plan was found in time for {len(nodes)} stocking points "
        f"({', '.join(sorted(set(map(str, where)))[:5])}...): they order nothing and "
        f"miss {short:,.1f} units",
    )


def _periods(mask: npt.NDArray[np.bool_]) -> tuple[int, ...]:
    return tuple(int(t) for t in np.flatnonzero(mask))


def _full(used: FloatArray, cap: float) -> npt.NDArray[np.bool_]:
    return np.asarray(used >= cap - TOLERANCE * max(1.0, cap))


def _warehouse_capacity(
    problem: PlanningProblem, flows: Flows, missing: FloatArray, ids: _Ids
) -> list[Explanation]:
    nodes = problem.nodes
    found = []
    origin = problem.transfers["origin"].to_numpy()
    dest = problem.transfers["node"].to_numpy()
    for row in problem.warehouses.itertuples(index=False):
        if not np.isfinite(row.capacity):
            continue
        here = np.flatnonzero(
            (ids.location == row.warehouse_id) & (nodes["kind"] == "warehouse").to_numpy()
        )
        full = _full(flows.stock[here].sum(axis=0), row.capacity)
        if not full.any():
            continue
        served = np.unique(np.concatenate([here, dest[np.isin(origin, here)]]))
        periods = _periods(full)
        shortfall = float(missing[served][:, periods[0] :].sum())
        found.append(
            Explanation(
                kind="warehouse_capacity",
                constraint=f"warehouse {row.warehouse_id} storage_capacity {row.capacity:g}",
                location_id=str(row.warehouse_id),
                sku_id=None,
                periods=periods,
                shortfall=shortfall,
                message=(
                    f"warehouse {row.warehouse_id} is full ({row.capacity:g} units) in periods "
                    f"{list(periods)}; from period {periods[0]} on, {shortfall:,.1f} units of "
                    "demand and safety stock are missing there and at the stores it serves"
                ),
            )
        )
    return found


def _lane_capacity(
    problem: PlanningProblem, flows: Flows, missing: FloatArray
) -> list[Explanation]:
    found = []
    lanes = problem.lanes
    lane_of = problem.transfers["lane"].to_numpy()
    dest = problem.transfers["node"].to_numpy()
    for lane in np.flatnonzero(np.isfinite(lanes["capacity"].to_numpy(float))):
        on = lane_of == lane
        cap = float(lanes["capacity"].iloc[lane])
        full = _full(flows.transfers[on].sum(axis=0), cap)
        if not full.any():
            continue
        periods = _periods(full)
        shortfall = float(missing[dest[on]][:, periods[0] :].sum())
        o, d = lanes["origin_id"].iloc[lane], lanes["destination_id"].iloc[lane]
        found.append(
            Explanation(
                kind="lane_capacity",
                constraint=f"transport lane {o}->{d} capacity {cap:g} per period",
                location_id=str(d),
                sku_id=None,
                periods=periods,
                shortfall=shortfall,
                message=(
                    f"lane {o}->{d} ships its full {cap:g} units in periods {list(periods)}; "
                    f"{shortfall:,.1f} units are missing at {d} from period {periods[0]} on"
                ),
            )
        )
    return found


def _supply_capacity(
    problem: PlanningProblem, flows: Flows, missing: FloatArray, ids: _Ids
) -> list[Explanation]:
    supply = problem.supply
    cap = supply["capacity"].to_numpy(float)
    found = []
    for arc in np.flatnonzero(np.isfinite(cap)):
        full = _full(flows.orders[arc], cap[arc] - supply["lot"].iloc[arc] + TOLERANCE)
        if not full.any():
            continue
        node = int(supply["node"].iloc[arc])
        where, sku = ids.location[node], ids.sku[node]
        periods = _periods(full)
        shortfall = float(missing[node, periods[0] :].sum())
        found.append(
            Explanation(
                kind="supply_capacity",
                constraint=f"supply lane {supply['supplier_id'].iloc[arc]}->{where} {sku} "
                f"capacity {cap[arc]:g} per period",
                location_id=str(where),
                sku_id=str(sku),
                periods=periods,
                shortfall=shortfall,
                message=f"supplier lane into {where} for {sku} is at capacity in periods "
                f"{list(periods)}; {shortfall:,.1f} units are missing there from period "
                f"{periods[0]} on",
            )
        )
    return found


def _position_capacity(
    problem: PlanningProblem, flows: Flows, missing: FloatArray, ids: _Ids
) -> list[Explanation]:
    cap = problem.nodes["capacity"].to_numpy(float)
    limited = np.flatnonzero(np.isfinite(cap))
    full = flows.stock[limited] >= cap[limited, None] - TOLERANCE * np.maximum(
        1.0, cap[limited, None]
    )
    found = []
    for i in np.flatnonzero(full.any(axis=1) & (missing[limited].sum(axis=1) > TOLERANCE)):
        node = int(limited[i])
        where, sku = ids.location[node], ids.sku[node]
        periods = _periods(full[i])
        shortfall = float(missing[node].sum())
        found.append(
            Explanation(
                kind="position_capacity",
                constraint=f"position {where}/{sku} storage_capacity {cap[node]:g}",
                location_id=str(where),
                sku_id=str(sku),
                periods=periods,
                shortfall=shortfall,
                message=f"{where} has room for only {cap[node]:g} units of {sku} (full in "
                f"periods {list(periods)}); {shortfall:,.1f} units are missing over the horizon",
            )
        )
    return found


def _shortages(
    problem: PlanningProblem, flows: Flows, ids: _Ids, skip: npt.NDArray[np.bool_]
) -> list[Explanation]:
    short = flows.short
    nodes = problem.nodes
    never = np.iinfo(np.int64).max // 4
    supplied = np.full(len(nodes), never)
    np.minimum.at(supplied, problem.supply["node"].to_numpy(), problem.supply["lead"].to_numpy())
    inbound_lead = supplied.copy()
    origin = problem.transfers["origin"].to_numpy()
    np.minimum.at(
        inbound_lead,
        problem.transfers["node"].to_numpy(),
        problem.transfers["lead"].to_numpy() + supplied[origin],
    )
    found = []
    for node in np.flatnonzero((short.sum(axis=1) > TOLERANCE) & ~skip):
        mask = short[node] > TOLERANCE
        periods = _periods(mask)
        units = float(short[node].sum())
        where, sku = str(ids.location[node]), str(ids.sku[node])
        lead = int(inbound_lead[node])
        if lead >= never:
            cause, why = "no_supply", "no lane supplies it"
        elif periods[-1] < lead:
            cause, why = "lead_time", f"nothing ordered now reaches it before period {lead}"
        else:
            cause, why = "limits", "capacities, lead times or order costs leave it uncovered"
        found.append(
            Explanation(
                kind="shortage",
                constraint=cause,
                location_id=where,
                sku_id=sku,
                periods=periods,
                shortfall=units,
                message=f"{where}/{sku} misses {units:,.1f} units of demand in periods "
                f"{list(periods)}: {why}",
            )
        )
    return found
