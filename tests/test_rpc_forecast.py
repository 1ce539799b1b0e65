"""ForecastService over a real socket: real model fits in worker processes."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pandas as pd
import pytest
from rpc_harness import ServerThread, running_server, settings, violations

from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.pipeline import forecast_demand
from supplynet.forecasting.registry import FORECASTERS
from supplynet.forecasting.series_index import SeriesIndex
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.executor import ParallelSettings
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.app import forecast
from supplynet.v1 import common_pb2, forecast_pb2, forecast_pb2_grpc


@pytest.fixture(scope="module")
def server(
    tiny: SyntheticDataset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerThread]:
    root = tmp_path_factory.mktemp("forecast")
    store = EmbeddedStore(root)
    store.upsert_network(tiny.network)
    store.append_demand(tiny.demand)
    with running_server(settings(root)) as running:
        yield running


@pytest.fixture(scope="module")
def stub(server: ServerThread) -> forecast_pb2_grpc.ForecastServiceStub:
    return forecast_pb2_grpc.ForecastServiceStub(grpc.insecure_channel(server.target))


@pytest.mark.parametrize("in_loop_series", [16, 0], ids=["in-loop", "worker-job"])
def test_forecast_of_selected_series_matches_the_core_pipeline(
    stub: forecast_pb2_grpc.ForecastServiceStub,
    server: ServerThread,
    tiny: SyntheticDataset,
    in_loop_series: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both paths (the event loop's arrays, a job's pipeline) answer what the
    forecasting package computes from the cleaned history, row for row."""
    monkeypatch.setattr(forecast, "IN_LOOP_SERIES", in_loop_series)  # read at call time
    jobs = server.running.state.jobs
    started = jobs.started
    stores = [s.id for s in tiny.network.stores[:2]]
    sku = tiny.network.skus[0].id
    reply = stub.ForecastDemand(
        forecast_pb2.ForecastDemandRequest(
            scope=common_pb2.Scope(sku_ids=[sku]), store_ids=stores, horizon_days=7,
            model="seasonal_naive",
        ),
        timeout=60,
    )  # fmt: skip
    assert jobs.started - started == (0 if in_loop_series else 1), "which path answered"
    cleaned = clean_demand(tiny.demand, "D").frame
    mine = cleaned[cleaned["store_id"].isin(stores) & (cleaned["sku_id"] == sku)]
    expected = forecast_demand(
        mine, FORECASTERS["seasonal_naive"], 7, "D", ParallelSettings(workers=1)
    ).frame
    got = pd.DataFrame(
        [
            (p.location_id, p.sku_id, p.period, p.mean, p.p10, p.p50, p.p90, p.model)
            for p in reply.points
        ],
        columns=["location_id", "sku_id", "period", "mean", "p10", "p50", "p90", "model"],
    )
    assert reply.freq == "D"
    assert len(got) == len(expected) == 2 * 7
    assert set(got["location_id"]) == set(stores) and set(got["sku_id"]) == {sku}
    last = pd.Timestamp(tiny.demand["date"].max())
    assert pd.to_datetime(got["period"]).min() == last + pd.Timedelta(days=1)
    expected = expected.assign(period=pd.to_datetime(expected["period"]).dt.strftime("%Y-%m-%d"))
    pd.testing.assert_frame_equal(got, expected[list(got.columns)], check_dtype=False)


def test_bad_forecast_requests_name_every_field(
    stub: forecast_pb2_grpc.ForecastServiceStub,
) -> None:
    request = forecast_pb2.ForecastDemandRequest(
        horizon_days=400, model="tea_leaves", store_ids=["NOPE"]
    )
    with pytest.raises(grpc.RpcError) as caught:
        stub.ForecastDemand(request)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = violations(caught.value)
    assert set(fields) == {"horizon_days", "model", "store_ids[0]"}
    assert "seasonal_naive" in fields["model"], "the message lists the known models"


def test_a_scope_without_history_is_invalid(stub: forecast_pb2_grpc.ForecastServiceStub) -> None:
    request = forecast_pb2.ForecastDemandRequest(
        horizon_days=7, scope=common_pb2.Scope(warehouse_ids=["NO-SUCH"])
    )
    with pytest.raises(grpc.RpcError) as caught:
        stub.ForecastDemand(request)
    assert set(violations(caught.value)) == {"scope"}


def test_client_deadline_cancels_the_fit_and_frees_the_worker(
    stub: forecast_pb2_grpc.ForecastServiceStub, server: ServerThread
) -> None:
    """Prophet on every series takes far longer than 1 s: the call ends, the process dies."""
    request = forecast_pb2.ForecastDemandRequest(horizon_days=30, model="prophet")
    with pytest.raises(grpc.RpcError) as caught:
        stub.ForecastDemand(request, timeout=1.0)
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    deadline = time.monotonic() + 10
    while server.running.state.jobs.busy and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.running.state.jobs.busy == 0


def test_warm_reads_what_forecasts_need_before_the_first_call(
    tiny: SyntheticDataset, tmp_path: Path
) -> None:
    """After ``warm`` the store's files can go: the first forecast needs none of them."""
    store = EmbeddedStore(tmp_path / "store")
    store.upsert_network(tiny.network)
    store.append_demand(tiny.demand)
    with running_server(settings(tmp_path / "store", cache_seconds=3600)) as server:
        state = server.running.state

        async def warm() -> None:
            await state.warm()

        asyncio.run_coroutine_threadsafe(warm(), server.loop).result(timeout=120)
        shutil.rmtree(tmp_path / "store")
        stub = forecast_pb2_grpc.ForecastServiceStub(grpc.insecure_channel(server.target))
        request = forecast_pb2.ForecastDemandRequest(
            store_ids=[tiny.network.stores[0].id], horizon_days=3, model="naive"
        )
        reply = stub.ForecastDemand(request, timeout=10)
    assert len(reply.points) == 3 * len({k for s, k in _series(tiny) if s == request.store_ids[0]})


def _series(tiny: SyntheticDataset) -> set[tuple[str, str]]:
    pairs = tiny.demand[["store_id", "sku_id"]].drop_duplicates().itertuples(index=False)
    return {(str(store), str(sku)) for store, sku in pairs}


def test_the_series_index_is_rebuilt_only_when_the_demand_changes(
    tiny: SyntheticDataset, tmp_path: Path
) -> None:
    store = EmbeddedStore(tmp_path)
    store.upsert_network(tiny.network)
    store.append_demand(tiny.demand)
    with running_server(settings(tmp_path, cache_seconds=0.0)) as server:
        state = server.running.state

        async def index_after_a_refresh() -> SeriesIndex:
            await state.series()  # a stale value: this starts a re-read behind
            await asyncio.sleep(1.0)
            return await state.series()

        def refreshed() -> SeriesIndex:
            future = asyncio.run_coroutine_threadsafe(index_after_a_refresh(), server.loop)
            return future.result(timeout=60)

        first = refreshed()
        assert refreshed() is first, "unchanged demand keeps its index"
        last = pd.Timestamp(tiny.demand["date"].max())
        day = tiny.demand[tiny.demand["date"] == last].assign(date=last + pd.Timedelta(days=1))
        store.append_demand(day)
        changed = refreshed()
        assert changed is not first
        assert changed.cleaned["date"].max() == last + pd.Timedelta(days=1)
