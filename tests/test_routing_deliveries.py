"""A day's deliveries from a replenishment plan: transfers of that day, per store, in kg/m3."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from supplynet.graph.errors import ValidationFailed
from supplynet.graph.plans import StoredPlan
from supplynet.graph.synthetic import ROAD_FACTOR, SyntheticDataset
from supplynet.optimizer.routing.deliveries import (
    DEFAULT_TRUCK,
    day_deliveries,
    day_problem,
    default_fleet,
    lane_road_factor,
    network_travel,
    plan_day,
)
from supplynet.optimizer.routing.matrix import travel_matrix
from supplynet.optimizer.routing.problem import TravelModel
from supplynet.optimizer.routing.solver import solve
from supplynet.server.app.route import route_request
from supplynet.server.app.settings import AppSettings


def line(kind: str, origin: str, dest: str, sku: str, qty: float, ship: str) -> dict:
    """A plan line as the replenishment planner writes it."""
    return {
        "line_type": kind,
        "origin_id": origin,
        "destination_id": dest,
        "sku_id": sku,
        "quantity": qty,
        "ship_date": ship,
        "arrival_date": ship,
        "order_period": 0,
        "arrival_period": 0,
    }


def _plan(tiny: SyntheticDataset) -> StoredPlan:
    net = tiny.network
    w1, w2 = (w.id for w in net.warehouses[:2])
    s1, s2, s3 = (s.id for s in net.stores[:3])
    k1, k2 = (k.id for k in net.skus[:2])

    lines = (
        line("transfer", w1, s1, k1, 10, "2025-03-01"),
        line("transfer", w1, s1, k2, 4, "2025-03-01"),
        line("transfer", w1, s2, k1, 3, "2025-03-01"),
        line("transfer", w2, s2, k2, 5, "2025-03-01"),
        line("transfer", w2, s3, k1, 7, "2025-03-02"),
        line("order", net.suppliers[0].id, w1, k1, 100, "2025-03-01"),
    )
    return StoredPlan(
        id="rp-1", kind="replenishment", created_at=dt.datetime(2025, 3, 1), lines=lines
    )


def test_transfers_of_the_day_become_stops_per_store_and_warehouse(tiny: SyntheticDataset) -> None:
    """Weights and volumes sum unit weight x quantity; a store fed by two warehouses splits."""
    net = tiny.network
    plan = _plan(tiny)
    k1, k2 = net.skus[:2]
    s1, s2 = net.stores[:2]
    w1, w2 = net.warehouses[:2]
    stops = {s.id: s for s in day_deliveries(plan, net, "2025-03-01")}
    assert set(stops) == {s1.id, f"{s2.id}.{w1.id}", f"{s2.id}.{w2.id}"}
    first = stops[s1.id]
    assert first.demand_kg == pytest.approx(10 * k1.unit_weight_kg + 4 * k2.unit_weight_kg)
    assert first.demand_m3 == pytest.approx(10 * k1.unit_volume_m3 + 4 * k2.unit_volume_m3)
    assert first.depot_id == w1.id
    assert (first.window_open_min, first.service_min) == (s1.window_open_min, s1.service_min)
    assert plan_day(plan, 2) == dt.date(2025, 3, 2)
    assert [s.id for s in day_deliveries(plan, net, 2)] == [net.stores[2].id]


def test_default_fleet_covers_load_and_routes_serve_everything(tiny: SyntheticDataset) -> None:
    """One default truck per shipping warehouse here; the day's lanes are routed completely."""
    net = tiny.network
    stores = {s.id for s in net.stores}
    lanes = [lane for lane in net.transport_lanes if lane.destination_id in stores]
    lines = tuple(
        line("transfer", lane.origin_id, lane.destination_id, net.skus[i % 3].id, 20, "2025-03-01")
        for i, lane in enumerate(lanes)
    )
    plan = StoredPlan(
        id="rp-2", kind="replenishment", created_at=dt.datetime(2025, 3, 1), lines=lines
    )
    problem = day_problem(plan, net, 1)
    assert {v.depot_id for v in problem.vehicles} == {w.id for w in tiny.network.warehouses[:2]}
    assert all(v.capacity_kg == DEFAULT_TRUCK["capacity_kg"] for v in problem.vehicles)
    schedule = solve(problem, time_limit_s=1.0, workers=1)
    assert schedule.unserved == ()
    assert schedule.stops_served == len(lanes) == len(stores)
    heavy = [s.model_copy(update={"demand_kg": 30_000.0}) for s in problem.stops]
    assert len(default_fleet(heavy)) >= 2 * 3


