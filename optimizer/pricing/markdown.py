"""Perishable markdowns: a dynamic programme per inventory position over the days to expiry.

A cohort of units expires on a known day; what is unsold then is waste. Each morning the
store picks a discount from a short ladder: deeper discounts sell more now at less per
unit. The state is (units left, current discount, changes used); discounts only deepen
(``monotone``) and change at most ``max_changes`` times, so the schedule is one a store
can run. Demand per day is Poisson with gamma noise (negative binomial), its mean the
full-price rate times ``(1 - discount) ** -elasticity``. The same code gives the exact
optimum (no monotonicity, unlimited changes) and evaluates any policy table exactly.

A waste penalty makes the DP trade margin for less waste on purpose: with the unit cost
sunk, the margin-optimal policy is the zero-penalty one, and any penalty gives up some
expected margin. ``margin_safe_markdown`` takes the least-waste policy over a ladder of
penalties that keeps the expected margin (substitutes' lost margin counted) at least that
of no markdown, which is always a feasible schedule. Markdowns alone cannot clear stock
that was never going to sell (an inelastic SKU, a cohort well above demand), so
``margin_safe_order`` also sizes the cohort: down towards what sells while fresh (the
replenishment planner's shelf-life cap) as far as the expected margin allows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from supplynet.graph.errors import Problem, ValidationFailed


@dataclass(frozen=True)
class MarkdownProblem:
    """One cohort of a perishable SKU at one position.

    ``salvage`` is what a unit left at expiry is worth (negative: a disposal cost).
    ``waste_penalty`` is charged per wasted unit when choosing the policy only (not in
    ``evaluate``): the knob that trades margin for less waste. ``neighbours`` holds
    ``(margin per day, cross elasticity)`` of substitutes at the same position: a
    markdown of ``d`` costs each ``margin * (1 - (1 - d) ** cross)`` per day, since the
    shoppers it draws come partly from them.

    Shapes
    ------
    units_per_day: (days_to_expiry,), expected units demanded per day at full price.
    """

    stock: int
    price: float
    unit_cost: float
    units_per_day: np.ndarray
    elasticity: float
    discounts: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
    max_changes: int = 2
    monotone: bool = True
    noise_shape: float | None = 25.0
    salvage: float = 0.0
    waste_penalty: float = 0.0
    neighbours: tuple[tuple[float, float], ...] = ()

    @property
    def days(self) -> int:
        return len(self.units_per_day)

    def problems(self) -> list[Problem]:
        found = []
        if self.stock < 0:
            found.append(Problem("stock", "must be >= 0"))
        if self.days < 1:
            found.append(Problem("units_per_day", "needs at least one day"))
        if not self.discounts or self.discounts[0] != 0.0:
            found.append(Problem("discounts", "must start with 0 (full price)"))
        if any(not 0 <= d < 1 for d in self.discounts) or list(self.discounts) != sorted(
            self.discounts
        ):
            found.append(Problem("discounts", "must be ascending and in [0, 1)"))
        if self.max_changes < 0:
            found.append(Problem("max_changes", "must be >= 0"))
        return found

    def exact(self) -> MarkdownProblem:
        """The same cohort with any discount any day: the unconstrained optimum's problem."""
        return replace(self, monotone=False, max_changes=self.days)


@dataclass(frozen=True)
class MarkdownStep:
    """From ``day`` (0 = today) on, sell at ``price`` (``discount`` off full price)."""

    day: int
    discount: float
    price: float


@dataclass(frozen=True)
class MarkdownPolicy:
    """A decision per day and state: ``choice[day, units_left, level, changes_used]``.

    ``value`` is the optimal expected revenue-to-go with the same indexing (``days + 1``
    days, the last being expiry).
    """

    problem: MarkdownProblem
    choice: np.ndarray
    value: np.ndarray

    def expected_revenue(self) -> float:
        return float(self.value[0, self.problem.stock, 0, 0])

    def schedule(self) -> tuple[MarkdownStep, ...]:
        """The discount path when each day sells its expected units (the plan to print)."""
        p = self.problem
        left, level, used = float(p.stock), 0, 0
        steps: list[MarkdownStep] = []
        for day in range(p.days):
            chosen = int(self.choice[day, round(left), level, used])
            if day == 0 or chosen != level:
                discount = p.discounts[chosen]
                steps.append(MarkdownStep(day, discount, round(p.price * (1 - discount), 2)))
            used += int(chosen != level)
            level = chosen
            left = max(left - _mean_units(p, day, chosen), 0.0)
        return tuple(steps)


PENALTY_LADDER = (0.0, 0.25, 0.5, 1.0, 2.0)
"""Waste penalties (x unit cost) ``margin_safe_markdown`` tries."""


