"""RoutingService over a real socket: route a day of a real replenishment plan."""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import openpyxl
import pytest
from rpc_harness import ServerThread, error_info, running_server, settings, violations

from supplynet.forecasting.series_index import SeriesIndex
from supplynet.graph.deadline import Deadline
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.executor import ParallelSettings
from supplynet.graph.plans import StoredPlan
from supplynet.graph.scope import Scope
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.exports.csv_export import read_csv
from supplynet.optimizer.exports.json_export import read_json
from supplynet.optimizer.exports.units import rounded
from supplynet.optimizer.routing.deliveries import day_deliveries
from supplynet.optimizer.routing.schedule import RouteSchedule
from supplynet.server.app import plan
from supplynet.server.app.forecast import forecast_inputs
from supplynet.server.app.settings import AppSettings
from supplynet.server.rpc.converters import plan_lines
from supplynet.v1 import routing_pb2, routing_pb2_grpc


@pytest.fixture(scope="module")
def replenishment(tiny: SyntheticDataset) -> StoredPlan:
    """A real two-week plan of the tiny network (three SKUs), made by the planning task."""
    scope = Scope(sku_ids=frozenset(s.id for s in tiny.network.skus[:3]))
    request = plan.plan_request(
        AppSettings(),
        horizon_days=14,
        forecast_model="seasonal_naive",
        time_limit_seconds=20.0,
        plan_id="plan-routing",
        scope=scope,
    )
    found = forecast_inputs(request.forecast(), tiny.network, SeriesIndex(tiny.demand))
    inputs = plan.PlanInputs(tiny.network.scoped(scope), found)
    made = plan.make_plan(inputs, request, Deadline.after(20), ParallelSettings(workers=1))
    return plan.stored(made, request)


@pytest.fixture(scope="module")
def server(
    tiny: SyntheticDataset, replenishment: StoredPlan, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerThread]:
    root = tmp_path_factory.mktemp("routing")
    store = EmbeddedStore(root)
    store.upsert_network(tiny.network)
    store.save_plan(replenishment)
    with running_server(settings(root, workers=1)) as running:
        yield running


@pytest.fixture(scope="module")
def stub(server: ServerThread) -> routing_pb2_grpc.RoutingServiceStub:
    return routing_pb2_grpc.RoutingServiceStub(grpc.insecure_channel(server.target))


def _first_day(plan: StoredPlan) -> tuple[str, set[str]]:
    transfers = [line for line in plan.lines if line["line_type"] == "transfer"]
    day = min(str(line["ship_date"]) for line in transfers)
    return day, {str(line["destination_id"]) for line in transfers if line["ship_date"] == day}


def test_routes_serve_every_store_shipped_to_that_day(
    stub: routing_pb2_grpc.RoutingServiceStub, server: ServerThread, replenishment: StoredPlan
) -> None:
    day, stores = _first_day(replenishment)
    schedule = stub.PlanRoutes(
        routing_pb2.PlanRoutesRequest(plan="plans/plan-routing", day=day, time_limit_seconds=3),
        timeout=60,
    )
    assert schedule.kind == "routes" and schedule.name.startswith("plans/routes-")
    lines = plan_lines(schedule)
    served = {str(line["stop_id"]).split(".")[0] for line in lines if line["line_type"] == "stop"}
    unserved = {
        str(line["stop_id"]).split(".")[0] for line in lines if line["line_type"] == "unserved"
    }
    assert served | unserved == stores
    assert schedule.attributes["day"].string_value == day
    assert schedule.attributes["stops_served"].int_value == len(
        [line for line in lines if line["line_type"] == "stop"]
    )
    assert schedule.attributes["distance_km"].double_value > 0
    saved = server.running.state.store.load_plan(schedule.name.removeprefix("plans/"))
    assert saved.kind == "routes" and len(saved.lines) == len(lines)


def test_empty_day_routes_the_first_day_of_the_plan(
    stub: routing_pb2_grpc.RoutingServiceStub, replenishment: StoredPlan
) -> None:
    first = min(dt.date.fromisoformat(str(line["ship_date"])) for line in replenishment.lines)
    schedule = stub.PlanRoutes(
        routing_pb2.PlanRoutesRequest(plan="plans/plan-routing", time_limit_seconds=2)
    )
    assert schedule.attributes["day"].string_value == first.isoformat()


