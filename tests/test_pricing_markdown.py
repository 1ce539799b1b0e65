"""Markdown DP: schedules a store can run, the exact optimum above them, exact evaluation.

Properties: along every state the policy reaches, discounts only deepen and change at most
``max_changes`` times; the DP's value equals its exact evaluation on the same problem; the
unconstrained optimum is never worse, and it agrees with brute force over every open-loop
schedule on a two-day cohort it dominates; markdowns cut expected waste against full price;
a waste penalty trades margin for less waste, and the margin-safe policy takes the least
waste that keeps the expected margin (substitutes counted) at no markdown's; ordering with
markdowns, a short-lived cohort that markdowns cannot clear is ordered down towards what
sells while fresh and wastes less at no less margin, while a cohort whose lost sales cost
more than its waste keeps today's order; a malformed problem names its fields.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from supplynet.graph.errors import ValidationFailed
from supplynet.optimizer.pricing import (
    MarkdownProblem,
    evaluate,
    fresh_order,
    margin_safe_markdown,
    margin_safe_order,
    rule_policy,
    solve_markdown,
)

COHORT = MarkdownProblem(
    stock=40,
    price=4.0,
    unit_cost=2.0,
    units_per_day=np.array([6.0, 5.0, 5.0, 7.0, 4.0]),
    elasticity=2.2,
    max_changes=2,
)


def reachable_paths_are_monotone(problem: MarkdownProblem) -> None:
    policy = solve_markdown(problem)
    states = {(problem.stock, 0, 0)}
    for day in range(problem.days):
        following = set()
        for left, level, used in states:
            chosen = int(policy.choice[day, left, level, used])
            assert chosen >= level
            now_used = used + int(chosen != level)
            assert now_used <= problem.max_changes
            following |= {(y, chosen, now_used) for y in range(left + 1)}
        states = following


@pytest.mark.parametrize("max_changes", [0, 1, 2])
def test_discounts_only_deepen_and_change_at_most_n_times(max_changes: int) -> None:
    reachable_paths_are_monotone(replace(COHORT, max_changes=max_changes))


def test_value_equals_exact_evaluation_and_the_optimum_is_above() -> None:
    policy = solve_markdown(COHORT)
    outcome = evaluate(policy, COHORT)
    assert outcome.revenue == pytest.approx(policy.expected_revenue(), rel=1e-9)
    exact = solve_markdown(COHORT.exact())
    assert exact.expected_revenue() >= policy.expected_revenue() - 1e-9
    assert evaluate(exact, COHORT.exact()).revenue == pytest.approx(exact.expected_revenue())


def test_exact_dp_beats_every_open_loop_schedule() -> None:
    small = replace(COHORT, stock=12, units_per_day=np.array([5.0, 4.0]), discounts=(0, 0.2, 0.4))
    exact = solve_markdown(small.exact()).expected_revenue()
    best = 0.0
    for levels in itertools.product(range(3), repeat=2):
        choice = np.zeros((2, 13, 3, 3), dtype=np.int16)
        for day, level in enumerate(levels):
            choice[day] = level
        fixed = replace(solve_markdown(small.exact()), choice=choice)
        best = max(best, evaluate(fixed, small.exact()).revenue)
    assert exact >= best - 1e-9
    assert exact <= best * 1.2


def test_markdowns_cut_waste_and_a_penalty_cuts_more() -> None:
    full_price = evaluate(rule_policy(COHORT, 0.0, 0), COHORT)
    plain = evaluate(solve_markdown(COHORT), COHORT)
    penalised = evaluate(solve_markdown(replace(COHORT, waste_penalty=2.0)), COHORT)
    assert plain.units_wasted < full_price.units_wasted
    assert plain.margin >= full_price.margin
    assert penalised.units_wasted <= plain.units_wasted
    assert penalised.margin <= plain.margin + 1e-9


@pytest.mark.parametrize("neighbours", [(), ((4.0, 2.0),)])
def test_margin_safe_policy_cuts_waste_without_giving_up_margin(
    neighbours: tuple[tuple[float, float], ...],
) -> None:
    cohort = replace(COHORT, stock=60, neighbours=neighbours)
    safe = evaluate(margin_safe_markdown(cohort), cohort)
    flat = evaluate(rule_policy(cohort, 0.0, 0), cohort)
    plain = evaluate(solve_markdown(cohort), cohort)
    assert safe.margin - safe.neighbour_margin_lost >= flat.margin - flat.neighbour_margin_lost
    assert safe.units_wasted <= plain.units_wasted + 1e-9
    assert safe.units_wasted < flat.units_wasted


SHORT_LIVED = MarkdownProblem(
    stock=39,
    price=2.8,
    unit_cost=2.0,
    units_per_day=np.array([10.0, 10.0, 10.0]),
    elasticity=0.9,
)
"""Three days of life, today's order 1.3 x what sells while fresh, inelastic: a markdown
deep enough to move units sells below cost."""


def test_short_lived_cohort_is_ordered_down_and_wastes_less() -> None:
    policy = margin_safe_order(SHORT_LIVED)
    order = policy.problem.stock
    assert fresh_order(SHORT_LIVED) == 30
    assert 30 <= order < SHORT_LIVED.stock
    ordered = evaluate(policy, replace(SHORT_LIVED, stock=order))
    today = evaluate(rule_policy(SHORT_LIVED, 0.0, 0), SHORT_LIVED)
    marked_down = evaluate(margin_safe_markdown(SHORT_LIVED), SHORT_LIVED)
    assert ordered.units_wasted < 0.5 * today.units_wasted
    assert ordered.units_wasted < marked_down.units_wasted
    assert ordered.margin >= today.margin


def test_order_stays_where_lost_sales_cost_more_than_waste() -> None:
    dear = replace(SHORT_LIVED, stock=36, price=10.0, unit_cost=1.0)
    policy = margin_safe_order(dear)
    assert policy.problem.stock == dear.stock
    safe = evaluate(policy, dear)
    assert safe.margin >= evaluate(rule_policy(dear, 0.0, 0), dear).margin - 1e-9


def test_substitutes_drawn_away_make_markdowns_shallower() -> None:
    alone = evaluate(solve_markdown(COHORT), COHORT)
    linked = solve_markdown(replace(COHORT, neighbours=((40.0, 2.0),)))
    assert evaluate(linked, COHORT).units_sold <= alone.units_sold


def test_schedule_starts_today_and_deepens() -> None:
    steps = solve_markdown(COHORT).schedule()
    assert steps[0].day == 0
    assert [s.discount for s in steps] == sorted(s.discount for s in steps)
    assert len(steps) - 1 <= COHORT.max_changes


def test_malformed_problem_names_fields() -> None:
    bad = replace(COHORT, stock=-1, discounts=(0.2, 0.1), max_changes=-1)
    with pytest.raises(ValidationFailed) as caught:
        solve_markdown(bad)
    assert {p.path for p in caught.value.problems} == {"stock", "discounts", "max_changes"}
