"""Read a history CSV in chunks, so memory follows the typed rows kept, not the text.

A 200 MB ``demand.csv`` read whole as text took 3.3 GB (every cell a Python string);
here ``CHUNK_ROWS`` rows at a time are parsed, checked (cells, ids, repeated keys) and
kept as typed columns with the ids as categories of the network's ids (one dtype for
every chunk, so they concatenate without turning back into strings), and repeated
keys across chunks are checked once at the end, on the codes. Problem paths number
rows from the start of the file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.history import MAX_REPORTED, HistorySchema, duplicate_problems, empty
from supplynet.graph.network import Network
from supplynet.graph.store import checked_history, history_ids

CHUNK_ROWS = 100_000


def read_history_csv(
    path: Path, schema: HistorySchema, ids: Network
) -> tuple[pd.DataFrame, list[Problem]]:
    """The checked history in ``path`` and every problem found (none: the frame is valid).

    ``ids`` is the network whose stores, warehouses, suppliers and SKUs rows may name.
    Checking stops after ``MAX_REPORTED`` problems, saying where.
    """
    found: list[Problem] = []
    chunks: list[pd.DataFrame] = []
    offset = 0
    categories = {
        column: pd.CategoricalDtype(sorted(known))
        for column, known in history_ids(schema, ids).items()
    }
    try:
        for chunk in pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=CHUNK_ROWS):
            if offset == 0:
                found += [
                    Problem(f"{path.name} column {c}", "unknown column")
                    for c in chunk.columns
                    if c not in schema.columns
                ]
            text = chunk[[c for c in chunk.columns if c in schema.columns]]
            try:
                typed = checked_history(text.astype(object).where(text != "", None), schema, ids)
                chunks.append(typed.astype(categories))
            except ValidationFailed as failure:
                found += [_shift(p, schema.name, offset) for p in failure.problems]
            offset += len(chunk)
            if len(found) >= MAX_REPORTED or any(p.reason == "missing column" for p in found):
                found.append(Problem(path.name, f"checking stopped after line {offset + 1}"))
                break
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        found.append(Problem(path.name, f"unreadable CSV: {error}"))
    if found or not chunks:
        return empty(schema), found
    frame = pd.concat(chunks, ignore_index=True)
    repeated = duplicate_problems(frame, schema)
    return frame.assign(**{column: _as_text(frame[column]) for column in schema.ids}), repeated


def _as_text(column: pd.Series) -> pd.Series:
    """Category ids as strings through the categories (``astype(str)`` went through one
    Python object per row: 290 MB more at the peak of a 5M-row import)."""
    names = column.cat.categories.astype(str)
    return pd.Series(names.take(column.cat.codes.to_numpy()), index=column.index)


def _shift(problem: Problem, name: str, offset: int) -> Problem:
    """A chunk's row numbers (``demand[3]``) as the file's (``demand[200003]``)."""
    row = re.compile(rf"\b{name}\[(\d+)\]")

    def moved(match: re.Match[str]) -> str:
        return f"{name}[{int(match[1]) + offset}]"

    return Problem(row.sub(moved, problem.path), row.sub(moved, problem.reason))