def test_bad_plans_are_rejected(tiny: SyntheticDataset) -> None:
    """Wrong kind, unknown ids and empty days fail with a field path."""
    plan = _plan(tiny)
    with pytest.raises(ValidationFailed, match=r"plan\.kind"):
        day_deliveries(plan.model_copy(update={"kind": "routes"}), tiny.network, 1)
    bad = plan.model_copy(update={"lines": ({**plan.lines[0], "sku_id": "NOPE"},)})
    with pytest.raises(ValidationFailed, match=r"lines\[0\].sku_id"):
        day_deliveries(bad, tiny.network, 1)
    with pytest.raises(ValidationFailed, match="no transfers ship on 2025-03-09"):
        day_problem(plan, tiny.network, "2025-03-09")
    with pytest.raises(ValidationFailed, match="neither"):
        plan_day(plan, "tomorrow")


def test_travel_follows_the_network_lanes(tiny: SyntheticDataset) -> None:
    """A day is routed on the road factor of its network's lanes: depot -> stop km agree
    with the lanes' km; a factor or speed given instead wins; no located lane: default."""
    net = tiny.network
    assert lane_road_factor(net) == pytest.approx(ROAD_FACTOR, abs=0.01)
    problem = day_problem(_plan(tiny), net, 1)
    assert problem.travel == network_travel(net)
    dist, dur = travel_matrix(problem)
    lanes = {(lane.origin_id, lane.destination_id): lane for lane in net.transport_lanes}
    node = {n: i for i, n in enumerate(problem.node_ids)}
    arcs = [
        (node[str(s.depot_id)], node[s.id], lanes[key].distance_km)
        for s in problem.stops
        if (key := (str(s.depot_id), s.id.removesuffix(f".{s.depot_id}"))) in lanes
    ]
    assert arcs
    for depot, stop, km in arcs:
        assert dist[depot, stop] == pytest.approx(km, rel=0.01)
    assert dur == pytest.approx(dist / problem.travel.speed_kmh * 60)
    assert network_travel(net, road_factor=1.6, speed_kmh=30) == TravelModel(
        road_factor=1.6, speed_kmh=30
    )
    unlocated = dataclasses.replace(net, transport_lanes=())
    assert lane_road_factor(unlocated) is None
    assert network_travel(unlocated) == TravelModel()


def test_a_deployment_sets_its_networks_travel_and_a_request_may_override_it(
    tiny: SyntheticDataset,
) -> None:
    """SUPPLYNET_ROUTE_ROAD_FACTOR / _SPEED_KMH reach the request; a request's own wins;
    unset, the network's lanes decide; a bad factor names its field."""
    configured = AppSettings(route_road_factor=1.6, route_speed_kmh=40)
    request = route_request(configured, plan_id="p", time_limit_seconds=1)
    assert (request.road_factor, request.speed_kmh) == (1.6, 40)
    own = route_request(configured, plan_id="p", time_limit_seconds=1, road_factor=1.1)
    assert own.road_factor == 1.1
    default = route_request(AppSettings(), plan_id="p", time_limit_seconds=1)
    travel = network_travel(tiny.network, default.road_factor, default.speed_kmh)
    assert travel == network_travel(tiny.network)
    with pytest.raises(ValidationFailed, match="road_factor"):
        route_request(AppSettings(), plan_id="p", time_limit_seconds=1, road_factor=0.5)
