"""Bills of materials through the CSV layout and the CLI: round trip, errors, optional file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplynet.graph.csv_layout import read_csv_dir, write_csv_dir
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.model import BomLine
from supplynet.graph.neo4j_store import Neo4jStore
from supplynet.graph.network import Network
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.cli import main


def assembled(network: Network) -> Network:
    """``network`` whose first warehouse assembles its first SKU from the next two."""
    plant = network.warehouses[0].id
    finished, *parts = network.skus[:3]
    lines = [
        BomLine(
            plant_id=plant,
            sku_id=finished.id,
            component_id=part.id,
            quantity_per_unit=quantity,
            assembly_lead_time_days=2.0,
        )
        for part, quantity in zip(parts, (1.0, 2.5), strict=True)
    ]
    return network.merge(Network.build(check_references=False, bill_of_materials=lines))


@pytest.fixture
def folder(tmp_path: Path, tiny: SyntheticDataset) -> Path:
    target = tmp_path / "csv"
    write_csv_dir(target, assembled(tiny.network), tiny.demand.head(50), tiny.deliveries.head(5))
    return target


def test_csv_round_trip_keeps_the_bill_of_materials(folder: Path, tiny: SyntheticDataset) -> None:
    assert len(pd.read_csv(folder / "bill_of_materials.csv")) == 2
    assert read_csv_dir(folder).network == assembled(tiny.network)


def test_cli_imports_a_bill_of_materials_and_names_a_bad_quantity(
    folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = tmp_path / "store"
    monkeypatch.setenv("SUPPLYNET_DATA", str(store))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert main(["import", str(folder)]) == 0
    stored = EmbeddedStore(store).snapshot()
    assert stored.bill_of_materials == read_csv_dir(folder).network.bill_of_materials
    lines = pd.read_csv(folder / "bill_of_materials.csv")
    lines.loc[1, "quantity_per_unit"] = 0
    lines.to_csv(folder / "bill_of_materials.csv", index=False)
    capsys.readouterr()
    assert main(["import", str(folder)]) == 2
    assert capsys.readouterr().err.splitlines()[1] == (
        "error: bill_of_materials.csv line 3 column quantity_per_unit: "
        "input should be greater than 0 (got '0.0')"
    )
    assert EmbeddedStore(store).snapshot() == stored


def test_a_folder_without_the_bill_of_materials_still_imports(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny: SyntheticDataset
) -> None:
    (folder / "bill_of_materials.csv").unlink()
    monkeypatch.setenv("SUPPLYNET_DATA", str(tmp_path / "store"))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert main(["import", str(folder)]) == 0
    assert EmbeddedStore(tmp_path / "store").snapshot() == tiny.network


@pytest.mark.neo4j
@pytest.mark.usefixtures("neo4j_env")
def test_cli_imports_a_bill_of_materials_into_neo4j(folder: Path, neo4j_store: Neo4jStore) -> None:
    assert main(["import", str(folder)]) == 0
    expected = read_csv_dir(folder).network.bill_of_materials
    assert sorted(neo4j_store.snapshot().bill_of_materials, key=BomLine.key) == sorted(
        expected, key=BomLine.key
    )
    assert neo4j_store.query("MATCH (:Sku)-[r:MADE_FROM]->(:Sku) RETURN count(r) AS n")[0]["n"] == 2