@dataclass(frozen=True)
class MarkdownOutcome:
    """Expected results of running a policy on a cohort.

    ``neighbour_margin_lost``: margin the markdowns draw from substitutes (the problem's
    ``neighbours``), not in ``margin``.
    """

    revenue: float
    units_sold: float
    units_wasted: float
    margin: float
    neighbour_margin_lost: float = 0.0

    @property
    def waste_share(self) -> float:
        return self.units_wasted / max(self.units_sold + self.units_wasted, 1e-12)


def solve_markdown(problem: MarkdownProblem) -> MarkdownPolicy:
    """The optimal markdown policy by backward induction.

    Raises
    ------
    ValidationFailed
        A malformed problem (every bad field named).
    """
    found = problem.problems()
    if found:
        raise ValidationFailed(found, "markdown problem")
    n_levels, n_changes = len(problem.discounts), problem.max_changes + 1
    size = problem.stock + 1
    value = np.zeros((problem.days + 1, size, n_levels, n_changes))
    leftover_value = problem.salvage - problem.waste_penalty
    value[problem.days] = leftover_value * np.arange(size)[:, None, None]
    choice = np.zeros((problem.days, size, n_levels, n_changes), dtype=np.int16)
    prices = problem.price * (1 - np.asarray(problem.discounts))
    drawn = _drawn(problem)
    for day in range(problem.days - 1, -1, -1):
        # gain[x, l', n']: today's revenue at level l' plus the value of tomorrow's state
        gain = np.empty((size, n_levels, n_changes))
        for nxt in range(n_levels):
            moves, sold = _transition(problem, day, nxt)
            today = prices[nxt] * sold - drawn[nxt] * (np.arange(size) > 0)
            gain[:, nxt, :] = today[:, None] + moves @ value[day + 1, :, nxt, :]
        for level in range(n_levels):
            for used in range(n_changes):
                options = np.full((size, n_levels), -np.inf)
                for nxt in range(n_levels):
                    step = int(nxt != level)
                    if used + step < n_changes and (nxt >= level or not problem.monotone):
                        options[:, nxt] = gain[:, nxt, used + step]
                best = options.argmax(axis=1)
                choice[day, :, level, used] = best
                value[day, :, level, used] = options[np.arange(size), best]
    return MarkdownPolicy(problem, choice, value)


def evaluate(policy: MarkdownPolicy, truth: MarkdownProblem) -> MarkdownOutcome:
    """Expected outcome of ``policy`` when demand follows ``truth`` (same cohort and ladder).

    Exact: the distribution over states is pushed forward day by day.
    """
    size, n_levels = truth.stock + 1, len(truth.discounts)
    n_changes = policy.choice.shape[3]
    prices = truth.price * (1 - np.asarray(truth.discounts))
    drawn = _drawn(truth)
    mass = np.zeros((size, n_levels, n_changes))
    mass[truth.stock, 0, 0] = 1.0
    revenue = sold_total = lost = 0.0
    cache: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    for day in range(truth.days):
        after = np.zeros_like(mass)
        for level in range(n_levels):
            for used in range(n_changes):
                weight = mass[:, level, used]
                if not weight.any():
                    continue
                chosen = policy.choice[day, :, level, used]
                for nxt in np.unique(chosen[weight > 0]):
                    rows = weight * (chosen == nxt)
                    key = (day, int(nxt))
                    if key not in cache:
                        cache[key] = _transition(truth, day, int(nxt))
                    moves, sold = cache[key]
                    revenue += prices[nxt] * float(rows @ sold)
                    lost += drawn[nxt] * float(rows[1:].sum())
                    sold_total += float(rows @ sold)
                    after[:, nxt, min(used + int(nxt != level), n_changes - 1)] += rows @ moves
        mass = after
    left = float((mass.sum(axis=(1, 2)) * np.arange(size)).sum())
    margin = revenue + truth.salvage * left - truth.unit_cost * truth.stock
    return MarkdownOutcome(revenue, sold_total, left, margin, lost)


def margin_safe_markdown(
    problem: MarkdownProblem, penalties: Sequence[float] = PENALTY_LADDER
) -> MarkdownPolicy:
    """The least-waste policy among the DP's over ``penalties`` (x unit cost) whose
    expected margin, substitutes' lost margin counted, is no worse than no markdown's
    under the problem's own model (``problem.waste_penalty`` is ignored).

    Penalty 0 always qualifies (no markdown is a feasible schedule of its DP), so the
    answer never gives up expected margin to cut waste.
    """
    plain = replace(problem, waste_penalty=0.0)
    floor = _net_margin(evaluate(rule_policy(plain, 0.0, 0), plain))
    best: tuple[float, MarkdownPolicy] | None = None
    for factor in sorted(set(penalties) | {0.0}):
        policy = solve_markdown(replace(plain, waste_penalty=factor * problem.unit_cost))
        outcome = evaluate(policy, plain)
        if _net_margin(outcome) >= floor - _tolerance(floor) and (
            best is None or outcome.units_wasted < best[0]
        ):
            best = (outcome.units_wasted, policy)
    assert best is not None  # penalty 0 maximises the net margin, no markdown included
    return best[1]


