"""forecasting.cleaning applies each stated rule and counts what it changed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplynet.forecasting.cleaning import clean_demand, fill_missing, infer_freq
from supplynet.graph.errors import ValidationFailed


def rows(
    quantities: list[float | None], start: str = "2025-01-06", **extra: object
) -> pd.DataFrame:
    """One series (S1, K1), a row per day, ``None`` meaning the row is absent."""
    dates = pd.date_range(start, periods=len(quantities), freq="D")
    frame = pd.DataFrame(
        {"date": dates, "store_id": "S1", "sku_id": "K1", "quantity": quantities, "price": 2.0}
    )
    frame["promo"] = False
    for column, value in extra.items():
        frame[column] = value
    return frame[frame["quantity"].notna()].reset_index(drop=True)


def series(cleaned: pd.DataFrame) -> list[float]:
    return cleaned["quantity"].tolist()


def test_duplicates_keep_last_and_are_counted() -> None:
    """Identical copies and conflicting duplicates both collapse to the last record."""
    frame = rows([1.0, 2.0, 3.0])
    frame = pd.concat([frame, frame.iloc[[0]], frame.iloc[[1]].assign(quantity=9.0)])
    result = clean_demand(frame)
    assert series(result.frame) == [1.0, 9.0, 3.0]
    assert result.summary.duplicate_rows == 2
    assert result.summary.conflicting_duplicates == 1


def test_negative_quantities_become_missing() -> None:
    result = clean_demand(rows([0.0, -4.0, 3.0]))
    assert np.isnan(result.frame["quantity"].iloc[1])
    assert result.frame["flag"].iloc[1] == "negative"
    assert result.summary.negatives == 1
    assert result.summary.missing_periods == 1


def test_absent_days_are_missing_when_zeros_are_recorded() -> None:
    """A source that records zero days explicitly: an absent day is missing data."""
    result = clean_demand(rows([0.0, 2.0, None, 5.0]))
    assert result.frame["date"].tolist() == list(pd.date_range("2025-01-06", periods=4))
    assert np.isnan(result.frame["quantity"].iloc[2])
    assert result.frame["flag"].iloc[2] == "missing"
    assert result.summary.absent_as_zero == 0
    assert "missing data" in result.summary.missing_rule


def test_absent_days_are_zero_in_a_sparse_sales_log() -> None:
    """No zero anywhere: the source only logs sales, so an absent day sold nothing."""
    result = clean_demand(rows([1.0, 2.0, None, 5.0]))
    assert series(result.frame) == [1.0, 2.0, 0.0, 5.0]
    assert result.frame["flag"].iloc[2] == "zero_filled"
    assert result.summary.absent_as_zero == 1


@pytest.mark.parametrize(("rule", "expected"), [("zero", 0.0), ("missing", None)])
def test_missing_rule_can_be_forced(rule: str, expected: float | None) -> None:
    value = clean_demand(rows([0.0, 2.0, None, 5.0]), missing=rule).frame["quantity"].iloc[2]
    assert (np.isnan(value) and expected is None) or value == expected


def test_series_extends_to_the_last_date_of_the_frame() -> None:
    """A series that stops early gets missing periods up to the frame's end."""
    other = rows([1.0, 0.0, 1.0, 1.0]).assign(sku_id="K2")
    result = clean_demand(pd.concat([rows([0.0, 1.0]), other]))
    k1 = result.frame[result.frame["sku_id"] == "K1"]
    assert len(k1) == 4
    assert k1["quantity"].isna().sum() == 2


def test_outliers_are_capped_at_the_stated_fence() -> None:
    """Q3 + 3 IQR of the non-zero values: Q1 = 2.25, Q3 = 4 -> fence 9.25."""
    values = [2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 2.0, 4.0, 3.0, 50.0]
    result = clean_demand(rows(values))
    assert result.frame["quantity"].iloc[-1] == pytest.approx(9.25)
    assert result.frame["flag"].iloc[-1] == "capped"
    assert result.summary.outliers_capped == 1
    assert result.frame["quantity"].iloc[:-1].tolist() == values[:-1]


def test_promotion_spikes_are_not_outliers() -> None:
    values = [2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 2.0, 4.0, 3.0, 50.0]
    frame = rows(values)
    frame.loc[9, "promo"] = True
    result = clean_demand(frame)
    assert result.frame["quantity"].iloc[-1] == 50.0
    assert result.summary.outliers_capped == 0


def test_bad_input_names_the_field() -> None:
    with pytest.raises(ValidationFailed, match="quantity"):
        clean_demand(rows([1.0]).drop(columns="quantity"))
    with pytest.raises(ValidationFailed, match="outlier_k"):
        clean_demand(rows([1.0]), outlier_k=0)


def test_fill_missing_uses_the_same_weekday_then_the_median() -> None:
    y = pd.Series([1.0, 2.0, 3.0, np.nan, np.nan])
    assert fill_missing(y, season=3).tolist() == [1.0, 2.0, 3.0, 1.0, 2.0]
    assert fill_missing(pd.Series([np.nan, 4.0, 6.0]), season=7).tolist() == [5.0, 4.0, 6.0]


def test_infer_freq() -> None:
    weekly = rows([1.0, 2.0, 3.0]).assign(date=pd.date_range("2025-01-06", periods=3, freq="7D"))
    assert infer_freq(weekly) == "W"
    assert infer_freq(rows([1.0, 2.0, 3.0])) == "D"
    assert (
        clean_demand(weekly, freq="W").frame["date"].diff().dropna().eq(pd.Timedelta(days=7)).all()
    )
