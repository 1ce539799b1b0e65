"""Unserved stops come back with the constraint that made them impossible."""

from __future__ import annotations

from routing_support import line_problem

from supplynet.optimizer.routing.evaluator import evaluate
from supplynet.optimizer.routing.matrix import integer_model
from supplynet.optimizer.routing.reasons import (
    CAPACITY,
    COMBINED,
    FLEET,
    NO_VEHICLE,
    SEARCH_STOPPED,
    SHIFT,
    WINDOW,
    left_out_reasons,
)
from supplynet.optimizer.routing.solver import solve


def test_each_impossible_stop_gets_its_reason() -> None:
    """Too heavy, window closed before any truck arrives, too far for the shift."""
    problem = line_problem(
        [
            {"id": "OK", "pos": 5, "demand_kg": 10},
            {"id": "HEAVY", "pos": 5, "demand_kg": 500},
            {"id": "EARLY", "pos": 50, "window_open_min": 0, "window_close_min": 30},
            {"id": "FAR", "pos": 400},
            {"id": "BOTH", "pos": 100, "window_open_min": 400, "window_close_min": 450},
        ],
        vehicles=[{"id": "T1", "depot_id": "W1", "capacity_kg": 100, "shift_end_min": 480}],
    )
    schedule = solve(problem, time_limit_s=1.0, workers=1)
    reasons = {u.stop_id: u.reason_code for u in schedule.unserved}
    assert reasons == {"HEAVY": CAPACITY, "EARLY": WINDOW, "FAR": SHIFT, "BOTH": COMBINED}
    assert [s.stop_id for r in schedule.routes for s in r.stops] == ["OK"]
    heavy = next(u for u in schedule.unserved if u.stop_id == "HEAVY")
    assert "500 kg" in heavy.reason


def test_stop_left_for_lack_of_fleet_says_so() -> None:
    """Two 60 kg stops, one 100 kg truck: one is served, the other ran out of fleet."""
    problem = line_problem(
        [{"id": "A", "pos": 5, "demand_kg": 60}, {"id": "B", "pos": 6, "demand_kg": 60}],
        vehicles=[{"id": "T1", "depot_id": "W1", "capacity_kg": 100}],
    )
    schedule = solve(problem, time_limit_s=1.0, workers=1)
    assert schedule.stops_served == 1
    (unserved,) = schedule.unserved
    assert unserved.reason_code == FLEET


def test_stops_tied_to_a_depot_use_its_vehicles() -> None:
    """Goods loaded at W2 go on W2's truck even when W1 is nearer; no truck at W3: reason."""
    problem = line_problem(
        [
            {"id": "A", "pos": 1, "depot_id": "W2"},
            {"id": "B", "pos": 2},
            {"id": "C", "pos": 3, "depot_id": "W3"},
        ],
        vehicles=[
            {"id": "T1", "depot_id": "W1", "capacity_kg": 10},
            {"id": "T2", "depot_id": "W2", "capacity_kg": 10},
        ],
        depots={"W1": 0.0, "W2": 50.0, "W3": 90.0},
    )
    schedule = solve(problem, time_limit_s=1.0, workers=2)
    by_stop = {s.stop_id: r.vehicle_id for r in schedule.routes for s in r.stops}
    assert by_stop["A"] == "T2" and "B" in by_stop
    (unserved,) = schedule.unserved
    assert unserved.stop_id == "C" and unserved.reason_code == NO_VEHICLE


def test_stop_left_out_while_a_fitting_truck_idles_says_the_search_stopped() -> None:
    """A search cut short (here: routes that serve only A) leaves B although the idle T2
    could carry it: not a fleet shortage. HEAVY fits no idle truck and OPTIONAL may be
    dropped on purpose: both keep the fleet reason."""
    problem = line_problem(
        [
            {"id": "A", "pos": 5, "demand_kg": 10},
            {"id": "B", "pos": 6, "demand_kg": 10},
            {"id": "HEAVY", "pos": 7, "demand_kg": 80},
            {"id": "OPTIONAL", "pos": 8, "demand_kg": 10, "penalty": 1.0},
        ],
        vehicles=[
            {"id": "T1", "depot_id": "W1", "capacity_kg": 100},
            {"id": "T2", "depot_id": "W1", "capacity_kg": 50},
        ],
    )
    model = integer_model(problem)
    stop_ids = [s.id for s in problem.stops]
    cut_short = evaluate(model, [(0,), ()], stop_ids)
    reasons = left_out_reasons(model, cut_short, stop_ids, 3.0)
    assert {stop_ids[s]: r.code for s, r in reasons.items()} == {"B": SEARCH_STOPPED}
    assert "3 s" in reasons[1].message
    both_busy = evaluate(model, [(0,), (3,)], stop_ids)
    assert left_out_reasons(model, both_busy, stop_ids, 3.0) == {}
