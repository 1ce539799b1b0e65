"""The embedded store's own guarantees: atomic versions, crash leftovers, on-disk layout.

Behaviour shared with the Neo4j store is covered by the contract suite.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.errors import NotFound, ValidationFailed
from supplynet.graph.model import SupplyLane
from supplynet.graph.network import Network
from supplynet.graph.plans import StoredPlan
from supplynet.graph.scope import Scope
from supplynet.graph.synthetic import SyntheticDataset


@pytest.fixture
def filled(tmp_path: Path, tiny: SyntheticDataset) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path / "store")
    store.upsert_network(tiny.network)
    store.append_demand(tiny.demand)
    store.append_deliveries(tiny.deliveries)
    return store


def test_round_trip(filled: EmbeddedStore, tiny: SyntheticDataset) -> None:
    assert filled.snapshot() == tiny.network
    pd.testing.assert_frame_equal(filled.read_demand(), tiny.demand)
    pd.testing.assert_frame_equal(filled.read_deliveries(), tiny.deliveries)


def test_a_write_that_fails_midway_leaves_the_previous_version(
    filled: EmbeddedStore, tiny: SyntheticDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []
    original = pd.DataFrame.to_parquet

    def crash_on_third_table(frame: pd.DataFrame, path: object, **kwargs: object) -> None:
        written.append(str(path))
        if len(written) == 3:
            raise OSError("disk full")
        original(frame, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pd.DataFrame, "to_parquet", crash_on_third_table)
    lane = tiny.network.supply_lanes[0].model_copy(update={"moq": 999.0})
    with pytest.raises(OSError, match="disk full"):
        filled.upsert_network(Network.build(supply_lanes=[lane], check_references=False))
    monkeypatch.undo()
    assert filled.snapshot() == tiny.network
    again = EmbeddedStore(filled.root)
    assert again.snapshot() == tiny.network


def test_rejected_upsert_changes_nothing(filled: EmbeddedStore, tiny: SyntheticDataset) -> None:
    before = sorted(p.name for p in (filled.root / "network").iterdir())
    bad = SupplyLane(
        supplier_id="NOPE", warehouse_id="W001", sku_id="K0001", lead_time_mean_days=1, unit_cost=1
    )
    with pytest.raises(ValidationFailed, match="unknown supplier 'NOPE'"):
        filled.upsert_network(Network.build(supply_lanes=[bad], check_references=False))
    assert sorted(p.name for p in (filled.root / "network").iterdir()) == before
    assert filled.snapshot() == tiny.network


def test_history_with_unknown_ids_is_rejected_whole(filled: EmbeddedStore) -> None:
    rows = filled.read_demand().head(3).copy()
    rows.loc[1, "store_id"] = "GHOST"
    rows["quantity"] = 1234.0
    with pytest.raises(ValidationFailed, match=r"demand\[1\].store_id: unknown id 'GHOST'"):
        filled.append_demand(rows)
    assert (filled.read_demand()["quantity"] != 1234.0).all()


def test_one_version_on_disk_after_writes(filled: EmbeddedStore, tiny: SyntheticDataset) -> None:
    """Only the version the manifest names stays on disk."""
    filled.upsert_network(tiny.network)
    versions = [p.name for p in (filled.root / "network").iterdir() if p.is_dir()]
    manifest = json.loads((filled.root / "MANIFEST.json").read_text())
    assert versions == [manifest["network"]]


def test_reads_filter_by_date_and_scope(filled: EmbeddedStore, tiny: SyntheticDataset) -> None:
    part = filled.read_demand(start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31))
    assert part["date"].dt.month.unique().tolist() == [3]
    sku = tiny.network.skus[0].id
    scoped = filled.read_demand(Scope(sku_ids=frozenset({sku})))
    assert scoped["sku_id"].unique().tolist() == [sku]


def test_plans_are_saved_listed_and_loaded(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    plan = StoredPlan(
        id="p1",
        kind="replenishment",
        created_at=dt.datetime(2025, 1, 1),
        attributes={"cost": 12.5},
        lines=({"sku_id": "K1", "quantity": 3.0},),
    )
    store.save_plan(plan)
    assert store.load_plan("p1") == plan
    assert [i.id for i in store.list_plans("replenishment")] == ["p1"]
    assert store.list_plans("routes") == []
    with pytest.raises(NotFound, match="plan 'nope' not found"):
        store.load_plan("nope")


def test_plans_without_a_header_file_are_listed_from_the_plan(tmp_path: Path) -> None:
    """Stores written before header files (or a crash between the two writes) still list."""
    store = EmbeddedStore(tmp_path)
    for index in range(2):
        store.save_plan(
            StoredPlan(id=f"p{index}", kind="replenishment",
                       created_at=dt.datetime(2025, 1, 1 + index), lines=({"quantity": 1.0},))
        )  # fmt: skip
    listed = store.list_plans()
    (tmp_path / "plans" / "p0.info").unlink()
    assert store.list_plans() == listed
    assert [i.id for i in listed] == ["p1", "p0"] and listed[0].line_count == 1


def test_interrupted_import_leaves_no_staging_and_the_old_state(
    filled: EmbeddedStore, tiny: SyntheticDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the new version is written: no ``.staging-*`` folder, nothing visible."""
    original = pd.DataFrame.to_parquet
    calls: list[object] = []

    def interrupted(frame: pd.DataFrame, path: object, **kwargs: object) -> None:
        calls.append(path)
        if len(calls) == 4:
            raise KeyboardInterrupt
        original(frame, path, **kwargs)  # type: ignore[arg-type]

    before = filled.read_demand()
    monkeypatch.setattr(pd.DataFrame, "to_parquet", interrupted)
    lane = tiny.network.supply_lanes[0].model_copy(update={"moq": 999.0})
    with pytest.raises(KeyboardInterrupt):
        filled.import_bundle(
            Network.build(supply_lanes=[lane], check_references=False),
            tiny.demand.assign(quantity=1.0),
            None,
        )
    monkeypatch.undo()
    assert not list(filled.root.rglob(".staging-*"))
    assert not list(filled.root.rglob("*.tmp"))
    assert filled.snapshot() == tiny.network
    pd.testing.assert_frame_equal(filled.read_demand(), before)
