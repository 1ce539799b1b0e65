"""The holiday calendar comes from the data: a SupplyGraph import lies in BD (a generated
network in DE), and that country is every model's calendar unless a flag, a request
field or ``SUPPLYNET_COUNTRY`` says otherwise. A bad code is refused naming the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from conftest import SHARED_DATA
from rpc_harness import ServerThread, running_server, settings, violations

from supplynet.forecasting.series_index import SeriesIndex
from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.errors import ValidationFailed
from supplynet.graph.model import Store, Warehouse
from supplynet.graph.network import Network
from supplynet.graph.supplygraph import COUNTRY, import_supplygraph
from supplynet.graph.synthetic import HOLIDAY_COUNTRY, SyntheticDataset
from supplynet.server.app import forecast, plan
from supplynet.server.app.network import store_dataset
from supplynet.server.app.settings import AppSettings
from supplynet.server.cli import main
from supplynet.v1 import forecast_pb2, forecast_pb2_grpc, network_pb2, network_pb2_grpc

SUPPLYGRAPH = SHARED_DATA / "supplygraph"
needs_supplygraph = pytest.mark.skipif(
    not SUPPLYGRAPH.is_dir(), reason="shared SupplyGraph data not present"
)


def store_at(code: str | None, id: str = "S1") -> Store:
    return Store(id=id, latitude=0, longitude=0, country=code)


def warehouse_at(code: str | None, id: str) -> Warehouse:
    return Warehouse(id=id, latitude=0, longitude=0, country=code)


def test_a_location_country_is_an_iso_code_with_a_calendar() -> None:
    assert store_at("bd").country == "BD"
    assert store_at(None).country is None
    with pytest.raises(ValidationFailed) as caught:
        Network.from_rows(
            {"stores": [{"id": "S1", "latitude": 0, "longitude": 0, "country": "XX"}]}
        )
    assert [p.path for p in caught.value.problems] == ["stores[0].country"]
    assert "iso 3166-1 alpha-2" in caught.value.problems[0].reason.lower()


def test_the_network_lies_where_most_stores_are() -> None:
    """Stores decide (demand happens there); other locations only when no store names one."""
    stores = [store_at("BD", id="S1"), store_at("BD", id="S2"), store_at("IN", id="S3")]
    warehouses = [warehouse_at("IN", f"W{i}") for i in range(3)]
    assert Network.build(stores=stores, warehouses=warehouses).country == "BD"
    assert Network.build(stores=[store_at(None)], warehouses=warehouses).country == "IN"
    assert Network.build(stores=[store_at("IN", id="S1"), store_at("BD", id="S2")]).country == "BD"
    assert Network.build(stores=[store_at(None)]).country is None


def test_a_generated_network_lies_in_the_calendar_of_its_holiday_peaks(
    tiny: SyntheticDataset,
) -> None:
    assert tiny.network.country == HOLIDAY_COUNTRY == "DE"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedded store holding the SupplyGraph import."""
    if not SUPPLYGRAPH.is_dir():
        pytest.skip("shared SupplyGraph data not present")
    root = tmp_path_factory.mktemp("supplygraph")
    store = EmbeddedStore(root)
    import_supplygraph(store, SUPPLYGRAPH)
    store.close()
    return root


