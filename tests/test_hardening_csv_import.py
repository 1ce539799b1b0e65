"""``supplynet import`` of a CSV folder: strict, complete reports and nothing half-stored.

Each reproduction from issue 22 runs through the CLI door: the import exits 2 with one
line per problem naming file, line and column, and the store shows exactly what it
showed before. Checks that read the stored network (a kind change, a date rejected
before the write) run on both stores; the purely textual ones on the embedded store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import SHARED_DATA
from import_crash_support import state_digest

from supplynet.graph import csv_history
from supplynet.graph.csv_layout import read_csv_dir, write_csv_dir
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.errors import ValidationFailed
from supplynet.graph.store import GraphStore
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.cli import main

DAYS = 20


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny: SyntheticDataset,
) -> Iterator[GraphStore]:
    """A store of each kind holding ``tiny`` (first days of history); the CLI points at it."""
    yield prepared(request.param, request, tmp_path, monkeypatch, tiny)


@pytest.fixture
def embedded(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny: SyntheticDataset,
) -> GraphStore:
    """The embedded store holding ``tiny``; the CLI points at it."""
    return prepared("embedded", request, tmp_path, monkeypatch, tiny)


def prepared(
    kind: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny: SyntheticDataset,
) -> GraphStore:
    if kind == "neo4j":
        request.getfixturevalue("neo4j_env")
        chosen: GraphStore = request.getfixturevalue("neo4j_store")
    else:
        monkeypatch.delenv("NEO4J_URI", raising=False)
        monkeypatch.setenv("SUPPLYNET_DATA", str(tmp_path / "store"))
        chosen = EmbeddedStore(tmp_path / "store")
    demand, deliveries = recent(tiny)
    chosen.import_bundle(tiny.network, demand, deliveries)
    return chosen


def recent(tiny: SyntheticDataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    start = tiny.demand["date"].min()
    demand = tiny.demand[tiny.demand["date"] < start + pd.Timedelta(days=DAYS)]
    deliveries = tiny.deliveries[tiny.deliveries["order_date"] < start + pd.Timedelta(days=DAYS)]
    return demand, deliveries


@pytest.fixture
def folder(tmp_path: Path, tiny: SyntheticDataset) -> Path:
    """The stored data exported as CSV, ready to be spoiled."""
    demand, deliveries = recent(tiny)
    return write_csv_dir(tmp_path / "csv", tiny.network, demand, deliveries)[0].parent


def edit(path: Path, row: int, column: str, value: str) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(path, index=False)


def rejected(store: GraphStore, args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run the CLI; assert exit 2, no traceback and an unchanged store; return its output."""
    before = state_digest(store)
    capsys.readouterr()
    assert main(args) == 2
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "Traceback" not in output
    assert state_digest(store) == before
    return output


def test_ambiguous_date_is_rejected_with_file_line_column(
    store: GraphStore, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """03/04/2024 is not read as 4 March: the cell is named and nothing is stored."""
    edit(folder / "demand.csv", 3, "date", "03/04/2024")
    output = rejected(store, ["import", str(folder)], capsys)
    assert "demand.csv line 5 column date: not a date" in output


def test_duplicate_history_key_is_reported_not_dropped(
    embedded: GraphStore, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A repeated (date, store, SKU) names both lines instead of keeping the last silently."""
    frame = pd.read_csv(folder / "demand.csv", dtype=str)
    frame = pd.concat([frame, frame.iloc[[2]]], ignore_index=True)
    frame.to_csv(folder / "demand.csv", index=False)
    output = rejected(embedded, ["import", str(folder)], capsys)
    line = len(frame) + 1
    assert f"demand.csv line {line}: duplicate key, first seen in demand.csv line 4" in output


def test_kind_change_names_file_and_line(
    store: GraphStore, folder: Path, tiny: SyntheticDataset, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stored warehouse id arriving in stores.csv is named with its file and line."""
    warehouse = tiny.network.warehouses[0].id
    edit(folder / "stores.csv", 1, "id", warehouse)
    output = rejected(store, ["import", str(folder)], capsys)
    assert f"stores.csv line 3 column id: id '{warehouse}' is stored as a warehouse" in output


def test_row_problems_come_with_field_problems(
    embedded: GraphStore, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad cells, unknown references and a bad lane are all reported in one round."""
    edit(folder / "demand.csv", 0, "quantity", "many")
    edit(folder / "demand.csv", 1, "store_id", "GHOST")
    edit(folder / "stores.csv", 0, "latitude", "north")
    edit(folder / "supply_lanes.csv", 2, "sku_id", "NOPE")
    output = rejected(embedded, ["import", str(folder)], capsys)
    assert "demand.csv line 2 column quantity: not a finite number" in output
    assert "demand.csv line 3 column store_id: unknown id 'GHOST'" in output
    assert "stores.csv line 2 column latitude" in output
    assert "supply_lanes.csv line 4 column sku_id: unknown SKU 'NOPE'" in output


def test_lines_after_a_bad_row_keep_their_numbers(
    embedded: GraphStore, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row that fails to parse does not shift the lines of the problems after it."""
    edit(folder / "supply_lanes.csv", 0, "unit_cost", "free")
    edit(folder / "supply_lanes.csv", 3, "sku_id", "NOPE")
    output = rejected(embedded, ["import", str(folder)], capsys)
    assert "supply_lanes.csv line 5 column sku_id: unknown SKU 'NOPE'" in output


def test_empty_folder_is_an_error(
    embedded: GraphStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder with no table imports nothing: exit 2, not success."""
    (tmp_path / "empty").mkdir()
    output = rejected(embedded, ["import", str(tmp_path / "empty")], capsys)
    assert "no table to import" in output


@pytest.mark.skipif(not (SHARED_DATA / "supplygraph").is_dir(), reason="no SupplyGraph data")
def test_supplygraph_folder_without_format_is_an_error(
    embedded: GraphStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """The SupplyGraph checkout imported as CSV says to pass --format supplygraph."""
    output = rejected(embedded, ["import", str(SHARED_DATA / "supplygraph")], capsys)
    assert "--format supplygraph" in output


def test_chunked_history_keeps_file_line_numbers(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read in chunks of 7 rows: a bad cell and a repeated key in later chunks keep their
    file lines, and a key repeated across chunks is still found."""
    monkeypatch.setattr(csv_history, "CHUNK_ROWS", 7)
    frame = pd.read_csv(folder / "demand.csv", dtype=str)
    frame.loc[30, "date"] = "03/04/2024"
    frame.to_csv(folder / "demand.csv", index=False)
    with pytest.raises(ValidationFailed) as bad_cell:
        read_csv_dir(folder)
    assert str(bad_cell.value.problems[0]) == "demand.csv line 32 column date: not a date"
    frame = pd.read_csv(folder / "demand.csv", dtype=str).drop(index=30)
    pd.concat([frame, frame.iloc[[1]]]).to_csv(folder / "demand.csv", index=False)
    with pytest.raises(ValidationFailed) as repeated:
        read_csv_dir(folder)
    line = len(frame) + 2
    assert [str(p) for p in repeated.value.problems] == [
        f"demand.csv line {line}: duplicate key, first seen in demand.csv line 3"
    ]


def test_chunked_history_reads_back_whole(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 7 rows give the same history as one read."""
    whole = read_csv_dir(folder).demand
    monkeypatch.setattr(csv_history, "CHUNK_ROWS", 7)
    pd.testing.assert_frame_equal(read_csv_dir(folder).demand, whole)
