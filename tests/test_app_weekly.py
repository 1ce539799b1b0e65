"""A weekly network gets identical forecasts and plans from the Python API, the CLI and gRPC.

The three doors share ``server/app``; this is the check that they really do: the same
weeks, the same numbers, the same plan lines, whether a forecast is answered in the
server's event loop, in a worker job, by the CLI or by a direct call.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pandas as pd
import pytest
from rpc_harness import ServerThread, running_server, settings

from supplynet.forecasting.series_index import SeriesIndex
from supplynet.graph.deadline import Deadline
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.executor import ParallelSettings
from supplynet.graph.plans import StoredPlan
from supplynet.graph.scope import Scope
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.app import forecast, plan
from supplynet.server.app.settings import AppSettings
from supplynet.server.cli import main
from supplynet.server.rpc.converters import plan_lines
from supplynet.v1 import (
    common_pb2,
    forecast_pb2,
    forecast_pb2_grpc,
    plan_pb2,
    replenishment_pb2,
    replenishment_pb2_grpc,
)

MODEL = "seasonal_naive"
HORIZON_DAYS = 28


def weekly(demand: pd.DataFrame) -> pd.DataFrame:
    """Daily demand summed into weeks starting on Monday (mean price, any promotion)."""
    week = demand["date"] - pd.to_timedelta(demand["date"].dt.dayofweek, unit="D")
    frame = demand.assign(date=week)
    grouped = frame.groupby(["store_id", "sku_id", "date"], as_index=False)
    return grouped.agg(
        quantity=("quantity", "sum"), price=("price", "mean"), promo=("promo", "max")
    )


@pytest.fixture(scope="module")
def data_dir(tiny: SyntheticDataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("weekly")
    store = EmbeddedStore(root)
    store.import_bundle(tiny.network, weekly(tiny.demand), None)
    store.close()
    return root


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[ServerThread]:
    with running_server(settings(data_dir, workers=1)) as running:
        yield running


@pytest.fixture
def cli_store(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYNET_DATA", str(data_dir))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return data_dir


def rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Forecast rows in one order with ISO periods, for comparing doors."""
    frame = frame.assign(period=pd.to_datetime(frame["period"]).dt.strftime("%Y-%m-%d"))
    columns = ["location_id", "sku_id", "period", "mean", "p10", "p50", "p90", "model"]
    ordered = frame[columns].sort_values(["location_id", "sku_id", "period"])
    return ordered.reset_index(drop=True)


def api_forecast(
    data_dir: Path, store_ids: tuple[str, ...] = (), model: str = MODEL
) -> pd.DataFrame:
    store = EmbeddedStore(data_dir)
    network, index = store.snapshot(), SeriesIndex(store.read_demand())
    store.close()
    request = forecast.forecast_request(
        AppSettings(), horizon_days=HORIZON_DAYS, model=model, store_ids=store_ids
    )
    inputs = forecast.forecast_inputs(request, network, index)
    return rows(forecast.run_forecast(inputs, request, ParallelSettings(workers=1)).frame)


def rpc_forecast(server: ServerThread, store_ids: tuple[str, ...] = ()) -> pd.DataFrame:
    stub = forecast_pb2_grpc.ForecastServiceStub(grpc.insecure_channel(server.target))
    reply = stub.ForecastDemand(
        forecast_pb2.ForecastDemandRequest(
            horizon_days=HORIZON_DAYS, model=MODEL, store_ids=list(store_ids)
        ),
        timeout=120,
    )
    assert reply.freq == "W"
    return rows(
        pd.DataFrame(
            [
                {
                    "location_id": p.location_id,
                    "sku_id": p.sku_id,
                    "period": p.period,
                    "mean": p.mean,
                    "p10": p.p10,
                    "p50": p.p50,
                    "p90": p.p90,
                    "model": p.model,
                }
                for p in reply.points
            ]
        )
    )


