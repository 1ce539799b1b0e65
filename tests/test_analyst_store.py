"""open_analyst_store fills an empty store once and otherwise leaves the store alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplynet.graph.analyst_store import notebook_preset, open_analyst_store
from supplynet.graph.open_store import StoreSettings
from supplynet.graph.synthetic import SyntheticDataset


def test_empty_store_gets_the_preset(tmp_path: Path, tiny: SyntheticDataset) -> None:
    """An empty embedded store is filled with the network and both histories."""
    settings = StoreSettings(data_dir=tmp_path / "store")
    store = open_analyst_store("tiny", seed=7, settings=settings)
    try:
        assert store.snapshot() == tiny.network
        assert len(store.read_demand()) == len(tiny.demand)
        assert len(store.read_deliveries()) == len(tiny.deliveries)
    finally:
        store.close()


def test_a_stored_network_is_kept(tmp_path: Path, tiny: SyntheticDataset) -> None:
    """A store that already holds a network is not regenerated, whatever the preset."""
    settings = StoreSettings(data_dir=tmp_path / "store")
    open_analyst_store("tiny", seed=7, settings=settings).close()
    store = open_analyst_store("demo", seed=1, settings=settings)
    try:
        assert store.snapshot() == tiny.network
    finally:
        store.close()


def test_preset_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """SUPPLYNET_NOTEBOOK_PRESET picks the preset; unset means the demo network."""
    monkeypatch.delenv("SUPPLYNET_NOTEBOOK_PRESET", raising=False)
    assert notebook_preset() == "demo"
    monkeypatch.setenv("SUPPLYNET_NOTEBOOK_PRESET", "tiny")
    assert notebook_preset() == "tiny"
