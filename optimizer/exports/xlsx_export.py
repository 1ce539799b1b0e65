"""XLSX: a ``Summary`` sheet (totals, one line per route, unserved stops) and one sheet
per route with its stops in order, times as minutes and as ``HH:MM``. Text that Excel
would run as a formula is stored as quote-prefixed text (``exports.neutralise``).
Numbers are rounded to their unit's precision (``exports.units``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supplynet.optimizer.exports.clock import clock
from supplynet.optimizer.exports.neutralise import is_formula_like
from supplynet.optimizer.exports.units import rounded
from supplynet.optimizer.routing.schedule import RouteSchedule, VehicleRoute

if TYPE_CHECKING:  # openpyxl loads when a workbook is written, not with every CLI command
    from openpyxl.worksheet.worksheet import Worksheet

SUMMARY = "Summary"
ROUTE_COLUMNS = (
    "sequence",
    "trip",
    "stop_id",
    "arrival",
    "start",
    "departure",
    "arrival_min",
    "start_min",
    "departure_min",
    "demand_kg",
    "demand_m3",
    "load_on_arrival_kg",
    "latitude",
    "longitude",
)


def sheet_name(vehicle_id: str) -> str:
    """A valid, at most 31-character sheet title for a vehicle."""
    return re.sub(r"[\[\]:*?/\\]", "_", vehicle_id)[:31]


def write_xlsx(schedule: RouteSchedule, path: Path) -> Path:
    """Write the workbook to ``path``."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = SUMMARY
    _summary(summary, schedule)
    for route in rounded(schedule).routes:
        _route_sheet(book.create_sheet(sheet_name(route.vehicle_id)), route)
    book.save(path)
    return path


def _append(sheet: Worksheet, values: list[Any]) -> None:
    """``sheet.append`` that keeps formula-like text as text (openpyxl makes it a formula)."""
    sheet.append(values)
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        if is_formula_like(value):
            cell.value = value
            cell.data_type = "s"
            cell.quotePrefix = True


def _header(sheet: Worksheet, values: tuple[str, ...] | list[str]) -> None:
    from openpyxl.styles import Font

    _append(sheet, list(values))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _summary(sheet: Worksheet, schedule: RouteSchedule) -> None:
    _header(sheet, ["total", "value"])
    for key, value in schedule.summary().items():
        _append(sheet, [key, value])
    _append(sheet, [])
    _header(
        sheet,
        [
            "vehicle_id", "depot_id", "stops", "trips", "depart", "return", "duration_min",
            "distance_km", "cost", "load_kg", "load_m3", "break_start",
        ],
    )  # fmt: skip
    for r in schedule.routes:
        _append(
            sheet,
            [
                r.vehicle_id, r.depot_id, len(r.stops), len(r.trips), clock(r.depart_min),
                clock(r.return_min), round(r.duration_min, 2), round(r.distance_km, 3),
                round(r.cost, 2), round(r.load_kg, 3), round(r.load_m3, 3),
                clock(r.break_start_min),
            ]
        )  # fmt: skip
    if schedule.unserved:
        _append(sheet, [])
        _header(sheet, ["unserved_stop_id", "reason_code", "reason"])
        for u in schedule.unserved:
            _append(sheet, [u.stop_id, u.reason_code, u.reason])


def _route_sheet(sheet: Worksheet, route: VehicleRoute) -> None:
    _append(sheet, ["vehicle", route.vehicle_id, "depot", route.depot_id])
    _append(sheet, ["depart", clock(route.depart_min), "return", clock(route.return_min)])
    _append(sheet, ["distance_km", round(route.distance_km, 3), "cost", round(route.cost, 2)])
    _append(sheet, ["break_start", clock(route.break_start_min)])
    _append(sheet, [])
    _header(sheet, ROUTE_COLUMNS)
    for s in route.stops:
        _append(
            sheet,
            [
                s.sequence, s.trip, s.stop_id, clock(s.arrival_min), clock(s.start_min),
                clock(s.departure_min), s.arrival_min, s.start_min, s.departure_min,
                s.demand_kg, s.demand_m3, s.load_on_arrival_kg, s.latitude, s.longitude,
            ]
        )  # fmt: skip
