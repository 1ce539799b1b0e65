"""The twin through both doors: ``supplynet simulate`` and the gRPC ``SimulationService``.

Properties: the CLI writes the KPI table, paired differences, daily series and plots and
exits 0, and bad input exits 2 naming each field; over gRPC a simulation is a
long-running operation whose result is a saved ``simulation`` plan with one KPI line per
replication and policy, bad input is INVALID_ARGUMENT with field violations, and a
cancelled simulation ends CANCELLED.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pandas as pd
import pytest
from rpc_harness import ServerThread, running_server, settings, violations

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.cli import main
from supplynet.v1 import (
    operation_pb2,
    plan_pb2,
    replenishment_pb2,
    replenishment_pb2_grpc,
    simulation_pb2,
    simulation_pb2_grpc,
)

State = operation_pb2.OperationState


def test_cli_writes_the_tables(tmp_path: Path) -> None:
    flags = ["--preset", "tiny", "--days", "3", "--replications", "2", "--policies", "baseline"]
    code = main(["simulate", *flags, "--out", str(tmp_path)])
    assert code == 0
    kpis = pd.read_csv(tmp_path / "kpis.csv")
    assert kpis["policy"].tolist() == ["baseline", "baseline"]
    assert len(pd.read_parquet(tmp_path / "daily.parquet")) == 2 * 3
    assert (tmp_path / "outcomes.png").stat().st_size > 0


def test_cli_bad_input_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--preset", "tiny", "--days", "0", "--policies", "magic"]) == 2
    err = capsys.readouterr().err
    assert "days: must be at least 1" in err
    assert "policies: unknown policy 'magic'" in err


@pytest.fixture(scope="module")
def server(
    tiny: SyntheticDataset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerThread]:
    root = tmp_path_factory.mktemp("twin")
    store = EmbeddedStore(root)
    store.upsert_network(tiny.network)
    store.append_demand(tiny.demand)
    with running_server(settings(root, workers=2)) as running:
        yield running


@pytest.fixture(scope="module")
def stub(server: ServerThread) -> simulation_pb2_grpc.SimulationServiceStub:
    return simulation_pb2_grpc.SimulationServiceStub(grpc.insecure_channel(server.target))


def test_simulation_operation_end_to_end(
    server: ServerThread, stub: simulation_pb2_grpc.SimulationServiceStub
) -> None:
    """On the store's network (no truth: bootstrapped demand), two replications of baseline."""
    started = stub.StartSimulation(
        simulation_pb2.StartSimulationRequest(days=3, replications=2, policies=["baseline"])
    )
    final = list(stub.WatchOperation(replenishment_pb2.WatchOperationRequest(name=started.name)))[
        -1
    ]
    assert final.metadata.state == State.OPERATION_STATE_SUCCEEDED, final.error.message
    plans = replenishment_pb2_grpc.ReplenishmentServiceStub(grpc.insecure_channel(server.target))
    saved = plans.GetPlan(plan_pb2.GetPlanRequest(name=final.plan))
    assert saved.kind == "simulation"
    kinds = [line.fields["line_type"].string_value for line in saved.lines]
    assert kinds.count("kpis") == 2


def test_bad_simulation_request_is_invalid_argument(
    stub: simulation_pb2_grpc.SimulationServiceStub,
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.StartSimulation(
            simulation_pb2.StartSimulationRequest(days=-3, policies=["magic"], preset="huge")
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(caught.value)) == {"days", "policies", "preset"}


def test_cancelled_simulation_ends_cancelled(
    stub: simulation_pb2_grpc.SimulationServiceStub,
) -> None:
    started = stub.StartSimulation(
        simulation_pb2.StartSimulationRequest(preset="tiny", days=365, replications=50)
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        operation = stub.GetOperation(replenishment_pb2.GetOperationRequest(name=started.name))
        if operation.metadata.state == State.OPERATION_STATE_RUNNING:
            break
        time.sleep(0.2)
    cancelled = stub.CancelOperation(replenishment_pb2.CancelOperationRequest(name=started.name))
    assert cancelled.done
    assert cancelled.metadata.state == State.OPERATION_STATE_CANCELLED
