"""Portfolio prices: one ladder price per SKU, maximising the margin of SKUs and substitutes.

Demand of a SKU depends on its own price and on its substitutes' prices only, so the
problem splits into the connected components of the substitution graph. Each component's
joint price choices are enumerated exactly (or, for a large component, found by
coordinate ascent), and only the best stock-feasible choice per number of price changes is
kept. A CP-SAT model then picks one choice per component under the scope-wide rule
(``max_price_changes``): a multiple-choice knapsack that OR-Tools proves optimal. Selling
no more than stock plus inbound is a constraint as long as any choice meets it; where
none does, the margin counts only the units the stock can sell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model
from scipy import sparse

from supplynet.optimizer.pricing.ladder import Ladder, PriceRules, build_ladder

MAX_ENUMERATED = 20_000
"""Joint price choices of one component enumerated exactly; larger ones use coordinate ascent."""


@dataclass(frozen=True)
class PortfolioProblem:
    """A scope's SKUs with today's prices and their demand response over a horizon.

    ``cross`` holds ``(k, j, g)``: ``d log units[k] / d log price[j] = g`` (substitutes:
    g >= 0). ``supply`` is the stock plus inbound each SKU can sell over the horizon
    (``inf`` when unknown).

    Shapes
    ------
    current_price, unit_cost, units_per_day, elasticity, supply: (skus,)
    """

    sku_ids: tuple[str, ...]
    current_price: np.ndarray
    unit_cost: np.ndarray
    units_per_day: np.ndarray
    elasticity: np.ndarray
    cross: tuple[tuple[int, int, float], ...]
    supply: np.ndarray
    horizon_days: float

    def units_at(self, prices: np.ndarray) -> np.ndarray:
        """Expected units per day at ``prices`` (shape ``(..., skus)``)."""
        log_ratio = np.log(prices / self.current_price)
        log_units = np.log(self.units_per_day) - self.elasticity * log_ratio
        if self.cross:
            edges = np.array(self.cross)
            n = len(self.sku_ids)
            matrix = sparse.csr_matrix(
                (edges[:, 2], (edges[:, 0].astype(int), edges[:, 1].astype(int))), shape=(n, n)
            )
            flat = log_ratio.reshape(-1, n)
            log_units = log_units + np.asarray(matrix @ flat.T).T.reshape(log_units.shape)
        return np.asarray(np.exp(log_units))

    def margin_at(self, prices: np.ndarray) -> np.ndarray:
        """Gross margin per day of each SKU at ``prices`` (shape ``(..., skus)``)."""
        return np.asarray((prices - self.unit_cost) * self.units_at(prices))


@dataclass(frozen=True)
class Choice:
    """Joint ladder positions for one component with their margin and price-change count."""

    positions: tuple[int, ...]
    margin: float
    changes: int
    feasible: bool


@dataclass(frozen=True)
class Component:
    """SKUs linked by substitution, their ladders, and the choices worth offering the solver."""

    members: tuple[int, ...]
    edges: tuple[tuple[int, int, float], ...]
    ladders: tuple[Ladder, ...]
    choices: tuple[Choice, ...]
    best_ignoring_stock: Choice
    exact: bool


@dataclass(frozen=True)
class PortfolioSolution:
    """The chosen price per SKU and how the solve went."""

    prices: np.ndarray
    components: tuple[Component, ...]
    chosen: tuple[Choice, ...]
    status: str
    objective_per_day: float


def components_of(n_skus: int, cross: Sequence[tuple[int, int, float]]) -> list[list[int]]:
    """Connected components of the substitution graph (union-find), each sorted."""
    parent = list(range(n_skus))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k, j, _ in cross:
        parent[root(k)] = root(j)
    groups: dict[int, list[int]] = {}
    for x in range(n_skus):
        groups.setdefault(root(x), []).append(x)
    return list(groups.values())


def solve_portfolio(problem: PortfolioProblem, rules: PriceRules) -> PortfolioSolution:
    """Choose a ladder price per SKU maximising the scope's gross margin per day.

    Rules are assumed checked (``PriceRules.check``).
    """
    ladders = [
        build_ladder(float(p), float(c), rules)
        for p, c in zip(problem.current_price, problem.unit_cost, strict=True)
    ]
    groups = components_of(len(problem.sku_ids), problem.cross)
    where = {k: (c, i) for c, members in enumerate(groups) for i, k in enumerate(members)}
    edges: list[list[tuple[int, int, float]]] = [[] for _ in groups]
    for k, j, g in problem.cross:
        c, i = where[k]
        edges[c].append((i, where[j][1], g))
    components = [
        _component(problem, ladders, members, local)
        for members, local in zip(groups, edges, strict=True)
    ]
    chosen, status, objective = _pick(components, rules.max_price_changes)
    prices = problem.current_price.astype(float).copy()
    for component, choice in zip(components, chosen, strict=True):
        for k, ladder, pos in zip(
            component.members, component.ladders, choice.positions, strict=True
        ):
            prices[k] = ladder.prices[pos]
    return PortfolioSolution(prices, tuple(components), tuple(chosen), status, objective)


def _component(
    problem: PortfolioProblem,
    ladders: list[Ladder],
    members: list[int],
    edges: list[tuple[int, int, float]],
) -> Component:
    own = [ladders[k] for k in members]
    sizes = [len(ladder.prices) for ladder in own]
    exact = int(np.prod(sizes)) <= MAX_ENUMERATED
    if exact:
        grid = np.stack(np.meshgrid(*[np.arange(s) for s in sizes], indexing="ij"), -1)
        positions = grid.reshape(-1, len(members))
    else:
        positions = _ascend(problem, own, members, edges)
    margin, feasible, changes, uncapped = _evaluate(problem, own, members, edges, positions)
    best_any = int(np.argmax(uncapped))
    choices: list[Choice] = []
    for count in np.unique(changes):
        candidates = np.flatnonzero(feasible & (changes == count))
        if len(candidates):
            best = int(candidates[np.argmax(margin[candidates])])
            choices.append(_choice(positions[best], margin[best], count, True))
    today = np.array([ladder.current for ladder in own])
    if not any(c.changes == 0 for c in choices) and (today >= 0).all():
        # Today's prices stay on offer even when they oversell the stock (their margin
        # then counts only what the stock can sell), so a cap on price changes is always
        # met; the solver takes a stock-infeasible choice only where nothing else fits.
        margin_today, feasible_today, _, _ = _evaluate(problem, own, members, edges, today[None, :])
        choices.append(_choice(today, margin_today[0], 0, bool(feasible_today[0])))
    if not choices:
        # Nothing sells within stock: the highest prices sell the least, so take them.
        top = np.array([s - 1 for s in sizes])
        margin_top, _, changes_top, _ = _evaluate(problem, own, members, edges, top[None, :])
        choices.append(_choice(top, margin_top[0], changes_top[0], False))
    return Component(
        members=tuple(members),
        edges=tuple(edges),
        ladders=tuple(own),
        choices=tuple(choices),
        best_ignoring_stock=_choice(
            positions[best_any], uncapped[best_any], changes[best_any], bool(feasible[best_any])
        ),
        exact=exact,
    )


def _choice(positions: np.ndarray, margin: float, changes: int, feasible: bool) -> Choice:
    return Choice(tuple(int(p) for p in positions), float(margin), int(changes), feasible)


def _evaluate(
    problem: PortfolioProblem,
    ladders: list[Ladder],
    members: list[int],
    edges: list[tuple[int, int, float]],
    positions: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Margin per day (sales capped by stock), stock feasibility, change count and the
    uncapped margin of joint choices ``(choices, n)``.

    Only the component's own SKUs are priced: ``edges`` are its substitution edges in
    component positions (they never leave a component).
    """
    current = problem.current_price[members]
    prices = np.column_stack([ladder.prices[positions[:, i]] for i, ladder in enumerate(ladders)])
    changes = (np.abs(prices - current) > 1e-9).sum(axis=1)
    units = local_units(problem, members, edges, prices)
    sellable = problem.supply[members] / problem.horizon_days
    unit_margin = prices - problem.unit_cost[members]
    margin = (unit_margin * np.minimum(units, sellable)).sum(axis=1)
    feasible = np.asarray((units <= sellable + 1e-9).all(axis=1))
    return margin, feasible, changes, (unit_margin * units).sum(axis=1)


