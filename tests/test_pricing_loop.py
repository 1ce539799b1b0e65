"""Loop closure from pricing to planning: a saved prices plan moves the re-forecast the
right way through every door (the use case, the CLI, gRPC over a socket), and a
replenishment plan forecasts with it and records which prices plan it read.

The store holds the tiny network's last 120 days, so the global model fits in seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pandas as pd
import pytest
from rpc_harness import ServerThread, running_server, settings, violations

from supplynet.forecasting.series_index import SeriesIndex
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.plans import StoredPlan
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.app import forecast as use
from supplynet.server.app.price_plans import price_plan_of
from supplynet.server.app.recommend import network_today
from supplynet.server.app.settings import AppSettings
from supplynet.server.cli import main
from supplynet.v1 import (
    forecast_pb2,
    forecast_pb2_grpc,
    operation_pb2,
    replenishment_pb2,
    replenishment_pb2_grpc,
)

HISTORY_DAYS = 120
HORIZON = 7
CUT, RAISE = 0.7, 1.3
MIN_UNITS = 20.0
"""SKUs selling fewer units over the horizon are too thin to show a direction."""


@pytest.fixture(scope="module")
def history(tiny: SyntheticDataset) -> pd.DataFrame:
    since = tiny.demand["date"].max() - pd.Timedelta(days=HISTORY_DAYS - 1)
    return tiny.demand[tiny.demand["date"] >= since].reset_index(drop=True)


@pytest.fixture(scope="module")
def change(tiny: SyntheticDataset) -> dict[str, float]:
    """Every other SKU's price cut by 30 %, the rest raised by 30 %."""
    return {s.id: CUT if i % 2 == 0 else RAISE for i, s in enumerate(tiny.network.skus)}


@pytest.fixture(scope="module")
def prices(history: pd.DataFrame, change: dict[str, float]) -> StoredPlan:
    last = history.sort_values("date").groupby("sku_id")["price"].last()
    planned = {sku: round(float(last[sku]) * f, 2) for sku, f in change.items()}
    return price_plan_of(planned, last.to_dict(), network_today(history), HORIZON, "prices-loop")


@pytest.fixture(scope="module")
def root(
    tiny: SyntheticDataset,
    history: pd.DataFrame,
    prices: StoredPlan,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    root = tmp_path_factory.mktemp("price-loop")
    store = EmbeddedStore(root)
    store.upsert_network(tiny.network)
    store.append_demand(history)
    store.save_plan(prices)
    store.close()
    return root


@pytest.fixture(scope="module")
def server(root: Path) -> Iterator[ServerThread]:
    with running_server(settings(root)) as running:
        yield running


def forecast_units(
    tiny: SyntheticDataset, history: pd.DataFrame, plan: StoredPlan | None
) -> pd.Series:
    """Units per SKU over the horizon from the use case (the global model, ``auto``)."""
    app = AppSettings()
    request = use.forecast_request(app, horizon_days=HORIZON, prices_plan=plan.id if plan else None)
    inputs = use.forecast_inputs(request, tiny.network, SeriesIndex(history), plan)
    forecast = use.run_forecast(inputs, request, app.parallel(1))
    return forecast.frame.groupby("sku_id")["mean"].sum()


@pytest.fixture(scope="module")
def today_units(tiny: SyntheticDataset, history: pd.DataFrame) -> pd.Series:
    return forecast_units(tiny, history, None)


@pytest.fixture(scope="module")
def planned_units(tiny: SyntheticDataset, history: pd.DataFrame, prices: StoredPlan) -> pd.Series:
    return forecast_units(tiny, history, prices)


def test_use_case_moves_each_sku_against_its_price(
    today_units: pd.Series, planned_units: pd.Series, change: dict[str, float]
) -> None:
    shown = today_units[today_units >= MIN_UNITS].index
    assert len(shown) >= 6
    for sku in shown:
        ratio = planned_units[sku] / today_units[sku]
        assert (ratio > 1) if change[sku] == CUT else (ratio < 1), (sku, ratio)


def test_cli_forecasts_at_the_latest_prices_plan(
    root: Path,
    planned_units: pd.Series,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUPPLYNET_DATA", str(root))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    out = tmp_path / "forecast.csv"
    args = ["forecast", "--horizon", str(HORIZON), "--prices-plan", "--out", str(out)]
    assert main(args) == 0
    got = pd.read_csv(out).groupby("sku_id")["mean"].sum()
    pd.testing.assert_series_equal(got, planned_units, check_exact=False, rtol=1e-9)


def test_cli_refuses_planned_prices_for_a_model_that_ignores_them(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPPLYNET_DATA", str(root))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    out = str(tmp_path / "f.csv")
    args = ["forecast", "--model", "seasonal_naive", "--prices-plan", "--out", out]
    assert main(args) == 2
    assert "prices_plan" in capsys.readouterr().err
    assert main(["forecast", "--prices-plan", "no-such-plan", "--out", out]) == 2
    assert "prices_plan" in capsys.readouterr().err


def test_grpc_forecast_takes_the_prices_plan(
    server: ServerThread, prices: StoredPlan, planned_units: pd.Series
) -> None:
    stub = forecast_pb2_grpc.ForecastServiceStub(grpc.insecure_channel(server.target))
    reply = stub.ForecastDemand(
        forecast_pb2.ForecastDemandRequest(horizon_days=HORIZON, prices_plan=prices.id),
        timeout=120,
    )
    got = pd.DataFrame(
        {"sku_id": [p.sku_id for p in reply.points], "mean": [p.mean for p in reply.points]}
    )
    units = got.groupby("sku_id")["mean"].sum()
    pd.testing.assert_series_equal(units, planned_units, check_exact=False, rtol=1e-6)
    with pytest.raises(grpc.RpcError) as bad:
        stub.ForecastDemand(
            forecast_pb2.ForecastDemandRequest(model="seasonal_naive", prices_plan="latest")
        )
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(bad.value)) == {"prices_plan"}


def test_grpc_plan_forecasts_at_the_planned_prices(
    server: ServerThread,
    tiny: SyntheticDataset,
    prices: StoredPlan,
    today_units: pd.Series,
    change: dict[str, float],
) -> None:
    stub = replenishment_pb2_grpc.ReplenishmentServiceStub(grpc.insecure_channel(server.target))
    started = stub.StartPlan(
        replenishment_pb2.StartPlanRequest(
            horizon_days=HORIZON, time_limit_seconds=60, prices_plan="latest"
        )
    )
    final = list(
        stub.WatchOperation(replenishment_pb2.WatchOperationRequest(name=started.name), timeout=120)
    )[-1]
    assert final.metadata.state == operation_pb2.OperationState.OPERATION_STATE_SUCCEEDED
    stored = server.running.state.store.load_plan(final.plan.removeprefix("plans/"))
    assert stored.attributes["input_prices_plan"] == prices.id
    stores = {s.id for s in tiny.network.stores}
    first_week = [
        r for r in stored.details["stock"] if r["location_id"] in stores and r["period"] == 0
    ]
    planned = pd.DataFrame(first_week).groupby("sku_id")["demand"].sum()
    shown = today_units[today_units >= MIN_UNITS].index
    for sku in shown:
        ratio = planned[sku] / today_units[sku]
        assert (ratio > 1) if change[sku] == CUT else (ratio < 1), (sku, ratio)
