"""Risk GNN vs a per-entity logistic regression on held-out periods of generated networks.

For each seed: generate the ``demo`` network; every model learns from what was known at
day 365 (orders placed before it; deliveries after it unknown) and is scored on daily
cut-offs in the second year (every 3 days from day 400 to day 690): ROC-AUC and Brier
score of "the next order of this lane is late" (label: delivered_date > promised_date).

Rows: ``gnn`` (message passing over lane - supplier - region), ``gnn_no_edges`` (the
same network, edges removed: the ablation), ``logreg`` (scikit-learn logistic
regression on the same per-lane features, standardised), and ``oracle``: the
generator's latent late probability (lane risk, raised by an active regional
disruption), the ceiling no model can beat on average.

Each seed is a new generated network (its own disruptions) and a new training seed.

Usage: flock /tmp/supplynet-bench.lock .venv/bin/python bench/gnn_risk.py [--seeds 0 1 2 3 4]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from supplynet.gnn.risk_data import (
    DeliveryLog,
    RiskGraph,
    build_risk_graph,
    delivery_log,
    risk_snapshot,
)
from supplynet.gnn.risk_model import DEFAULT_TRAINING, RiskConfig, RiskModel, predict, train_risk
from supplynet.graph.synthetic import SyntheticDataset, generate

SPLIT_DAY = 365
TEST_DAYS = range(400, 691, 3)


def known_at(dataset: SyntheticDataset, day: int) -> pd.DataFrame:
    """Deliveries as the books stood on ``day``: later orders absent, later arrivals open."""
    frame = dataset.deliveries
    cut = frame["order_date"].min() + pd.Timedelta(days=day)
    known = frame[frame["order_date"] < cut].copy()
    known.loc[known["delivered_date"] >= cut, "delivered_date"] = pd.NaT
    return known


def lane_xy(graph: RiskGraph, log: DeliveryLog, days: range) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for day in days:
        lane = risk_snapshot(graph, log, log.start + pd.Timedelta(days=day))["lane"]
        mask = lane.y_mask.numpy()
        xs.append(lane.x.numpy()[mask])
        ys.append(lane.late.numpy()[mask])
    return np.concatenate(xs), np.concatenate(ys)


def gnn_scores(model: RiskModel, dataset: SyntheticDataset) -> tuple[np.ndarray, np.ndarray]:
    graph = model.graph(dataset.network)
    log = delivery_log(graph, dataset.deliveries)
    ps, ys = [], []
    for day in TEST_DAYS:
        data = risk_snapshot(graph, log, log.start + pd.Timedelta(days=day))
        p, _ = predict(model, data)["lane"]
        mask = data["lane"].y_mask.numpy()
        ps.append(p[mask])
        ys.append(data["lane"].late.numpy()[mask])
    return np.concatenate(ps), np.concatenate(ys)


def oracle_scores(dataset: SyntheticDataset, graph: RiskGraph, log: DeliveryLog) -> np.ndarray:
    """The generator's late probability of each scored lane's next order."""
    truth = dataset.truth
    key = pd.MultiIndex.from_frame(graph.lanes[["supplier_id", "warehouse_id", "sku_id"]])
    base = (
        truth.lane_risk.set_index(["supplier_id", "warehouse_id", "sku_id"])["late_probability"]
        .reindex(key)
        .to_numpy()
    )
    region = graph.lanes["supplier_id"].map({s.id: s.region for s in dataset.network.suppliers})
    out = []
    for day in TEST_DAYS:
        mask = risk_snapshot(graph, log, log.start + pd.Timedelta(days=day))["lane"].y_mask.numpy()
        upcoming = log.order >= day
        first = pd.Series(log.order[upcoming]).groupby(log.lane[upcoming]).min()
        next_order = first.reindex(range(len(base))).to_numpy()
        p = base.copy()
        for event in truth.disruptions.itertuples():
            lo, hi = (event.start - log.start).days, (event.end - log.start).days
            hit = (region.to_numpy() == event.region) & (next_order >= lo) & (next_order <= hi)
            p = np.where(hit, np.maximum(p, event.late_probability), p)
        out.append(p[mask])
    return np.concatenate(out)


def run_seed(seed: int) -> tuple[list[dict[str, object]], dict[str, float]]:
    dataset = generate("demo", seed=seed)
    known = known_at(dataset, SPLIT_DAY)
    rows: list[dict[str, object]] = []
    seconds: dict[str, float] = {}
    labels = None
    for name, config in (
        ("gnn", RiskConfig()),
        ("gnn_no_edges", RiskConfig(message_passing=False)),
    ):
        started = time.perf_counter()
        model = train_risk(
            dataset.network, known, config, dataclasses.replace(DEFAULT_TRAINING, seed=seed)
        )
        seconds[name] = time.perf_counter() - started
        p, labels = gnn_scores(model, dataset)
        rows.append(_row(seed, name, labels, p))
    graph = build_risk_graph(dataset.network)
    train_log = delivery_log(graph, known)
    settled = SPLIT_DAY - 30
    x_train, y_train = lane_xy(graph, train_log, range(RiskConfig().history_days, settled, 1))
    started = time.perf_counter()
    logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    logreg.fit(x_train, y_train)
    seconds["logreg"] = time.perf_counter() - started
    full_log = delivery_log(graph, dataset.deliveries)
    x_test, y_test = lane_xy(graph, full_log, TEST_DAYS)
    assert labels is not None and np.array_equal(y_test, labels)
    rows.append(_row(seed, "logreg", y_test, logreg.predict_proba(x_test)[:, 1]))
    rows.append(_row(seed, "oracle", y_test, oracle_scores(dataset, graph, full_log)))
    return rows, seconds


def _row(seed: int, model: str, y: np.ndarray, p: np.ndarray) -> dict[str, object]:
    return {
        "seed": seed,
        "model": model,
        "auc": roc_auc_score(y, p),
        "brier": brier_score_loss(y, p),
        "scored": len(y),
        "late_share": float(y.mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows, times = [], []
    for seed in args.seeds:
        seed_rows, seconds = run_seed(seed)
        rows += seed_rows
        times.append(seconds)
        print(
            pd.DataFrame(seed_rows).to_string(index=False, float_format="{:.4f}".format),
            flush=True,
        )
    table = pd.DataFrame(rows)
    summary = table.groupby("model", sort=False)[["auc", "brier"]].median()
    base = summary.loc["logreg"]
    summary["auc_vs_logreg"] = summary["auc"] - base["auc"]
    summary["brier_ratio_vs_logreg"] = summary["brier"] / base["brier"]
    auc = table.pivot(index="seed", columns="model", values="auc")
    brier = table.pivot(index="seed", columns="model", values="brier")
    print(f"\nmedian over seeds {args.seeds} (lane level, held-out second year):")
    print(summary.to_string(float_format="{:.4f}".format))
    for name in ("gnn", "gnn_no_edges"):
        both = (auc[name] > auc["logreg"]) & (brier[name] < brier["logreg"])
        print(
            f"{name} vs logreg: higher AUC on {(auc[name] > auc['logreg']).sum()}, "
            f"lower Brier on {(brier[name] < brier['logreg']).sum()}, "
            f"both on {both.sum()} of {len(auc)} seeds"
        )
    print("median training seconds:", pd.DataFrame(times).median().round(1).to_dict())


if __name__ == "__main__":
    main()
