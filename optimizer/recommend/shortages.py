"""Substitutes for the shortages a replenishment plan leaves, for its explanations.

When a plan cannot cover a store x SKU (a ``shortage`` explanation), the store can still
offer the shopper something else: the top substitutes it will have on the shelf in the
first short period, with the plan's own arrivals counted (build the recommender's
``ShelfStock`` from the same plan).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from supplynet.optimizer.recommend.recommender import Recommender
from supplynet.optimizer.replenishment.plan import Explanation

COLUMNS = (
    "location_id",
    "sku_id",
    "need_date",
    "shortfall",
    "rank",
    "substitute_id",
    "score",
    "units_on_shelf",
    "reason",
)


def shortage_substitutes(
    recommender: Recommender,
    explanations: Sequence[Explanation],
    start: dt.date,
    period_days: int,
    limit: int = 3,
) -> pd.DataFrame:
    """Per store x SKU shortage, its ``limit`` best in-stock substitutes (``COLUMNS``).

    The need date is the start of the first short period. Shortages at warehouses, of
    SKUs or stores the recommender does not know, get no rows.
    """
    rows = []
    for explanation in explanations:
        sku = explanation.sku_id
        known = sku in recommender.stock.skus and explanation.location_id in recommender.stores
        if explanation.kind != "shortage" or sku is None or not known:
            continue
        need = start + dt.timedelta(days=period_days * min(explanation.periods, default=0))
        answer = recommender.substitute(sku, explanation.location_id, need, limit)
        rows += [
            {
                "location_id": explanation.location_id,
                "sku_id": sku,
                "need_date": need,
                "shortfall": explanation.shortfall,
                "rank": rank,
                "substitute_id": item.sku_id,
                "score": item.score,
                "units_on_shelf": item.numbers["units_on_shelf"],
                "reason": item.reason,
            }
            for rank, item in enumerate(answer.items, start=1)
        ]
    return pd.DataFrame(rows, columns=list(COLUMNS))
