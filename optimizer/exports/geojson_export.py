"""GeoJSON (RFC 7946): a LineString per route, a Point per stop, depot and unserved stop.

Coordinates are ``[longitude, latitude]``; every feature carries its schedule data as
properties, so the file opens in QGIS or geojson.io with nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from supplynet.optimizer.exports.clock import clock
from supplynet.optimizer.routing.schedule import RouteSchedule

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip


def route_color(index: int) -> str:
    """A stable colour per route (shared with the HTML map)."""
    return PALETTE[index % len(PALETTE)]


def _point(lon: float, lat: float, props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": props,
    }


def to_geojson(schedule: RouteSchedule) -> dict[str, Any]:
    """The schedule as a GeoJSON ``FeatureCollection``."""
    features: list[dict[str, Any]] = []
    depots: dict[str, tuple[float, float]] = {}
    for i, r in enumerate(schedule.routes):
        depot = (r.depot_longitude, r.depot_latitude)
        depots[r.depot_id] = depot
        path = [[lon, lat] for lat, lon in r.path()]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": path},
                "properties": {
                    "kind": "route",
                    "vehicle_id": r.vehicle_id,
                    "depot_id": r.depot_id,
                    "stops": len(r.stops),
                    "trips": len(r.trips),
                    "depart": clock(r.depart_min),
                    "return": clock(r.return_min),
                    "distance_km": round(r.distance_km, 3),
                    "cost": round(r.cost, 2),
                    "load_kg": round(r.load_kg, 3),
                    "load_m3": round(r.load_m3, 3),
                    "stroke": route_color(i),
                },
            }
        )
        for s in r.stops:
            features.append(
                _point(
                    s.longitude,
                    s.latitude,
                    {
                        "kind": "stop",
                        "stop_id": s.stop_id,
                        "vehicle_id": r.vehicle_id,
                        "sequence": s.sequence,
                        "trip": s.trip,
                        "arrival": clock(s.arrival_min),
                        "start": clock(s.start_min),
                        "departure": clock(s.departure_min),
                        "demand_kg": s.demand_kg,
                        "demand_m3": s.demand_m3,
                        "marker-color": route_color(i),
                    },
                )
            )
    for depot_id, (lon, lat) in depots.items():
        features.append(_point(lon, lat, {"kind": "depot", "depot_id": depot_id}))
    for u in schedule.unserved:
        features.append(
            _point(
                u.longitude,
                u.latitude,
                {"kind": "unserved", "stop_id": u.stop_id, "reason_code": u.reason_code,
                 "reason": u.reason, "marker-color": "#000000"},
            )
        )  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def write_geojson(schedule: RouteSchedule, path: Path) -> Path:
    """Write the FeatureCollection to ``path``."""
    path.write_text(json.dumps(to_geojson(schedule), indent=1), encoding="utf-8")
    return path
