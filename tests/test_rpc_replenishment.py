"""ReplenishmentService over a real socket: plans as long-running operations.

Real forecasts and real OR-Tools solves in worker processes: progress streams,
cancellation kills the work, a deadline becomes the solver's time limit, and health
keeps answering during a long solve.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from rpc_harness import ServerThread, error_info, running_server, settings, violations

from supplynet.graph.deadline import REPLY_RESERVE_SHARE
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.neo4j_store import Neo4jStore
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.rpc.converters import plan_lines
from supplynet.v1 import (
    common_pb2,
    network_pb2,
    network_pb2_grpc,
    operation_pb2,
    plan_pb2,
    replenishment_pb2,
    replenishment_pb2_grpc,
)

State = operation_pb2.OperationState


@pytest.fixture(scope="module")
def server(
    tiny: SyntheticDataset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerThread]:
    """A server over the tiny network and its demand history, two worker processes."""
    root = tmp_path_factory.mktemp("replenishment")
    store = EmbeddedStore(root)
    store.upsert_network(tiny.network)
    store.append_demand(tiny.demand)
    with running_server(settings(root, workers=2)) as running:
        yield running


@pytest.fixture(scope="module")
def stub(server: ServerThread) -> replenishment_pb2_grpc.ReplenishmentServiceStub:
    return replenishment_pb2_grpc.ReplenishmentServiceStub(grpc.insecure_channel(server.target))


def _small(tiny: SyntheticDataset, **values: object) -> replenishment_pb2.StartPlanRequest:
    """Two SKUs over four weeks with a fast baseline forecast: solves in about a second."""
    skus = [s.id for s in tiny.network.skus[:2]]
    values = {
        "horizon_days": 28,
        "forecast_model": "seasonal_naive",
        "time_limit_seconds": 20,
        **values,
    }
    return replenishment_pb2.StartPlanRequest(scope=common_pb2.Scope(sku_ids=skus), **values)  # type: ignore[arg-type]


def _long(**values: object) -> replenishment_pb2.StartPlanRequest:
    """The whole tiny network over a year: seconds of solving, more than a 3 s deadline leaves."""
    values = {
        "horizon_days": 366,
        "forecast_model": "seasonal_naive",
        "time_limit_seconds": 120,
        **values,
    }
    return replenishment_pb2.StartPlanRequest(**values)  # type: ignore[arg-type]


def _wait(stub: replenishment_pb2_grpc.ReplenishmentServiceStub, name: str, stage: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        operation = stub.GetOperation(replenishment_pb2.GetOperationRequest(name=name))
        if operation.metadata.stage == stage or operation.done:
            return
        time.sleep(0.1)
    raise AssertionError(f"{name} never reached {stage!r}")


def test_plan_streams_progress_and_its_lines_can_be_read(
    stub: replenishment_pb2_grpc.ReplenishmentServiceStub,
    server: ServerThread,
    tiny: SyntheticDataset,
) -> None:
    started = stub.StartPlan(_small(tiny))
    assert started.name.startswith("operations/") and not started.done
    updates = list(
        stub.WatchOperation(replenishment_pb2.WatchOperationRequest(name=started.name), timeout=120)
    )
    final = updates[-1]
    assert final.done and final.metadata.state == State.OPERATION_STATE_SUCCEEDED
    assert final.WhichOneof("result") == "plan"
    progress = [u.metadata.progress for u in updates]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert {"forecasting", "solving"} <= {u.metadata.stage for u in updates}
    assert stub.GetOperation(replenishment_pb2.GetOperationRequest(name=started.name)) == final

    plan = stub.GetPlan(plan_pb2.GetPlanRequest(name=final.plan))
    assert plan.kind == "replenishment" and plan.name == final.plan
    assert plan.attributes["status"].string_value in ("optimal", "feasible")
    assert plan.attributes["forecast_model"].string_value == "seasonal_naive"
    assert plan.attributes["risk_model"].WhichOneof("kind") is None
    assert plan.settings["holiday_country"].string_value == "DE"  # the generated network's
    lines = plan_lines(plan)
    assert lines and {line["line_type"] for line in lines} <= {"order", "transfer"}
    skus = {s.id for s in tiny.network.skus[:2]}
    assert {line["sku_id"] for line in lines} <= skus
    assert all(isinstance(line["quantity"], float) and line["quantity"] > 0 for line in lines)
    stored = server.running.state.store.load_plan(final.plan.removeprefix("plans/"))
    assert len(stored.lines) == len(lines)


def test_backorders_reach_the_planner(
    stub: replenishment_pb2_grpc.ReplenishmentServiceStub,
    server: ServerThread,
    tiny: SyntheticDataset,
) -> None:
    """``StartPlanRequest.backorders`` plans with unmet demand waiting (backorder and
    newsvendor costs, no lost-sale penalty) and the stored plan records the mode."""
    started = stub.StartPlan(_small(tiny, backorders=True))
    final = list(
        stub.WatchOperation(replenishment_pb2.WatchOperationRequest(name=started.name), timeout=120)
    )[-1]
    assert final.done and final.metadata.state == State.OPERATION_STATE_SUCCEEDED
    stored = server.running.state.store.load_plan(final.plan.removeprefix("plans/"))
    assert stored.attributes["setting_backorders"] is True
    assert "cost_backorder_penalty" in stored.attributes
    assert "cost_shortage_penalty" not in stored.attributes


def test_bad_plan_requests_name_every_field(
    stub: replenishment_pb2_grpc.ReplenishmentServiceStub,
) -> None:
    request = replenishment_pb2.StartPlanRequest(
        horizon_days=5000,
        service_level=1.5,
        forecast_model="crystal_ball",
        time_limit_seconds=-1,
        scope=common_pb2.Scope(warehouse_ids=["NO-SUCH"]),
        country="XX",
    )
    with pytest.raises(grpc.RpcError) as caught:
        stub.StartPlan(request)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(caught.value)) == {
        "horizon_days", "service_level", "forecast_model", "time_limit_seconds", "scope",
        "country",
    }  # fmt: skip


def test_unknown_operations_and_plans_are_not_found(
    stub: replenishment_pb2_grpc.ReplenishmentServiceStub,
) -> None:
    calls = (
        lambda: stub.GetOperation(replenishment_pb2.GetOperationRequest(name="operations/nope")),
        lambda: stub.CancelOperation(
            replenishment_pb2.CancelOperationRequest(name="operations/nope")
        ),
        lambda: list(
            stub.WatchOperation(replenishment_pb2.WatchOperationRequest(name="operations/nope"))
        ),
        lambda: stub.GetPlan(plan_pb2.GetPlanRequest(name="plans/nope")),
    )
    for call in calls:
        with pytest.raises(grpc.RpcError) as caught:
            call()
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
        assert error_info(caught.value).reason == "NOT_FOUND"
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetPlan(plan_pb2.GetPlanRequest(name="operations/x"))
    assert set(violations(caught.value)) == {"name"}


def test_cancel_stops_a_running_solve_and_kills_its_process(
    stub: replenishment_pb2_grpc.ReplenishmentServiceStub, server: ServerThread
) -> None:
    started = stub.StartPlan(_long())
    _wait(stub, started.name, "solving")
    assert server.running.state.jobs.busy == 1
    cancelled = stub.CancelOperation(replenishment_pb2.CancelOperationRequest(name=started.name))
    assert cancelled.done and cancelled.metadata.state == State.OPERATION_STATE_CANCELLED
    assert cancelled.error.code == grpc.StatusCode.CANCELLED.value[0]
    assert cancelled.error.reason == "CANCELLED"
    assert server.running.state.jobs.busy == 0
    again = stub.CancelOperation(replenishment_pb2.CancelOperationRequest(name=started.name))
    assert again.metadata.state == State.OPERATION_STATE_CANCELLED


def test_deadline_becomes_the_solver_time_limit(
    stub: replenishment_pb2_grpc.ReplenishmentServiceStub,
) -> None:
    """A 3 s deadline on StartPlan caps a 600 s request: the operation's limit is what is
    left of it, and the solver's limit (kept in the plan) is what was left when the solver
    started, less the reply reserve; without a deadline the request's 600 s stands.
    """
    started = stub.StartPlan(_long(time_limit_seconds=600), timeout=3)
    limit = started.metadata.time_limit_seconds
    assert 1.5 <= limit <= 3.1, "what is left of the client's 3 s (its clock runs a little ahead)"
    final = list(
        stub.WatchOperation(replenishment_pb2.WatchOperationRequest(name=started.name), timeout=60)
    )[-1]
    assert final.metadata.state == State.OPERATION_STATE_SUCCEEDED
    plan = stub.GetPlan(plan_pb2.GetPlanRequest(name=final.plan))
    solver_limit = plan.attributes["time_limit_s"].double_value
    assert 0 < solver_limit <= limit * (1 - REPLY_RESERVE_SHARE) + 1e-6
    asked = plan.settings["time_limit_seconds"]
    assert getattr(asked, asked.WhichOneof("kind")) == 600, "the request's limit, as asked"
    no_deadline = stub.StartPlan(_long(time_limit_seconds=600))
    assert no_deadline.metadata.time_limit_seconds == pytest.approx(600, abs=1)
    stub.CancelOperation(replenishment_pb2.CancelOperationRequest(name=no_deadline.name))


def test_health_and_light_calls_answer_during_a_long_solve(
    stub: replenishment_pb2_grpc.ReplenishmentServiceStub,
    server: ServerThread,
    tiny: SyntheticDataset,
) -> None:
    channel = grpc.insecure_channel(server.target)
    health = health_pb2_grpc.HealthStub(channel)
    nodes = network_pb2_grpc.NetworkServiceStub(channel)
    started = stub.StartPlan(_long(time_limit_seconds=60))
    _wait(stub, started.name, "solving")
    slowest = 0.0
    for _ in range(20):
        began = time.monotonic()
        status = health.Check(health_pb2.HealthCheckRequest(), timeout=2).status
        assert status == health_pb2.HealthCheckResponse.SERVING
        nodes.GetNode(
            network_pb2.GetNodeRequest(name=f"nodes/{tiny.network.warehouses[0].id}"), timeout=2
        )
        slowest = max(slowest, time.monotonic() - began)
        time.sleep(0.05)
    operation = stub.GetOperation(replenishment_pb2.GetOperationRequest(name=started.name))
    assert not operation.done and operation.metadata.stage == "solving", (
        "the solve was still running"
    )
    assert slowest < 0.5
    stub.CancelOperation(replenishment_pb2.CancelOperationRequest(name=started.name))


def test_watchers_all_see_the_end_and_workers_bound_concurrency(
    stub: replenishment_pb2_grpc.ReplenishmentServiceStub,
    server: ServerThread,
    tiny: SyntheticDataset,
) -> None:
    """Three plans on two workers: at most two run at once, every watcher sees its plan."""
    operations = [stub.StartPlan(_small(tiny)) for _ in range(3)]
    finals: dict[str, operation_pb2.Operation] = {}
    peak = 0

    def watch(name: str) -> None:
        finals[name] = list(
            stub.WatchOperation(replenishment_pb2.WatchOperationRequest(name=name), timeout=120)
        )[-1]

    threads = [threading.Thread(target=watch, args=(op.name,)) for op in operations]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        peak = max(peak, server.running.state.jobs.busy)
        time.sleep(0.02)
    assert peak <= 2
    states = [f.metadata.state for f in finals.values()]
    assert states == [State.OPERATION_STATE_SUCCEEDED] * 3, finals
    assert len({f.plan for f in finals.values()}) == 3


@pytest.mark.neo4j
def test_a_plan_job_on_neo4j_saves_its_plan_there(
    tiny: SyntheticDataset, neo4j_store: Neo4jStore, neo4j_env: None, tmp_path: Path
) -> None:
    """The job opens the served store itself (the settings' Neo4j) and saves the plan."""
    neo4j_store.upsert_network(tiny.network)
    neo4j_store.append_demand(tiny.demand)
    with running_server(settings(tmp_path, workers=1)) as running:
        plans = replenishment_pb2_grpc.ReplenishmentServiceStub(
            grpc.insecure_channel(running.target)
        )
        started = plans.StartPlan(_small(tiny))
        watch = replenishment_pb2.WatchOperationRequest(name=started.name)
        final = list(plans.WatchOperation(watch, timeout=120))[-1]
    assert final.metadata.state == State.OPERATION_STATE_SUCCEEDED, final.error.message
    stored = neo4j_store.load_plan(final.plan.removeprefix("plans/"))
    assert stored.kind == "replenishment" and stored.lines
