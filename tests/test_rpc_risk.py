"""RiskService over a real socket, with a real (small) risk GNN trained on the tiny network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from rpc_harness import ServerThread, error_info, running_server, settings, violations

from supplynet.gnn.risk_model import RiskModel, score_risk, train_risk
from supplynet.gnn.training import Checkpoint, TrainConfig
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.app.risk_ranking import model_version, rank_risk
from supplynet.v1 import (
    common_pb2,
    operation_pb2,
    plan_pb2,
    replenishment_pb2,
    replenishment_pb2_grpc,
    risk_pb2,
    risk_pb2_grpc,
)


@pytest.fixture(scope="module")
def checkpoint(tiny: SyntheticDataset) -> bytes:
    """A risk GNN trained for two epochs (seeded): small, but the real model."""
    training = TrainConfig(epochs=2, patience=2, batch_size=16, seed=0)
    return train_risk(tiny.network, tiny.deliveries, training=training).checkpoint().to_bytes()


@pytest.fixture(scope="module")
def server(
    tiny: SyntheticDataset, checkpoint: bytes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerThread]:
    root = tmp_path_factory.mktemp("risk")
    store = EmbeddedStore(root)
    store.upsert_network(tiny.network)
    store.append_demand(tiny.demand)
    store.append_deliveries(tiny.deliveries)
    (root / "models").mkdir()
    (root / "models" / "risk.pt").write_bytes(checkpoint)
    with running_server(settings(root)) as running:
        yield running


@pytest.fixture(scope="module")
def stub(server: ServerThread) -> risk_pb2_grpc.RiskServiceStub:
    return risk_pb2_grpc.RiskServiceStub(grpc.insecure_channel(server.target))


def test_scores_every_supplier_and_lane_as_the_model_does(
    stub: risk_pb2_grpc.RiskServiceStub, tiny: SyntheticDataset, checkpoint: bytes
) -> None:
    reply = stub.ScoreRisk(risk_pb2.ScoreRiskRequest(), timeout=120)
    model = RiskModel.from_checkpoint(Checkpoint.from_bytes(checkpoint))
    expected = score_risk(model, tiny.network, tiny.deliveries).frame
    lanes = [s for s in reply.scores if s.entity_type == risk_pb2.ENTITY_TYPE_SUPPLY_LANE]
    suppliers = [s for s in reply.scores if s.entity_type == risk_pb2.ENTITY_TYPE_SUPPLIER]
    assert len(lanes) == len(tiny.network.supply_lanes)
    assert len(suppliers) == len(tiny.network.suppliers)
    by_key = {
        (r.supplier_id, r.warehouse_id, r.sku_id): r.late_probability for r in expected.itertuples()
    }
    for score in reply.scores:
        assert score.late_probability == pytest.approx(
            by_key[(score.supplier_id, score.warehouse_id, score.sku_id)], abs=1e-6
        )
        assert 0 <= score.late_probability <= 1 and score.expected_delay_days >= 0
        assert score.model == "gnn"


def test_answers_in_the_cli_ranking_and_names_the_model(
    stub: risk_pb2_grpc.RiskServiceStub, tiny: SyntheticDataset, checkpoint: bytes
) -> None:
    reply = stub.ScoreRisk(risk_pb2.ScoreRiskRequest(), timeout=120)
    assert reply.model_version == model_version(checkpoint)
    model = RiskModel.from_checkpoint(Checkpoint.from_bytes(checkpoint))
    ranking = rank_risk(score_risk(model, tiny.network, tiny.deliveries), reply.model_version)
    suppliers = [
        s.supplier_id for s in reply.scores if s.entity_type == risk_pb2.ENTITY_TYPE_SUPPLIER
    ]
    lanes = [
        (s.supplier_id, s.warehouse_id, s.sku_id)
        for s in reply.scores
        if s.entity_type == risk_pb2.ENTITY_TYPE_SUPPLY_LANE
    ]
    assert suppliers == ranking.suppliers["supplier_id"].tolist()
    assert lanes == list(
        ranking.lanes[["supplier_id", "warehouse_id", "sku_id"]].itertuples(index=False, name=None)
    )
    assert reply.scores[0].entity_type == risk_pb2.ENTITY_TYPE_SUPPLIER


def test_a_scope_scores_only_its_lanes(
    stub: risk_pb2_grpc.RiskServiceStub, tiny: SyntheticDataset
) -> None:
    warehouse = tiny.network.warehouses[0].id
    reply = stub.ScoreRisk(
        risk_pb2.ScoreRiskRequest(scope=common_pb2.Scope(warehouse_ids=[warehouse])), timeout=120
    )
    lanes = [s for s in reply.scores if s.entity_type == risk_pb2.ENTITY_TYPE_SUPPLY_LANE]
    assert lanes and {s.warehouse_id for s in lanes} == {warehouse}
    assert len(lanes) == sum(
        1 for lane in tiny.network.supply_lanes if lane.warehouse_id == warehouse
    )


def test_risk_errors(
    stub: risk_pb2_grpc.RiskServiceStub, tiny: SyntheticDataset, tmp_path: Path
) -> None:
    with pytest.raises(grpc.RpcError) as unknown:
        stub.ScoreRisk(risk_pb2.ScoreRiskRequest(model="ouija"))
    assert set(violations(unknown.value)) == {"model"}
    with pytest.raises(grpc.RpcError) as empty:
        stub.ScoreRisk(risk_pb2.ScoreRiskRequest(scope=common_pb2.Scope(warehouse_ids=["NOPE"])))
    assert set(violations(empty.value)) == {"scope"}
    EmbeddedStore(tmp_path).upsert_network(tiny.network)
    with running_server(settings(tmp_path)) as untrained:
        channel = grpc.insecure_channel(untrained.target)
        with pytest.raises(grpc.RpcError) as missing:
            risk_pb2_grpc.RiskServiceStub(channel).ScoreRisk(risk_pb2.ScoreRiskRequest())
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
        assert "supplynet train risk" in error_info(missing.value).metadata["key"]
        plans = replenishment_pb2_grpc.ReplenishmentServiceStub(channel)
        with pytest.raises(grpc.RpcError) as no_model:
            plans.StartPlan(replenishment_pb2.StartPlanRequest(use_risk=True))
        assert no_model.value.code() == grpc.StatusCode.NOT_FOUND


def test_a_plan_can_use_the_risk_scores(server: ServerThread, tiny: SyntheticDataset) -> None:
    plans = replenishment_pb2_grpc.ReplenishmentServiceStub(grpc.insecure_channel(server.target))
    request = replenishment_pb2.StartPlanRequest(
        scope=common_pb2.Scope(sku_ids=[s.id for s in tiny.network.skus[:2]]),
        horizon_days=14,
        forecast_model="seasonal_naive",
        time_limit_seconds=20,
        use_risk=True,
    )
    started = plans.StartPlan(request)
    watch = replenishment_pb2.WatchOperationRequest(name=started.name)
    updates = list(plans.WatchOperation(watch, timeout=120))
    assert updates[-1].metadata.state == operation_pb2.OPERATION_STATE_SUCCEEDED
    plan = plans.GetPlan(plan_pb2.GetPlanRequest(name=updates[-1].plan))
    assert plan.attributes["risk_model"].string_value == "gnn"
    assert plan.attributes["forecast_model"].string_value == "seasonal_naive"
