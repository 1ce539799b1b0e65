"""Plan sanity: inputs that cannot give a meaningful plan are refused naming the field,
doubtful ones give a plan that carries warnings, and a plan that dropped demand (unknown
ids, shortages priced at nothing) is never ``optimal`` — through the CLI and gRPC."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pandas as pd
import pytest
from rpc_harness import ServerThread, running_server, settings

from supplynet.forecasting.forecast import DemandForecast
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.errors import ValidationFailed
from supplynet.graph.network import Network
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.app import plans
from supplynet.server.app.plan_checks import review
from supplynet.server.cli import main
from supplynet.v1 import common_pb2, plan_pb2, replenishment_pb2, replenishment_pb2_grpc


def _forecast(start: pd.Timestamp, days: int, pairs: list[tuple[str, str]]) -> DemandForecast:
    """A flat daily forecast of 5 units for each (store, SKU) pair."""
    rows = [
        {"location_id": store, "sku_id": sku, "period": start + pd.Timedelta(days=d),
         "mean": 5.0, "p10": 3.0, "p50": 5.0, "p90": 7.0, "model": "flat"}
        for store, sku in pairs
        for d in range(days)
    ]  # fmt: skip
    return DemandForecast(pd.DataFrame(rows), "D")


def _write(forecast: DemandForecast, path: Path) -> None:
    frame = forecast.frame
    frame.assign(period=frame["period"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)


def _pairs(tiny: SyntheticDataset) -> list[tuple[str, str]]:
    return [(s.id, k.id) for s in tiny.network.stores for k in tiny.network.skus]


def _history_end(tiny: SyntheticDataset) -> pd.Timestamp:
    return pd.Timestamp(tiny.demand["date"].max())


def _free(network: Network, sku_ids: set[str]) -> Network:
    """The network with price and unit cost 0 for ``sku_ids``."""
    skus = tuple(
        s.model_copy(update={"price": 0.0, "unit_cost": 0.0}) if s.id in sku_ids else s
        for s in network.skus
    )
    return dataclasses.replace(network, skus=skus)


def test_refusals_name_the_field(tiny: SyntheticDataset) -> None:
    """A forecast for no known store, SKUs that are all free, or a forecast that ends
    before the history does cannot give a plan."""
    start = _history_end(tiny) + pd.Timedelta(days=1)
    with pytest.raises(ValidationFailed) as unknown:
        review(tiny.network, _forecast(start, 28, [("NOPE", "K0001")]), 28, scoped=False)
    assert [p.path for p in unknown.value.problems] == ["forecast"]
    free = _free(tiny.network, {s.id for s in tiny.network.skus})
    with pytest.raises(ValidationFailed) as prices:
        review(free, _forecast(start, 28, _pairs(tiny)), 28, scoped=False)
    assert [p.path for p in prices.value.problems] == ["network.skus.price"]
    end = _history_end(tiny)
    old = _forecast(end - pd.Timedelta(days=60), 28, _pairs(tiny))
    with pytest.raises(ValidationFailed, match="the plan would lie in the past") as past:
        review(tiny.network, old, 28, scoped=False, history_end=end.date())
    assert [p.path for p in past.value.problems] == ["forecast"]


def test_doubtful_inputs_are_warned(tiny: SyntheticDataset) -> None:
    """Unknown ids (dropped units counted), a short forecast, an old one, free SKUs."""
    end = _history_end(tiny)
    forecast = _forecast(end - pd.Timedelta(days=3), 14, [*_pairs(tiny), ("NOPE", "K0001")])
    found = review(
        _free(tiny.network, {"K0001"}), forecast, 28, scoped=False, history_end=end.date()
    )
    text = "\n".join(found.warnings)
    assert found.dropped_units == pytest.approx(14 * 5.0)
    assert "NOPE/K0001" in text and "covers 14 of 28 days" in text
    assert "not after the last recorded demand" in text and "(K0001)" in text
    assert found.free_skus == {"K0001"}
    after = _forecast(end + pd.Timedelta(days=1), 28, _pairs(tiny))
    clean = review(tiny.network, after, 28, scoped=False)
    assert clean.warnings == () and clean.dropped_units == 0


@pytest.fixture(scope="module")
def store_dir(tiny: SyntheticDataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny network with SKU K0001 free (price and unit cost 0), and its demand."""
    root = tmp_path_factory.mktemp("sanity")
    store = EmbeddedStore(root)
    store.upsert_network(_free(tiny.network, {"K0001"}))
    store.append_demand(tiny.demand)
    return root


def test_cli_prints_warnings_and_never_calls_dropped_demand_optimal(
    tiny: SyntheticDataset,
    store_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A forecast with an unknown store plans the rest, says so, and is not optimal;
    one with only unknown stores is refused (exit 2, the field named)."""
    monkeypatch.setenv("SUPPLYNET_DATA", str(store_dir))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    start = _history_end(tiny) + pd.Timedelta(days=1)
    pairs = [(s.id, "K0002") for s in tiny.network.stores]
    path = tmp_path / "forecast.csv"
    _write(_forecast(start, 28, [*pairs, ("NOPE", "K0002")]), path)
    argv = ["plan", "--forecast", str(path), "--horizon-days", "28", "--workers", "1"]
    assert main([*argv, "--id", "dropped"]) == 0
    assert "warning: forecast rows for unknown stores or SKUs dropped (140 units)" in (
        capsys.readouterr().out
    )
    saved = EmbeddedStore(store_dir).load_plan("dropped")
    assert saved.attributes["status"] != "optimal"
    assert any("status lowered" in str(w["message"]) for w in saved.detail(plans.WARNINGS))
    assert saved.attributes["input_forecast"] == "forecast.csv"
    _write(_forecast(start, 28, [("NOPE", "K0002")]), path)
    assert main([*argv, "--id", "refused"]) == 2
    assert "error: forecast: has no row for a store and SKU" in capsys.readouterr().err


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[ServerThread]:
    with running_server(settings(store_dir, workers=1)) as running:
        yield running


def test_grpc_plan_with_a_free_sku_carries_the_warning(server: ServerThread) -> None:
    """Free K0001 is left short: GetPlan says why and the status is not optimal."""
    stub = replenishment_pb2_grpc.ReplenishmentServiceStub(grpc.insecure_channel(server.target))
    started = stub.StartPlan(
        replenishment_pb2.StartPlanRequest(
            scope=common_pb2.Scope(sku_ids=["K0001", "K0002"]),
            horizon_days=28,
            forecast_model="seasonal_naive",
            time_limit_seconds=30,
        )
    )
    operation, waited = started, time.monotonic() + 120
    while not operation.done and time.monotonic() < waited:
        time.sleep(0.2)
        operation = stub.GetOperation(replenishment_pb2.GetOperationRequest(name=started.name))
    assert operation.plan, operation
    plan = stub.GetPlan(plan_pb2.GetPlanRequest(name=operation.plan))
    assert any("price and unit cost 0 (K0001)" in w for w in plan.warnings)
    assert plan.attributes["status"].string_value == "feasible"
    short = [p for p in plan.projected_stock if p.sku_id == "K0001" and p.shortage > 0]
    assert short, "a free SKU is left short"