def local_units(
    problem: PortfolioProblem,
    members: Sequence[int],
    edges: Sequence[tuple[int, int, float]],
    prices: np.ndarray,
) -> np.ndarray:
    """Units per day of a component's SKUs at its prices ``(choices, n)``; edges local."""
    log_ratio = np.log(prices / problem.current_price[members])
    log_units = np.log(problem.units_per_day[members]) - problem.elasticity[members] * log_ratio
    for i, j, g in edges:
        log_units[:, i] += g * log_ratio[:, j]
    return np.asarray(np.exp(log_units))


def _ascend(
    problem: PortfolioProblem,
    ladders: list[Ladder],
    members: list[int],
    edges: list[tuple[int, int, float]],
    sweeps: int = 20,
) -> np.ndarray:
    """Joint choices for a large component: today's prices and a coordinate-ascent optimum."""
    today = np.array([max(ladder.current, 0) for ladder in ladders])
    point = today.copy()
    for _ in range(sweeps):
        moved = False
        for i, ladder in enumerate(ladders):
            trial = np.repeat(point[None, :], len(ladder.prices), axis=0)
            trial[:, i] = np.arange(len(ladder.prices))
            margin, feasible, _, _ = _evaluate(problem, ladders, members, edges, trial)
            score = np.where(feasible, margin, -np.inf)
            best = int(np.argmax(score)) if np.isfinite(score).any() else point[i]
            if best != point[i] and score[best] > score[point[i]] + 1e-12:
                point[i], moved = best, True
        if not moved:
            break
    return np.stack([today, point])


def _pick(components: list[Component], max_changes: int | None) -> tuple[list[Choice], str, float]:
    """One choice per component maximising total margin, at most ``max_changes`` changes."""
    model = cp_model.CpModel()
    picks = []
    for c, component in enumerate(components):
        options = [model.new_bool_var(f"c{c}_{i}") for i in range(len(component.choices))]
        model.add_exactly_one(options)
        picks.append(options)
    pairs = [
        (var, choice)
        for component, options in zip(components, picks, strict=True)
        for var, choice in zip(options, component.choices, strict=True)
    ]
    if max_changes is not None:
        model.add(sum(choice.changes * var for var, choice in pairs) <= max_changes)
    scale = 100.0  # margins in cents per day
    # Overselling stock is avoided first, margin maximised second (lexicographic weights).
    oversell = 1 + 2 * sum(round(abs(choice.margin) * scale) for _, choice in pairs)
    model.maximize(
        sum(
            (round(choice.margin * scale) - (0 if choice.feasible else oversell)) * var
            for var, choice in pairs
        )
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    code = solver.solve(model)
    status = solver.status_name(code)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # Only rules that forbid today's price and cap changes get here: fewest changes.
        fallback = [min(component.choices, key=lambda ch: ch.changes) for component in components]
        return fallback, status, sum(ch.margin for ch in fallback)
    chosen = [
        next(ch for var, ch in zip(options, component.choices, strict=True) if solver.value(var))
        for component, options in zip(components, picks, strict=True)
    ]
    return chosen, status, sum(ch.margin for ch in chosen)
