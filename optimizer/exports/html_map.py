"""An HTML map (folium / Leaflet): a coloured line per route, numbered stops with their
times in pop-ups, depots, and unserved stops with the reason.
"""

from __future__ import annotations

from pathlib import Path

import folium

from supplynet.optimizer.exports.clock import clock
from supplynet.optimizer.exports.geojson_export import route_color
from supplynet.optimizer.routing.schedule import RouteSchedule


def to_map(schedule: RouteSchedule) -> folium.Map:
    """A folium map fitted to every stop and depot of the schedule."""
    points = [(r.depot_latitude, r.depot_longitude) for r in schedule.routes]
    points += [(s.latitude, s.longitude) for r in schedule.routes for s in r.stops]
    points += [(u.latitude, u.longitude) for u in schedule.unserved]
    fmap = folium.Map(tiles="OpenStreetMap")
    if points:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    for i, r in enumerate(schedule.routes):
        color = route_color(i)
        depot = (r.depot_latitude, r.depot_longitude)
        path = [depot, *((s.latitude, s.longitude) for s in r.stops), depot]
        summary = (
            f"{r.vehicle_id} from {r.depot_id}: {len(r.stops)} stops, "
            f"{clock(r.depart_min)}-{clock(r.return_min)}, {r.distance_km:.1f} km"
        )
        line = folium.PolyLine(  # type: ignore[no-untyped-call]
            path, color=color, weight=4, opacity=0.8, tooltip=summary
        )
        line.add_to(fmap)
        folium.Marker(depot, tooltip=f"depot {r.depot_id}", icon=folium.Icon(icon="home")).add_to(
            fmap
        )
        for s in r.stops:
            popup = (
                f"<b>{s.stop_id}</b><br>{r.vehicle_id} #{s.sequence}<br>"
                f"arrive {clock(s.arrival_min)}, start {clock(s.start_min)}, "
                f"leave {clock(s.departure_min)}<br>{s.demand_kg:.1f} kg, {s.demand_m3:.2f} m3"
            )
            folium.CircleMarker(
                (s.latitude, s.longitude),
                radius=6,
                color=color,
                fill=True,
                fill_opacity=0.9,
                tooltip=f"{r.vehicle_id} #{s.sequence}: {s.stop_id}",
                popup=folium.Popup(popup, max_width=300),
            ).add_to(fmap)
    for u in schedule.unserved:
        folium.Marker(
            (u.latitude, u.longitude),
            tooltip=f"unserved {u.stop_id}",
            popup=folium.Popup(f"<b>{u.stop_id}</b> unserved: {u.reason}", max_width=300),
            icon=folium.Icon(color="red", icon="remove"),
        ).add_to(fmap)
    return fmap


def write_html(schedule: RouteSchedule, path: Path) -> Path:
    """Write the map as a self-contained HTML page."""
    to_map(schedule).save(str(path))
    return path