def test_deadline_becomes_the_routing_time_limit_when_the_solver_starts(
    stub: routing_pb2_grpc.RoutingServiceStub,
) -> None:
    """Time spent waiting for the single worker comes out of the deadline's time limit.

    The second call waits behind the first; a limit fixed on arrival would be 80% of its
    30 s deadline whatever the wait, one fixed when the solver starts is that less the time
    before the solver started, bounded from both sides by what the client measures.
    """
    stub.PlanRoutes(routing_pb2.PlanRoutesRequest(plan="plans/plan-routing", time_limit_seconds=1))
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(
            stub.PlanRoutes,
            routing_pb2.PlanRoutesRequest(plan="plans/plan-routing", time_limit_seconds=4),
        )
        time.sleep(0.5)
        started = time.monotonic()
        second = pool.submit(
            stub.PlanRoutes,
            routing_pb2.PlanRoutesRequest(plan="plans/plan-routing", time_limit_seconds=600),
            timeout=30,
        )
        assert first.result().attributes["time_limit_s"].double_value == 4
        waited = time.monotonic() - started
        answer = second.result().attributes
        elapsed = time.monotonic() - started
    limit, solving = answer["time_limit_s"].double_value, answer["wall_s"].double_value
    assert waited >= 3.0
    assert limit <= (30 - waited) * 0.8 + 0.5, "the wait for the worker came off the limit"
    # everything before the solver started took at most elapsed - solving (a starved job
    # builds its problem slowly, and that time comes off the limit too)
    assert limit >= (30 - (elapsed - solving)) * 0.8 - 0.2, "the limit is what was left"


def test_routing_errors(stub: routing_pb2_grpc.RoutingServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as missing:
        stub.PlanRoutes(routing_pb2.PlanRoutesRequest(plan="plans/no-such-plan"))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert error_info(missing.value).metadata["key"] == "no-such-plan"
    with pytest.raises(grpc.RpcError) as bad_name:
        stub.PlanRoutes(routing_pb2.PlanRoutesRequest(plan="plan-routing"))
    assert set(violations(bad_name.value)) == {"plan"}
    with pytest.raises(grpc.RpcError) as bad_day:
        stub.PlanRoutes(routing_pb2.PlanRoutesRequest(plan="plans/plan-routing", day="soon"))
    assert bad_day.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(bad_day.value)) == {"day"}
    routes = stub.PlanRoutes(
        routing_pb2.PlanRoutesRequest(plan="plans/plan-routing", time_limit_seconds=1)
    )
    with pytest.raises(grpc.RpcError) as wrong_kind:
        stub.PlanRoutes(routing_pb2.PlanRoutesRequest(plan=routes.name))
    assert set(violations(wrong_kind.value)) == {"plan"}


def test_a_reloading_fleet_goes_to_pyvrp_and_no_trip_exceeds_capacity(
    stub: routing_pb2_grpc.RoutingServiceStub, tiny: SyntheticDataset, replenishment: StoredPlan
) -> None:
    """One truck type per warehouse, as small as the largest stop, reloading as often as
    it needs: every stop is served, some truck reloads, no trip is overloaded; without
    breaks the day goes to PyVRP (the default fleet's breaks go to OR-Tools)."""
    day, _ = _first_day(replenishment)
    stops = day_deliveries(replenishment, tiny.network, day)
    capacity = float(math.ceil(max(s.demand_kg for s in stops)))
    depots = sorted({str(s.depot_id) for s in stops})
    assert any(sum(s.demand_kg for s in stops if s.depot_id == d) > capacity for d in depots)
    fleet = [
        routing_pb2.VehicleType(id=f"V{k}", depot_id=d, capacity_kg=capacity, max_trips=len(stops))
        for k, d in enumerate(depots)
    ]
    reply = stub.PlanRoutes(
        routing_pb2.PlanRoutesRequest(
            plan="plans/plan-routing", day=day, time_limit_seconds=2, fleet=fleet
        ),
        timeout=60,
    )
    lines = plan_lines(reply)
    assert reply.attributes["solver"].string_value == "pyvrp(seed=0)"
    assert all(line["line_type"] == "stop" for line in lines)
    loads: dict[tuple[str, int], float] = {}
    for line in lines:
        key = (str(line["vehicle_id"]), int(line["trip"] or 1))
        loads[key] = loads.get(key, 0.0) + float(line["demand_kg"] or 0.0)
    assert max(trip for _, trip in loads) > 1
    assert max(loads.values()) <= capacity + 1e-9
    default = stub.PlanRoutes(
        routing_pb2.PlanRoutesRequest(plan="plans/plan-routing", day=day, time_limit_seconds=1)
    )
    assert default.attributes["solver"].string_value.startswith("ortools")


