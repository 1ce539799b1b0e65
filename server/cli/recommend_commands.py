"""``supplynet recommend`` and ``supplynet train recommend``: thin doors onto
``server.app.recommend``.

torch loads only when one of these runs (the use case imports it inside).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import pandas as pd
from rich import progress as rich_progress

from supplynet.graph.errors import Problem
from supplynet.graph.open_store import open_store
from supplynet.server.app import recommend as use
from supplynet.server.app.models import ModelStore
from supplynet.server.app.validation import checked
from supplynet.server.cli.arguments import Subparsers
from supplynet.server.cli.output import console, frame_table, key_value_table

USES = ("substitute", "listing", "alternate-supplier")


def register(subparsers: Subparsers) -> None:
    recommend = subparsers.add_parser(
        "recommend",
        help="recommend substitutes, listings or alternate suppliers",
        description="Ask the trained recommendation model (supplynet train recommend): "
        "substitutes a store will have on the shelf on the need date, SKUs similar stores "
        "sell and this one does not, or suppliers to buy a SKU or a substitute from "
        "instead of a risky one. Every answer carries its reason and numbers.",
    )
    recommend.add_argument("--sku", default="", help="the SKU (optional for listings)")
    recommend.add_argument(
        "--store", required=True, help="the store (a warehouse or store for alternate-supplier)"
    )
    recommend.add_argument("--use", choices=USES, default="substitute")
    recommend.add_argument(
        "--need-date", default=None, help="YYYY-MM-DD (default: the day after the last sale)"
    )
    recommend.add_argument("--limit", type=int, default=10, help="at most this many (1-1000)")
    recommend.add_argument("--checkpoint", type=Path, default=None, help="model file to use")
    recommend.add_argument("--json", action="store_true", help="print the answer as JSON")
    recommend.set_defaults(handler=run_recommend)


def run_train_recommend(args: argparse.Namespace) -> int:
    """``supplynet train recommend`` (the ``train`` command hands this kind over)."""
    request = checked(use.TrainRecommendRequest, "train", epochs=args.epochs, seed=args.seed)
    store = open_store()
    try:
        network = store.snapshot()
        demand = store.read_demand()
    finally:
        store.close()
    out = console()
    with rich_progress.Progress(console=out, transient=True) as bar:
        task = bar.add_task("training recommend", total=request.epochs)

        def advance(epoch: int, epochs: int, loss: float) -> None:
            bar.update(task, completed=epoch, total=epochs, description=f"BPR loss {loss:.4f}")

        trained = use.train_recommender(
            request,
            network,
            demand,
            ModelStore.beside(),
            checkpoint=str(args.checkpoint) if args.checkpoint else None,
            progress=advance,
        )
    model = trained.model
    out.print(
        key_value_table(
            "recommend model (graph blend: LightGCN, co-occurrence, catalogue links)",
            {
                "stores": len(model.store_ids),
                "skus": len(model.sku_ids),
                "store x SKU sales": int(model.sold.sum()),
                "blend weights": " / ".join(f"{w:g}" for w in model.blend.weights),
                "LightGCN epochs": len(model.losses),
                "final BPR loss": model.losses[-1] if model.losses else float("nan"),
                "version": model.version,
                "seconds": round(trained.seconds, 1),
                "checkpoint": trained.path,
            },
        )
    )
    return 0


def run_recommend(args: argparse.Namespace) -> int:
    found = []
    need_date = None
    if args.need_date:
        try:
            need_date = dt.date.fromisoformat(args.need_date)
        except ValueError:
            found.append(Problem("need_date", f"not a YYYY-MM-DD date, got {args.need_date!r}"))
    request = use.recommend_request(
        found,
        use=args.use,
        sku_id=args.sku,
        store_id=args.store,
        need_date=need_date,
        limit=args.limit,
    )
    checkpoint = ModelStore.beside().load_bytes(use.KIND, args.checkpoint)
    store = open_store()
    try:
        network = store.snapshot()
        demand = store.read_demand()
        plan = use.latest_plan(store)
        risk = (
            use.sourcing_risk(ModelStore.beside(), network, store.read_deliveries)
            if request.use == "alternate-supplier"
            else None
        )
    finally:
        store.close()
    recommender = use.build_recommender(checkpoint, network, plan, risk)
    answer = use.recommend(recommender, request, use.network_today(demand))
    if args.json:
        print(json.dumps(answer.to_dict(), indent=2))
        return 0
    out = console()
    out.print(
        key_value_table(
            f"{answer.use} for {answer.sku_id or '-'} at {answer.store_id}",
            {
                "need date": answer.need_date.isoformat(),
                "model version": answer.model_version,
                "plan arrivals from": plan.id if plan is not None else "(no saved plan)",
                "fallback": answer.note or "no",
            },
        )
    )
    rows = pd.DataFrame(
        [
            {"sku": r.sku_id, "supplier": r.supplier_id, "score": r.score, "reason": r.reason}
            for r in answer.items
        ],
        columns=["sku", "supplier", "score", "reason"],
    )
    if answer.use != "alternate-supplier":
        rows = rows.drop(columns="supplier")
    out.print(frame_table(f"{len(answer.items)} recommendation(s)", rows, "{:.4f}"))
    return 0
