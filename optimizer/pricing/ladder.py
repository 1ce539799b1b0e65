"""Price rules and the ladder of allowed prices they leave for one SKU.

Retail prices are not continuous: they end in a few familiar cents, move at most so far
from today's price, keep a minimum margin over cost and stay under a cap. The ladder is
where those rules live, so the optimiser only ever sees prices that obey all of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from supplynet.graph.errors import Problem, ValidationFailed

Bound = Literal["max_change", "margin_floor", "price_cap", "none"]


@dataclass(frozen=True)
class PriceRules:
    """What a recommended price must respect.

    Parameters
    ----------
    max_change
        Largest relative move from today's price, in (0, 1): 0.1 allows +-10 %.
    min_margin
        Smallest gross margin as a share of the price: price >= cost / (1 - min_margin).
    price_cap
        Highest price as a multiple of today's price (None: only ``max_change`` caps it).
    endings
        Allowed cents endings; today's price is always allowed as it is.
    max_rungs
        Most prices kept per SKU besides today's, spread evenly over the allowed range.
    max_price_changes
        Most SKUs whose price may change in one recommendation (None: no limit).
    """

    max_change: float = 0.1
    min_margin: float = 0.05
    price_cap: float | None = None
    endings: tuple[float, ...] = (0.29, 0.49, 0.79, 0.99)
    max_rungs: int = 12
    max_price_changes: int | None = None

    def problems(self) -> list[Problem]:
        """Every rule that is out of range, with its field name."""
        found = []
        if not 0 < self.max_change < 1:
            found.append(Problem("max_change", "must be in (0, 1)"))
        if not 0 <= self.min_margin < 1:
            found.append(Problem("min_margin", "must be in [0, 1)"))
        if self.price_cap is not None and self.price_cap <= 0:
            found.append(Problem("price_cap", "must be > 0"))
        if not self.endings or any(not 0 <= e < 1 for e in self.endings):
            found.append(Problem("endings", "must be cents endings in [0, 1)"))
        if self.max_rungs < 1:
            found.append(Problem("max_rungs", "must be >= 1"))
        if self.max_price_changes is not None and self.max_price_changes < 0:
            found.append(Problem("max_price_changes", "must be >= 0"))
        return found

    def check(self) -> PriceRules:
        """Return self, or raise ``ValidationFailed`` naming every bad field."""
        found = self.problems()
        if found:
            raise ValidationFailed(found, "price rules")
        return self


@dataclass(frozen=True)
class Ladder:
    """Allowed prices of one SKU (ascending) and which rule set each end of the range.

    ``current`` is the index of today's price, or -1 when today's price itself breaks a
    rule (then the SKU must move). ``conflict`` is True when the rules leave no price at
    all (the margin floor above the largest allowed move): today's price is kept.
    """

    prices: np.ndarray
    current: int
    lower_bound: Bound
    upper_bound: Bound
    conflict: bool = False


def build_ladder(current_price: float, unit_cost: float, rules: PriceRules) -> Ladder:
    """The prices ``rules`` allow for a SKU priced ``current_price`` that costs ``unit_cost``.

    An empty range (the margin floor above the largest allowed move) keeps today's price
    alone: the recommendation then leaves the SKU as it is and says which rules conflict.
    """
    floor = unit_cost / (1 - rules.min_margin)
    low_change, high_change = (
        current_price * (1 - rules.max_change),
        current_price * (1 + rules.max_change),
    )
    cap = math.inf if rules.price_cap is None else current_price * rules.price_cap
    lower_bound: Bound = "margin_floor" if floor > low_change else "max_change"
    upper_bound: Bound = "price_cap" if cap < high_change else "max_change"
    low, high = max(floor, low_change), min(cap, high_change)
    if low > high:
        return Ladder(np.array([current_price]), 0, lower_bound, upper_bound, conflict=True)
    wholes = np.arange(math.floor(low) - 1, math.floor(high) + 1)
    grid = np.sort((wholes[:, None] + np.asarray(rules.endings)[None, :]).ravel())
    candidates = grid[(grid >= low - 1e-9) & (grid <= high + 1e-9)]
    if len(candidates) > rules.max_rungs:
        targets = np.linspace(candidates[0], candidates[-1], rules.max_rungs)
        candidates = np.unique(candidates[np.abs(candidates[:, None] - targets).argmin(axis=0)])
    keeps_today = low - 1e-9 <= current_price <= high + 1e-9
    prices = np.unique(np.round(np.append(candidates, [current_price] if keeps_today else []), 2))
    if len(prices) == 0:
        return Ladder(np.array([current_price]), 0, lower_bound, upper_bound, conflict=True)
    current = int(np.abs(prices - current_price).argmin()) if keeps_today else -1
    return Ladder(prices, current, lower_bound, upper_bound)