def test_forecasts_are_weekly_and_equal_on_every_door(
    cli_store: Path, server: ServerThread, tmp_path: Path, tiny: SyntheticDataset
) -> None:
    """4 weekly periods per series from the API, the CLI, a gRPC job and the event loop."""
    api = api_forecast(cli_store)
    assert api.groupby(["location_id", "sku_id"]).size().eq(4).all()
    assert pd.to_datetime(api["period"]).dt.dayofweek.eq(0).all(), "weeks start on Monday"

    out = tmp_path / "forecast.csv"
    assert main(["forecast", "--horizon-days", "28", "--model", MODEL, "--out", str(out)]) == 0
    cli = rows(pd.read_csv(out, dtype={"location_id": str, "sku_id": str}))
    pd.testing.assert_frame_equal(cli, api)

    pd.testing.assert_frame_equal(rpc_forecast(server), api, check_exact=False, rtol=1e-12)

    one_store = (tiny.network.stores[0].id,)
    in_loop = rpc_forecast(server, one_store)
    assert 0 < len(in_loop) <= 4 * forecast.IN_LOOP_SERIES, "answered in the event loop"
    pd.testing.assert_frame_equal(
        in_loop, api_forecast(cli_store, one_store), check_exact=False, rtol=1e-12
    )


def test_auto_is_the_global_model_on_weekly_data(data_dir: Path) -> None:
    """``auto`` forecasts a weekly network with the combined global model, as on daily
    data (not the per-series rules, too slow for 100k series): 4 weeks per series."""
    auto = api_forecast(data_dir, model="auto")
    assert set(auto["model"]) == {"lightgbm_combined"}
    assert auto.groupby(["location_id", "sku_id"]).size().eq(4).all()
    assert pd.to_datetime(auto["period"]).dt.dayofweek.eq(0).all(), "weeks start on Monday"


def plan_key(lines: list[dict[str, object]]) -> pd.DataFrame:
    columns = ["line_type", "origin_id", "destination_id", "sku_id", "ship_date", "quantity"]
    frame = pd.DataFrame(lines)[columns]
    frame["quantity"] = frame["quantity"].astype(float).round(6)
    return frame.sort_values(columns).reset_index(drop=True)


def test_plans_are_equal_on_every_door(
    cli_store: Path, server: ServerThread, tiny: SyntheticDataset
) -> None:
    """The same two SKUs planned four weeks ahead give the same lines on every door."""
    skus = [s.id for s in tiny.network.skus[:2]]
    fields = {"horizon_days": HORIZON_DAYS, "forecast_model": MODEL, "time_limit_seconds": 60.0}

    store = EmbeddedStore(cli_store)
    request = plan.plan_request(
        AppSettings(), **fields, scope=Scope(sku_ids=frozenset(skus)), plan_id="api"
    )
    network, index = store.snapshot(), SeriesIndex(store.read_demand())
    scoped = store.snapshot(request.scope)
    store.close()
    inputs = plan.PlanInputs(scoped, forecast.forecast_inputs(request.forecast(), network, index))
    made = plan.make_plan(inputs, request, Deadline.after(60), ParallelSettings(workers=1))
    assert made.status == "optimal"
    api = plan_key(list(plan.stored(made, request).lines))
    assert len(api) > 0

    argv = ["plan", "--sku", ",".join(skus), "--horizon-days", "28", "--model", MODEL]
    assert main([*argv, "--workers", "1", "--time-limit", "60", "--id", "cli"]) == 0
    saved: StoredPlan = EmbeddedStore(cli_store).load_plan("cli")
    pd.testing.assert_frame_equal(plan_key(list(saved.lines)), api)

    stub = replenishment_pb2_grpc.ReplenishmentServiceStub(grpc.insecure_channel(server.target))
    started = stub.StartPlan(
        replenishment_pb2.StartPlanRequest(
            scope=common_pb2.Scope(sku_ids=skus),
            horizon_days=HORIZON_DAYS,
            forecast_model=MODEL,
            time_limit_seconds=60,
        )
    )
    waited = time.monotonic() + 120
    operation = started
    while not operation.done and time.monotonic() < waited:
        time.sleep(0.2)
        operation = stub.GetOperation(replenishment_pb2.GetOperationRequest(name=started.name))
    assert operation.done and operation.plan, operation
    reply = stub.GetPlan(plan_pb2.GetPlanRequest(name=operation.plan))
    pd.testing.assert_frame_equal(plan_key(plan_lines(reply)), api)
