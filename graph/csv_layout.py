"""The documented CSV layout: one file per table, plus ``demand.csv`` and ``deliveries.csv``.

Each file has a header row with the record's field names (see README). Empty cells
are missing values. A missing file is an empty table. Problems are reported by
file, line (the header is line 1) and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.history import DELIVERIES, DEMAND, HistorySchema, empty
from supplynet.graph.network import TABLES, Network, parse_network, table_columns
from supplynet.graph.store import GraphStore, checked_history

HISTORIES: dict[str, HistorySchema] = {"demand": DEMAND, "deliveries": DELIVERIES}
_ROW_PATH = re.compile(r"^(?P<table>\w+)\[(?P<index>\d+)\](?:\.(?P<column>[\w.]+))?$")


@dataclass(frozen=True)
class CsvBundle:
    """What a CSV directory holds: a (possibly partial) network and its histories."""

    network: Network
    demand: pd.DataFrame
    deliveries: pd.DataFrame


def write_csv_dir(
    directory: Path, network: Network, demand: pd.DataFrame, deliveries: pd.DataFrame
) -> list[Path]:
    """Write every table and history as CSV; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    frames = {name: network.frame(name) for name in TABLES} | {
        "demand": demand[DEMAND.columns],
        "deliveries": deliveries[DELIVERIES.columns],
    }
    written = []
    for name, frame in frames.items():
        path = directory / f"{name}.csv"
        frame.to_csv(path, index=False, date_format="%Y-%m-%d")
        written.append(path)
    return written


def read_csv_dir(directory: Path, context: Network | None = None) -> CsvBundle:
    """Read and validate a CSV directory; nothing is returned unless every file is valid.

    References (lanes, positions, history ids) must resolve within the directory or
    within ``context``, the network it is going to be merged into.

    Raises
    ------
    ValidationFailed
        Listing every problem as ``FILE line N column C: reason``.
    """
    if not directory.is_dir():
        raise ValidationFailed([Problem(str(directory), "not a directory")], "import")
    problems: list[Problem] = []
    expected_files = {f"{name}.csv" for name in (*TABLES, *HISTORIES)}
    problems.extend(
        Problem(p.name, "unknown file (expected one of the documented table names)")
        for p in sorted(directory.glob("*.csv"))
        if p.name not in expected_files
    )
    rows: dict[str, list[dict[str, Any]]] = {}
    for name in TABLES:
        frame = _read(directory, name, table_columns(name), problems)
        rows[name] = [] if frame is None else frame.to_dict("records")
    network, network_problems = parse_network(rows, context=context)
    problems.extend(_locate(p) for p in network_problems)
    histories = {}
    # Only ids matter here, so an unchecked union of both networks is enough.
    ids = network if context is None else context.union_unchecked(network)
    for name, schema in HISTORIES.items():
        frame = _read(directory, name, schema.columns, problems)
        try:
            histories[name] = (
                empty(schema) if frame is None else checked_history(frame, schema, ids)
            )
        except ValidationFailed as failure:
            problems.extend(_locate(p) for p in failure.problems)
    if problems:
        raise ValidationFailed(problems, f"import from {directory}")
    return CsvBundle(network, histories["demand"], histories["deliveries"])


def _read(
    directory: Path, name: str, columns: list[str], problems: list[Problem]
) -> pd.DataFrame | None:
    path = directory / f"{name}.csv"
    if not path.exists():
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        problems.append(Problem(path.name, f"unreadable CSV: {error}"))
        return None
    problems.extend(
        Problem(f"{path.name} column {c}", "unknown column")
        for c in frame.columns
        if c not in columns
    )
    frame = frame[[c for c in frame.columns if c in columns]]
    return frame.astype(object).where(frame != "", None)


def _locate(problem: Problem) -> Problem:
    """Turn ``stores[3].latitude`` into ``stores.csv line 5 column latitude``."""
    match = _ROW_PATH.match(problem.path)
    if match is None:
        return problem
    where = f"{match['table']}.csv line {int(match['index']) + 2}"
    if match["column"]:
        where += f" column {match['column']}"
    return Problem(where, problem.reason)


def import_csv_dir(store: GraphStore, directory: Path) -> CsvBundle:
    """Validate a CSV directory against the store's network, then write it.

    Everything is checked before the write, and the network and both histories become
    visible together (``GraphStore.import_bundle``): a rejected, failed or killed import
    stores nothing.
    """
    bundle = read_csv_dir(directory, context=store.snapshot())
    store.import_bundle(bundle.network, bundle.demand, bundle.deliveries)
    return bundle
