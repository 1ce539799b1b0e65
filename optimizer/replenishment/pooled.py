"""Exact lot sizing of one warehouse x SKU tree with its stores pooled: a bound and an order plan.

The common part of a plan is one warehouse stocking point fed by supply lanes (fixed
cost, MOQ, lot multiples, whole-period lead times) and its stores fed by same-period
transfers, with no capacity shared with other parts. Pooling the stores (stock may sit
anywhere in the tree in every period, moved for free between stores) relaxes that part
to a single stock level ``S`` whose cost per period is the cheapest split of ``S`` over
the stocking points, a convex piecewise-linear ``g_t(S)``. Transfers cost at least the
cheapest unit rate times what stores sell or keep beyond their own stock.

On that relaxation, serving demand whenever stock allows is optimal when an earlier
shortage costs at least the most a unit of stock saves per period more than a later
one (``greedy_shortage_is_optimal``; the planner's shortage penalties are built so).
Then stock follows from the arrivals alone, and a dynamic program over (last period
with a shortage, units arrived since) is exact: its optimum is a lower bound on the
part's true cost, and its arrivals are the orders the plan replays.

Shapes
------
Quantities are whole units: supply lanes on this path have integer lot sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Arc:
    """A supply lane: arrivals in period ``t >= lead`` cost ``fixed + unit * q`` for
    ``q`` a multiple of ``lot`` and at least ``smallest``."""

    lead: int
    unit: float
    fixed: float
    lot: int
    smallest: int


@dataclass(frozen=True)
class Slots:
    """Where pooled stock can sit: segments of ``length`` units at cost ``slope`` per
    unit and period, and the cost ``empty`` of holding nothing (all targets missed)."""

    length: FloatArray
    slope: FloatArray
    empty: float

    def most_saved(self) -> float:
        """The most one more unit of stock lowers the cost of a period."""
        used = self.length > 0
        return float(max(0.0, -self.slope[used].min())) if used.any() else 0.0


@dataclass(frozen=True)
class PooledPart:
    """One pooled part over ``horizon`` periods.

    ``shortage[t]``: the cheapest penalty per unit of unmet demand, less the transfer
    rate it saves; ``transfer``: the cheapest transfer rate per unit sold or kept at a
    store; ``store_stock``: units the stores hold at the start or receive as open orders.
    """

    start_stock: float
    receipts: FloatArray
    demand: FloatArray
    shortage: FloatArray
    slots: tuple[Slots, ...]
    arcs: tuple[Arc, ...]
    transfer: float
    store_stock: float

    def greedy_shortage_is_optimal(self) -> bool:
        """The exchange condition: ``w_t = shortage[t] - sum(most_saved[t:])`` does not
        increase over time and ends non-negative."""
        distinct = {id(s): s.most_saved() for s in self.slots}
        saved = np.array([distinct[id(s)] for s in self.slots])
        w = self.shortage - np.cumsum(saved[::-1])[::-1]
        return bool(np.all(np.diff(w) <= TOLERANCE) and w[-1] >= -TOLERANCE)

    def units_needed(self) -> int:
        """No optimum brings more than all demand and all room below targets beyond the
        starting stock, plus one order: dropping the last order (or a lot of it) from
        such a plan leaves every later stock above that room and demand, so it empties
        only slots of non-negative cost and only saves."""
        distinct = {id(s): s for s in self.slots}.values()
        room = max(float(s.length[s.slope < 0].sum()) for s in distinct)
        extra = max((a.smallest + a.lot for a in self.arcs), default=0)
        return int(np.ceil(max(self.demand.sum() + room - self.start_stock, 0.0))) + extra + 1


@dataclass(frozen=True)
class PooledPlan:
    """The optimum of the pooled part: its cost (a lower bound) and arrivals per arc."""

    bound: float
    arrivals: FloatArray
    """``[arcs, horizon]`` units arriving in each period."""


@dataclass(frozen=True)
class _Curve:
    """``g`` of one ``Slots`` as breakpoints (cheapest slope first; an unlimited slot
    takes everything beyond the finite ones before it, ``None`` if there is none)."""

    edges: FloatArray
    values: FloatArray
    beyond: float | None

    @classmethod
    def of(cls, slots: Slots) -> _Curve:
        order = np.argsort(slots.slope, kind="stable")
        length, slope = slots.length[order], slots.slope[order]
        unlimited = np.flatnonzero(~np.isfinite(length))
        used = unlimited[0] if len(unlimited) else len(length)
        return cls(
            edges=np.concatenate([[0.0], np.cumsum(length[:used])]),
            values=slots.empty + np.concatenate([[0.0], np.cumsum(length[:used] * slope[:used])]),
            beyond=float(slope[used]) if len(unlimited) else None,
        )

    def __call__(self, stock: FloatArray) -> FloatArray:
        result = np.interp(stock, self.edges, self.values)
        over = stock - self.edges[-1]
        if self.beyond is None:
            return np.where(over > 1e-7, np.inf, result)
        return np.where(over > 0, self.values[-1] + self.beyond * over, result)


def _arrive(values: FloatArray, priced: FloatArray, arc: Arc) -> FloatArray:
    """Min-plus step of one arc: ``min(V[k], min_q V[k - q] + fixed + unit * q)``; the
    inner minimum over one residue class mod ``lot`` is a running minimum.
    ``priced[k]`` is ``unit`` times the units of ``k`` steps."""
    rows, size = values.shape
    padded = np.full((rows, size + (-size) % arc.lot), np.inf)
    np.subtract(values, priced, out=padded[:, :size])
    running = np.minimum.accumulate(padded.reshape(rows, -1, arc.lot), axis=1)
    best = running.reshape(rows, -1)[:, :size]
    out = values.copy()
    if arc.smallest < size:
        candidate = (arc.fixed + priced[arc.smallest :]) + best[:, : size - arc.smallest]
        np.minimum(out[:, arc.smallest :], candidate, out=out[:, arc.smallest :])
    return out


_Step = tuple[list[tuple[int, FloatArray]], tuple[int, int] | None, int, IntArray]
"""One period of the dynamic program: the arrival steps (arc, values before), the state
a new shortage row came from, the row count before it, and the rows kept after it."""


def solve_pooled(part: PooledPart) -> PooledPlan:
    """The exact optimum of the pooled part by dynamic programming.

    States after each period: row ``r`` (the period of the last shortage, or none) and
    ``k`` steps of ``grid`` units arrived since (``grid``: the lots' common divisor);
    stock is ``base[r] + grid * k``. A row is added for each period in which a shortage
    is reachable, holding the cheapest way there; rows that nothing reaches are dropped.
    """
    horizon = len(part.demand)
    grid = int(np.gcd.reduce([a.lot for a in part.arcs])) if part.arcs else 1
    arcs = [Arc(a.lead, a.unit, a.fixed, a.lot // grid, a.smallest // grid) for a in part.arcs]
    size = part.units_needed() // grid + 2
    units = grid * np.arange(size, dtype=float)
    priced = [a.unit * units for a in arcs]
    values = np.full((1, size), np.inf)
    values[0, 0] = 0.0
    base = np.array([part.start_stock])
    steps: list[_Step] = []
    curves: dict[int, _Curve] = {}
    for t in range(horizon):
        key = id(part.slots[t])
        if key not in curves:
            curves[key] = _Curve.of(part.slots[t])
        curve = curves[key]
        base = base + part.receipts[t] - part.demand[t]
        ops = []
        for a, arc in enumerate(arcs):
            if arc.lead <= t:
                ops.append((a, values))
                values = _arrive(values, priced[a], arc)
        stock = base[:, None] + units[None, :]
        short = stock < -TOLERANCE
        reset: tuple[int, int] | None = None
        if short.any():
            penalty = np.where(short, values - part.shortage[t] * stock, np.inf)
            flat = int(np.argmin(penalty))
            best = float(penalty.flat[flat])
            if np.isfinite(best):
                reset = (flat // size, flat % size)
        rows = len(base)
        values = np.where(short, np.inf, values + curve(np.maximum(stock, 0.0)))
        if reset is not None:
            row = np.full((1, size), np.inf)
            row[0, 0] = best + float(curve.values[0])
            values = np.vstack([values, row])
            base = np.append(base, 0.0)
        keep = np.arange(len(base))
        if base.min() + units[-1] < -TOLERANCE:
            keep = np.flatnonzero(np.isfinite(values).any(axis=1))
            values, base = values[keep], base[keep]
        steps.append((ops, reset, rows, keep))
    flat = int(np.argmin(values))
    bound = float(values.flat[flat])
    fixed_terms = part.transfer * (part.demand.sum() - part.store_stock)
    return PooledPlan(
        bound=bound + fixed_terms,
        arrivals=grid * _trace(arcs, horizon, steps, (flat // size, flat % size), grid),
    )


def _trace(
    arcs: list[Arc], horizon: int, steps: list[_Step], state: tuple[int, int], grid: int
) -> FloatArray:
    """Walk the dynamic program back from its optimum to the arrivals (in grid steps)."""
    arrivals = np.zeros((len(arcs), horizon))
    row, k = state
    for t in range(horizon - 1, -1, -1):
        ops, reset, rows, keep = steps[t]
        row = int(keep[row])
        if reset is not None and row == rows:
            row, k = reset
        for a, before in reversed(ops):
            arc = arcs[a]
            previous = np.arange(k - arc.smallest, -1, -arc.lot)
            if not len(previous):
                continue
            cost = before[row, previous] + arc.fixed + arc.unit * grid * (k - previous)
            pick = int(np.argmin(cost))
            stay = float(before[row, k])
            if cost[pick] < stay - TOLERANCE * max(1.0, abs(cost[pick])):
                arrivals[a, t] = k - previous[pick]
                k = int(previous[pick])
    return arrivals
