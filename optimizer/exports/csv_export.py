"""CSV: one row per stop (route fields repeated) and one per unserved stop; reads back.

Numbers are rounded to their unit's precision (``exports.units``: minutes of day, kg,
m3, km, cost, degrees), so reading back gives ``rounded(schedule)`` (solver statistics
are not part of the CSV). Text that a spreadsheet would run as a
formula is neutralised (``exports.neutralise``) and restored on reading.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from supplynet.optimizer.exports.neutralise import neutralise, restore
from supplynet.optimizer.exports.units import rounded
from supplynet.optimizer.routing.schedule import RouteSchedule

COLUMNS = (
    "day",
    "line_type",
    "vehicle_id",
    "depot_id",
    "sequence",
    "trip",
    "stop_id",
    "arrival_min",
    "start_min",
    "departure_min",
    "load_on_arrival_kg",
    "demand_kg",
    "demand_m3",
    "latitude",
    "longitude",
    "route_depart_min",
    "route_return_min",
    "route_distance_km",
    "route_cost",
    "route_load_kg",
    "route_load_m3",
    "break_start_min",
    "depot_latitude",
    "depot_longitude",
    "reason_code",
    "reason",
)


def write_csv(schedule: RouteSchedule, path: Path) -> Path:
    """Write the schedule's rows to ``path``."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="raise")
        writer.writeheader()
        for row in rounded(schedule).rows():
            writer.writerow({c: _cell(row.get(c)) for c in COLUMNS} | {"day": schedule.day})
    return path


def read_csv(path: Path) -> RouteSchedule:
    """Read a CSV written by ``write_csv`` back into a schedule."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [{k: restore(v) for k, v in row.items()} for row in csv.DictReader(fh)]
    day = rows[0]["day"] if rows else ""
    return RouteSchedule.from_rows(rows, day=day)


def _cell(value: Any) -> Any:
    return "" if value is None else repr(value) if isinstance(value, float) else neutralise(value)
