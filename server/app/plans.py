"""Use cases on saved plans: record, list, show, page through lines, export.

A replenishment plan is saved whole: its order and transfer lines, and as details its
projected stock and shortages per position and period, its explanations and warnings,
with the settings and input versions that produced it as ``setting_*`` and ``input_*``
attributes, so a planner can read and compare plans after the run (``plan_diff.py``).
Every door lists, shows and pages plans through these functions.
"""

from __future__ import annotations

import base64
import json
import numbers
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from supplynet.graph.errors import Problem
from supplynet.graph.plans import PlanInfo, Row, Scalar, StoredPlan
from supplynet.graph.scope import Scope
from supplynet.graph.store import GraphStore
from supplynet.server.app.validation import checked, require

if TYPE_CHECKING:  # annotations only: reading plans (``supplynet plans``) needs no solver
    from supplynet.optimizer.replenishment import ReplenishmentPlan

STOCK = "stock"
EXPLANATIONS = "explanations"
WARNINGS = "warnings"
STOCK_COLUMNS = ("location_id", "sku_id", "period", "period_start", "demand", "stock",
                 "shortage", "target", "below_target")  # fmt: skip
DIGITS = 3
"""Decimals kept for stock quantities: a thousandth of a unit."""
EXPORT_FORMATS = ("csv", "json")
LineTable = Literal["lines", "stock", "explanations", "warnings", "searches"]
"""``searches``: a route schedule's solver statistics, one row per search."""


def _number(value: object) -> Scalar:
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real):
        return round(float(value), DIGITS)
    return str(value)


def scope_text(scope: Scope | None) -> str:
    """A scope as one readable, comparable value: ``sku_ids=K1,K2; regions=north``."""
    if scope is None or scope.is_everything():
        return "everything"
    axes = {"warehouse_ids": scope.warehouse_ids, "sku_ids": scope.sku_ids,
            "regions": scope.regions}  # fmt: skip
    return "; ".join(f"{k}={','.join(sorted(v))}" for k, v in axes.items() if v is not None)


def details(plan: ReplenishmentPlan) -> dict[str, tuple[Row, ...]]:
    """The detail tables a planner reads to trust a plan."""
    stock = plan.inventory.reindex(columns=list(STOCK_COLUMNS))
    stock_rows = tuple(
        {
            "location_id": str(row.location_id),
            "sku_id": str(row.sku_id),
            "period": int(row.period),
            "period_start": pd.Timestamp(row.period_start).date().isoformat(),
            "demand": _number(row.demand),
            "stock": _number(row.stock),
            "shortage": _number(row.shortage),
            "target": _number(row.target),
            "below_target": _number(row.below_target),
        }
        for row in stock.itertuples(index=False)
    )
    explanations = tuple(
        {
            "kind": e.kind,
            "constraint": e.constraint,
            "location_id": e.location_id,
            "sku_id": e.sku_id,
            "periods": ",".join(map(str, e.periods)),
            "shortfall": _number(e.shortfall),
            "message": e.message,
        }
        for e in plan.explanations
    )
    warnings = tuple({"message": w} for w in plan.warnings)
    return {STOCK: stock_rows, EXPLANATIONS: explanations, WARNINGS: warnings}


def record(
    plan: ReplenishmentPlan,
    plan_id: str,
    settings: Mapping[str, Scalar],
    inputs: Mapping[str, Scalar],
) -> StoredPlan:
    """The plan as the store keeps it: KPIs, lines, details, ``setting_*`` and ``input_*``."""
    result = plan.to_stored_plan(plan_id)
    attributes = {
        **result.attributes,
        "warnings": len(plan.warnings),
        **{f"setting_{k}": v for k, v in settings.items()},
        **{f"input_{k}": v for k, v in inputs.items()},
    }
    return result.model_copy(update={"attributes": attributes, "details": details(plan)})


def prefixed(plan: StoredPlan | PlanInfo, prefix: str) -> dict[str, Scalar]:
    """Attributes whose name starts with ``prefix``, without it."""
    return {
        key.removeprefix(prefix): value
        for key, value in plan.attributes.items()
        if key.startswith(prefix)
    }


def kpis(plan: StoredPlan | PlanInfo) -> dict[str, Scalar]:
    """The headline numbers: every attribute that is neither a setting nor an input."""
    return {
        key: value
        for key, value in plan.attributes.items()
        if not key.startswith(("setting_", "input_"))
    }


