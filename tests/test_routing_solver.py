"""The portfolio router: every returned route holds every constraint, by the evaluator."""

from __future__ import annotations

import itertools
import math

import pytest
from routing_support import line_problem, mixed_problem

from supplynet.graph.deadline import Deadline, ManualClock
from supplynet.optimizer.routing.engine import SearchConfig
from supplynet.optimizer.routing.evaluator import evaluate
from supplynet.optimizer.routing.matrix import integer_model
from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.routing.pyvrp_engine import Cooperation, SharedBest, solve_pyvrp
from supplynet.optimizer.routing.schedule import RouteSchedule
from supplynet.optimizer.routing.solver import (
    COOPERATE_ABOVE_STOPS,
    default_portfolio,
    engines_for,
    portfolio_roles,
    run_one,
    run_portfolio,
    solve,
)
from supplynet.optimizer.workers import worker_context


def _recheck(problem: RoutingProblem, schedule: RouteSchedule) -> None:
    """Re-evaluate the schedule's visit orders from scratch and compare its numbers."""
    pos = {s.id: i for i, s in enumerate(problem.stops)}
    by_vehicle = {r.vehicle_id: r for r in schedule.routes}
    routes = [
        tuple(pos[s.stop_id] for s in by_vehicle[v.id].stops) if v.id in by_vehicle else ()
        for v in problem.vehicles
    ]
    ev = evaluate(integer_model(problem), routes, [s.id for s in problem.stops])
    assert ev.feasible, ev.violations
    assert ev.distance_km == pytest.approx(schedule.distance_km)
    assert len(ev.unserved) == len(schedule.unserved)
    for route in schedule.routes:
        vehicle = next(v for v in problem.vehicles if v.id == route.vehicle_id)
        assert route.load_kg <= vehicle.capacity_kg
        assert vehicle.shift_start_min <= route.depart_min <= route.return_min
        assert route.return_min <= (vehicle.shift_end_min or math.inf)
        if vehicle.max_duration_min is not None:
            assert route.duration_min <= vehicle.max_duration_min
        if vehicle.driver_break is not None:
            assert route.break_start_min is not None
            b = vehicle.driver_break
            assert b.earliest_start_min <= route.break_start_min <= b.latest_start_min
        for stop in route.stops:
            record = problem.stops[pos[stop.stop_id]]
            assert record.window_open_min <= stop.start_min <= (record.window_close_min or math.inf)
            assert stop.arrival_min <= stop.start_min


@pytest.fixture(scope="module")
def mixed() -> RoutingProblem:
    return mixed_problem()


@pytest.fixture(scope="module")
def mixed_schedule(mixed: RoutingProblem) -> RouteSchedule:
    return solve(mixed, time_limit_s=3.0, workers=2)


def test_mixed_fleet_routes_hold_every_constraint(
    mixed: RoutingProblem, mixed_schedule: RouteSchedule
) -> None:
    """Windows, both capacities, shifts, route length and breaks hold on every route."""
    assert mixed_schedule.stops_served > 0
    _recheck(mixed, mixed_schedule)
    assert {r.depot_id for r in mixed_schedule.routes} == {"W1", "W2"}


def test_deadline_bounds_the_time_limit(mixed: RoutingProblem) -> None:
    """A request deadline shorter than ``time_limit_s`` sets the limit, less the reply reserve."""
    clock = ManualClock(100.0)
    deadline = Deadline.after(1.25, clock)
    schedule = solve(mixed, time_limit_s=30.0, workers=2, deadline=deadline)
    assert schedule.stats.time_limit_s == pytest.approx(deadline.solver_limit())
    assert schedule.stats.time_limit_s == pytest.approx(1.0)
    assert len(schedule.stats.runs) == 2


