"""Demand and delivery histories: pandas frames with a checked schema.

Histories are long and numeric, so they stay columnar; ``check_*`` is the single
gate every loader and store passes them through.
"""

from __future__ import annotations

import re
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
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def empty(schema: HistorySchema) -> pd.DataFrame:
    """A frame with the schema's columns and dtypes and no rows."""
    return check(pd.DataFrame({c: [] for c in schema.columns}), schema)


def check(frame: pd.DataFrame, schema: HistorySchema, first_row: int = 0) -> pd.DataFrame:
    """Return a copy coerced to the schema, or raise with every bad cell (first 50 shown).

    Dates are date values or ``YYYY-MM-DD`` text: ``03/04/2024`` is March or April
    depending on who wrote it, so it is rejected rather than guessed. Problem paths
    number rows from ``first_row`` (the frame is a chunk of a longer input).

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
            problems.append(Problem(f"{schema.name}[{first_row + row}].{column}", reason))

    for column in schema.dates:
        parsed = _parse_dates(values[column])
        unparseable = parsed.isna().to_numpy() & values[column].notna().to_numpy()
        report(column, unparseable, "not a date")
        if column not in schema.optional_dates:
            report(column, values[column].isna().to_numpy(), "missing value")
        out[column] = parsed.dt.normalize()
    for column in schema.ids:
        ids = values[column]
        # Look at each distinct id once: stripping every row's made millions of strings.
        codes, uniques = pd.factorize(ids)
        names = pd.Index(uniques).astype(str)
        blank = (codes == -1) | np.isin(codes, np.flatnonzero(names.str.strip() == ""))
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


def _parse_dates(column: pd.Series) -> pd.Series:
    """Date values as they are, text only as strict ``YYYY-MM-DD``; anything else is NaT.

    Each distinct value is parsed once: a long history repeats a few hundred dates.
    """
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.astype("datetime64[ns]")
    codes, uniques = pd.factorize(column)
    parsed = [
        pd.NaT
        if isinstance(value, str) and not _ISO_DATE.fullmatch(value)
        else pd.to_datetime(value, errors="coerce")
        for value in uniques
    ]
    table = pd.DatetimeIndex(parsed, dtype="datetime64[ns]").append(pd.DatetimeIndex([pd.NaT]))
    return pd.Series(table[codes], index=column.index)


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
    """Rows repeating an earlier row's key (first 50), each naming the row it repeats.

    Sorts the key columns' codes instead of hashing whole keys: ``DataFrame.duplicated``
    built hash tables of every row's key (the peak of a 5M-row import: 1.01 GiB instead
    of 1.17).
    """
    codes = [_codes(frame[column]) for column in schema.key]
    order = np.lexsort(codes[::-1])  # stable: within one key, rows in file order
    same = np.ones(max(len(order) - 1, 0), dtype=bool)
    for column in codes:
        ordered = column[order]
        same &= ordered[1:] == ordered[:-1]
    if not same.any():
        return []
    # in sorted order, each row's group starts at the last position not equal to its previous
    starts = np.maximum.accumulate(np.where(np.r_[False, same], 0, np.arange(len(order))))
    firsts = np.empty(len(order), dtype=np.int64)
    firsts[order] = order[starts]
    repeated = np.sort(order[1:][same])[:MAX_REPORTED]
    return [
        Problem(
            f"{schema.name}[{row}]", f"duplicate key, first seen in {schema.name}[{firsts[row]}]"
        )
        for row in repeated
    ]


def _codes(column: pd.Series) -> np.ndarray:
    """One small integer per value, equal exactly where the values are."""
    codes, uniques = pd.factorize(column)
    return np.asarray(codes, dtype=np.int32 if len(uniques) < 2**31 else np.int64)
