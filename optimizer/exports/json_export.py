"""JSON: the whole schedule (totals, routes with each stop's trip, unserved stops, solver
statistics with every search of the portfolio and its failure reason); reads back."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from supplynet.optimizer.routing.schedule import (
    RouteSchedule,
    ScheduledStop,
    SearchRun,
    SolverStats,
    UnservedStop,
    VehicleRoute,
)

FORMAT_VERSION = 1


def to_dict(schedule: RouteSchedule) -> dict[str, Any]:
    """A JSON-ready dict; ``summary`` repeats the totals for readers that want only them."""
    return {
        "format": "supplynet.routes",
        "version": FORMAT_VERSION,
        "day": schedule.day,
        "summary": schedule.summary(),
        "stats": dataclasses.asdict(schedule.stats),
        "routes": [dataclasses.asdict(r) for r in schedule.routes],
        "unserved": [dataclasses.asdict(u) for u in schedule.unserved],
    }


def from_dict(data: dict[str, Any]) -> RouteSchedule:
    """Rebuild a schedule from ``to_dict`` output."""
    stats = data["stats"]
    return RouteSchedule(
        routes=tuple(
            VehicleRoute(**{**r, "stops": tuple(ScheduledStop(**s) for s in r["stops"])})
            for r in data["routes"]
        ),
        unserved=tuple(UnservedStop(**u) for u in data["unserved"]),
        stats=SolverStats(
            time_limit_s=stats["time_limit_s"],
            wall_s=stats["wall_s"],
            winner=stats["winner"],
            runs=tuple((str(n), bool(f), c) for n, f, c in stats["runs"]),
            searches=tuple(SearchRun(**run) for run in stats.get("searches", ())),
        ),
        day=data["day"],
    )


def write_json(schedule: RouteSchedule, path: Path) -> Path:
    """Write the schedule as indented JSON."""
    path.write_text(json.dumps(to_dict(schedule), indent=2), encoding="utf-8")
    return path


def read_json(path: Path) -> RouteSchedule:
    """Read a file written by ``write_json``."""
    return from_dict(json.loads(path.read_text(encoding="utf-8")))