ORDER_STEPS = 4
"""Even steps from the shelf-life cap up to today's order that ``margin_safe_order``
tries (sizes rounded to whole units, so fewer where the gap is small)."""


def fresh_order(problem: MarkdownProblem) -> int:
    """Units the cohort is expected to sell while fresh at full price: the replenishment
    planner's shelf-life cap (``PlanSettings.shelf_life`` keeps no more stock than sells
    within its life), rounded up."""
    return math.ceil(float(np.sum(problem.units_per_day)) - 1e-9)


def margin_safe_order(problem: MarkdownProblem, steps: int = ORDER_STEPS) -> MarkdownPolicy:
    """Order less of what will expire, then mark down what is left: the smallest cohort
    from the shelf-life cap (``fresh_order``) up to today's order (``problem.stock``)
    whose margin-safe markdown keeps the expected margin, substitutes' lost margin
    counted, at least that of today's order sold without markdown, with that markdown
    policy (its ``problem.stock`` is the order).

    Today's order with its margin-safe markdown always qualifies, so under the problem's
    model neither lever gives up expected margin; a cap at or above today's order leaves
    the order as it is.
    """
    plain = replace(problem, waste_penalty=0.0)
    floor = _net_margin(evaluate(rule_policy(plain, 0.0, 0), plain))
    cap = min(fresh_order(problem), problem.stock)
    sizes = sorted({round(float(q)) for q in np.linspace(cap, problem.stock, steps + 1)})
    for size in sizes[:-1]:
        cohort = replace(plain, stock=size)
        policy = margin_safe_markdown(cohort)
        if _net_margin(evaluate(policy, cohort)) >= floor - _tolerance(floor):
            return policy
    return margin_safe_markdown(plain)


def _tolerance(floor: float) -> float:
    """Slack for rounding when an expected margin is compared with the floor."""
    return 1e-9 * max(abs(floor), 1.0)


def _net_margin(outcome: MarkdownOutcome) -> float:
    return outcome.margin - outcome.neighbour_margin_lost


def _drawn(problem: MarkdownProblem) -> np.ndarray:
    """Margin per day drawn from the substitutes at each discount level."""
    discounts = np.asarray(problem.discounts)
    drawn = np.zeros(len(discounts))
    for margin, cross in problem.neighbours:
        drawn += margin * (1 - (1 - discounts) ** cross)
    return drawn


def rule_policy(problem: MarkdownProblem, discount: float, days_before: int) -> MarkdownPolicy:
    """The rule-based ladder: full price, then ``discount`` off for the last ``days_before``."""
    level = int(np.argmin(np.abs(np.asarray(problem.discounts) - discount)))
    shape = (problem.days, problem.stock + 1, len(problem.discounts), problem.max_changes + 1)
    choice = np.zeros(shape, dtype=np.int16)
    choice[max(problem.days - days_before, 0) :] = level
    return MarkdownPolicy(problem, choice, np.zeros((problem.days + 1, *shape[1:])))


def _mean_units(problem: MarkdownProblem, day: int, level: int) -> float:
    discount = problem.discounts[level]
    return float(problem.units_per_day[day] * (1 - discount) ** -problem.elasticity)


def _transition(problem: MarkdownProblem, day: int, level: int) -> tuple[np.ndarray, np.ndarray]:
    """Stock moves ``moves[x, y]`` (x units left -> y) and expected units sold ``sold[x]``."""
    size = problem.stock + 1
    mean = max(_mean_units(problem, day, level), 1e-12)
    demand = np.arange(size)
    if problem.noise_shape is None:
        pmf = stats.poisson.pmf(demand, mean)
    else:
        shape = problem.noise_shape
        pmf = stats.nbinom.pmf(demand, shape, shape / (shape + mean))
    at_least = 1.0 - np.concatenate([[0.0], np.cumsum(pmf)[:-1]])  # P(D >= x)
    x = demand[:, None]
    d = demand[None, :]
    moves = np.zeros((size, size))
    below = d < x
    rows, cols = np.nonzero(below)
    moves[rows, rows - cols] = pmf[cols]
    moves[:, 0] += np.clip(at_least, 0.0, 1.0)
    sold = np.concatenate([[0.0], np.cumsum(demand * pmf)[:-1]]) + demand * np.clip(at_least, 0, 1)
    return moves, sold
