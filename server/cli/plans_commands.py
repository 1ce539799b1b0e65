"""``supplynet plans list|show|diff|export``: read saved plans after the run.

Thin: every command reads the store through ``server.app.plans`` / ``plan_diff`` and
renders; a planner sees the same records a gRPC client gets from ``GetPlan``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import get_args

import pandas as pd
from rich.box import SIMPLE_HEAD
from rich.console import Console
from rich.table import Table

from supplynet.graph.open_store import open_store
from supplynet.graph.plans import PlanInfo, Row, Scalar, StoredPlan
from supplynet.server.app import plans as use
from supplynet.server.app.plan_diff import PlanDiff, diff
from supplynet.server.cli.arguments import Subparsers
from supplynet.server.cli.output import console, frame_table, key_value_table

LIST_COLUMNS = {"status": "status", "objective": "cost", "expected_fill_rate": "fill",
                "shortage_units": "short", "warnings": "warn"}  # fmt: skip
"""Attributes ``plans list`` shows, and their headings."""
SHOWN_ROWS = 15


def register(subparsers: Subparsers) -> None:
    plans = subparsers.add_parser(
        "plans",
        help="list, show, compare and export saved plans",
        description="Read saved plans: their KPIs, settings and inputs, warnings, "
        "explanations, projected stock and shortages; compare two plans; export a table.",
    )
    commands = plans.add_subparsers(dest="plans_command", required=True, metavar="ACTION")
    listing = commands.add_parser("list", help="the newest saved plans, newest first")
    listing.add_argument(
        "--kind", help="only plans of this kind (replenishment, routes, prices, simulation)"
    )
    listing.add_argument("--limit", type=int, default=20, help="plans shown (default 20)")
    listing.set_defaults(handler=run_list)
    show = commands.add_parser("show", help="one plan: KPIs, warnings, why, shortages")
    show.add_argument("plan_id")
    show.add_argument("--rows", type=int, default=SHOWN_ROWS, help="rows per table shown")
    show.add_argument("--json", action="store_true", help="the whole record as JSON")
    show.set_defaults(handler=run_show)
    compare = commands.add_parser("diff", help="what changed between two plans, and why")
    compare.add_argument("old_id")
    compare.add_argument("new_id")
    compare.add_argument("--rows", type=int, default=SHOWN_ROWS, help="changed lines shown")
    compare.set_defaults(handler=run_diff)
    export = commands.add_parser("export", help="write one table of a plan (.csv or .json)")
    export.add_argument("plan_id")
    export.add_argument("--out", type=Path, required=True, help="file (.csv or .json)")
    export.add_argument(
        "--table", choices=get_args(use.LineTable), default="lines", help="default: lines"
    )
    export.set_defaults(handler=run_export)


def _load(plan_id: str) -> StoredPlan:
    store = open_store()
    try:
        return store.load_plan(plan_id)
    finally:
        store.close()


def run_list(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        infos = use.list_plans(store, args.kind, args.limit)
    finally:
        store.close()
    out = console()
    if not infos:
        out.print("no saved plans")
        return 0
    out.print(_listing(infos))
    return 0


def _listing(infos: list[PlanInfo]) -> Table:
    """Ids and numbers never wrap or shorten: a plain table that fits 80 columns."""
    table = Table(
        title=f"saved plans ({len(infos)}, newest first, times UTC)",
        title_justify="left",
        box=SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for name in ("id", "created", "kind", *LIST_COLUMNS.values()):
        table.add_column(
            name, no_wrap=name != "kind", justify="left" if name in ("id", "kind") else "right"
        )
    for i in infos:
        a = i.attributes
        fill = a.get("expected_fill_rate")
        cells = (
            str(a.get("status") or ""),
            _amount(a.get("objective")),
            f"{fill:.1%}" if isinstance(fill, float) else "",
            _amount(a.get("shortage_units")),
            str(a.get("warnings") or 0),
        )
        table.add_row(i.id, f"{i.created_at:%m-%d %H:%M}", i.kind, *cells)
    return table


def _amount(value: Scalar) -> str:
    return f"{value:,.0f}" if isinstance(value, int | float) and not isinstance(value, bool) else ""


def _rows_table(out: Console, title: str, rows: list[Row] | tuple[Row, ...], shown: int) -> None:
    if rows:
        head = f"{title} ({min(len(rows), shown)} of {len(rows)})"
        out.print(frame_table(head, pd.DataFrame(list(rows[:shown])), "{:,.1f}"))


def run_show(args: argparse.Namespace) -> int:
    plan = _load(args.plan_id)
    out = console()
    if args.json:
        print(json.dumps(plan.model_dump(mode="json"), indent=1))
        return 0
    out.print(key_value_table(f"{plan.kind} plan {plan.id}", _shown(use.headline(plan))))
    out.print(key_value_table("settings", _shown(use.prefixed(plan, "setting_"))))
    out.print(key_value_table("inputs", _shown(use.prefixed(plan, "input_"))))
    for warning in plan.detail(use.WARNINGS):
        out.print(f"warning: {warning['message']}")
    explanations = [
        {k: e[k] for k in ("kind", "constraint", "location_id", "sku_id", "shortfall")}
        for e in plan.detail(use.EXPLANATIONS)
    ]
    _rows_table(out, "explanations", explanations, args.rows)
    _rows_table(out, "shortages and stock below target", use.shortfalls(plan), args.rows)
    _rows_table(out, "lines", plan.lines, args.rows)
    return 0


def _shown(values: dict[str, Scalar]) -> dict[str, Scalar]:
    """Flags and missing values as words (a table would print True as 1)."""
    return {k: str(v) if isinstance(v, bool) or v is None else v for k, v in values.items()}


def run_diff(args: argparse.Namespace) -> int:
    changes = diff(_load(args.old_id), _load(args.new_id))
    print_diff(console(), changes, args.rows)
    return 0


def print_diff(out: Console, changes: PlanDiff, shown: int) -> None:
    out.print(f"{changes.old_id} -> {changes.new_id}")
    if changes.is_empty():
        out.print("no differences")
        return
    out.print("why:")
    for reason in changes.reasons():
        out.print(f"  {reason}")
    if changes.kpis:
        kpis = pd.DataFrame(
            [{"name": c.name, "old": str(c.old), "new": str(c.new)} for c in changes.kpis]
        )
        out.print(frame_table("KPIs", kpis))
    counts = pd.Series([c.what for c in changes.lines]).value_counts().to_dict()
    words = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
    out.print(f"lines: {words or 'unchanged'}")
    _rows_table(out, "changed lines", [_line(c.key, c.old, c.new) for c in changes.lines], shown)
    short: list[Row] = [
        {"location_id": c.key[0], "sku_id": c.key[1], "short_old": c.old, "short_new": c.new}
        for c in changes.shortages
    ]
    _rows_table(out, "units short over the horizon", short, shown)


def _line(key: tuple[str, ...], old: float, new: float) -> Row:
    line_type, origin, destination, sku, ship = key
    return {"type": line_type, "from": origin, "to": destination, "sku": sku, "ship": ship,
            "old": old, "new": new}  # fmt: skip


def run_export(args: argparse.Namespace) -> int:
    use.check_export_path(args.out)
    rows = use.export(_load(args.plan_id), args.table, args.out)
    console().print(f"wrote {rows} {args.table} rows to {args.out}")
    return 0
