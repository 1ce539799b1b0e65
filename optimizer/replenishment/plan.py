"""``ReplenishmentPlan``: the immutable result of a replenishment solve.

It carries what a planner acts on (order and transfer lines with dates), what they
check (projected stock and shortages per period, costs, fill rate), why (explanations)
and how sure the solver is (status, objective, bound, gap, time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from supplynet.graph.plans import Scalar, StoredPlan

Status = Literal["optimal", "feasible", "partial", "no_solution"]
"""``partial``: some independent parts found no plan in time and order nothing."""
ORDER_COLUMNS = (
    "origin_id",
    "destination_id",
    "sku_id",
    "quantity",
    "order_period",
    "arrival_period",
    "ship_date",
    "arrival_date",
)
"""Columns of ``orders`` (supplier -> warehouse) and ``transfers`` (warehouse -> store)."""
ASSEMBLY_COLUMNS = (
    "plant_id",
    "sku_id",
    "quantity",
    "start_period",
    "finish_period",
    "start_date",
    "finish_date",
)
"""Columns of ``assemblies`` (finished units a plant starts assembling; ``assembly.py``)."""


@dataclass(frozen=True)
class Explanation:
    """Why a plan falls short or what limits it.

    ``kind``: ``warehouse_capacity``, ``lane_capacity``, ``supply_capacity``,
    ``position_capacity`` (a binding limit), ``shortage`` or ``unsolved`` (no plan was
    found in time for these stocking points); ``constraint`` names the
    limit (e.g. ``warehouse W001 storage_capacity 500``); ``shortfall`` is the units of
    demand and safety stock target missing in ``periods``.
    """

    kind: str
    constraint: str
    location_id: str
    sku_id: str | None
    periods: tuple[int, ...]
    shortfall: float
    message: str


@dataclass(frozen=True, eq=False)
class ReplenishmentPlan:
    """Orders, transfers, projected stock and the solver's account of them.

    Frames
    ------
    orders, transfers: see ``ORDER_COLUMNS``; dates are ``datetime.date``
    inventory: location_id, sku_id, period, period_start, demand, stock (end of
        period), shortage, target, below_target
    assemblies: see ``ASSEMBLY_COLUMNS``; the components they need are among ``orders``
    """

    start: dt.date
    period_days: int
    horizon: int
    orders: pd.DataFrame
    transfers: pd.DataFrame
    inventory: pd.DataFrame
    costs: Mapping[str, float]
    planned_fill_rate: float
    expected_fill_rate: float
    explanations: tuple[Explanation, ...]
    status: Status
    objective: float
    bound: float
    solve_seconds: float
    time_limit_s: float
    """The solver's limit: the request's, or less when its deadline left less."""
    time_limit_hit: bool
    subproblems: int
    solved_subproblems: int
    warnings: tuple[str, ...] = ()
    """What the planner changed in the request (e.g. a horizon extended to cover lead time)."""
    assemblies: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(ASSEMBLY_COLUMNS))
    )

    @property
    def gap(self) -> float:
        """Relative optimality gap ``(objective - bound) / |objective|``."""
        scale = max(abs(self.objective), 1e-9)
        return max(self.objective - self.bound, 0.0) / scale

    @property
    def total_shortage(self) -> float:
        return float(self.inventory["shortage"].sum())

    def transfers_on(self, date: dt.date) -> pd.DataFrame:
        """Warehouse -> store transfers that ship on ``date`` (what routing plans)."""
        return self.transfers[self.transfers["ship_date"] == date].reset_index(drop=True)

    def kpis(self) -> dict[str, Scalar]:
        """The headline numbers a planner and the CLI show."""
        return {
            "status": self.status,
            "objective": round(self.objective, 2),
            "bound": round(self.bound, 2),
            "gap": round(self.gap, 6),
            "solve_seconds": round(self.solve_seconds, 3),
            "time_limit_s": round(self.time_limit_s, 3),
            "time_limit_hit": self.time_limit_hit,
            "subproblems": self.subproblems,
            "solved_subproblems": self.solved_subproblems,
            "start": self.start.isoformat(),
            "period_days": self.period_days,
            "horizon": self.horizon,
            "orders": len(self.orders),
            "transfers": len(self.transfers),
            "order_units": round(float(self.orders["quantity"].sum()), 2),
            "shortage_units": round(self.total_shortage, 2),
            "planned_fill_rate": round(self.planned_fill_rate, 6),
            "expected_fill_rate": round(self.expected_fill_rate, 6),
            "explanations": len(self.explanations),
            **{f"cost_{name}": round(value, 2) for name, value in self.costs.items()},
        }

    def summary(self) -> str:
        k = self.kpis()
        notes = "".join(f"; warning: {w}" for w in self.warnings)
        return (
            f"{k['status']} plan: {k['orders']} orders, {k['transfers']} transfers, "
            f"cost {k['objective']:,} (gap {self.gap:.2%}), fill rate {self.expected_fill_rate:.1%}"
            f"{notes}"
        )

    def to_stored_plan(self, plan_id: str, created_at: dt.datetime | None = None) -> StoredPlan:
        """The store's form: KPIs as attributes, one line per order, transfer and assembly
        (an assembly line runs from its plant to itself, start to finish)."""
        lines: list[dict[str, Scalar]] = []
        for line_type, frame in (("order", self.orders), ("transfer", self.transfers)):
            for row in frame.itertuples(index=False):
                lines.append(
                    {
                        "line_type": line_type,
                        "origin_id": str(row.origin_id),
                        "destination_id": str(row.destination_id),
                        "sku_id": str(row.sku_id),
                        "quantity": float(row.quantity),
                        "ship_date": row.ship_date.isoformat(),
                        "arrival_date": row.arrival_date.isoformat(),
                        "order_period": int(row.order_period),
                        "arrival_period": int(row.arrival_period),
                    }
                )
        for row in self.assemblies.itertuples(index=False):
            lines.append(
                {
                    "line_type": "assembly",
                    "origin_id": str(row.plant_id),
                    "destination_id": str(row.plant_id),
                    "sku_id": str(row.sku_id),
                    "quantity": float(row.quantity),
                    "ship_date": row.start_date.isoformat(),
                    "arrival_date": row.finish_date.isoformat(),
                    "order_period": int(row.start_period),
                    "arrival_period": int(row.finish_period),
                }
            )
        return StoredPlan(
            id=plan_id,
            kind="replenishment",
            created_at=created_at or dt.datetime.now(dt.UTC),
            attributes=self.kpis(),
            lines=tuple(lines),
        )
