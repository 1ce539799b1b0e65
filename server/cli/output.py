"""Rich rendering shared by CLI commands and the demo."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from supplynet.graph.executor import Progress as CountProgress
from supplynet.graph.network import Network

LOG_STEPS = 10
"""Lines a long count prints in a log (not a terminal): one at each tenth done."""


def console() -> Console:
    """The console every command prints to (no colour codes when piped)."""
    return Console(highlight=False)


@contextmanager
def count_progress(
    out: Console, label: str, live: Progress | None = None
) -> Iterator[CountProgress]:
    """A ``progress(done, total)`` callback for a long fan-out (series, parts).

    On a terminal, a rich bar: a task on ``live`` when a bar is already shown (rich shows
    one at a time), else a bar of its own. In a log, where a bar is never drawn, a line
    at each tenth done (``logged_counts``).
    """
    if not out.is_terminal:
        yield logged_counts(out, label)
        return
    with ExitStack() as stack:
        columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        bar = live or stack.enter_context(
            Progress(f"[bold]{label}", *columns, console=out, transient=True)
        )
        task = bar.add_task(label, total=None)
        try:
            yield lambda done, total: bar.update(task, completed=done, total=total)
        finally:
            if live is not None:
                bar.remove_task(task)


def logged_counts(
    out: Console, label: str, clock: Callable[[], float] = time.perf_counter
) -> CountProgress:
    """``progress(done, total)`` printing ``label: done/total (share) in N s`` at the
    first report and each further tenth of the total, so a log shows how far a run is."""
    started, shown = clock(), -1

    def update(done: int, total: int) -> None:
        nonlocal shown
        step = done * LOG_STEPS // max(total, 1)
        if step > shown:
            shown = step
            share = done / max(total, 1)
            out.print(f"{label}: {done:,}/{total:,} ({share:.0%}) in {clock() - started:.0f} s")

    return update


def calendar_line(country: str | None) -> str:
    """The holiday calendar a command's models use, as every command prints it."""
    return f"holiday calendar: {country or 'none'}"


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
    rows["country"] = rows["country"] or "not set"
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
