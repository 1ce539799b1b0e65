"""Routing problem validation and the integer model's safe rounding."""

from __future__ import annotations

import numpy as np
import pytest
from routing_support import line_problem

from supplynet.graph.errors import ValidationFailed
from supplynet.optimizer.routing.matrix import down, integer_model, travel_matrix, up
from supplynet.optimizer.routing.problem import Depot, RoutingProblem, Stop, UserMatrix, Vehicle


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