def test_dropped_stops_come_with_a_warning_and_a_reason_each(
    stub: routing_pb2_grpc.RoutingServiceStub, tiny: SyntheticDataset, replenishment: StoredPlan
) -> None:
    """Trucks smaller than the largest stop: it is unserved for capacity, and the reply warns."""
    day, _ = _first_day(replenishment)
    stops = day_deliveries(replenishment, tiny.network, day)
    largest = max(stops, key=lambda s: s.demand_kg)
    fleet = [
        routing_pb2.VehicleType(
            id=f"V{d}", depot_id=d, capacity_kg=largest.demand_kg / 2, unbounded=True
        )
        for d in sorted({str(s.depot_id) for s in stops})
    ]
    reply = stub.PlanRoutes(
        routing_pb2.PlanRoutesRequest(
            plan="plans/plan-routing", day=day, time_limit_seconds=1, fleet=fleet
        ),
        timeout=60,
    )
    unserved = {
        str(line["stop_id"]): str(line["reason_code"])
        for line in plan_lines(reply)
        if line["line_type"] == "unserved"
    }
    assert unserved[largest.id] == "capacity"
    assert set(unserved.values()) == {"capacity"}
    (warning,) = reply.warnings
    assert f"{len(unserved)} stops not served ({len(unserved)} capacity)" in warning


def test_fleet_errors_name_the_field(stub: routing_pb2_grpc.RoutingServiceStub) -> None:
    """Bad vehicle types are INVALID_ARGUMENT naming fleet[i].field, before any solving."""
    cases = {
        "fleet[0].capacity_kg": routing_pb2.VehicleType(id="V", depot_id="W001"),
        "fleet[0].depot_id": routing_pb2.VehicleType(id="V", depot_id="W999", capacity_kg=9),
        "fleet[0].unbounded": routing_pb2.VehicleType(
            id="V", depot_id="W001", capacity_kg=9, count=2, unbounded=True
        ),
        "fleet[0].count": routing_pb2.VehicleType(
            id="V", depot_id="W001", capacity_kg=9, count=4_000_000_000
        ),
        "fleet[0].max_trips": routing_pb2.VehicleType(
            id="V",
            depot_id="W001",
            capacity_kg=9,
            max_trips=2,
            driver_break=routing_pb2.DriverBreak(
                earliest_start_min=600, latest_start_min=700, duration_min=30
            ),
        ),
    }
    for field, vehicle in cases.items():
        with pytest.raises(grpc.RpcError) as bad:
            stub.PlanRoutes(
                routing_pb2.PlanRoutesRequest(plan="plans/plan-routing", fleet=[vehicle])
            )
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert set(violations(bad.value)) == {field}


def test_every_export_format_carries_the_saved_schedule(
    stub: routing_pb2_grpc.RoutingServiceStub, server: ServerThread, tmp_path: Path
) -> None:
    """CSV and JSON read back into the saved schedule; XLSX, GeoJSON and HTML open."""
    made = stub.PlanRoutes(
        routing_pb2.PlanRoutesRequest(plan="plans/plan-routing", time_limit_seconds=2)
    )
    saved = RouteSchedule.from_stored_plan(
        server.running.state.store.load_plan(made.name.removeprefix("plans/"))
    )
    exported = {}
    for fmt in ("CSV", "XLSX", "JSON", "GEOJSON", "HTML"):
        reply = stub.ExportSchedule(
            routing_pb2.ExportScheduleRequest(
                schedule=made.name, format=routing_pb2.ExportFormat.Value(f"EXPORT_FORMAT_{fmt}")
            )
        )
        assert reply.filename == f"{made.name.removeprefix('plans/')}.{fmt.lower()}"
        path = tmp_path / reply.filename
        path.write_bytes(reply.content)
        exported[fmt] = (path, reply.content_type)
    assert read_csv(exported["CSV"][0]).routes == rounded(saved).routes
    assert read_json(exported["JSON"][0]).routes == saved.routes
    assert exported["XLSX"][1].startswith("application/vnd.openxmlformats")
    assert "Summary" in openpyxl.load_workbook(exported["XLSX"][0]).sheetnames
    geojson = json.loads(exported["GEOJSON"][0].read_text())
    assert geojson["type"] == "FeatureCollection"
    kinds = {f["geometry"]["type"] for f in geojson["features"]}
    assert "LineString" in kinds and "Point" in kinds
    assert "leaflet" in exported["HTML"][0].read_text().lower()


def test_export_errors(stub: routing_pb2_grpc.RoutingServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as no_format:
        stub.ExportSchedule(routing_pb2.ExportScheduleRequest(schedule="plans/plan-routing"))
    assert set(violations(no_format.value)) == {"format"}
    csv_format = routing_pb2.EXPORT_FORMAT_CSV
    with pytest.raises(grpc.RpcError) as not_routes:
        stub.ExportSchedule(
            routing_pb2.ExportScheduleRequest(schedule="plans/plan-routing", format=csv_format)
        )
    assert set(violations(not_routes.value)) == {"schedule"}
    with pytest.raises(grpc.RpcError) as missing:
        stub.ExportSchedule(
            routing_pb2.ExportScheduleRequest(schedule="plans/nope", format=csv_format)
        )
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
