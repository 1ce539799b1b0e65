"""The CSV layout: export/import round trip and located, all-or-nothing rejection."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplynet.graph.csv_layout import import_csv_dir, read_csv_dir, write_csv_dir
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.errors import ValidationFailed
from supplynet.graph.synthetic import SyntheticDataset


@pytest.fixture
def exported(tmp_path: Path, tiny: SyntheticDataset) -> Path:
    folder = tmp_path / "csv"
    write_csv_dir(folder, tiny.network, tiny.demand, tiny.deliveries)
    return folder


def test_round_trip_through_csv(exported: Path, tiny: SyntheticDataset) -> None:
    bundle = read_csv_dir(exported)
    assert bundle.network == tiny.network
    pd.testing.assert_frame_equal(bundle.demand, tiny.demand)
    pd.testing.assert_frame_equal(bundle.deliveries, tiny.deliveries)


def edit_cell(path: Path, row: int, column: str, value: str) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(path, index=False)


def test_problems_name_file_line_and_column(exported: Path) -> None:
    edit_cell(exported / "stores.csv", 3, "latitude", "north")
    edit_cell(exported / "supply_lanes.csv", 0, "sku_id", "X")
    edit_cell(exported / "demand.csv", 10, "quantity", "-4")
    (exported / "notes.csv").write_text("a\n1\n")
    with pytest.raises(ValidationFailed) as info:
        read_csv_dir(exported)
    found = {str(p) for p in info.value.problems}
    assert any(
        f.startswith("stores.csv line 5 column latitude: input should be a valid number")
        for f in found
    )
    assert "supply_lanes.csv line 2 column sku_id: unknown SKU 'X'" in found
    assert "demand.csv line 12 column quantity: must be >= 0" in found
    assert any(f.startswith("notes.csv: unknown file") for f in found)


def test_unknown_columns_are_reported_once(exported: Path) -> None:
    frame = pd.read_csv(exported / "skus.csv")
    frame["colour"] = "red"
    frame.to_csv(exported / "skus.csv", index=False)
    with pytest.raises(ValidationFailed) as info:
        read_csv_dir(exported)
    assert [str(p) for p in info.value.problems] == ["skus.csv column colour: unknown column"]


def test_rejected_import_stores_nothing(
    exported: Path, tmp_path: Path, tiny: SyntheticDataset
) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.upsert_network(tiny.network)
    edit_cell(exported / "inventory_positions.csv", 0, "on_hand", "12345")
    edit_cell(exported / "deliveries.csv", 2, "sku_id", "GHOST")
    with pytest.raises(ValidationFailed, match=r"deliveries.csv line 4 column sku_id"):
        import_csv_dir(store, exported)
    assert store.snapshot() == tiny.network
    assert store.read_demand().empty


def test_partial_import_may_reference_stored_records(
    tmp_path: Path, tiny: SyntheticDataset
) -> None:
    store = EmbeddedStore(tmp_path / "store")
    store.upsert_network(tiny.network)
    folder = tmp_path / "lanes"
    folder.mkdir()
    tiny.network.frame("supply_lanes").head(2).assign(moq=7.0).to_csv(
        folder / "supply_lanes.csv", index=False
    )
    bundle = import_csv_dir(store, folder)
    assert bundle.network.counts()["supply_lanes"] == 2
    moqs = {lane.key(): lane.moq for lane in store.snapshot().supply_lanes}
    assert [moqs[lane.key()] for lane in bundle.network.supply_lanes] == [7.0, 7.0]
