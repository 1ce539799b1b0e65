"""Demand and delivery histories: pandas frames with a checked schema.

Histories are long and numeric, so they stay columnar; ``check_*`` is the single
gate every loader and store passes them through.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed


@dataclass(frozen=True)
class HistorySchema:
    """Column types of one history frame and the columns that identify a row."""

    name: str
    dates: tuple[str, ...]
    ids: tuple[str, ...]
    numbers: tuple[str, ...]
    flags: tuple[str, ...]
    key: tuple[str, ...]
    optional_dates: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        return [*self.dates, *self.ids, *self.numbers, *self.flags]


DEMAND = HistorySchema(
    name="demand",
    dates=("date",),
    ids=("store_id", "sku_id"),
    numbers=("quantity", "price"),
    flags=("promo",),
    key=("date", "store_id", "sku_id"),
)
"""Units sold per store, SKU and period (a day or the week starting on ``date``)."""

DELIVERIES = HistorySchema(
    name="deliveries",
    dates=("order_date", "promised_date", "delivered_date"),
    ids=("supplier_id", "warehouse_id", "sku_id"),
    numbers=("quantity",),
    flags=(),
    key=("supplier_id", "warehouse_id", "sku_id", "order_date"),
    optional_dates=("delivered_date",),
)
"""Supplier deliveries; ``delivered_date`` is empty while an order is still open."""

MAX_REPORTED = 50


def empty(schema: HistorySchema) -> pd.DataFrame:
    """A frame with the schema's columns and dtypes and no rows."""
    return check(pd.DataFrame({c: [] for c in schema.columns}), schema)


def check(frame: pd.DataFrame, schema: HistorySchema) -> pd.DataFrame:
    """Return a copy coerced to the schema, or raise with every bad cell (first 50 shown).

    Raises
    ------
    ValidationFailed
        Missing columns, unparseable or missing values, negative quantities or prices.
    """
    missing = [c for c in schema.columns if c not in frame.columns]
    if missing:
        raise ValidationFailed(
            [Problem(f"{schema.name}.{c}", "missing column") for c in missing], schema.name
        )
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    problems: list[Problem] = []
    values = frame.reset_index(drop=True)

    def report(column: str, bad: np.ndarray, reason: str) -> None:
        for row in np.flatnonzero(bad)[:MAX_REPORTED]:
            problems.append(Problem(f"{schema.name}[{row}].{column}", reason))

    for column in schema.dates:
        parsed = pd.to_datetime(values[column], errors="coerce").astype("datetime64[ns]")
        unparseable = parsed.isna().to_numpy() & values[column].notna().to_numpy()
        report(column, unparseable, "not a date")
        if column not in schema.optional_dates:
            report(column, values[column].isna().to_numpy(), "missing value")
        out[column] = parsed.dt.normalize()
    for column in schema.ids:
        ids = values[column]
        blank = ids.isna().to_numpy() | (ids.astype(str).str.strip() == "").to_numpy()
        report(column, blank, "missing id")
        out[column] = ids.astype(str)
    for column in schema.numbers:
        numbers = pd.to_numeric(values[column], errors="coerce").astype("float64")
        report(column, ~np.isfinite(numbers.to_numpy()), "not a finite number")
        report(column, (numbers < 0).to_numpy(), "must be >= 0")
        out[column] = numbers
    for column in schema.flags:
        # Parse each distinct value once: flags repeat across millions of rows.
        codes, uniques = pd.factorize(values[column], use_na_sentinel=False)
        parsed = [_as_flag(u) for u in uniques]
        report(
            column, np.isin(codes, [i for i, f in enumerate(parsed) if f is None]), "not a boolean"
        )
        out[column] = np.array([bool(f) for f in parsed], dtype=bool)[codes]
    if problems:
        raise ValidationFailed(problems, schema.name)
    return out


def _as_flag(value: object) -> bool | None:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "t"):
        return True
    if text in ("false", "0", "no", "n", "f"):
        return False
    return None


def upsert(existing: pd.DataFrame, incoming: pd.DataFrame, schema: HistorySchema) -> pd.DataFrame:
    """Rows of both frames, the incoming row winning where keys collide; sorted by key."""
    combined = pd.concat([existing, incoming], ignore_index=True)
    combined = combined.drop_duplicates(list(schema.key), keep="last")
    return combined.sort_values(list(schema.key), kind="stable").reset_index(drop=True)


def reference_problems(
    frame: pd.DataFrame, schema: HistorySchema, known: dict[str, set[str]]
) -> list[Problem]:
    """Ids in a history that the network does not know (``known``: column -> valid ids)."""
    problems: list[Problem] = []
    for column, ids in known.items():
        unknown = ~frame[column].isin(ids).to_numpy()
        for row in np.flatnonzero(unknown)[:MAX_REPORTED]:
            problems.append(
                Problem(f"{schema.name}[{row}].{column}", f"unknown id {frame[column].iat[row]!r}")
            )
    return problems


def duplicate_problems(frame: pd.DataFrame, schema: HistorySchema) -> list[Problem]:
    """Rows repeating an earlier row's key (first 50), each naming the row it repeats."""
    key = list(schema.key)
    repeated = frame.duplicated(key, keep="first").to_numpy()
    if not repeated.any():
        return []
    first_row = frame.reset_index(drop=True).reset_index().groupby(key, sort=False)["index"]
    firsts = first_row.transform("min").to_numpy()
    return [
        Problem(f"{schema.name}[{row}]", f"duplicate key, same as row {firsts[row]}")
        for row in np.flatnonzero(repeated)[:MAX_REPORTED]
    ]
