"""The HTML route map works offline: one file with Leaflet inlined, a legend, unserved
stops with reasons; headless Chromium with every host unresolvable draws the routes
(the screenshot must hold each route's colour, so a blank page fails)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from routing_support import mixed_problem

from supplynet.optimizer.exports import write
from supplynet.optimizer.exports.geojson_export import route_color
from supplynet.optimizer.exports.html_map import to_html
from supplynet.optimizer.routing.problem import Stop
from supplynet.optimizer.routing.schedule import RouteSchedule
from supplynet.optimizer.routing.solver import solve

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SIZE = (900, 700)


@pytest.fixture(scope="module")
def schedule() -> RouteSchedule:
    """A solved day of 8 stops, plus one stop too heavy for any truck."""
    base = mixed_problem(n_stops=8)
    heavy = Stop(id="HEAVY", latitude=45.1, longitude=7.7, demand_kg=99_999)
    problem = type(base).build(base.depots, base.vehicles, (*base.stops, heavy))
    result = solve(problem, time_limit_s=1.0, workers=1)
    return RouteSchedule(result.routes, result.unserved, result.stats, day="2025-03-01")


def test_the_page_needs_no_network(schedule: RouteSchedule) -> None:
    """No script, style or tile is fetched: Leaflet is inline; tiles only when asked."""
    page = to_html(schedule)
    assert "<script src" not in page and "<link" not in page
    assert "tile.openstreetmap.org" not in page
    assert "L.map(" in page and "legend" in page
    assert schedule.unserved[0].reason in page
    hostile = to_html(dataclasses.replace(schedule, day="</script><b>x"))
    assert "</script><b>x" not in hostile, "text cannot end the script or enter the page"
    tiled = to_html(schedule, tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert "tile.openstreetmap.org" in tiled


def _hex_rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)])


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (scripts/setup --dev)")
def test_chromium_draws_every_route_offline(schedule: RouteSchedule, tmp_path: Path) -> None:
    """Each route's colour covers pixels of the screenshot taken with no network."""
    page = write(schedule, "html", tmp_path / "routes.html")
    shot = tmp_path / "routes.png"
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND", f"--window-size={SIZE[0]},{SIZE[1]}",
            f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000",
            f"--screenshot={shot}", page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert pixels.shape[:2] == (SIZE[1], SIZE[0])
    assert pixels.std() > 10, "a blank page"
    for i in range(len(schedule.routes)):
        near = np.abs(pixels - _hex_rgb(route_color(i))).sum(axis=2) < 40
        assert near.sum() > 30, f"route {i} ({route_color(i)}) is not drawn"
