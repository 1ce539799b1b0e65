"""The documented CSV layout: one file per table, plus ``demand.csv`` and ``deliveries.csv``.

Each file has a header row with the record's field names (see README). Empty cells
are missing values. A missing file is an empty table, but a folder with no table at
all is an error (a wrong path, or a SupplyGraph checkout, must not import nothing
with success). Problems are reported by file, line (the header is line 1) and column,
all of them in one round: bad cells together with unknown references, repeated keys
and locations that are stored as another kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd

from supplynet.graph.csv_history import read_history_csv
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.history import DELIVERIES, DEMAND, HistorySchema, empty
from supplynet.graph.model import Location, Record
from supplynet.graph.network import LOCATION_TABLES, TABLES, Network, parse_rows, table_columns
from supplynet.graph.store import GraphStore

HISTORIES: dict[str, HistorySchema] = {"demand": DEMAND, "deliveries": DELIVERIES}
_ROW_PATH = re.compile(r"^(?P<table>\w+)\[(?P<index>\d+)\](?:\.(?P<column>[\w.]+))?$")
_ROW_IN_TEXT = re.compile(r"\b(demand|deliveries)\[(\d+)\]")
SUPPLYGRAPH_MARKER = "Raw Dataset"
"""The folder a SupplyGraph checkout holds (``graph.supplygraph``)."""


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
    expected_files = {f"{name}.csv" for name in (*TABLES, *HISTORIES)}
    if not any((directory / name).exists() for name in expected_files):
        raise ValidationFailed([_no_tables(directory)], f"import from {directory}")
    problems: list[Problem] = []
    problems.extend(
        Problem(p.name, "unknown file (expected one of the documented table names)")
        for p in sorted(directory.glob("*.csv"))
        if p.name not in expected_files
    )
    rows: dict[str, list[dict[str, Any]]] = {}
    for name in TABLES:
        frame = _read(directory, name, table_columns(name), problems)
        rows[name] = [] if frame is None else frame.to_dict("records")
    network, network_problems = _parse_network(rows, context or Network())
    problems.extend(_locate(p) for p in network_problems)
    histories = {}
    # Only ids matter here, so an unchecked union of both networks is enough.
    ids = network if context is None else context.union_unchecked(network)
    for name, schema in HISTORIES.items():
        path = directory / f"{name}.csv"
        histories[name], found = (
            read_history_csv(path, schema, ids) if path.exists() else (empty(schema), [])
        )
        problems.extend(_locate(p) for p in found)
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


def _no_tables(directory: Path) -> Problem:
    if (directory / SUPPLYGRAPH_MARKER).is_dir():
        return Problem(
            str(directory), "a SupplyGraph checkout: import it with --format supplygraph"
        )
    names = ", ".join(f"{name}.csv" for name in (*TABLES, *HISTORIES))
    return Problem(str(directory), f"no table to import (expected one of {names})")


def _parse_network(
    rows: dict[str, list[dict[str, Any]]], context: Network
) -> tuple[Network, list[Problem]]:
    """Parse the tables; every problem numbered by its row in the file.

    Rows that fail to parse are left out of the network, so the network's own
    checks number rows among the parsed ones; those numbers are mapped back.
    """
    parsed: dict[str, list[Record]] = {}
    kept: dict[str, list[int]] = {}
    problems: list[Problem] = []
    for name in TABLES:
        parsed[name], bad = parse_rows(name, rows[name])
        problems.extend(bad)
        bad_rows = {int(m["index"]) for p in bad if (m := _ROW_PATH.match(p.path))}
        kept[name] = [i for i in range(len(rows[name])) if i not in bad_rows]
    network = Network.unchecked(parsed)
    found = network.problems(context=context) + _kind_changes(network, context)
    return network, problems + [_renumber(p, kept) for p in found]


def _kind_changes(network: Network, context: Network) -> list[Problem]:
    """Locations whose id is stored as another kind (a store cannot become a warehouse)."""
    stored = context.locations
    return [
        Problem(
            f"{table}[{index}].id",
            f"id {record.id!r} is stored as a {type(stored[record.id]).__name__.lower()}",
        )
        for table in LOCATION_TABLES
        for index, record in enumerate(cast("tuple[Location, ...]", network.table(table)))
        if record.id in stored and type(stored[record.id]) is not type(record)
    ]


def _renumber(problem: Problem, kept: dict[str, list[int]]) -> Problem:
    match = _ROW_PATH.match(problem.path)
    if match is None or match["table"] not in kept:
        return problem
    row = kept[match["table"]][int(match["index"])]
    column = f".{match['column']}" if match["column"] else ""
    return Problem(f"{match['table']}[{row}]{column}", problem.reason)


def _locate(problem: Problem) -> Problem:
    """Turn ``stores[3].latitude`` into ``stores.csv line 5 column latitude``.

    A row named in the reason (a repeated key's first row) becomes a line too.
    """
    reason = _ROW_IN_TEXT.sub(lambda m: f"{m[1]}.csv line {int(m[2]) + 2}", problem.reason)
    match = _ROW_PATH.match(problem.path)
    if match is None:
        return Problem(problem.path, reason)
    where = f"{match['table']}.csv line {int(match['index']) + 2}"
    if match["column"]:
        where += f" column {match['column']}"
    return Problem(where, reason)


def import_csv_dir(store: GraphStore, directory: Path) -> CsvBundle:
    """Validate a CSV directory against the store's network, then write it.

    Everything is checked before the write, and the network and both histories become
    visible together (``GraphStore.import_bundle``): a rejected, failed or killed import
    stores nothing.
    """
    bundle = read_csv_dir(directory, context=store.snapshot())
    store.import_bundle(bundle.network, bundle.demand, bundle.deliveries)
    return bundle
