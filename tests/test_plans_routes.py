"""Route schedules a logistics team can trust after the run, through the real CLI: the
true cost beside the fewest-vehicles objective, solver statistics kept in the saved
schedule and its JSON export, valid ship days named in the error, the export format
checked against the file name, rounded CSV cells, and a table that fits 80 columns."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.plans import StoredPlan
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.exports.units import DECIMALS
from supplynet.optimizer.routing.deliveries import day_problem
from supplynet.optimizer.routing.schedule import RouteSchedule
from supplynet.server.app import plans
from supplynet.server.cli import main

DAY = "2025-05-02"
SCHEDULE = f"rp-routes-{DAY}"
EXPORT = ["routes", "export", "--routes", SCHEDULE]


def _plan(tiny: SyntheticDataset) -> StoredPlan:
    """40 units of a SKU to every store served by a lane, shipped on one day."""
    stores = {s.id for s in tiny.network.stores}
    lines = tuple(
        {"line_type": "transfer", "origin_id": lane.origin_id,
         "destination_id": lane.destination_id, "sku_id": tiny.network.skus[i % 4].id,
         "quantity": 40.0, "ship_date": DAY, "arrival_date": DAY, "order_period": 0,
         "arrival_period": 0}
        for i, lane in enumerate(tiny.network.transport_lanes)
        if lane.destination_id in stores
    )  # fmt: skip
    created = dt.datetime(2025, 5, 1)
    return StoredPlan(id="rp", kind="replenishment", created_at=created, lines=lines)


@pytest.fixture(scope="module")
def routed(
    tiny: SyntheticDataset, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str, RouteSchedule]:
    """The plan's day routed once with --fewest-vehicles at 80 columns: store, output,
    saved schedule."""
    root = tmp_path_factory.mktemp("routes")
    store = EmbeddedStore(root)
    store.upsert_network(tiny.network)
    store.save_plan(_plan(tiny))
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        patch.setenv("SUPPLYNET_DATA", str(root))
        patch.setenv("COLUMNS", "80")
        patch.delenv("NEO4J_URI", raising=False)
        argv = ["routes", "--plan", "rp", "--day", DAY, "--seconds", "1", "--workers", "1"]
        assert main([*argv, "--fewest-vehicles"]) == 0
    saved = RouteSchedule.from_stored_plan(store.load_plan(SCHEDULE))
    return root, out.getvalue(), saved


@pytest.fixture
def cli(routed: tuple[Path, str, RouteSchedule], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYNET_DATA", str(routed[0]))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return routed[0]


def test_fewest_vehicles_saves_the_true_cost(
    routed: tuple[Path, str, RouteSchedule], tiny: SyntheticDataset
) -> None:
    """Each route costs its distance at the truck's rate plus the truck's real fixed cost,
    not the penalty that ranks vehicle counts."""
    _, _, saved = routed
    problem = day_problem(_plan(tiny), tiny.network, dt.date.fromisoformat(DAY))
    vehicles = {v.id: v for v in problem.vehicles}
    assert saved.routes
    for route in saved.routes:
        truck = vehicles[route.vehicle_id]
        expected = route.distance_km * truck.cost_per_km + truck.fixed_cost
        assert route.cost == pytest.approx(expected, abs=0.01)


def test_saved_schedule_and_its_json_keep_solver_statistics(
    routed: tuple[Path, str, RouteSchedule], cli: Path, tmp_path: Path
) -> None:
    """Every search of the portfolio survives the store and the JSON export."""
    root, _, saved = routed
    assert saved.stats.searches and saved.stats.runs
    stored = EmbeddedStore(root).load_plan(SCHEDULE)
    page = plans.lines_page(stored, plans.lines_query(table="searches"))
    assert [row["name"] for row in page.rows] == [s.name for s in saved.stats.searches]
    assert saved.stats.winner in {name for name, found, _ in saved.stats.runs if found}
    out = tmp_path / "day.json"
    assert main([*EXPORT, "--format", "json", "--out", str(out)]) == 0
    stats = json.loads(out.read_text())["stats"]
    assert [run[0] for run in stats["runs"]] == [name for name, _, _ in saved.stats.runs]
    assert len(stats["searches"]) == len(saved.stats.searches)


def test_the_routes_table_fits_80_columns(routed: tuple[Path, str, RouteSchedule]) -> None:
    """No line is wider than 80 columns, and every stop is listed in its route's order."""
    _, printed, saved = routed
    assert max(len(line) for line in printed.splitlines()) <= 80
    order = printed[printed.index("stop order:") :]
    flat = " ".join(order.split())
    for route in saved.routes:
        assert f"{route.vehicle_id}: " + " > ".join(s.stop_id for s in route.stops) in flat


def test_bad_day_and_mismatched_format_are_refused(
    cli: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A day the plan does not ship on lists the valid ones; csv into .xlsx is refused."""
    assert main(["routes", "--plan", "rp", "--day", "2025-05-03", "--seconds", "1"]) == 2
    assert f"valid: 1..1 or {DAY}" in capsys.readouterr().err
    out = tmp_path / "day.xlsx"
    assert main(["routes", "export", "--format", "csv", "--out", str(out)]) == 2
    assert "out: day.xlsx does not end in .csv" in capsys.readouterr().err
    assert not out.exists()


def test_csv_cells_are_rounded_to_their_unit(cli: Path, tmp_path: Path) -> None:
    """Minutes, kg, m3, km, costs and degrees carry at most their unit's decimals."""
    out = tmp_path / "day.csv"
    assert main([*EXPORT, "--format", "csv", "--out", str(out)]) == 0
    units = {"arrival_min": "min", "demand_kg": "kg", "demand_m3": "m3", "latitude": "deg",
             "route_distance_km": "km", "route_cost": "cost"}  # fmt: skip
    with out.open() as handle:
        rows = [row for row in csv.DictReader(handle) if row["line_type"] == "stop"]
    assert rows
    for row in rows:
        for column, unit in units.items():
            decimals = row[column].partition(".")[2]
            assert len(decimals) <= DECIMALS[unit], (column, row[column])
