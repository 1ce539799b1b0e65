"""History frames: schema coercion, every rejection rule, upsert by key."""

from __future__ import annotations

import pandas as pd
import pytest

from supplynet.graph.errors import ValidationFailed
from supplynet.graph.history import DELIVERIES, DEMAND, check, empty, upsert


def demand_rows(**changes: object) -> pd.DataFrame:
    row = {
        "date": "2025-01-06",
        "store_id": "S1",
        "sku_id": "K1",
        "quantity": "3",
        "price": 2.5,
        "promo": "yes",
    }
    return pd.DataFrame([row, row | {"date": "2025-01-07", "promo": 0} | changes])


def test_check_coerces_types() -> None:
    frame = check(demand_rows(), DEMAND)
    assert frame["date"].dtype == "datetime64[ns]"
    assert frame["quantity"].tolist() == [3.0, 3.0]
    assert frame["promo"].tolist() == [True, False]


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        ({"date": "yesterday"}, "demand[1].date", "not a date"),
        ({"date": None}, "demand[1].date", "missing value"),
        ({"store_id": " "}, "demand[1].store_id", "missing id"),
        ({"quantity": -1}, "demand[1].quantity", "must be >= 0"),
        ({"quantity": "many"}, "demand[1].quantity", "not a finite number"),
        ({"price": float("inf")}, "demand[1].price", "not a finite number"),
        ({"promo": "maybe"}, "demand[1].promo", "not a boolean"),
    ],
)
def test_each_rule_names_row_and_column(changes: dict[str, object], path: str, reason: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        check(demand_rows(**changes), DEMAND)
    assert [(p.path, p.reason) for p in info.value.problems] == [(path, reason)]


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValidationFailed, match=r"demand\.price: missing column"):
        check(demand_rows().drop(columns=["price"]), DEMAND)


def test_open_deliveries_may_lack_a_delivered_date() -> None:
    frame = pd.DataFrame(
        [
            {
                "order_date": "2025-01-01",
                "promised_date": "2025-01-05",
                "delivered_date": None,
                "supplier_id": "P1",
                "warehouse_id": "W1",
                "sku_id": "K1",
                "quantity": 10,
            }
        ]
    )
    assert check(frame, DELIVERIES)["delivered_date"].isna().all()


def test_upsert_keeps_the_newest_row_per_key() -> None:
    old = check(demand_rows(), DEMAND)
    new = check(demand_rows(quantity=9).iloc[[1]], DEMAND)
    merged = upsert(old, new, DEMAND)
    assert merged["quantity"].tolist() == [3.0, 9.0]
    assert len(upsert(merged, new, DEMAND)) == 2
    assert list(empty(DEMAND).columns) == DEMAND.columns
