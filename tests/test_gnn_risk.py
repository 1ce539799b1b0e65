"""Risk graph, snapshots and model: structure, no leakage, labels, scores, checkpoints."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from supplynet.gnn.risk_data import (
    FEATURES,
    RISK_EDGES,
    build_risk_graph,
    delivery_log,
    risk_snapshot,
)
from supplynet.gnn.risk_model import (
    RiskConfig,
    RiskModel,
    RiskNet,
    predict,
    risk_loss,
    score_risk,
    spread_cutoffs,
    train_risk,
)
from supplynet.gnn.risk_scores import RiskScores
from supplynet.gnn.training import Checkpoint, TrainConfig, fit
from supplynet.graph.synthetic import SyntheticDataset

CUTOFF = pd.Timestamp("2025-03-01")
QUICK = TrainConfig(epochs=3, patience=3, batch_size=16, seed=3)


@pytest.fixture(scope="module")
def model(tiny: SyntheticDataset) -> RiskModel:
    return train_risk(tiny.network, tiny.deliveries, RiskConfig(hidden=8, stride_days=14), QUICK)


def test_graph_links_lanes_suppliers_regions(tiny: SyntheticDataset) -> None:
    """Every lane points at its supplier, every supplier at its region, both ways."""
    graph = build_risk_graph(tiny.network)
    lanes = tiny.network.frame("supply_lanes")
    assert len(graph.lanes) == len(lanes)
    to_supplier = graph.edges[RISK_EDGES[0]]
    assert to_supplier.shape == (2, len(lanes))
    for lane, supplier in to_supplier.T.tolist():
        assert graph.suppliers[supplier] == graph.lanes["supplier_id"].iat[lane]
    regions = {s.id: s.region for s in tiny.network.suppliers}
    for supplier, region in graph.edges[RISK_EDGES[2]].T.tolist():
        assert graph.regions[region] == regions[graph.suppliers[supplier]]
    assert torch.equal(graph.edges[RISK_EDGES[1]], to_supplier.flip(0))
    assert all(e.shape[1] == 0 for e in graph.without_edges().edges.values())


def test_snapshot_shapes_and_next_order_label(tiny: SyntheticDataset) -> None:
    """Shapes as documented; a lane's label is its first order on or after the cut-off."""
    graph = build_risk_graph(tiny.network)
    data = risk_snapshot(graph, delivery_log(graph, tiny.deliveries), CUTOFF)
    assert data["lane"].x.shape == (len(graph.lanes), FEATURES)
    assert data["supplier"].x.shape == (len(graph.suppliers), FEATURES)
    assert data["region"].x.shape == (len(graph.regions), FEATURES)
    assert bool(data["lane"].y_mask.all())
    first = graph.lanes.iloc[0]
    d = tiny.deliveries
    mine = d[
        (d["supplier_id"] == first["supplier_id"])
        & (d["warehouse_id"] == first["warehouse_id"])
        & (d["sku_id"] == first["sku_id"])
        & (d["order_date"] >= CUTOFF)
    ].sort_values("order_date")
    row = mine.iloc[0]
    delay = max((row["delivered_date"] - row["promised_date"]).days, 0)
    assert float(data["lane"].delay[0]) == delay
    assert float(data["lane"].late[0]) == float(delay > 0)


def test_features_ignore_what_happens_after_the_cutoff(tiny: SyntheticDataset) -> None:
    """Rewriting every arrival after the cut-off, and every later order, changes no feature."""
    graph = build_risk_graph(tiny.network)
    before = risk_snapshot(graph, delivery_log(graph, tiny.deliveries), CUTOFF)
    changed = tiny.deliveries.copy()
    later = changed["delivered_date"] >= CUTOFF
    changed.loc[later, "delivered_date"] += pd.Timedelta(days=9)
    placed_later = changed["order_date"] >= CUTOFF
    changed.loc[placed_later, "delivered_date"] = changed.loc[placed_later, "promised_date"]
    after = risk_snapshot(graph, delivery_log(graph, changed), CUTOFF)
    for node_type in ("lane", "supplier", "region"):
        assert torch.equal(before[node_type].x, after[node_type].x), node_type
    assert not torch.equal(before["lane"].late, after["lane"].late)


def test_scores_cover_every_lane_and_supplier(tiny: SyntheticDataset, model: RiskModel) -> None:
    scores = score_risk(model, tiny.network, tiny.deliveries)
    assert isinstance(scores, RiskScores)
    counts = scores.frame["entity_type"].value_counts().to_dict()
    assert counts == {
        "supply_lane": len(tiny.network.supply_lanes),
        "supplier": len(tiny.network.suppliers),
    }
    lane = tiny.network.supply_lanes[0]
    p, delay = scores.for_lane(lane.supplier_id, lane.warehouse_id, lane.sku_id)
    assert 0 < p < 1 and delay > 0


def test_checkpoint_round_trip_gives_identical_scores(
    tiny: SyntheticDataset, model: RiskModel
) -> None:
    again = RiskModel.from_checkpoint(Checkpoint.from_bytes(model.checkpoint().to_bytes()))
    first = score_risk(model, tiny.network, tiny.deliveries, CUTOFF).frame
    second = score_risk(again, tiny.network, tiny.deliveries, CUTOFF).frame
    assert first.equals(second)


def test_tiny_risk_model_overfits_a_tiny_problem(tiny: SyntheticDataset) -> None:
    """Two snapshots, many epochs: the loop drives the loss down and the labels apart."""
    graph = build_risk_graph(tiny.network)
    log = delivery_log(graph, tiny.deliveries)
    samples = [risk_snapshot(graph, log, log.start + pd.Timedelta(days=d)) for d in (200, 400)]
    net = RiskNet(RiskConfig(hidden=32, dropout=0.0))
    net.standardise_with(samples)
    config = TrainConfig(epochs=80, patience=80, batch_size=2, learning_rate=1e-2)
    report = fit(net, samples, samples, risk_loss, config)
    assert report.best_val_loss < 0.5 * report.val_loss[0]
    fitted = RiskModel(RiskConfig(hidden=32), net)
    for data in samples:
        p = predict(fitted, data)["lane"][0]
        late = data["lane"].late.numpy() == 1
        assert p[late].min() > p[~late].max() - 0.2


def test_spread_cutoffs_bounds_the_snapshots_and_never_densifies() -> None:
    """100 days from day 28: at most 10 cut-offs means every 10th day; a loose bound
    keeps the asked stride."""
    config = RiskConfig(history_days=28, stride_days=2)
    spread = spread_cutoffs(config, settled=127, max_cutoffs=10)
    assert spread.stride_days == 10
    assert len(range(28, 128, spread.stride_days)) == 10
    assert spread_cutoffs(config, settled=127, max_cutoffs=1_000) == config
    assert spread_cutoffs(config, settled=127, max_cutoffs=None) == config


def test_capped_training_records_the_stride_it_used(tiny: SyntheticDataset) -> None:
    """The checkpoint's config says how far apart the training cut-offs were."""
    capped = train_risk(tiny.network, tiny.deliveries, RiskConfig(hidden=8), QUICK, max_cutoffs=20)
    assert capped.config.stride_days > 1
    again = RiskModel.from_checkpoint(Checkpoint.from_bytes(capped.checkpoint().to_bytes()))
    assert again.config == capped.config
