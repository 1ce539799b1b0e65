"""One risk ranking everywhere: ties broken by delay then id (never by row order), and
``supplynet risk`` prints the ranking of the saved model, named by its version."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplynet.gnn.risk_scores import RiskScores
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.app.models import ModelStore
from supplynet.server.app.risk_ranking import model_version, rank_risk
from supplynet.server.app.train import score_risk
from supplynet.server.cli import main

RECENT = pd.Timedelta(days=120)


def _supplier(supplier_id: str, probability: float, delay: float) -> dict[str, object]:
    return {"entity_type": "supplier", "supplier_id": supplier_id, "warehouse_id": None,
            "sku_id": None, "late_probability": probability, "expected_delay_days": delay,
            "model": "test"}  # fmt: skip


def test_ties_are_broken_by_delay_then_id() -> None:
    """Equal probabilities rank the longer delay first, then the smaller id; any row order
    gives the same ranking."""
    rows = [_supplier("P3", 0.5, 1.0), _supplier("P1", 0.5, 2.0), _supplier("P2", 0.5, 1.0),
            _supplier("P4", 0.9, 0.0)]  # fmt: skip
    expected = ["P4", "P1", "P2", "P3"]
    for shuffled in (rows, rows[::-1]):
        ranking = rank_risk(RiskScores(pd.DataFrame(shuffled)), "risk-x")
        assert list(ranking.suppliers["supplier_id"]) == expected
        assert ranking.riskiest_supplier == "P4" and ranking.model_version == "risk-x"


def test_cli_ranks_with_the_saved_model_and_names_it(
    tiny: SyntheticDataset,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The CLI's top suppliers are the one ranking of the saved checkpoint, in order
    (trained one epoch on the last 120 days of deliveries)."""
    root = tmp_path / "store"
    store = EmbeddedStore(root)
    store.upsert_network(tiny.network)
    recent = tiny.deliveries["order_date"] >= tiny.deliveries["order_date"].max() - RECENT
    store.append_deliveries(tiny.deliveries[recent])  # training time grows with the history
    monkeypatch.setenv("SUPPLYNET_DATA", str(root))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert main(["train", "risk", "--epochs", "1"]) == 0
    capsys.readouterr()
    assert main(["risk", "--top", "3"]) == 0
    printed = capsys.readouterr().out
    checkpoint = ModelStore(root / "models").load_bytes("risk")
    scores = score_risk(checkpoint, store.snapshot(), store.read_deliveries())
    ranking = rank_risk(scores, model_version(checkpoint))
    assert f"model {ranking.model_version}" in printed
    top = list(ranking.suppliers["supplier_id"].head(3))
    positions = [printed.index(f"│ {supplier} ") for supplier in top]
    assert positions == sorted(positions), "printed in ranking order"
