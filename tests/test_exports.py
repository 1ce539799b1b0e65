"""Exports: CSV and JSON read back to the same schedule, XLSX has the sheets, GeoJSON is valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from routing_support import mixed_problem

from supplynet.graph.errors import ValidationFailed
from supplynet.optimizer.exports import FORMATS, write
from supplynet.optimizer.exports.clock import clock
from supplynet.optimizer.exports.csv_export import read_csv
from supplynet.optimizer.exports.json_export import read_json
from supplynet.optimizer.exports.units import rounded
from supplynet.optimizer.exports.xlsx_export import SUMMARY, sheet_name
from supplynet.optimizer.routing.problem import Stop
from supplynet.optimizer.routing.schedule import RouteSchedule
from supplynet.optimizer.routing.solver import solve


@pytest.fixture(scope="module")
def schedule() -> RouteSchedule:
    """A solved two-depot day with breaks, plus one stop too heavy for any truck."""
    base = mixed_problem(n_stops=12)
    heavy = Stop(id="HEAVY", latitude=45.1, longitude=7.7, demand_kg=99_999)
    problem = type(base).build(base.depots, base.vehicles, (*base.stops, heavy))
    result = solve(problem, time_limit_s=1.5, workers=1)
    return RouteSchedule(result.routes, result.unserved, result.stats, day="2025-03-01")


def test_csv_reads_back_to_the_same_schedule(schedule: RouteSchedule, tmp_path: Path) -> None:
    """Every route, stop time, load and unserved reason survives a CSV round trip."""
    assert schedule.routes and schedule.unserved
    back = read_csv(write(schedule, "csv", tmp_path / "r.csv"))
    assert back == rounded(schedule)
    assert back.day == "2025-03-01"
    lines = (tmp_path / "r.csv").read_text().splitlines()
    assert len(lines) == 1 + schedule.stops_served + len(schedule.unserved)


def test_json_reads_back_with_statistics(schedule: RouteSchedule, tmp_path: Path) -> None:
    """JSON keeps everything, solver statistics included."""
    back = read_json(write(schedule, "json", tmp_path / "r.json"))
    assert back == schedule
    assert back.stats == schedule.stats
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["vehicles_used"] == len(
        schedule.routes
    )


def test_stored_plan_round_trip(schedule: RouteSchedule) -> None:
    """The ``routes`` StoredPlan reads back to the same schedule."""
    plan = schedule.to_stored_plan("routes-1")
    assert plan.kind == "routes"
    assert RouteSchedule.from_stored_plan(plan) == schedule


def test_xlsx_has_summary_and_one_sheet_per_route(schedule: RouteSchedule, tmp_path: Path) -> None:
    """openpyxl opens it; stops appear in order with HH:MM times."""
    book = load_workbook(write(schedule, "xlsx", tmp_path / "r.xlsx"))
    assert book.sheetnames == [SUMMARY, *(sheet_name(r.vehicle_id) for r in schedule.routes)]
    route = schedule.routes[0]
    rows = list(book[sheet_name(route.vehicle_id)].iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] == "sequence"))
    stops = rows[header + 1 :]
    assert [r[1:3] for r in stops] == [(s.trip, s.stop_id) for s in route.stops]
    assert stops[0][3] == clock(route.stops[0].arrival_min)
    summary = [r for r in book[SUMMARY].iter_rows(values_only=True) if r and r[0] == "HEAVY"]
    assert summary and summary[0][1] == "capacity"


def test_geojson_is_valid_feature_collection(schedule: RouteSchedule, tmp_path: Path) -> None:
    """RFC 7946 shape: LineStrings from depot back to depot, Points with [lon, lat]."""
    data = json.loads(write(schedule, "geojson", tmp_path / "r.geojson").read_text())
    assert data["type"] == "FeatureCollection"
    kinds: dict[str, int] = {}
    for feature in data["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        coords = geometry["coordinates"]
        points = coords if geometry["type"] == "LineString" else [coords]
        assert geometry["type"] in ("LineString", "Point")
        for lon, lat in points:
            assert -180 <= lon <= 180 and -90 <= lat <= 90
        if geometry["type"] == "LineString":
            assert len(coords) >= 2 and coords[0] == coords[-1]
        kind = feature["properties"]["kind"]
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds["route"] == len(schedule.routes)
    assert kinds["stop"] == schedule.stops_served
    assert kinds["unserved"] == len(schedule.unserved)
    assert kinds["depot"] == len({r.depot_id for r in schedule.routes})


def test_html_map_shows_every_route(schedule: RouteSchedule, tmp_path: Path) -> None:
    """A Leaflet page with one polyline per route and the unserved stop's reason."""
    html = write(schedule, "html", tmp_path / "r.html").read_text()
    assert "leaflet" in html.lower()
    assert all(f'"vehicle": "{r.vehicle_id}"' in html for r in schedule.routes)
    assert "HEAVY" in html


def test_unknown_format_is_rejected(schedule: RouteSchedule, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="is not one of"):
        write(schedule, "pdf", tmp_path / "r.pdf")
    assert set(FORMATS) == {"csv", "xlsx", "json", "geojson", "html"}
