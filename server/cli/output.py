"""Rich rendering shared by CLI commands and the demo."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from supplynet.graph.network import Network


def console() -> Console:
    """The console every command prints to (no colour codes when piped)."""
    return Console(highlight=False)


def key_value_table(title: str, rows: Mapping[str, Any]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("value", justify="right")
    for key, value in rows.items():
        table.add_row(
            key,
            f"{value:,.2f}"
            if isinstance(value, float)
            else f"{value:,}"
            if isinstance(value, int)
            else str(value),
        )
    return table


def frame_table(title: str, frame: pd.DataFrame, float_format: str = "{:,.3f}") -> Table:
    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        table.add_column(
            str(column), justify="right" if frame[column].dtype.kind in "fi" else "left"
        )
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v, float_format) for v in row))
    return table


def _cell(value: object, float_format: str) -> str:
    if isinstance(value, float):
        return float_format.format(value)
    return str(value)


def network_summary(network: Network, demand: pd.DataFrame, deliveries: pd.DataFrame) -> Table:
    """Counts of every table plus history coverage: what ``info`` and the demo print."""
    rows: dict[str, Any] = dict(network.summary())
    rows["demand rows"] = len(demand)
    rows["delivery rows"] = len(deliveries)
    if len(demand):
        rows["demand period"] = (
            f"{demand['date'].min():%Y-%m-%d} .. {demand['date'].max():%Y-%m-%d}"
        )
        rows["demand series"] = int(demand[["store_id", "sku_id"]].drop_duplicates().shape[0])
    if len(deliveries):
        delivered = deliveries.dropna(subset=["delivered_date"])
        late = (delivered["delivered_date"] > delivered["promised_date"]).mean()
        rows["late deliveries"] = f"{late:.1%}"
    return key_value_table("network", rows)
