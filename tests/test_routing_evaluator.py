"""The independent evaluator recomputes times, loads and costs, and flags each violation."""

from __future__ import annotations

import pytest
from routing_support import line_problem

from supplynet.optimizer.routing.evaluator import BEFORE_START, evaluate
from supplynet.optimizer.routing.matrix import integer_model


def _eval(problem, routes):  # type: ignore[no-untyped-def]
    return evaluate(integer_model(problem), routes, [s.id for s in problem.stops])


def test_times_loads_and_cost_by_hand() -> None:
    """Depot at 0, stops at 10 and 30 km (1 km = 1 min); the truck waits for S1's window."""
    problem = line_problem(
        [
            {
                "id": "S1",
                "pos": 10,
                "window_open_min": 20,
                "window_close_min": 40,
                "service_min": 5,
                "demand_kg": 30,
            },
            {"id": "S2", "pos": 30, "service_min": 10, "demand_kg": 50},
        ],
        vehicles=[
            {"id": "T1", "depot_id": "W1", "capacity_kg": 100, "fixed_cost": 7, "cost_per_km": 2}
        ],
    )
    ev = _eval(problem, [(0, 1)])
    assert ev.feasible
    (route,) = ev.routes
    # departure delayed from 0 to 10 so the truck arrives at S1 exactly when it opens
    assert route.depart_min == 10
    assert route.arrival_min == (20, 45)
    assert route.start_min == (20, 45)
    assert route.departure_min == (25, 55)
    assert route.return_min == 85
    assert route.load_on_arrival_kg == (80, 50)
    assert route.distance_km == 60
    assert route.cost == pytest.approx(60 * 2 + 7)
    assert ev.unserved == ()


def test_each_violation_is_reported() -> None:
    """A late window, an overloaded truck, an overrun shift and a long route all show up."""
    problem = line_problem(
        [
            {"id": "S1", "pos": 50, "window_close_min": 30, "demand_kg": 80},
            {"id": "S2", "pos": 60, "demand_kg": 80},
        ],
        vehicles=[
            {
                "id": "T1",
                "depot_id": "W1",
                "capacity_kg": 100,
                "shift_end_min": 100,
                "max_duration_min": 90,
            }
        ],
    )
    ev = _eval(problem, [(0, 1)])
    text = " | ".join(ev.violations)
    assert "after its window closes" in text
    assert "over capacity" in text
    assert "returns at 120" in text
    assert not ev.feasible
    ok = _eval(
        line_problem(
            [{"id": "S1", "pos": 40}],
            vehicles=[{"id": "T1", "depot_id": "W1", "capacity_kg": 1, "max_duration_min": 79}],
        ),
        [(0,)],
    )
    assert "route takes 80 min" in " ".join(ok.violations)


def test_duplicate_and_missing_stops() -> None:
    """A stop on two routes is an error; a stop on none is unserved."""
    problem = line_problem(
        [{"id": "S1", "pos": 1}, {"id": "S2", "pos": 2}, {"id": "S3", "pos": 3}],
        vehicles=[{"id": f"T{k}", "depot_id": "W1", "capacity_kg": 10} for k in range(2)],
    )
    ev = _eval(problem, [(0,), (0, 1)])
    assert "stop S1 visited twice" in ev.violations
    assert ev.unserved == (2,)


def test_break_is_placed_where_it_fits() -> None:
    """A 30 min break between 30 and 40 fits on the way; between 200 and 210 at the depot."""
    stops = [{"id": "S1", "pos": 20, "service_min": 10}, {"id": "S2", "pos": 40}]
    brk = {"earliest_start_min": 30, "latest_start_min": 40, "duration_min": 30}
    problem = line_problem(
        stops, vehicles=[{"id": "T1", "depot_id": "W1", "capacity_kg": 9, "driver_break": brk}]
    )
    (route,) = _eval(problem, [(0, 1)]).routes
    assert route.break_slot == 1 and route.break_start_min == 30
    assert route.start_min == (20, 80)
    assert route.return_min == 120
    late = {"earliest_start_min": 200, "latest_start_min": 210, "duration_min": 30}
    after = line_problem(
        stops, vehicles=[{"id": "T1", "depot_id": "W1", "capacity_kg": 9, "driver_break": late}]
    )
    (route,) = _eval(after, [(0, 1)]).routes
    assert route.break_slot == 3 and route.break_start_min == 200
    early = {"earliest_start_min": 0, "latest_start_min": 5, "duration_min": 30}
    before = line_problem(
        [{"id": "S1", "pos": 20, "window_open_min": 60}],
        vehicles=[
            {
                "id": "T1",
                "depot_id": "W1",
                "capacity_kg": 9,
                "driver_break": early,
                "max_duration_min": 40,
            }
        ],
    )
    (route,) = _eval(before, [(0,)]).routes
    assert route.break_slot == BEFORE_START
    assert route.depart_min == 40 and route.return_min == 80


def test_break_that_cannot_fit_is_a_violation() -> None:
    """Shift 0..60 with a 30 min break, but the route alone takes 60 min."""
    problem = line_problem(
        [{"id": "S1", "pos": 30}],
        vehicles=[
            {
                "id": "T1",
                "depot_id": "W1",
                "capacity_kg": 9,
                "shift_end_min": 60,
                "driver_break": {
                    "earliest_start_min": 10,
                    "latest_start_min": 20,
                    "duration_min": 30,
                },
            }
        ],
    )
    assert not _eval(problem, [(0,)]).feasible
