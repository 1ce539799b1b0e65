"""Routing problem validation and the integer model's safe rounding."""

from __future__ import annotations

import numpy as np
import pytest
from routing_support import line_problem

from supplynet.graph.errors import ValidationFailed
from supplynet.optimizer.routing.matrix import down, integer_model, travel_matrix, up
from supplynet.optimizer.routing.problem import (
    MAX_TRUCKS,
    Depot,
    Resolution,
    RoutingProblem,
    Stop,
    UserMatrix,
    Vehicle,
)


def test_build_reports_every_problem_with_a_field_path() -> None:
    """Bad records and dangling references are all listed, each with its path."""
    with pytest.raises(ValidationFailed) as caught:
        RoutingProblem.build(
            depots=[{"id": "W1", "latitude": 45, "longitude": 7}],
            vehicles=[
                {"id": "T1", "depot_id": "W9", "capacity_kg": 100},
                {"id": "T2", "depot_id": "W1", "capacity_kg": -5},
            ],
            stops=[
                {
                    "id": "S1",
                    "latitude": 45,
                    "longitude": 7,
                    "window_open_min": 600,
                    "window_close_min": 500,
                },
                {"id": "S2", "latitude": 45, "longitude": 7},
                {"id": "S2", "latitude": 45, "longitude": 7},
            ],
        )
    paths = {p.path for p in caught.value.problems}
    assert "vehicles[0].depot_id" in paths
    assert "vehicles[1].capacity_kg" in paths
    assert "stops[0]" in paths
    assert "stops[2].id" in paths


def test_user_matrix_must_cover_every_location() -> None:
    """A matrix missing a stop, or of the wrong shape, is rejected before solving."""
    matrix = UserMatrix(("W1",), np.zeros((2, 2)), np.zeros((1, 1)))
    with pytest.raises(ValidationFailed, match="matrix"):
        RoutingProblem.build(
            [Depot(id="W1", latitude=45, longitude=7)],
            [Vehicle(id="T1", depot_id="W1", capacity_kg=10)],
            [Stop(id="S1", latitude=45, longitude=7.1)],
            matrix=matrix,
        )


def test_haversine_matrix_uses_road_factor_and_speed() -> None:
    """One degree of longitude at the equator is ~111 km; x1.3 road, at 50 km/h."""
    problem = RoutingProblem.build(
        [Depot(id="W1", latitude=0, longitude=0)],
        [Vehicle(id="T1", depot_id="W1", capacity_kg=10)],
        [Stop(id="S1", latitude=0, longitude=1)],
    )
    dist, dur = travel_matrix(problem)
    assert dist[0, 1] == pytest.approx(111.19 * 1.3, rel=1e-3)
    assert dur[0, 1] == pytest.approx(dist[0, 1] / 50 * 60)
    assert dist[0, 0] == 0


def test_times_round_up_and_limits_round_down() -> None:
    """Feasible in the integer model means feasible in reality: times up, windows down."""
    assert up(0.3, 10) == 3  # float noise does not push an exact value up
    assert up(1.231, 100) == 124
    assert down(1.239, 100) == 123
    problem = line_problem(
        [
            {
                "id": "S1",
                "pos": 1.234,
                "window_open_min": 10.001,
                "window_close_min": 20.009,
                "service_min": 2.5,
                "demand_kg": 1.0004,
            }
        ],
        vehicles=[{"id": "T1", "depot_id": "W1", "capacity_kg": 99.9999}],
    )
    model = integer_model(problem)
    assert model.duration[0, 1] == 124
    assert model.open[1] == 1001 and model.close[1] == 2000
    assert model.service[1] == 250
    assert model.demand[1, 0] == 1001 and model.capacity[0, 0] == 99999
    assert model.arc_cost(0)[0, 1] == 123  # costs round to nearest


def test_fleet_types_expand_by_count_or_one_per_stop_when_unbounded() -> None:
    """``count=3`` gives T.1..T.3; ``count=None`` gives as many trucks as stops."""
    stops = [{"id": f"S{i}", "pos": i + 1} for i in range(4)]
    problem = line_problem(
        stops,
        vehicles=[
            {"id": "T", "depot_id": "W1", "capacity_kg": 10, "count": 3},
            {"id": "U", "depot_id": "W1", "capacity_kg": 5, "count": None},
        ],
    )
    assert [v.id for v in problem.vehicles] == ["T.1", "T.2", "T.3", "U.1", "U.2", "U.3", "U.4"]
    assert all(v.count == 1 for v in problem.vehicles)


def test_a_fleet_of_more_trucks_than_the_cap_is_refused_before_expanding() -> None:
    """Counts are bounded per type and in all, so a request cannot make millions of trucks."""
    stops = [{"id": "S1", "pos": 1}]
    big = {"id": "T", "depot_id": "W1", "capacity_kg": 10, "count": MAX_TRUCKS}
    with pytest.raises(ValidationFailed) as too_many:
        line_problem(stops, vehicles=[big, {**big, "id": "U", "count": 1}])
    assert [p.path for p in too_many.value.problems] == ["vehicles"]
    depot, stop = Depot(id="W1", latitude=45, longitude=7), Stop(id="S1", latitude=45, longitude=7)
    with pytest.raises(ValidationFailed) as one_type:
        RoutingProblem.build([depot], [{**big, "count": MAX_TRUCKS + 1}], [stop])
    assert [p.path for p in one_type.value.problems] == ["vehicles[0].count"]


def test_coordinates_are_optional_and_unchecked_with_a_matrix() -> None:
    """With a matrix, stops need no coordinates (and planar ones pass); without, they must
    be valid latitude/longitude."""
    matrix = UserMatrix(("D", "A"), np.array([[0.0, 5.0], [5.0, 0.0]]), np.zeros((2, 2)))
    depot = Depot(id="D", latitude=250.0, longitude=-900.0)
    truck = Vehicle(id="T", depot_id="D", capacity_kg=1)
    problem = RoutingProblem.build([depot], [truck], [Stop(id="A")], matrix=matrix)
    assert integer_model(problem).distance_km[0, 1] == 5.0
    with pytest.raises(ValidationFailed) as info:
        RoutingProblem.build([depot], [truck], [Stop(id="A")])
    paths = {p.path for p in info.value.problems}
    assert {"depots[0].latitude", "depots[0].longitude", "stops[0].latitude"} <= paths


def test_open_times_become_a_horizon_no_route_reaches() -> None:
    """Without windows or shifts, a stop a thousand minutes out is still reachable and back."""
    problem = line_problem([{"id": "FAR", "pos": 1000}, {"id": "FARTHER", "pos": -1500}])
    model = integer_model(problem)
    round_trips = 2 * (1000 + 1500) * problem.scale
    assert int(model.close.min()) > round_trips
    assert int(model.shift_end.min()) > round_trips


def test_each_quantity_has_its_own_resolution() -> None:
    """Minutes, km and cost scale independently (one ``scale`` still sets all three)."""
    base = line_problem([{"id": "A", "pos": 1.5, "service_min": 0.25}])
    fine = RoutingProblem.build(
        base.depots,
        base.vehicles,
        base.stops,
        matrix=base.matrix,
        resolution=Resolution(per_min=4, per_km=10, per_cost=1000),
    )
    model = integer_model(fine)
    assert int(model.service[1]) == 1
    assert int(model.arc_distance[0, 1]) == 15
    assert int(model.arc_cost(0)[0, 1]) == 1500
    assert integer_model(base).scale == 100
