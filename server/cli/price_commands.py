"""``supplynet price``: a thin door onto ``server.app.price``.

Prints the recommended prices with their reasons (and markdown schedules with
``--markdowns``); ``--out`` writes the table (CSV, or JSON for a ``.json`` name);
``--apply`` saves the prices as the planned prices later forecasts take.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from supplynet.graph.open_store import open_store
from supplynet.server.app.recommend import latest_plan, network_today
from supplynet.server.cli.arguments import Subparsers, add_scope_arguments, scope_from_args
from supplynet.server.cli.output import console, frame_table, key_value_table

if TYPE_CHECKING:  # the pricing stack loads only when ``price`` runs
    from supplynet.server.app.price import PriceAnswer

SHOWN_COLUMNS = [
    "sku_id",
    "current_price",
    "recommended_price",
    "demand_change",
    "margin_change_per_day",
    "elasticity",
    "elasticity_source",
    "binding",
]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "price",
        help="recommend prices (and perishable markdowns) for a scope",
        description="Fit price elasticities on the scope's history (pooled over categories "
        "and substitutes), then choose a ladder price per SKU that maximises the gross "
        "margin of the SKU and its substitutes together, within max change, margin floor, "
        "cap and stock plus the latest plan's arrivals. Every price says why.",
    )
    add_scope_arguments(parser)
    parser.add_argument("--max-change", type=float, default=None, help="e.g. 0.1 for +-10 %%")
    parser.add_argument("--min-margin", type=float, default=None, help="share of the price")
    parser.add_argument("--price-cap", type=float, default=None, help="x today's price")
    parser.add_argument("--max-price-changes", type=int, default=None, help="SKUs at most")
    parser.add_argument("--horizon-days", type=int, default=None, help="days the prices hold")
    parser.add_argument("--markdowns", action="store_true", help="perishable markdowns too")
    parser.add_argument("--store", action="append", default=None, help="markdown store(s)")
    parser.add_argument("--out", type=Path, default=None, help="write the table (.csv/.json)")
    parser.add_argument("--apply", action="store_true", help="save as planned prices")
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")
    parser.set_defaults(handler=run_price)


def run_price(args: argparse.Namespace) -> int:
    from supplynet.server.app import price as use

    scope = scope_from_args(args)
    store = open_store()
    try:
        network = store.snapshot()
        request = use.price_request(
            network,
            max_change=args.max_change,
            min_margin=args.min_margin,
            price_cap=args.price_cap,
            max_price_changes=args.max_price_changes,
            horizon_days=args.horizon_days,
            include_markdowns=args.markdowns,
            store_ids=tuple(args.store or ()),
            scope=None if scope.is_everything() else scope,
        )
        demand = store.read_demand()
        basis = use.pricing_basis(request, network, demand)
        answer = use.price(request, basis, latest_plan(store), network_today(demand))
        saved = use.planned_prices(answer, request.horizon_days) if args.apply else None
        if saved is not None:
            store.save_plan(saved)
    finally:
        store.close()
    table = answer.prices.frame()
    markdowns = pd.DataFrame(
        [
            {
                "store_id": m.store_id,
                "sku_id": m.sku_id,
                "stock": m.stock,
                "days_to_expiry": m.days_to_expiry,
                "schedule": " ".join(f"d{s.day}:{s.price:.2f}" for s in m.steps),
                "expected_waste": m.expected_waste_units,
                "waste_without_markdown": m.no_markdown_waste_units,
            }
            for m in answer.markdowns
        ]
    )
    if args.out is not None:
        _write(args.out, table, answer)
    if args.json:
        print(json.dumps(_as_dict(answer), indent=2, default=str))
        return 0
    out = console()
    out.print(
        key_value_table(
            f"prices from {answer.start.isoformat()}",
            {
                **answer.prices.summary(),
                "pooled estimates": ", ".join(answer.pooled_skus) or "none",
                "saved as planned prices": saved.id if saved is not None else "no",
            },
        )
    )
    out.print(frame_table("recommended prices", table[SHOWN_COLUMNS], "{:,.3f}"))
    if not markdowns.empty:
        out.print(frame_table("markdown schedules", markdowns, "{:,.2f}"))
    return 0


def _as_dict(answer: PriceAnswer) -> dict[str, object]:
    return {
        "start": answer.start.isoformat(),
        "summary": answer.prices.summary(),
        "recommendations": [dataclasses.asdict(r) for r in answer.prices.recommendations],
        "markdowns": [dataclasses.asdict(m) for m in answer.markdowns],
    }


def _write(path: Path, table: pd.DataFrame, answer: PriceAnswer) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(_as_dict(answer), indent=2, default=str))
    else:
        table.to_csv(path, index=False)
