"""The policy protocol: what a policy sees each evening and what it may decide.

Each simulated day ends with the policy's turn. It gets an ``Observation`` of what is
known that evening (stock, open orders at their promised dates, goods in transit, the
demand history up to today) and returns a ``Decision``: supplier orders placed today
and warehouse -> store transfers to ship today. The simulator then asks it to route
today's shipments (``route``). Prices are fixed by the scenario; a pricing arm would
add them to ``Decision`` without touching the simulator's loop.

Only a policy that declares ``clairvoyant = True`` (the oracle) may read the future
through ``Observation.foresee``; any other policy that tries raises ``PeekedAtFuture``,
so an arm cannot gain from information a real shop would not have.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.twin.scenario import Scenario
from supplynet.optimizer.twin.world import FloatArray, IntArray, TwinWorld

Routes = tuple[tuple[int, ...], ...]
"""Stop indices per vehicle of a ``RoutingProblem``, in visiting order."""


class PeekedAtFuture(RuntimeError):
    """A policy without foresight asked for demand or delays after today."""


@dataclass(frozen=True)
class Foresight:
    """The future as an oracle sees it: demand ``[days, n_store]`` from tomorrow on and
    the true delay ``[lanes]`` of an order placed today on each lane."""

    demand: FloatArray
    delays_today: IntArray


@dataclass(frozen=True, eq=False)
class Observation:
    """What is known on the evening of ``day`` (arrays are read-only).

    ``on_hand`` ``[positions]`` after today's sales; ``backlog`` ``[n_store]`` (backorder
    runs); ``demand_history`` ``[history + day + 1, n_store]`` ends with today (demand,
    including what could not be served); ``orders_*`` list open supplier orders with the
    day their lane promised (late ones keep a past promise); ``in_transit``
    ``[positions]`` units arriving tomorrow; ``delivered_yesterday`` ``[n_store]`` what
    yesterday's routes took to each store position (after cuts and unserved stops);
    ``stock_by_life`` ``[positions, life columns]`` the same stock by the days it may still
    sell after today (last column: durable), as a shop's expiry dates say.
    """

    world: TwinWorld
    day: int
    on_hand: FloatArray
    backlog: FloatArray
    demand_history: FloatArray
    orders_lane: IntArray
    orders_quantity: FloatArray
    orders_promised_day: IntArray
    in_transit: FloatArray
    delivered_yesterday: FloatArray
    stock_by_life: FloatArray
    _scenario: Scenario | None = field(default=None, repr=False)

    def foresee(self) -> Foresight:
        """The future demand and today's true delays; only for clairvoyant policies.

        Raises
        ------
        PeekedAtFuture
            For a policy that did not declare ``clairvoyant = True``.
        """
        if self._scenario is None:
            raise PeekedAtFuture(f"day {self.day}: this policy may not see the future")
        return Foresight(
            self._scenario.demand[self.day + 1 :], self._scenario.delays[self.day].copy()
        )

    def on_order(self) -> FloatArray:
        """Open supplier orders per position (all, whatever their promise)."""
        total = np.zeros(self.world.n_positions)
        positions = self.world.lanes["position"].to_numpy()[self.orders_lane]
        np.add.at(total, positions, self.orders_quantity)
        return total


@dataclass(frozen=True)
class Decision:
    """Supplier orders (``order_lane`` rows of ``world.lanes``) and transfers to store
    positions (``transfer_position``), each with a quantity; empty arrays for none."""

    order_lane: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    order_quantity: FloatArray = field(default_factory=lambda: np.zeros(0))
    transfer_position: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    transfer_quantity: FloatArray = field(default_factory=lambda: np.zeros(0))


class Policy(Protocol):
    """One arm of the A/B: decides every evening and routes the day's shipments."""

    name: str
    clairvoyant: bool

    def decide(self, observation: Observation) -> Decision: ...

    def route(self, problem: RoutingProblem) -> Routes: ...

    def planning_seconds(self) -> Sequence[float]:
        """Wall seconds of each review so far (empty for policies that do not plan)."""
        ...


PolicyFactory = Callable[[TwinWorld], Policy]
"""Makes a fresh policy for one run; picklable (a class or ``functools.partial``)."""
