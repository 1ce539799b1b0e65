"""``supplynet plan`` through the CLI entry point: exit codes, output, saved plan."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from replenishment_support import plan_start, recent_forecast

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.app.network import store_dataset
from supplynet.server.cli import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny: SyntheticDataset) -> Path:
    folder = tmp_path / "store"
    monkeypatch.setenv("SUPPLYNET_DATA", str(folder))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    store = EmbeddedStore(folder)
    store_dataset(store, tiny)
    store.close()
    return folder


def test_plan_saves_the_plan_and_prints_kpis(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One warehouse's plan: exit 0, KPIs printed, lines written and saved in the store."""
    out_file = tmp_path / "lines.csv"
    code = main(
        [
            "plan",
            "--warehouse", "W001",
            "--horizon-days", "21",
            "--model", "seasonal_naive",
            "--time-limit", "20",
            "--workers", "1",
            "--id", "p1",
            "--out", str(out_file),
        ]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "plan p1 (saved)" in printed
    assert "expected_fill_rate" in printed
    store = EmbeddedStore(data_dir)
    saved = store.load_plan("p1")
    store.close()
    assert saved.kind == "replenishment"
    assert saved.attributes["horizon"] == 3
    lines = pd.read_csv(out_file)
    assert len(lines) == len(saved.lines) > 0
    assert set(lines["line_type"]) == {"order", "transfer"}
    assert set(lines["origin_id"][lines["line_type"] == "transfer"]) == {"W001"}


def test_bad_arguments_exit_2_with_one_line_each(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["plan", "--service-level", "1.5", "--horizon", "0", "--out", "x.txt"])
    assert code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "error: invalid plan request: 3 problem(s)"
    assert any(line.startswith("error: horizon_days: must be at least 1") for line in err)
    assert any(line.startswith("error: service_level: must be at most 0.9999") for line in err)
    assert any(line.startswith("error: out: must end in .csv or .json") for line in err)


def test_plan_reads_a_forecast_file(
    data_dir: Path, tmp_path: Path, tiny: SyntheticDataset, capsys: pytest.CaptureFixture[str]
) -> None:
    """A forecast written by ``supplynet forecast`` (CSV) drives the plan and its start."""
    path = tmp_path / "forecast.csv"
    recent_forecast(tiny.demand, 2).frame.to_csv(path, index=False)
    code = main(["plan", "--sku", "K0001", "--horizon", "2", "--forecast", str(path), "--id", "p2"])
    assert code == 0
    capsys.readouterr()
    store = EmbeddedStore(data_dir)
    saved = store.load_plan("p2")
    store.close()
    assert saved.attributes["start"] == plan_start(tiny.demand).isoformat()
    assert {line["sku_id"] for line in saved.lines} == {"K0001"}


def test_missing_forecast_file_is_an_input_error(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--forecast", "nope.csv"]) == 2
    assert "forecast: no such file 'nope.csv'" in capsys.readouterr().err


def test_backorders_switch_the_plan_to_the_backorder_economics(
    data_dir: Path, tmp_path: Path, tiny: SyntheticDataset, capsys: pytest.CaptureFixture[str]
) -> None:
    """``plan --backorders`` plans with the network backordering: unmet demand waits at
    a daily backorder cost and stores carry their expected (newsvendor) cost instead of
    lost-sale and safety-target penalties; the saved plan records the mode."""
    path = tmp_path / "forecast.csv"
    recent_forecast(tiny.demand, 2).frame.to_csv(path, index=False)
    base = ["plan", "--sku", "K0001", "--horizon", "2", "--forecast", str(path), "--workers", "1"]
    assert main([*base, "--id", "lost"]) == 0
    assert main([*base, "--backorders", "--id", "waits"]) == 0
    capsys.readouterr()
    store = EmbeddedStore(data_dir)
    lost, waits = store.load_plan("lost").attributes, store.load_plan("waits").attributes
    store.close()
    assert lost["setting_backorders"] is False and waits["setting_backorders"] is True
    assert {"cost_shortage_penalty", "cost_target_penalty"} <= set(lost)
    assert {"cost_backorder_penalty", "cost_expected_stock_cost"} <= set(waits)
    assert "cost_shortage_penalty" not in waits
