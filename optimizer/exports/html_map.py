"""An HTML map that works offline: one file with Leaflet's JS and CSS inlined.

A coloured line per route, numbered stops with their times in pop-ups, depots, and
unserved stops with their reason; a legend names every route and symbol and lists the
unserved stops. Map tiles are optional (``tiles``: a URL template such as
``https://tile.openstreetmap.org/{z}/{x}/{y}.png``); without them the routes are drawn on
a plain background, so a dispatcher without a network still sees them. Leaflet comes
from its npm package (``vendor/``, BSD-2-Clause licence beside it).
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from supplynet.optimizer.exports.clock import clock
from supplynet.optimizer.exports.geojson_export import route_color
from supplynet.optimizer.routing.schedule import RouteSchedule

VENDOR = resources.files("supplynet.optimizer.exports") / "vendor"
UNSERVED_COLOR = "#d62728"
MARKER = re.compile(r"__(TITLE|LEAFLET_CSS|LEAFLET_JS|DATA)__")

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>routes __TITLE__</title>
<style>__LEAFLET_CSS__</style>
<style>
html, body, #map { height: 100%; margin: 0; }
#map { background: #f4f1ea; }
.legend { background: #fff; padding: 8px 10px; font: 13px/1.4 sans-serif;
  box-shadow: 0 1px 4px rgba(0,0,0,.4); border-radius: 4px; max-height: 60vh; overflow: auto; }
.legend i { display: inline-block; width: 14px; height: 14px; margin-right: 6px;
  vertical-align: middle; border-radius: 2px; }
.legend i.dot { border-radius: 50%; }
</style></head>
<body><div id="map"></div>
<script>__LEAFLET_JS__</script>
<script>
const data = __DATA__;
function esc(text) {
  const span = document.createElement("span");
  span.textContent = String(text);
  return span.innerHTML;
}
const map = L.map("map", {preferCanvas: false});
if (data.tiles) {
  L.tileLayer(data.tiles, {maxZoom: 19, attribution: data.attribution}).addTo(map);
}
const bounds = [];
for (const r of data.routes) {
  const path = r.path;
  L.polyline(path, {color: r.color, weight: 4, opacity: 0.85}).bindTooltip(esc(r.summary))
    .addTo(map);
  L.circleMarker(r.depot, {radius: 9, color: "#000", weight: 3, fillColor: "#fff",
    fillOpacity: 1}).bindTooltip("depot " + esc(r.depot_id)).addTo(map);
  for (const s of r.stops) {
    L.circleMarker(s.at, {radius: 6, color: r.color, fillColor: r.color, fillOpacity: 0.9})
      .bindTooltip(esc(r.vehicle + " #" + s.sequence + ": " + s.id))
      .bindPopup("<b>" + esc(s.id) + "</b><br>" + esc(s.detail)).addTo(map);
  }
  bounds.push(...path);
}
for (const u of data.unserved) {
  L.circleMarker(u.at, {radius: 7, color: data.unserved_color, weight: 3, dashArray: "3",
    fillOpacity: 0}).bindTooltip("unserved " + esc(u.id))
    .bindPopup("<b>" + esc(u.id) + "</b> unserved: " + esc(u.reason)).addTo(map);
  bounds.push(u.at);
}
if (bounds.length) { map.fitBounds(bounds, {padding: [30, 30]}); } else { map.setView([0, 0], 2); }
const legend = L.control({position: "topright"});
legend.onAdd = function () {
  const div = L.DomUtil.create("div", "legend");
  let html = "<b>" + esc(data.title) + "</b><br>";
  for (const r of data.routes) {
    html += '<i style="background:' + r.color + '"></i>' + esc(r.summary) + "<br>";
  }
  html += '<i class="dot" style="border:3px solid #000;background:#fff"></i>depot<br>';
  html += '<i class="dot" style="border:3px dashed ' + data.unserved_color + '"></i>'
    + "unserved stop (" + data.unserved.length + ")<br>";
  for (const u of data.unserved) { html += "&nbsp;&nbsp;" + esc(u.id + ": " + u.reason) + "<br>"; }
  div.innerHTML = html;
  return div;
};
legend.addTo(map);
</script></body></html>
"""


def map_data(schedule: RouteSchedule, tiles: str | None = None) -> dict[str, Any]:
    """What the page draws: routes with colours and summaries, stops, unserved stops."""
    routes = []
    for i, r in enumerate(schedule.routes):
        stops = [
            {
                "id": s.stop_id,
                "sequence": s.sequence,
                "at": [s.latitude, s.longitude],
                "detail": f"{r.vehicle_id} #{s.sequence} (trip {s.trip}): "
                f"arrive {clock(s.arrival_min)}, start {clock(s.start_min)}, "
                f"leave {clock(s.departure_min)}; "
                f"{s.demand_kg:.1f} kg, {s.demand_m3:.2f} m3",
            }
            for s in r.stops
        ]
        routes.append(
            {
                "vehicle": r.vehicle_id,
                "depot_id": r.depot_id,
                "depot": [r.depot_latitude, r.depot_longitude],
                "color": route_color(i),
                "summary": f"{r.vehicle_id}: {len(r.stops)} stops, {clock(r.depart_min)}-"
                f"{clock(r.return_min)}, {r.distance_km:.1f} km, cost {r.cost:,.2f}",
                "stops": stops,
                "path": [list(point) for point in r.path()],
            }
        )
    unserved = [
        {"id": u.stop_id, "at": [u.latitude, u.longitude], "reason": u.reason}
        for u in schedule.unserved
    ]
    return {
        "title": f"routes {schedule.day}: {schedule.vehicles_used} vehicles, "
        f"{schedule.distance_km:,.1f} km, cost {schedule.cost:,.2f}",
        "tiles": tiles,
        "attribution": "&copy; OpenStreetMap contributors" if tiles else "",
        "routes": routes,
        "unserved": unserved,
        "unserved_color": UNSERVED_COLOR,
    }


def _script_safe(text: str) -> str:
    """Text that cannot close the ``<script>`` or ``<style>`` element it sits in."""
    return text.replace("</", "<\\/")


def to_html(schedule: RouteSchedule, tiles: str | None = None) -> str:
    """The whole page: no request leaves it unless ``tiles`` is given."""
    data = _script_safe(json.dumps(map_data(schedule, tiles)))
    parts = {
        "__TITLE__": html.escape(schedule.day),
        "__LEAFLET_CSS__": (VENDOR / "leaflet.css").read_text(encoding="utf-8"),
        "__LEAFLET_JS__": _script_safe((VENDOR / "leaflet.js").read_text(encoding="utf-8")),
        "__DATA__": data,
    }
    return MARKER.sub(lambda found: parts[found.group(0)], PAGE)


def write_html(schedule: RouteSchedule, path: Path, tiles: str | None = None) -> Path:
    """Write the map as one self-contained HTML file."""
    path.write_text(to_html(schedule, tiles), encoding="utf-8")
    return path
