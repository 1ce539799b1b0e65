"""Plans are first-class records: what the solver knew (projected stock, shortages,
explanations, warnings, settings, input versions) is saved, survives both stores, and
reads the same through the CLI (``plans list|show|diff|export``) and gRPC (``GetPlan``,
paged ``ListPlanLines``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import grpc
import pandas as pd
import pytest
from rpc_harness import ServerThread, running_server, settings, violations

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.neo4j_store import Neo4jStore
from supplynet.graph.plans import StoredPlan
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.app import plans
from supplynet.server.app.plan_diff import diff
from supplynet.server.cli import main
from supplynet.v1 import plan_pb2, replenishment_pb2_grpc

SKUS = "K0001,K0002"


def _plan(plan_id: str, *extra: str) -> None:
    argv = ["plan", "--sku", SKUS, "--horizon-days", "28", "--model", "seasonal_naive"]
    assert main([*argv, "--workers", "1", "--id", plan_id, *extra]) == 0


@pytest.fixture(scope="module")
def store_dir(tiny: SyntheticDataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Two plans of two SKUs over four weeks, the second at a higher service level."""
    root = tmp_path_factory.mktemp("plans")
    store = EmbeddedStore(root)
    store.upsert_network(tiny.network)
    store.append_demand(tiny.demand)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SUPPLYNET_DATA", str(root))
        patch.delenv("NEO4J_URI", raising=False)
        _plan("low")
        _plan("high", "--service-level", "0.99")
        yield root


@pytest.fixture(scope="module")
def server(store_dir: Path) -> Iterator[ServerThread]:
    with running_server(settings(store_dir)) as running:
        yield running


@pytest.fixture
def cli_env(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYNET_DATA", str(store_dir))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return store_dir


def test_a_saved_plan_keeps_stock_settings_and_inputs(store_dir: Path) -> None:
    """Projected stock covers every position and period; settings and inputs are kept."""
    plan = EmbeddedStore(store_dir).load_plan("high")
    stock = pd.DataFrame(list(plan.detail(plans.STOCK)))
    horizon = int(plan.attributes["horizon"] or 0)
    assert set(stock["period"]) == set(range(horizon))
    assert len(stock) == horizon * len(stock[["location_id", "sku_id"]].drop_duplicates())
    assert float(stock["shortage"].sum()) == pytest.approx(plan.attributes["shortage_units"])
    assert plans.prefixed(plan, "setting_")["service_level"] == 0.99
    assert plans.prefixed(plan, "setting_")["scope"] == "sku_ids=K0001,K0002"
    assert str(plans.prefixed(plan, "input_")["store_version"]).startswith("embedded:")
    assert {line["line_type"] for line in plan.lines} <= {"order", "transfer"}


def test_details_round_trip_through_neo4j(store_dir: Path, neo4j_store: Neo4jStore) -> None:
    """Neo4j returns a plan's detail tables and KPIs exactly as saved."""
    plan = EmbeddedStore(store_dir).load_plan("low")
    neo4j_store.save_plan(plan)
    assert neo4j_store.load_plan("low") == plan
    (listed,) = [i for i in neo4j_store.list_plans() if i.id == "low"]
    assert listed.attributes == plan.attributes


def test_diff_names_the_setting_that_changed(store_dir: Path) -> None:
    """Raising the service level shows as the cause, with more units ordered."""
    store = EmbeddedStore(store_dir)
    changes = diff(store.load_plan("low"), store.load_plan("high"))
    assert changes.reasons()[0] == "setting service_level: 0.95 -> 0.99"
    assert [c.name for c in changes.inputs] == []
    units = {c.name: (c.old, c.new) for c in changes.kpis}["order_units"]
    assert float(units[1] or 0) > float(units[0] or 0)
    assert changes.lines
    same = diff(store.load_plan("low"), store.load_plan("low"))
    assert same.is_empty() and same.reasons() == []


def test_cli_lists_shows_diffs_and_exports(
    cli_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The planner's commands print the records and refuse a format the file name lacks."""
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["plans", "list"]) == 0
    listing = capsys.readouterr().out
    assert listing.index(" high ") < listing.index(" low "), "newest first, ids whole"
    assert max(len(line.rstrip()) for line in listing.splitlines()) <= 80
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["plans", "show", "high"]) == 0
    shown = capsys.readouterr().out
    assert "service_level" in shown and "store_version" in shown and "lines (" in shown
    assert main(["plans", "diff", "low", "high"]) == 0
    assert "setting service_level: 0.95 -> 0.99" in capsys.readouterr().out
    out = tmp_path / "stock.json"
    assert main(["plans", "export", "high", "--table", "stock", "--out", str(out)]) == 0
    saved = EmbeddedStore(cli_env).load_plan("high")
    assert json.loads(out.read_text()) == list(saved.detail(plans.STOCK))
    assert main(["plans", "export", "high", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "out: x.xlsx must end in .csv or .json" in capsys.readouterr().err
    assert main(["plans", "show", "nope"]) == 2


def test_get_plan_returns_stock_and_settings_like_the_store(
    server: ServerThread, store_dir: Path
) -> None:
    """GetPlan carries the saved projected stock, settings and inputs, unchanged."""
    saved: StoredPlan = EmbeddedStore(store_dir).load_plan("high")
    stub = replenishment_pb2_grpc.ReplenishmentServiceStub(grpc.insecure_channel(server.target))
    reply = stub.GetPlan(plan_pb2.GetPlanRequest(name="plans/high"))
    rows = [
        {f.name: getattr(p, f.name) for f in plan_pb2.ProjectedStock.DESCRIPTOR.fields}
        for p in reply.projected_stock
    ]
    assert rows == list(saved.detail(plans.STOCK))
    assert reply.settings["service_level"].double_value == 0.99
    assert reply.inputs["store_version"].string_value == saved.attributes["input_store_version"]
    assert len(reply.lines) == len(saved.lines)


def test_list_plan_lines_pages_and_filters(server: ServerThread, store_dir: Path) -> None:
    """Pages of a filter concatenate to exactly the matching rows; a bad token is refused."""
    saved = EmbeddedStore(store_dir).load_plan("high")
    stub = replenishment_pb2_grpc.ReplenishmentServiceStub(grpc.insecure_channel(server.target))
    request = plan_pb2.ListPlanLinesRequest(
        parent="plans/high", line_type="transfer", sku_id="K0001", page_size=5
    )
    got: list[str] = []
    while True:
        page = stub.ListPlanLines(request)
        got += [line.fields["destination_id"].string_value for line in page.lines]
        if not page.next_page_token:
            break
        request.page_token = page.next_page_token
    expected = [
        line["destination_id"]
        for line in saved.lines
        if line["line_type"] == "transfer" and line["sku_id"] == "K0001"
    ]
    assert got == expected and page.total_size == len(expected) > 5
    at_w001 = plan_pb2.ListPlanLinesRequest(parent="plans/high", table="stock", location_id="W001")
    stock = stub.ListPlanLines(at_w001)
    assert stock.lines and {line.fields["location_id"].string_value for line in stock.lines} == {
        "W001"
    }
    with pytest.raises(grpc.RpcError) as bad:
        stub.ListPlanLines(plan_pb2.ListPlanLinesRequest(parent="plans/high", page_token="zz"))
    assert "page_token" in violations(bad.value)
    with pytest.raises(grpc.RpcError) as wrong:
        stub.ListPlanLines(plan_pb2.ListPlanLinesRequest(parent="plans/high", table="costs"))
    assert "table" in violations(wrong.value)