@pytest.fixture
def cli_store(imported: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYNET_DATA", str(imported))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("SUPPLYNET_COUNTRY", raising=False)
    return imported


@needs_supplygraph
def test_an_import_keeps_its_country(imported: Path) -> None:
    assert EmbeddedStore(imported).snapshot().country == COUNTRY == "BD"


def forecast_argv(tmp_path: Path, *extra: str) -> list[str]:
    out = tmp_path / "forecast.csv"
    return ["forecast", "--model", "seasonal_naive", "--horizon", "7", "--out", str(out), *extra]


@needs_supplygraph
@pytest.mark.parametrize(
    ("env", "flag", "used"),
    [(None, None, "BD"), ("", None, "BD"), ("US", None, "US"), ("US", "de", "DE")],
    ids=["network", "empty-setting", "settings-over-network", "flag-over-settings"],
)
def test_cli_forecast_calendar_precedence(
    cli_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: str | None,
    flag: str | None,
    used: str,
) -> None:
    """Flag > SUPPLYNET_COUNTRY > the imported network's country; the one used is printed."""
    if env is not None:
        monkeypatch.setenv("SUPPLYNET_COUNTRY", env)
    extra = ["--country", flag] if flag else []
    assert main([*forecast_argv(tmp_path), *extra]) == 0
    assert f"holiday calendar: {used}" in capsys.readouterr().out


@needs_supplygraph
def test_every_use_case_takes_the_imported_country(cli_store: Path) -> None:
    """Forecast, plan (its forecast, and the setting it records) and the demand GNN."""
    store = EmbeddedStore(cli_store)
    network, index = store.snapshot(), SeriesIndex(store.read_demand())
    settings = AppSettings()
    asked = forecast.forecast_request(settings, model="prophet")
    assert forecast.forecast_inputs(asked, network, index).country == "BD"
    planned = plan.plan_request(settings, forecast_model="seasonal_naive")
    inputs = forecast.forecast_inputs(planned.forecast(), network, index)
    assert inputs.country == "BD"
    assert planned.forecast().country is None  # nothing asked: the network decides
    de = plan.plan_request(settings, country="de").forecast()
    assert forecast.forecast_inputs(de, network, index).country == "DE"


@needs_supplygraph
def test_cli_train_prints_the_imported_calendar(
    cli_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = tmp_path / "demand.pt"
    argv = ["train", "demand", "--epochs", "1", "--checkpoint", str(checkpoint)]
    assert main(argv) == 0
    assert "holiday calendar: BD" in capsys.readouterr().out


def test_cli_plan_records_the_generated_calendar(
    tiny: SyntheticDataset,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A generated network lies in DE: the plan's forecast uses it and the plan says so."""
    monkeypatch.setenv("SUPPLYNET_DATA", str(tmp_path))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.delenv("SUPPLYNET_COUNTRY", raising=False)
    store_dataset(EmbeddedStore(tmp_path), tiny)
    argv = ["plan", "--model", "seasonal_naive", "--horizon-days", "7", "--time-limit", "30"]
    assert main([*argv, "--id", "de-plan"]) == 0
    assert "holiday calendar: DE" in capsys.readouterr().out
    saved = EmbeddedStore(tmp_path).load_plan("de-plan")
    assert saved.attributes["setting_holiday_country"] == "DE"


@needs_supplygraph
@pytest.mark.parametrize(
    ("env", "flag"), [(None, "XX"), ("XX", None)], ids=["flag", "SUPPLYNET_COUNTRY"]
)
def test_cli_bad_country_exits_2_naming_the_field(
    cli_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: str | None,
    flag: str | None,
) -> None:
    if env:
        monkeypatch.setenv("SUPPLYNET_COUNTRY", env)
    extra = ["--country", flag] if flag else []
    assert main([*forecast_argv(tmp_path), *extra]) == 2
    captured = capsys.readouterr()
    assert "country: must be an iso 3166-1 alpha-2" in captured.err.lower()
    assert "Traceback" not in captured.out + captured.err


@pytest.fixture(scope="module")
def server(imported: Path) -> Iterator[ServerThread]:
    with running_server(settings(imported)) as running:
        yield running


def ask(server: ServerThread, country: str = "") -> forecast_pb2.ForecastDemandResponse:
    stub = forecast_pb2_grpc.ForecastServiceStub(grpc.insecure_channel(server.target))
    request = forecast_pb2.ForecastDemandRequest(
        horizon_days=7, model="seasonal_naive", country=country
    )
    reply: forecast_pb2.ForecastDemandResponse = stub.ForecastDemand(request)
    return reply


@needs_supplygraph
def test_grpc_forecast_returns_the_calendar_it_used(server: ServerThread) -> None:
    assert ask(server).holiday_country == "BD"
    assert ask(server, "de").holiday_country == "DE"
    network = network_pb2_grpc.NetworkServiceStub(grpc.insecure_channel(server.target))
    summary = network.GetNetworkSummary(network_pb2.GetNetworkSummaryRequest())
    assert summary.country == "BD"
    node = network.GetNode(network_pb2.GetNodeRequest(name="nodes/DISTRIBUTORS"))
    assert node.store.country == "BD"


@needs_supplygraph
def test_grpc_bad_country_is_invalid_argument_naming_the_field(server: ServerThread) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        ask(server, "XX")
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "iso 3166-1 alpha-2" in violations(caught.value)["country"].lower()


def test_grpc_location_country_round_trips_and_a_bad_one_is_named(tmp_path: Path) -> None:
    store = network_pb2.Store(id="S1", latitude=0, longitude=0, country="bd")
    bad = network_pb2.Warehouse(id="W1", latitude=0, longitude=0, country="XX")
    with running_server(settings(tmp_path)) as server:
        stub = network_pb2_grpc.NetworkServiceStub(grpc.insecure_channel(server.target))
        stub.BatchUpsertNetwork(
            network_pb2.BatchUpsertNetworkRequest(nodes=[network_pb2.Node(store=store)])
        )
        assert stub.GetNode(network_pb2.GetNodeRequest(name="nodes/S1")).store.country == "BD"
        with pytest.raises(grpc.RpcError) as caught:
            stub.BatchUpsertNetwork(
                network_pb2.BatchUpsertNetworkRequest(nodes=[network_pb2.Node(warehouse=bad)])
            )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "nodes[0].warehouse.country" in violations(caught.value)
