"""GNN commands through the CLI: train, score, forecast with ``--model gnn``, errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplynet.server.cli import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYNET_DATA", str(tmp_path / "store"))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert main(["generate", "--preset", "tiny", "--seed", "1"]) == 0
    return tmp_path / "store"


def test_risk_without_a_model_says_how_to_get_one(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["risk"]) == 2
    assert "supplynet train risk" in capsys.readouterr().err


def test_train_then_score_risk(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "risk", "--epochs", "2", "--max-cutoffs", "40"]) == 0
    assert (data_dir / "models" / "risk.pt").exists()
    assert "cut-offs every" in capsys.readouterr().out
    out = tmp_path / "risk.csv"
    assert main(["risk", "--top", "3", "--out", str(out)]) == 0
    assert "supplier risk" in capsys.readouterr().out
    scores = pd.read_csv(out, keep_default_na=False)
    assert set(scores["entity_type"]) == {"supplier", "supply_lane"}
    assert scores["late_probability"].between(0, 1).all()


def test_train_demand_then_forecast_with_gnn(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A model trained on a capped sample of series (it says so) forecasts every series."""
    assert main(["train", "demand", "--epochs", "1", "--horizon", "7", "--max-series", "10"]) == 0
    assert "10 of 48 series" in capsys.readouterr().out
    out = tmp_path / "forecast.csv"
    assert main(["forecast", "--model", "gnn", "--horizon", "7", "--out", str(out)]) == 0
    forecast = pd.read_csv(out)
    assert set(forecast["model"]) == {"gnn"}
    assert forecast.groupby(["location_id", "sku_id"]).size().eq(7).all()
    assert forecast.groupby(["location_id", "sku_id"]).ngroups == 48


def test_a_bound_for_the_other_model_is_refused(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--max-series`` bounds the demand GNN only: with ``train risk`` it is an error,
    not an option silently ignored."""
    assert main(["train", "risk", "--max-series", "5"]) == 2
    assert "max_series: only for kind 'demand'" in capsys.readouterr().err
