"""Route-schedule exports a logistics team can use without us: CSV, XLSX, JSON, GeoJSON, HTML.

``write(schedule, fmt, path)`` picks the writer; CSV and JSON also read back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.optimizer.exports.csv_export import write_csv
from supplynet.optimizer.exports.geojson_export import write_geojson
from supplynet.optimizer.exports.html_map import write_html
from supplynet.optimizer.exports.json_export import write_json
from supplynet.optimizer.exports.xlsx_export import write_xlsx
from supplynet.optimizer.routing.schedule import RouteSchedule

WRITERS: dict[str, Callable[[RouteSchedule, Path], Path]] = {
    "csv": write_csv,
    "xlsx": write_xlsx,
    "json": write_json,
    "geojson": write_geojson,
    "html": write_html,
}
FORMATS = tuple(WRITERS)


def write(schedule: RouteSchedule, fmt: str, path: Path) -> Path:
    """Write ``schedule`` as ``fmt`` to ``path`` (parent folders are created).

    Raises
    ------
    ValidationFailed
        For a format not in ``FORMATS``.
    """
    if fmt not in WRITERS:
        raise ValidationFailed(
            [Problem("format", f"{fmt!r} is not one of {', '.join(FORMATS)}")], "export"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    return WRITERS[fmt](schedule, path)
