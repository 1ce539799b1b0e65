"""Graph recommender vs most-popular and item kNN; stock awareness; training time (issue 20).

Synthetic networks (``demo``, seeds 0-4; ``large``, seeds 0-1, with ``--preset large``):

- substitutes: each SKU's planted substitutes (``SyntheticTruth.cannibalisation``) ranked
  among all other SKUs by item-item similarity. Every model learns from sales only plus,
  for the graph model, category and supplier edges: the declared substitution edges are
  the answer, so they are left out of its graph. Two regimes: the whole history, and the
  first days of sales only (thin data, where the catalogue edges should matter).
- listings held out in time: models learn from sales before a cut-off; the answer per
  store is the SKUs it first sells after the cut-off, ranked among the SKUs it has not
  sold yet (declared substitutes are catalogue data here and stay in the graph). What
  this measures on the generator: a store carries both SKUs of a planted pair and its
  assortment is otherwise drawn at random, so the SKUs first sold after the cut-off are
  mostly the slow member of a pair whose other member already sells there (large seed
  0: 1,584 of 1,613); the blend's catalogue part finds them, store x SKU collaborative
  filtering (LightGCN alone, kNN) cannot do better than a few percent.

Rows: ``graph_blend`` (the product's model, ``optimizer/recommend/blend.py``: LightGCN
over sales + catalogue edges, item co-occurrence and one hop over the declared SKU-SKU
links, weighted by NDCG@10 on a validation tenth of the interactions; ``weights`` lists
lightgcn/cooccurrence/catalogue), ``lightgcn`` (its LightGCN part alone, the same fit),
``most_popular``, ``item_knn`` (cosine over the store columns, 50 neighbours).

MovieLens-100k (read from the installed ``recbole`` wheel's ``dataset_example``; nothing
is downloaded; install it with ``pip install --no-deps recbole==1.2.1``: its ``ray<=2.6.3``
pin conflicts with the dev extra's ``ray>=2.9``, and only the data file is read, the
package is never imported): LightGCN alone (mini-batch, its own settings), the product's
graph blend (its defaults), most-popular and item kNN under the Microsoft Recommenders
protocol: per-user stratified 75/25 random split (seed 42), seen items removed, k=10.
Reference: LightGCN nDCG@10 0.420; most-popular Recall@20 about 0.168 under a random
80/20 split (also run here).

Stock awareness: every (store, SKU) substitute request of the demo network on four need
dates with a real replenishment plan's arrivals; each answer is checked against stock
recomputed here from the network and the plan lines: out-of-stock answers must be 0.
Training time: the product's model on the whole demo history, and request latency of
the in-process substitute call (numpy over precomputed vectors).

Usage: flock /tmp/supplynet-bench.lock .venv/bin/python bench/recommend.py
       [--preset demo|large] [--seeds 0 1 2 3 4] [--skip-movielens]
(MovieLens and stock awareness run with the demo preset.)
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from replenishment_support import recent_forecast  # noqa: E402

from supplynet.graph.synthetic import SyntheticDataset, generate  # noqa: E402
from supplynet.optimizer.recommend.baselines import ItemKNN, MostPopular  # noqa: E402
from supplynet.optimizer.recommend.blend import fit_graph_blend  # noqa: E402
from supplynet.optimizer.recommend.lightgcn import GraphRanker, RankerParams  # noqa: E402
from supplynet.optimizer.recommend.metrics import ndcg_at_k, recall_at_k, top_k  # noqa: E402
from supplynet.optimizer.recommend.model import DEFAULT_PARAMS, train_recommend_model  # noqa: E402
from supplynet.optimizer.recommend.recommender import Recommender  # noqa: E402
from supplynet.optimizer.recommend.sales_graph import (  # noqa: E402
    SalesGraph,
    build_sales_graph,
    interaction_graph,
)
from supplynet.optimizer.recommend.shelf_stock import ShelfStock  # noqa: E402
from supplynet.optimizer.replenishment import PlanSettings, plan_replenishment  # noqa: E402

K = 10
THIN_DAYS = {"demo": 1, "large": 7}
LISTING_CUTOFF_DAYS = {"demo": 1, "large": 28}
MOVIELENS_PARAMS = RankerParams(
    embedding_dim=64, layers=3, epochs=60, batch_size=4096, learning_rate=1e-2, seed=0
)
RESULTS = ROOT / "bench" / "results"


class Ranker(Protocol):
    def user_scores(self, users: np.ndarray) -> np.ndarray: ...
    def item_similarity(self, items: np.ndarray) -> np.ndarray: ...


def fitted_models(graph: SalesGraph) -> Iterator[tuple[str, Ranker, float, str]]:
    """(name, fitted ranker, fit seconds, blend weights) per compared model."""
    started = time.perf_counter()
    blend = fit_graph_blend(graph, DEFAULT_PARAMS).blend
    seconds = time.perf_counter() - started
    yield "graph_blend", blend, seconds, "/".join(f"{w:g}" for w in blend.weights)
    yield "lightgcn", dataclasses.replace(blend, weights=(1.0, 0.0, 0.0)), float("nan"), "1/0/0"
    for name, make in (("most_popular", MostPopular), ("item_knn", ItemKNN)):
        started = time.perf_counter()
        ranker: Ranker = make().fit(graph)
        yield name, ranker, time.perf_counter() - started, ""


def substitute_rows(data: SyntheticDataset) -> list[dict[str, object]]:
    start = data.demand["date"].min()
    rows: list[dict[str, object]] = []
    thin = THIN_DAYS[data.preset.name]
    for regime, until in (
        ("whole history", None),
        (f"first {thin} d", start + pd.Timedelta(days=thin)),
    ):
        graph = build_sales_graph(data.network, data.demand, until=until, substitutions=False)
        index = pd.Index(graph.items)
        truth = data.truth.cannibalisation
        relevant: list[set[int]] = [set() for _ in graph.items]
        for a, b in zip(
            index.get_indexer(truth["sku_id"]),
            index.get_indexer(truth["substitute_id"]),
            strict=True,
        ):
            relevant[a].add(int(b))
        items = np.arange(len(graph.items))
        for name, ranker, seconds, weights in fitted_models(graph):
            ranked = top_k(ranker.item_similarity(items), K, [{i} for i in items])
            rows.append(_row(data, "substitutes", regime, name, ranked, relevant, seconds, weights))
    return rows


def listing_rows(data: SyntheticDataset) -> list[dict[str, object]]:
    days = LISTING_CUTOFF_DAYS[data.preset.name]
    cutoff = data.demand["date"].min() + pd.Timedelta(days=days)
    graph = build_sales_graph(data.network, data.demand, until=cutoff)
    later = build_sales_graph(data.network, data.demand).seen()
    seen = graph.seen()
    relevant = [later[u] - seen[u] for u in range(len(graph.users))]
    users = np.arange(len(graph.users))
    rows = []
    regime = f"sales before day {days}"
    for name, ranker, seconds, weights in fitted_models(graph):
        ranked = top_k(ranker.user_scores(users), K, seen)
        rows.append(_row(data, "listings", regime, name, ranked, relevant, seconds, weights))
    return rows


def _row(
    data: SyntheticDataset,
    task: str,
    regime: str,
    model: str,
    ranked: list[list[int]],
    relevant: list[set[int]],
    seconds: float,
    weights: str,
) -> dict[str, object]:
    return {
        "preset": data.preset.name,
        "seed": data.seed,
        "task": task,
        "regime": regime,
        "model": model,
        f"recall@{K}": recall_at_k(ranked, relevant, K),
        f"ndcg@{K}": ndcg_at_k(ranked, relevant, K),
        "answers": sum(len(r) for r in relevant),
        "fit_s": round(seconds, 2),
        "weights": weights,
    }


def movielens_path() -> Path | None:
    """ml-100k interactions inside the installed recbole wheel (its package is not imported)."""
    spec = importlib.util.find_spec("recbole")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations)))
    path = path / "dataset_example" / "ml-100k" / "ml-100k.inter"
    return path if path.exists() else None


def movielens_rows(path: Path) -> list[dict[str, object]]:
    ratings = pd.read_csv(path, sep="\t")
    ratings.columns = ["user", "item", "rating", "timestamp"]
    ratings[["user", "item"]] = ratings[["user", "item"]].astype(str)
    rows = []
    shuffled = ratings.sample(frac=1.0, random_state=42)
    rank = shuffled.groupby("user").cumcount()
    size = shuffled.groupby("user")["user"].transform("size")
    stratified = rank < np.round(0.75 * size)
    split = np.random.default_rng(42).random(len(shuffled)) < 0.8
    for protocol, in_train, builders in (
        (
            "stratified 75/25",
            stratified,
            {
                "lightgcn": lambda g: GraphRanker(MOVIELENS_PARAMS).fit(g),
                "graph_blend": lambda g: fit_graph_blend(g, DEFAULT_PARAMS).blend,
                "most_popular": lambda g: MostPopular().fit(g),
                "item_knn": lambda g: ItemKNN().fit(g),
            },
        ),
        ("random 80/20", split, {"most_popular": lambda g: MostPopular().fit(g)}),
    ):
        train, test = shuffled[in_train], shuffled[~in_train]
        users = sorted(ratings["user"].unique())
        items = sorted(train["item"].unique())
        test = test[test["item"].isin(items)]
        graph = interaction_graph(users, items, train)
        user_index, item_index = pd.Index(users), pd.Index(items)
        relevant: list[set[int]] = [set() for _ in users]
        for u, i in zip(
            user_index.get_indexer(test["user"]), item_index.get_indexer(test["item"]), strict=True
        ):
            relevant[u].add(int(i))
        for name, make in builders.items():
            started = time.perf_counter()
            ranker = make(graph)
            seconds = time.perf_counter() - started
            ranked = top_k(ranker.user_scores(np.arange(len(users))), 20, graph.seen())
            hits = [
                len(set(r[:K]) & rel) / K for r, rel in zip(ranked, relevant, strict=True) if rel
            ]
            rows.append(
                {
                    "protocol": protocol,
                    "model": name,
                    f"precision@{K}": float(np.mean(hits)),
                    f"recall@{K}": recall_at_k(ranked, relevant, K),
                    f"ndcg@{K}": ndcg_at_k(ranked, relevant, K),
                    "recall@20": recall_at_k(ranked, relevant, 20),
                    "fit_s": round(seconds, 1),
                }
            )
            print(pd.DataFrame(rows[-1:]).to_string(index=False), flush=True)
    return rows


def stock_awareness(data: SyntheticDataset) -> dict[str, object]:
    """Every substitute request of the network on four need dates, checked independently."""
    network = data.network
    started = time.perf_counter()
    model = train_recommend_model(network, data.demand, DEFAULT_PARAMS)
    train_s = time.perf_counter() - started
    settings = PlanSettings(horizon=4, period_days=7, time_limit_s=60.0, workers=1)
    plan = plan_replenishment(network, recent_forecast(data.demand, 4), settings)
    stored = plan.to_stored_plan("bench-plan")
    recommender = Recommender(model, network, ShelfStock.build(network, stored))
    on_hand = {(p.location_id, p.sku_id): p.on_hand for p in network.inventory_positions}
    lines = pd.DataFrame(list(stored.lines))
    lines["arrival_date"] = pd.to_datetime(lines["arrival_date"]).dt.date
    need_dates = [plan.start + dt.timedelta(days=d) for d in (0, 7, 14, 21)]
    requests = answers = out_of_stock = 0
    latencies = []
    for day in need_dates:
        arrived = (
            lines[lines["arrival_date"] <= day]
            .groupby(["destination_id", "sku_id"])["quantity"]
            .sum()
        )
        for store in network.stores:
            for sku in network.skus:
                tick = time.perf_counter()
                answer = recommender.substitute(sku.id, store.id, day, K)
                latencies.append(time.perf_counter() - tick)
                requests += 1
                for item in answer.items:
                    answers += 1
                    units = on_hand.get((store.id, item.sku_id), 0.0) + float(
                        arrived.get((store.id, item.sku_id), 0.0)
                    )
                    out_of_stock += units < 1.0
    empty = sum(
        1
        for day in need_dates
        for store in network.stores
        for sku in network.skus
        if on_hand.get((store.id, sku.id), 0.0) < 1.0
    )
    return {
        "train_s": round(train_s, 2),
        "epochs": DEFAULT_PARAMS.epochs,
        "plan": f"{plan.status}, {len(plan.transfers)} transfers, start {plan.start}",
        "requests": requests,
        "answers": answers,
        "out_of_stock_answers": out_of_stock,
        "positions_empty_today (x4 dates)": empty,
        "p50_ms": round(1000 * float(np.percentile(latencies, 50)), 3),
        "p99_ms": round(1000 * float(np.percentile(latencies, 99)), 3),
    }


def _verdict(scores: pd.DataFrame, metric: str) -> str:
    """``beats``, ``ties at the ceiling`` (both 1.000: nothing left to beat) or ``loses``."""
    graph = float(scores.loc["graph_blend", metric])
    best = float(scores.loc[["most_popular", "item_knn"], metric].max())
    if graph > best + 1e-9:
        word = "beats"
    elif graph >= 1.0 - 1e-9 and best >= 1.0 - 1e-9:
        word = "ties at the ceiling"
    else:
        word = "loses"
    return f"{metric} {graph:.3f} vs {best:.3f} ({word})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=["demo", "large"], default="demo")
    parser.add_argument("--seeds", type=int, nargs="+", default=None, help="demo: 0-4, large: 0 1")
    parser.add_argument("--skip-movielens", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds = args.seeds or ([0, 1, 2, 3, 4] if args.preset == "demo" else [0, 1])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    out: list[str] = [f"# bench/recommend.py --preset {args.preset} at {commit}"]
    out.append(f"# load before: {os.getloadavg()}")

    def show(title: str, frame: pd.DataFrame) -> None:
        text = f"\n## {title}\n{frame.to_string(index=False, float_format='{:.3f}'.format)}"
        print(text, flush=True)
        out.append(text)

    rows: list[dict[str, object]] = []
    for seed in seeds:
        data = generate(args.preset, seed=seed)
        for row in substitute_rows(data) + listing_rows(data):
            print(row, flush=True)
            rows.append(row)
    table = pd.DataFrame(rows)
    show("synthetic: every seed", table)
    metrics = [f"recall@{K}", f"ndcg@{K}"]
    summary = (
        table.groupby(["preset", "task", "regime", "model"], sort=False)[metrics]
        .mean()
        .reset_index()
    )
    show(f"synthetic: mean over seeds {seeds}", summary)
    for (preset, task, regime), group in summary.groupby(["preset", "task", "regime"], sort=False):
        line = f"{preset} {task} ({regime}): graph_blend vs best baseline: " + ", ".join(
            _verdict(group.set_index("model"), metric) for metric in metrics
        )
        print(line)
        out.append(line)
    if args.preset == "demo" and not args.skip_movielens:
        path = movielens_path()
        if path is None:
            out.append("\nMovieLens-100k: recbole not installed, skipped")
        else:
            title = f"MovieLens-100k ({path.name} from the recbole wheel)"
            show(title, pd.DataFrame(movielens_rows(path)))
    if args.preset == "demo":
        stock = stock_awareness(generate("demo", seed=0))
        show("stock awareness and training time (demo, seed 0)", pd.DataFrame([stock]))
    out.append(f"\n# load after: {os.getloadavg()}")
    name = f"recommend_{args.preset}.txt"
    (RESULTS / name).write_text("\n".join(out) + "\n")
    print(f"written bench/results/{name}")


if __name__ == "__main__":
    main()
