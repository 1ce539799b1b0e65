"""Exported CSV and XLSX never hand a spreadsheet a formula (OWASP CSV injection).

Ids that a spreadsheet would evaluate (``-1+1`` is a valid stop id) are written as
text, numbers stay numbers, and the CSV still reads back to the same schedule.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from routing_support import mixed_problem

from supplynet.optimizer.exports import write
from supplynet.optimizer.exports.csv_export import read_csv
from supplynet.optimizer.exports.neutralise import FORMULA_LEADS, neutralise, restore
from supplynet.optimizer.exports.units import rounded
from supplynet.optimizer.routing.schedule import RouteSchedule
from supplynet.optimizer.routing.solver import solve

HOSTILE_STOP_IDS = ("-1+1", "-A1:B2", "-2")


@pytest.fixture(scope="module")
def hostile() -> RouteSchedule:
    """A solved day whose stop and vehicle ids start with '-' and whose longitudes are < 0."""
    base = mixed_problem(n_stops=6)
    renamed = {s.id: HOSTILE_STOP_IDS[i] for i, s in enumerate(base.stops[:3])}
    stops = [
        s.model_copy(update={"id": renamed.get(s.id, s.id), "longitude": -s.longitude})
        for s in base.stops
    ]
    depots = [d.model_copy(update={"longitude": -d.longitude}) for d in base.depots]
    vehicles = [v.model_copy(update={"id": f"-{v.id}"}) for v in base.vehicles]
    problem = type(base).build(depots, vehicles, stops)
    result = solve(problem, time_limit_s=0.5, workers=1)
    return RouteSchedule(result.routes, result.unserved, result.stats, day="2025-03-01")


@pytest.mark.parametrize("lead", FORMULA_LEADS)
def test_every_formula_lead_is_neutralised_and_restored(lead: str) -> None:
    """Each OWASP lead character gets a quote; restore gives the text back exactly."""
    text = f'{lead}HYPERLINK("http://x")'
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text
    assert restore(neutralise("'" + text)) == "'" + text
    assert neutralise(-1.5) == -1.5


def test_csv_cells_are_neutralised_and_read_back(hostile: RouteSchedule, tmp_path: Path) -> None:
    """No CSV text cell starts with a formula lead; numbers are plain; the round trip holds."""
    path = write(hostile, "csv", tmp_path / "r.csv")
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    stop_ids = {row["stop_id"] for row in rows}
    assert {f"'{i}" for i in HOSTILE_STOP_IDS} <= stop_ids
    assert all(row["vehicle_id"].startswith("'-") for row in rows if row["vehicle_id"])
    assert all(float(row["longitude"]) < 0 for row in rows if row["longitude"])
    assert read_csv(path) == rounded(hostile)


def test_xlsx_holds_text_not_formulas(hostile: RouteSchedule, tmp_path: Path) -> None:
    """Formula-like ids are quote-prefixed text cells; negative coordinates stay numbers."""
    book = load_workbook(write(hostile, "xlsx", tmp_path / "r.xlsx"))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if c.data_type == "s" and c.quotePrefix}
    assert set(HOSTILE_STOP_IDS) <= texts
    numbers = [c.value for c in cells if c.data_type == "n" and isinstance(c.value, float)]
    assert any(value < 0 for value in numbers)
