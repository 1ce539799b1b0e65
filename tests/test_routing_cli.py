"""``supplynet routes`` and ``routes export`` through the real CLI, and the demo stage
fed by the real replenishment planner."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from replenishment_support import recent_forecast
from rich.console import Console

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.plans import StoredPlan
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.exports.csv_export import read_csv
from supplynet.optimizer.exports.units import rounded
from supplynet.optimizer.replenishment import PlanSettings, plan_replenishment
from supplynet.optimizer.routing.schedule import RouteSchedule
from supplynet.server.app.models import ModelStore
from supplynet.server.app.settings import AppSettings
from supplynet.server.cli import main
from supplynet.server.cli.demo import DemoRun, stage_routes


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYNET_DATA", str(tmp_path / "store"))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return tmp_path / "store"


def _lane_plan(tiny: SyntheticDataset) -> StoredPlan:
    net = tiny.network
    stores = {s.id for s in net.stores}
    lines = tuple(
        {
            "line_type": "transfer",
            "origin_id": lane.origin_id,
            "destination_id": lane.destination_id,
            "sku_id": net.skus[i % 4].id,
            "quantity": 40.0,
            "ship_date": "2025-05-02",
            "arrival_date": "2025-05-02",
            "order_period": 0,
            "arrival_period": 0,
        }
        for i, lane in enumerate(net.transport_lanes)
        if lane.destination_id in stores
    )
    return StoredPlan(
        id="rp-7", kind="replenishment", created_at=dt.datetime(2025, 5, 1), lines=lines
    )


def test_routes_then_export(
    data_dir: Path, tiny: SyntheticDataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Route day 1 of a saved plan, then export the saved schedule; CSV equals the store's."""
    store = EmbeddedStore(data_dir)
    store.upsert_network(tiny.network)
    store.save_plan(_lane_plan(tiny))
    store.close()
    args = ["routes", "--plan", "rp-7", "--day", "1", "--seconds", "1", "--workers", "1"]
    assert main([*args, "--fewest-vehicles"]) == 0
    printed = capsys.readouterr().out
    assert "rp-7-routes-2025-05-02" in printed and "W001-T1" in printed
    out = tmp_path / "day.csv"
    assert main(["routes", "export", "--format", "csv", "--out", str(out)]) == 0
    store = EmbeddedStore(data_dir)
    saved = RouteSchedule.from_stored_plan(store.load_plan("rp-7-routes-2025-05-02"))
    store.close()
    assert read_csv(out) == rounded(saved)
    assert saved.stops_served == len(tiny.network.stores)


def test_a_reloading_fleet_from_the_command_line_exports_each_trip(
    data_dir: Path, tiny: SyntheticDataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--vehicle`` types with reloads: W001's 426 kg go out in 200 kg trips; the CSV,
    XLSX and GeoJSON exports show each trip, the JSON every search of the portfolio."""
    store = EmbeddedStore(data_dir)
    store.upsert_network(tiny.network)
    store.save_plan(_lane_plan(tiny))
    store.close()
    fleet = [
        "--vehicle=id=V1, depot_id=W001, capacity_kg=200, max_trips=4, shift=05:00-20:00",
        "--vehicle=id=V2,depot_id=W002,capacity_kg=200,count=unbounded",
    ]
    args = ["routes", "--plan", "rp-7", "--seconds", "1", "--workers", "1", "--save-as", "mt"]
    assert main([*args, *fleet]) == 0
    assert "| reload |" in capsys.readouterr().out
    store = EmbeddedStore(data_dir)
    saved = RouteSchedule.from_stored_plan(store.load_plan("mt"))
    store.close()
    assert not saved.unserved and saved.stats.winner == "pyvrp(seed=0)"
    (v1,) = [r for r in saved.routes if r.vehicle_id == "V1"]
    assert len(v1.trips) >= 3 and v1.depart_min >= 300 and v1.return_min <= 1200
    assert all(sum(s.demand_kg for s in t) <= 200 for r in saved.routes for t in r.trips)
    paths = {fmt: tmp_path / f"mt.{fmt}" for fmt in ("csv", "xlsx", "geojson", "json")}
    for fmt, path in paths.items():
        assert (
            main(["routes", "export", "--routes", "mt", "--format", fmt, "--out", str(path)]) == 0
        )
    with paths["csv"].open() as fh:
        rows = [r for r in csv.DictReader(fh) if r["vehicle_id"] == "V1"]
    assert [int(r["trip"]) for r in rows] == [s.trip for s in v1.stops]
    sheet = openpyxl.load_workbook(paths["xlsx"])["V1"]
    header = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "sequence")
    assert header[:2] == ("sequence", "trip")
    features = json.loads(paths["geojson"].read_text())["features"]
    (line,) = [f for f in features if f["properties"].get("vehicle_id") == "V1" and
               f["geometry"]["type"] == "LineString"]  # fmt: skip
    depot = [v1.depot_longitude, v1.depot_latitude]
    assert line["properties"]["trips"] == len(v1.trips)
    assert line["geometry"]["coordinates"].count(depot) == len(v1.trips) + 1
    searches = json.loads(paths["json"].read_text())["stats"]["searches"]
    assert {s["name"] for s in searches} >= {"pyvrp(seed=0)"}


def test_bad_requests_exit_2(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Unknown plan or format: exit code 2 and a one-line reason, no traceback."""
    assert main(["routes", "--plan", "nope", "--day", "1"]) == 2
    assert "not found" in capsys.readouterr().err
    for spec, field in (
        ("id=V,depot_id=W001", "fleet[0].capacity_kg"),
        ("id=V depot_id=W001", "fleet[0]"),
        ("id=V,depot_id=W001,capacity_kg=9,shift=5h", "fleet[0].shift"),
        ("id=V,depot_id=W001,capacity_kg=9,colour=red", "fleet[0].colour"),
    ):
        assert main(["routes", "--plan", "rp-7", f"--vehicle={spec}"]) == 2
        err = capsys.readouterr().err
        assert field in err and "Traceback" not in err
    with pytest.raises(SystemExit) as caught:
        main(["routes", "export", "--format", "pdf", "--out", "x.pdf"])
    assert caught.value.code == 2


def test_demo_stage_routes_the_planners_plan(tiny: SyntheticDataset, tmp_path: Path) -> None:
    """The real replenishment plan of the tiny network is routed and every export written."""
    settings = PlanSettings(horizon=4, period_days=1, time_limit_s=10.0)
    plan = plan_replenishment(
        tiny.network, recent_forecast(tiny.demand, 4, period_days=1), settings
    )
    store = EmbeddedStore(tmp_path / "store")
    store.save_plan(plan.to_stored_plan("demo-plan"))
    run = DemoRun(
        console=Console(file=open(tmp_path / "log.txt", "w")),  # noqa: SIM115
        store=store,
        models=ModelStore(tmp_path / "models"),
        out=tmp_path,
        preset="tiny",
        settings=AppSettings(seed=7),
        network=tiny.network,
        plan=plan,
    )
    stage_routes(run)
    run.console.file.close()
    store.close()
    schedule = run.routes
    assert isinstance(schedule, RouteSchedule)
    assert schedule.stops_served + len(schedule.unserved) > 0
    written = sorted(p.name for p in (tmp_path / "routes").iterdir())
    assert written == [f"routes.{x}" for x in ("csv", "geojson", "html", "json", "xlsx")]