def test_every_engine_returns_evaluator_feasible_routes() -> None:
    """OR-Tools starts and PyVRP each give routes the evaluator accepts (no breaks here)."""
    problem = line_problem(
        [
            {
                "id": f"S{i}",
                "pos": p,
                "demand_kg": 30,
                "window_open_min": w,
                "window_close_min": w + 60,
                "service_min": 5,
            }
            for i, (p, w) in enumerate([(5, 0), (-8, 20), (12, 40), (-3, 60), (20, 30), (9, 90)])
        ],
        vehicles=[{"id": f"T{k}", "depot_id": "W1", "capacity_kg": 100} for k in range(3)],
    )
    model = integer_model(problem)
    ids = [s.id for s in problem.stops]
    configs = [
        SearchConfig("pyvrp", seed=1),
        SearchConfig("ortools", "SAVINGS"),
        SearchConfig("ortools", "PATH_CHEAPEST_ARC", mandatory=True),
    ]
    for config in configs:
        run = run_one(model, config, 0.5, frozenset())
        assert run.found, config
        ev = evaluate(model, run.routes, ids)
        assert ev.feasible and not ev.unserved, (config, ev.violations)


def test_agrees_with_brute_force_on_a_toy_tsp() -> None:
    """One truck, five stops, no windows: the solver finds the best of all 120 orders."""
    positions = [7.0, -4.0, 11.0, 2.5, -9.0]
    problem = line_problem([{"id": f"S{i}", "pos": p} for i, p in enumerate(positions)])
    model = integer_model(problem)
    best = min(
        sum(model.distance_km[a, b] for a, b in itertools.pairwise((0, *(1 + i for i in o), 0)))
        for o in itertools.permutations(range(5))
    )
    schedule = solve(problem, time_limit_s=1.0, workers=1)
    assert schedule.distance_km == pytest.approx(best)


def test_fixed_cost_reduces_the_fleet() -> None:
    """Without a fixed cost two trucks split a line; with one, a single truck does both."""
    stops = [{"id": "A", "pos": 10}, {"id": "B", "pos": -10}]
    fleet = [{"id": f"T{k}", "depot_id": "W1", "capacity_kg": 9} for k in range(2)]
    depots = {"W1": 0.0}
    free = solve(line_problem(stops, fleet, depots), time_limit_s=0.5, workers=1)
    assert free.vehicles_used in (1, 2)
    paid = [{**v, "fixed_cost": 100} for v in fleet]
    schedule = solve(line_problem(stops, paid, depots), time_limit_s=0.5, workers=1)
    assert schedule.vehicles_used == 1
    assert schedule.cost == pytest.approx(40 + 100)


def test_a_problem_with_breaks_goes_to_ortools(mixed: RoutingProblem) -> None:
    """PyVRP cannot model breaks, so only OR-Tools searches run, on any number of cores."""
    assert [c.engine for c in default_portfolio(mixed, 4)] == ["ortools"] * 4
    assert [c.engine for c in default_portfolio(mixed, 1)] == ["ortools"]
    assert engines_for(integer_model(mixed)) == ("ortools",)


def test_a_problem_without_breaks_goes_to_pyvrp() -> None:
    """Without breaks PyVRP takes every core (distinct seeds), one core included."""
    plain = line_problem([{"id": "S1", "pos": 1}, {"id": "S2", "pos": -2}])
    assert default_portfolio(plain, 1) == (SearchConfig("pyvrp", seed=0),)
    assert [(c.engine, c.seed) for c in default_portfolio(plain, 3)] == [
        ("pyvrp", 0),
        ("pyvrp", 1),
        ("pyvrp", 2),
    ]
    schedule = solve(plain, time_limit_s=0.5, workers=1)
    assert schedule.stats.winner == "pyvrp(seed=0)"
    assert schedule.stops_served == 2


def test_a_failing_engine_is_recorded_and_every_stop_says_why() -> None:
    """A search that raises is a failed run with its reason; with no solution at all,
    every stop is unserved with the engines' reasons, and the schedule warns."""
    problem = line_problem([{"id": "S1", "pos": 1}, {"id": "S2", "pos": 3}])
    broken = SearchConfig("ortools", "NO_SUCH_STRATEGY")
    schedule = solve(problem, time_limit_s=0.5, workers=1, portfolio=[broken])
    (search,) = schedule.stats.searches
    assert not search.found
    assert "failed: AttributeError" in search.detail
    assert {u.reason_code for u in schedule.unserved} == {"no_engine_solution"}
    assert all("NO_SUCH_STRATEGY" in u.reason for u in schedule.unserved)
    assert schedule.warnings and "2 stops not served" in schedule.warnings[0]


