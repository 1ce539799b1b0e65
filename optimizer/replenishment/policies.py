"""Fixed inventory policies the planner is judged against: base-stock, (s, S), (r, Q).

Each decides, for every trial at once, what to order from the state at the start of a
period (after that period's arrivals, before its demand); the rolling evaluator
(``rolling.py``) applies the same decision rule to the planner. The inventory position
is net stock (on hand minus backorders, everywhere in the system) plus what is on order.
Echelon base-stock on serial chains is simulated by ``supplynet.optimizer.simulation``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class State:
    """Per trial, at the start of a period after its arrivals.

    Shapes
    ------
    warehouse, store: [trials] (store: on hand minus backorders)
    pipeline: [lead, trials]; row ``k`` arrives ``k + 1`` periods from now
    """

    warehouse: FloatArray
    store: FloatArray
    pipeline: FloatArray

    @property
    def position(self) -> FloatArray:
        """Inventory position: net stock plus everything on order."""
        result: FloatArray = self.warehouse + self.store + self.pipeline.sum(axis=0)
        return result


@dataclass(frozen=True)
class Decision:
    """Per trial: units ordered from the supplier and moved from warehouse to store."""

    order: FloatArray
    transfer: FloatArray


class Policy(Protocol):
    """A rule that turns a state into orders and transfers, for all trials at once."""

    @property
    def name(self) -> str: ...

    def decide(self, state: State) -> Decision: ...


def _ship_all(order: FloatArray) -> Decision:
    """Order ``order`` and move everything the warehouse then holds to the store."""
    return Decision(order=order, transfer=np.full_like(order, np.inf))


@dataclass(frozen=True)
class BaseStock:
    """Order up to ``level`` every period."""

    level: float

    @property
    def name(self) -> str:
        return f"base-stock S={self.level:g}"

    def decide(self, state: State) -> Decision:
        return _ship_all(np.maximum(self.level - state.position, 0.0))


@dataclass(frozen=True)
class MinMax:
    """(s, S): when the position is at or below ``reorder`` (s), order up to ``level`` (S)."""

    reorder: float
    level: float

    @property
    def name(self) -> str:
        return f"(s, S)=({self.reorder:g}, {self.level:g})"

    def decide(self, state: State) -> Decision:
        position = state.position
        order = np.where(position <= self.reorder + 1e-9, self.level - position, 0.0)
        return _ship_all(order)


@dataclass(frozen=True)
class ReorderQuantity:
    """(r, Q): when the position is at or below ``reorder`` (r), order as many lots of
    ``quantity`` (Q) as bring it above ``r``."""

    reorder: float
    quantity: float

    @property
    def name(self) -> str:
        return f"(r, Q)=({self.reorder:g}, {self.quantity:g})"

    def decide(self, state: State) -> Decision:
        short = self.reorder - state.position
        lots = np.where(short >= -1e-9, np.floor(short / self.quantity + 1e-9) + 1.0, 0.0)
        return _ship_all(lots * self.quantity)
