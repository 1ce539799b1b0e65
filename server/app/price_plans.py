"""Saved ``prices`` plans read back as the known-future prices a forecast takes.

This closes the loop from pricing to planning: ``supplynet price --apply`` (or
``RecommendPrices`` with ``apply_as_planned_prices``) saves the recommended prices, and a
forecast or plan asked for with a prices plan hands them to the global model as the
planned price of each day, which it reads through its ``log_price_ratio`` feature (fitted
on the history's own price changes). Kept apart from ``price`` so that a forecast does not
import the pricing optimiser.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping

import pandas as pd

from supplynet.graph.errors import NotFound, Problem
from supplynet.graph.plans import Scalar, StoredPlan
from supplynet.graph.store import GraphStore
from supplynet.server.app.validation import require

PLAN_KIND = "prices"
LATEST = "latest"
"""The name that picks the newest saved prices plan."""


def price_plan_of(
    prices: Mapping[str, float],
    current: Mapping[str, float],
    start: dt.date,
    days: int,
    plan_id: str = "",
    **attributes: Scalar,
) -> StoredPlan:
    """A ``prices`` plan: ``prices`` per SKU (beside ``current``) for ``days`` from ``start``."""
    until = start + dt.timedelta(days=days - 1)
    return StoredPlan(
        id=plan_id or f"prices-{start.isoformat()}-{secrets.token_hex(3)}",
        kind=PLAN_KIND,
        created_at=dt.datetime.now(dt.UTC),
        attributes={"start": start.isoformat(), "end": until.isoformat(), **attributes},
        lines=tuple(
            {"sku_id": sku, "price": float(price), "current_price": float(current[sku])}
            for sku, price in prices.items()
        ),
    )


def latest_price_plan(store: GraphStore) -> StoredPlan | None:
    """The newest saved ``prices`` plan, if any."""
    plans = store.list_plans(PLAN_KIND)
    if not plans:
        return None
    return store.load_plan(max(plans, key=lambda p: p.created_at).id)


def price_plan(store: GraphStore, name: str | None) -> StoredPlan | None:
    """The prices plan ``name`` (``latest``: the newest saved one; ``None``: none asked).

    Raises ``ValidationFailed`` naming ``prices_plan`` when there is no such plan or it
    is of another kind.
    """
    if not name:
        return None
    try:
        plan = latest_price_plan(store) if name == LATEST else store.load_plan(name)
    except NotFound:
        plan = None
    if plan is None:
        require([Problem("prices_plan", f"no saved prices plan {name!r}"[:100])], "prices plan")
    elif plan.kind != PLAN_KIND:
        wrong = f"plan {name!r} is a {plan.kind} plan, not prices"[:100]
        require([Problem("prices_plan", wrong)], "prices plan")
    return plan


def price_future(plan: StoredPlan, demand: pd.DataFrame) -> pd.DataFrame:
    """A forecaster's known-future frame: the plan's price on each of its days per series.

    Columns ``date, store_id, sku_id, price, promo`` (promo False), for every store x SKU
    series of ``demand`` whose SKU the plan prices. A forecaster holds the last planned
    price after the plan's end, as it holds the last recorded price without a plan.
    """
    prices = {str(line["sku_id"]): float(line["price"] or 0.0) for line in plan.lines}
    days = pd.date_range(str(plan.attributes["start"]), str(plan.attributes["end"]), freq="D")
    series = demand.loc[demand["sku_id"].isin(prices), ["store_id", "sku_id"]].drop_duplicates()
    frame = series.merge(pd.DataFrame({"date": days}), how="cross")
    frame["price"] = frame["sku_id"].map(prices)
    frame["promo"] = False
    return frame[["date", "store_id", "sku_id", "price", "promo"]].reset_index(drop=True)