def test_a_search_the_problem_rules_out_is_listed_with_its_reason(mixed: RoutingProblem) -> None:
    """Asking PyVRP for a problem with breaks: it is left out, said so, OR-Tools runs."""
    schedule = solve(mixed, time_limit_s=1.0, workers=1, portfolio=[SearchConfig("pyvrp")])
    names = {s.name: s for s in schedule.stats.searches}
    assert names["pyvrp(seed=0)"].detail == "engine cannot express this problem"
    assert schedule.stats.winner.startswith("ortools")


def _on_a_line(n: int) -> RoutingProblem:
    """``n`` stops of 10 kg on a line, trucks of 100 kg: a route per ten stops."""
    stops = [{"id": f"S{i}", "pos": (i % 40) - 20 + i / 1000, "demand_kg": 10} for i in range(n)]
    trucks = [{"id": f"T{k}", "depot_id": "W1", "capacity_kg": 100} for k in range(n // 10 + 2)]
    return line_problem(stops, trucks)


def test_pyvrp_members_cooperate_on_large_days_only() -> None:
    """Beyond COOPERATE_ABOVE_STOPS the second PyVRP member follows the first; up to it,
    or when the first search is OR-Tools, all search on their own. The leader's answer
    is there even when its follower gets no CPU (it yields every contended cycle)."""
    context = worker_context("supplynet.optimizer.routing.solver")
    seeds = [SearchConfig("pyvrp", seed=0), SearchConfig("pyvrp", seed=1)]
    small = integer_model(_on_a_line(COOPERATE_ABOVE_STOPS))
    problem = _on_a_line(COOPERATE_ABOVE_STOPS + 1)
    large = integer_model(problem)
    assert portfolio_roles(context, small, seeds, 1.0) == [None, None]
    lead, follow = portfolio_roles(context, large, seeds, 1.0)
    assert lead is not None and follow is not None
    assert lead.lead and not follow.lead and lead.shared is follow.shared
    ortools_first = [SearchConfig("ortools"), *seeds]
    assert portfolio_roles(context, large, ortools_first, 1.0) == [None] * 3
    leader = run_portfolio(large, seeds, 0.5, frozenset())[0]
    assert leader.found and "restarted" not in leader.detail
    assert evaluate(large, leader.routes, [s.id for s in problem.stops]).feasible


def test_the_leader_publishes_its_best_and_a_follower_uses_it() -> None:
    """The leader's published routes visit every stop once (PyVRP client numbers), with
    the reloads of a multi-trip truck; a follower given them ends with evaluator-feasible
    routes; publications are numbered."""
    stops = [{"id": f"S{i}", "pos": i % 7 - 3 + i / 100, "demand_kg": 10} for i in range(30)]
    truck = {"id": "T", "depot_id": "W1", "capacity_kg": 100, "max_trips": 4}
    problem = line_problem(stops, [truck])
    model = integer_model(problem)
    shared = SharedBest(worker_context("supplynet.optimizer.routing.solver"), model.n_nodes)
    assert shared.newer(0) == (0, None)
    lead = solve_pyvrp(
        model,
        SearchConfig("pyvrp"),
        Deadline.after(1.0),
        frozenset(),
        Cooperation(shared, True, 0.05),
    )
    seen, routes = shared.newer(0)
    assert seen >= 1 and routes is not None
    visits = [v for _, route in routes for v in route]
    assert sorted(v for v in visits if v >= 0) == list(range(len(problem.stops)))
    assert set(visits) - set(range(len(problem.stops))) == {-1}  # reloads at depot 0
    assert shared.newer(seen) == (seen, None)
    follower = solve_pyvrp(
        model,
        SearchConfig("pyvrp", seed=1),
        Deadline.after(1.0),
        frozenset(),
        Cooperation(shared, False, 0.05),
    )
    assert "restarted" in follower.detail
    ids = [s.id for s in problem.stops]
    for run in (lead, follower):
        assert run.found
        assert evaluate(model, run.routes, ids).feasible
