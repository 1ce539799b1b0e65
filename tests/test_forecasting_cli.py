"""``supplynet forecast`` through the CLI runner: exit codes, output files, errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplynet.forecasting.forecast import DemandForecast
from supplynet.graph.open_store import open_store
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.app.forecast import MODEL_NAMES
from supplynet.server.app.network import store_dataset
from supplynet.server.cli import main


@pytest.fixture
def stored_tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny: SyntheticDataset) -> str:
    """The tiny network in an embedded store; returns one SKU id that has demand."""
    monkeypatch.setenv("SUPPLYNET_DATA", str(tmp_path / "store"))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    store = open_store()
    try:
        store_dataset(store, tiny)
    finally:
        store.close()
    return str(tiny.demand["sku_id"].iloc[0])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_forecast_writes_the_file(
    stored_tiny: str, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"forecast{suffix}"
    argv = ["forecast", "--sku", stored_tiny, "--model", "seasonal_naive", "--horizon", "7"]
    assert main([*argv, "--workers", "1", "--out", str(out)]) == 0
    frame = pd.read_csv(out, parse_dates=["period"]) if suffix == ".csv" else pd.read_parquet(out)
    forecast = DemandForecast(frame)
    assert set(frame["sku_id"].astype(str)) == {stored_tiny}
    assert len(frame) == 7 * len(forecast.series_keys)
    assert set(frame["model"]) == {"seasonal_naive"}
    printed = capsys.readouterr().out
    assert "series/s" in printed and "outliers_capped" in printed


def test_auto_records_the_model_per_series(stored_tiny: str, tmp_path: Path) -> None:
    out = tmp_path / "auto.csv"
    argv = ["forecast", "--sku", stored_tiny, "--horizon", "7", "--workers", "1"]
    assert main([*argv, "--out", str(out)]) == 0
    assert set(pd.read_csv(out)["model"]) == {"lightgbm_combined"}


def test_country_reaches_the_output_and_the_model(
    stored_tiny: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--country`` names the holiday calendar, printed with the forecast."""
    out = tmp_path / "bd.csv"
    argv = ["forecast", "--sku", stored_tiny, "--horizon", "7", "--model", "prophet"]
    assert main([*argv, "--workers", "1", "--country", "BD", "--out", str(out)]) == 0
    assert "holiday calendar: BD" in capsys.readouterr().out


def test_bad_output_name_exits_2(
    stored_tiny: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["forecast", "--out", str(tmp_path / "f.xlsx")]) == 2
    assert "use a .csv or .parquet" in capsys.readouterr().err


def test_every_registered_model_is_a_choice() -> None:
    assert {
        "auto",
        "prophet",
        "seasonal_naive",
        "moving_average",
        "croston",
        "sba",
        "tsb",
        "best",
    } <= set(MODEL_NAMES)