def headline(plan: StoredPlan | PlanInfo) -> dict[str, Scalar]:
    """The KPIs without the copies of settings kept for older readers (``service_level``)."""
    settings = prefixed(plan, "setting_")
    return {k: v for k, v in kpis(plan).items() if k not in settings}


def list_plans(store: GraphStore, kind: str | None = None, limit: int = 20) -> list[PlanInfo]:
    """The newest ``limit`` plans (of a kind), newest first."""
    require([] if limit >= 1 else [Problem("limit", "must be at least 1")], "plans request")
    return store.list_plans(kind)[:limit]


class LinesQuery(BaseModel):
    """Which rows of a plan to read: a table, filters by id and a page."""

    model_config = ConfigDict(frozen=True)

    table: LineTable = "lines"
    location_id: str | None = Field(default=None, max_length=128)
    sku_id: str | None = Field(default=None, max_length=128)
    line_type: str | None = Field(default=None, max_length=32)
    short_only: bool = False
    page_size: int = Field(default=100, ge=1, le=10_000)
    page_token: str = Field(default="", max_length=64)


def lines_query(**fields: object) -> LinesQuery:
    """A checked query; fields left ``None`` (or empty) take the defaults."""
    return checked(LinesQuery, "plan lines request", **{k: v for k, v in fields.items() if v})


def _matches(row: Row, query: LinesQuery) -> bool:
    places = {row.get("location_id"), row.get("origin_id"), row.get("destination_id")}
    return (
        (query.location_id is None or query.location_id in places)
        and (query.sku_id is None or row.get("sku_id") == query.sku_id)
        and (query.line_type is None or row.get("line_type") == query.line_type)
        and (not query.short_only or float(row.get("shortage") or 0.0) > 0)
    )


def _offset(token: str) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
    except ValueError:
        require([Problem("page_token", "not a token this service returned")], "plan lines")
        return 0


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


class LinesPage(BaseModel):
    """One page of matching rows, the total that matched and the next page's token."""

    model_config = ConfigDict(frozen=True)

    rows: tuple[Row, ...]
    total: int
    next_page_token: str


def table_rows(plan: StoredPlan, table: LineTable) -> Sequence[Row]:
    return plan.lines if table == "lines" else plan.detail(table)


def lines_page(plan: StoredPlan, query: LinesQuery) -> LinesPage:
    """The matching rows of one table of ``plan``, a page at a time, in stored order."""
    matching = [row for row in table_rows(plan, query.table) if _matches(row, query)]
    start = _offset(query.page_token)
    end = start + query.page_size
    more = _token(end) if end < len(matching) else ""
    return LinesPage(rows=tuple(matching[start:end]), total=len(matching), next_page_token=more)


def check_export_path(out: Path) -> str:
    """The export format a file name says; refuses any other."""
    fmt = out.suffix.lower().lstrip(".")
    reason = f"{out.name} must end in " + " or ".join(f".{f}" for f in EXPORT_FORMATS)
    require([] if fmt in EXPORT_FORMATS else [Problem("out", reason)], "plans export")
    return fmt


def export(plan: StoredPlan, table: LineTable, out: Path) -> int:
    """Write one table of a plan as CSV or JSON (the format the file name says); rows."""
    fmt = check_export_path(out)
    rows = list(table_rows(plan, table))
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        out.write_text(json.dumps(rows, indent=1))
    else:
        pd.DataFrame(rows).to_csv(out, index=False)
    return len(rows)


def shortfalls(plan: StoredPlan) -> list[Row]:
    """Per position with a shortage or stock below target: units short, periods below
    target and the lowest projected stock, most short first."""
    frame = pd.DataFrame(list(plan.detail(STOCK)))
    if frame.empty:
        return []
    grouped = frame.groupby(["location_id", "sku_id"], sort=False).agg(
        shortage=("shortage", "sum"),
        periods_below=("below_target", lambda b: int((b > 0).sum())),
        lowest_stock=("stock", "min"),
    )
    hit = grouped[(grouped["shortage"] > 0) | (grouped["periods_below"] > 0)]
    ordered = hit.sort_values(["shortage", "periods_below"], ascending=False).reset_index()
    return [
        {k: _number(v) if k != "periods_below" else int(v) for k, v in row.items()}
        for row in ordered.to_dict("records")
    ]
