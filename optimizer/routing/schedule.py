"""``RouteSchedule``: the immutable result a logistics team dispatches from.

Built from the evaluator's simulation (not from solver internals), so the times, loads
and costs shown are the ones that were checked. It converts to a ``StoredPlan`` of kind
``routes`` (one line per stop, plus one per unserved stop) and back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from supplynet.graph.plans import Scalar, StoredPlan
from supplynet.optimizer.routing.evaluator import RELOAD, Evaluation
from supplynet.optimizer.routing.matrix import IntegerModel
from supplynet.optimizer.routing.problem import RoutingProblem
from supplynet.optimizer.routing.reasons import FLEET_REASON, Reason

PLAN_KIND = "routes"
SEARCHES = "searches"
"""Detail table of a stored schedule: one row per search of the portfolio."""
WARNINGS = "warnings"
"""Detail table of a stored plan's warnings (``message`` per row), shown by every door."""


@dataclass(frozen=True)
class ScheduledStop:
    """A visit: when the truck arrives, starts and leaves (minutes of day) and what it drops.

    ``trip`` counts the vehicle's departures from its depot (1 unless it reloads);
    coordinates are 0.0 for a stop given only through a matrix.
    """

    stop_id: str
    sequence: int
    latitude: float
    longitude: float
    arrival_min: float
    start_min: float
    departure_min: float
    load_on_arrival_kg: float
    demand_kg: float
    demand_m3: float
    trip: int = 1


@dataclass(frozen=True)
class VehicleRoute:
    """One vehicle's tour from its depot and back (several trips when it reloads)."""

    vehicle_id: str
    depot_id: str
    depot_latitude: float
    depot_longitude: float
    depart_min: float
    return_min: float
    distance_km: float
    cost: float
    load_kg: float
    load_m3: float
    break_start_min: float | None
    stops: tuple[ScheduledStop, ...]

    @property
    def duration_min(self) -> float:
        return self.return_min - self.depart_min

    @property
    def trips(self) -> tuple[tuple[ScheduledStop, ...], ...]:
        """The stops of each trip, in order."""
        count = max((s.trip for s in self.stops), default=0)
        return tuple(tuple(s for s in self.stops if s.trip == t) for t in range(1, count + 1))

    def path(self) -> list[tuple[float, float]]:
        """(latitude, longitude) as driven: from the depot, back to it after each trip."""
        depot = (self.depot_latitude, self.depot_longitude)
        points = [depot]
        for trip in self.trips:
            points += [(s.latitude, s.longitude) for s in trip] + [depot]
        return points


@dataclass(frozen=True)
class UnservedStop:
    """A stop no route serves, and why."""

    stop_id: str
    latitude: float
    longitude: float
    reason_code: str
    reason: str


@dataclass(frozen=True)
class SearchRun:
    """One search of the portfolio: whether it gave a feasible solution, and if not why."""

    name: str
    found: bool
    cost: float | None
    wall_s: float
    detail: str


@dataclass(frozen=True)
class SolverStats:
    """How the portfolio ran: ``runs`` holds (search, found, evaluated cost) per search;
    ``searches`` the same with wall time and the engine's detail or failure reason."""

    time_limit_s: float = 0.0
    wall_s: float = 0.0
    winner: str = ""
    runs: tuple[tuple[str, bool, float | None], ...] = ()
    searches: tuple[SearchRun, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class RouteSchedule:
    """Routes of one delivery day with totals, unserved stops and solver statistics."""

    routes: tuple[VehicleRoute, ...]
    unserved: tuple[UnservedStop, ...] = ()
    stats: SolverStats = field(default_factory=SolverStats, compare=False)
    day: str = ""

    @property
    def distance_km(self) -> float:
        return sum(r.distance_km for r in self.routes)

    @property
    def cost(self) -> float:
        return sum(r.cost for r in self.routes)

    @property
    def vehicles_used(self) -> int:
        return len(self.routes)

    @property
    def stops_served(self) -> int:
        return sum(len(r.stops) for r in self.routes)

    @property
    def warnings(self) -> tuple[str, ...]:
        """What a dispatcher must not miss: dropped stops, counted by reason."""
        if not self.unserved:
            return ()
        counts: dict[str, int] = {}
        for u in self.unserved:
            counts[u.reason_code] = counts.get(u.reason_code, 0) + 1
        by_reason = ", ".join(f"{n} {code}" for code, n in sorted(counts.items()))
        return (f"{len(self.unserved)} stops not served ({by_reason}); see each stop's reason",)

    def summary(self) -> dict[str, Scalar]:
        """Totals as a flat dict (the plan header, the CLI table, the XLSX summary)."""
        return {
            "day": self.day,
            "vehicles_used": self.vehicles_used,
            "stops_served": self.stops_served,
            "stops_unserved": len(self.unserved),
            "distance_km": round(self.distance_km, 3),
            "cost": round(self.cost, 2),
            "solver": self.stats.winner,
            "time_limit_s": self.stats.time_limit_s,
            "wall_s": round(self.stats.wall_s, 2),
        }

    def rows(self) -> list[dict[str, Scalar]]:
        """One flat row per stop (route fields repeated) and one per unserved stop."""
        rows: list[dict[str, Scalar]] = []
        for r in self.routes:
            route_fields: dict[str, Scalar] = {
                "line_type": "stop",
                "vehicle_id": r.vehicle_id,
                "depot_id": r.depot_id,
                "depot_latitude": r.depot_latitude,
                "depot_longitude": r.depot_longitude,
                "route_depart_min": r.depart_min,
                "route_return_min": r.return_min,
                "route_distance_km": r.distance_km,
                "route_cost": r.cost,
                "route_load_kg": r.load_kg,
                "route_load_m3": r.load_m3,
                "break_start_min": r.break_start_min,
            }
            for s in r.stops:
                rows.append(
                    {**route_fields, **_stop_fields(s), "reason_code": None, "reason": None}
                )
        for u in self.unserved:
            rows.append(
                {
                    "line_type": "unserved",
                    "stop_id": u.stop_id,
                    "latitude": u.latitude,
                    "longitude": u.longitude,
                    "reason_code": u.reason_code,
                    "reason": u.reason,
                }
            )
        return rows

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]], day: str = "") -> RouteSchedule:
        """Rebuild a schedule from ``rows()`` output (e.g. read back from CSV or a plan)."""
        routes: dict[str, list[dict[str, Any]]] = {}
        unserved: list[UnservedStop] = []
        for row in rows:
            if row["line_type"] == "unserved":
                unserved.append(
                    UnservedStop(
                        str(row["stop_id"]),
                        float(row["latitude"]),
                        float(row["longitude"]),
                        str(row["reason_code"]),
                        str(row["reason"]),
                    )
                )
            else:
                routes.setdefault(str(row["vehicle_id"]), []).append(row)
        return cls(
            routes=tuple(_route_from_rows(vid, rs) for vid, rs in routes.items()),
            unserved=tuple(unserved),
            day=day,
        )

    def to_stored_plan(self, plan_id: str, created_at: dt.datetime | None = None) -> StoredPlan:
        """The schedule as a ``StoredPlan`` of kind ``routes``; each search of the
        portfolio is kept as a row of the ``searches`` detail table, each warning (stops
        dropped) as a row of ``warnings``."""
        attributes: dict[str, Scalar] = dict(self.summary())
        ran = len(self.stats.runs)  # the searches that ran come first, then those left out
        searches = tuple(
            {"name": r.name, "found": r.found, "cost": r.cost, "wall_s": r.wall_s,
             "detail": r.detail, "ran": i < ran}
            for i, r in enumerate(self.stats.searches)
        )  # fmt: skip
        return StoredPlan(
            id=plan_id,
            kind=PLAN_KIND,
            created_at=created_at or dt.datetime.now(dt.UTC),
            attributes=attributes,
            lines=tuple(self.rows()),
            details={SEARCHES: searches, WARNINGS: tuple({"message": w} for w in self.warnings)},
        )

    @classmethod
    def from_stored_plan(cls, plan: StoredPlan) -> RouteSchedule:
        """Read a stored ``routes`` plan back, solver statistics included."""
        attrs = plan.attributes
        rows = plan.detail(SEARCHES)
        searches = tuple(
            SearchRun(
                name=str(row["name"]),
                found=bool(row["found"]),
                cost=None if row.get("cost") is None else float(row["cost"] or 0.0),
                wall_s=float(row["wall_s"] or 0.0),
                detail=str(row.get("detail") or ""),
            )
            for row in rows
        )
        stats = SolverStats(
            time_limit_s=float(attrs.get("time_limit_s") or 0.0),
            wall_s=float(attrs.get("wall_s") or 0.0),
            winner=str(attrs.get("solver") or ""),
            runs=tuple(
                (r.name, r.found, r.cost)
                for r, row in zip(searches, rows, strict=True)
                if row["ran"]
            ),
            searches=searches,
        )
        rebuilt = cls.from_rows(
            [dict(line) for line in plan.lines], day=str(attrs.get("day") or "")
        )
        return cls(rebuilt.routes, rebuilt.unserved, stats, rebuilt.day)


def _stop_fields(s: ScheduledStop) -> dict[str, Scalar]:
    return {
        "stop_id": s.stop_id,
        "sequence": s.sequence,
        "latitude": s.latitude,
        "longitude": s.longitude,
        "arrival_min": s.arrival_min,
        "start_min": s.start_min,
        "departure_min": s.departure_min,
        "load_on_arrival_kg": s.load_on_arrival_kg,
        "demand_kg": s.demand_kg,
        "demand_m3": s.demand_m3,
        "trip": s.trip,
    }


def _opt_float(value: Any) -> float | None:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    return float(value)


def _route_from_rows(vehicle_id: str, rows: list[dict[str, Any]]) -> VehicleRoute:
    first = rows[0]
    stops = sorted(
        (
            ScheduledStop(
                stop_id=str(r["stop_id"]),
                sequence=int(r["sequence"]),
                latitude=float(r["latitude"]),
                longitude=float(r["longitude"]),
                arrival_min=float(r["arrival_min"]),
                start_min=float(r["start_min"]),
                departure_min=float(r["departure_min"]),
                load_on_arrival_kg=float(r["load_on_arrival_kg"]),
                demand_kg=float(r["demand_kg"]),
                demand_m3=float(r["demand_m3"]),
                trip=int(r.get("trip") or 1),
            )
            for r in rows
        ),
        key=lambda s: s.sequence,
    )
    return VehicleRoute(
        vehicle_id=vehicle_id,
        depot_id=str(first["depot_id"]),
        depot_latitude=float(first["depot_latitude"]),
        depot_longitude=float(first["depot_longitude"]),
        depart_min=float(first["route_depart_min"]),
        return_min=float(first["route_return_min"]),
        distance_km=float(first["route_distance_km"]),
        cost=float(first["route_cost"]),
        load_kg=float(first["route_load_kg"]),
        load_m3=float(first["route_load_m3"]),
        break_start_min=_opt_float(first["break_start_min"]),
        stops=tuple(stops),
    )


def build_schedule(
    problem: RoutingProblem,
    model: IntegerModel,
    evaluation: Evaluation,
    reasons: dict[int, Reason],
    stats: SolverStats,
    day: str = "",
) -> RouteSchedule:
    """Turn an evaluated (feasible) solution into a schedule with ids and coordinates."""
    routes = []
    for r in evaluation.routes:
        vehicle = problem.vehicles[r.vehicle]
        depot = problem.depots[int(model.vehicle_depot[r.vehicle])]
        stops: list[ScheduledStop] = []
        trip = 1
        for i, s in enumerate(r.stops):
            if s == RELOAD:
                trip += 1
                continue
            stop = problem.stops[s]
            stops.append(
                ScheduledStop(
                    stop_id=stop.id,
                    sequence=len(stops) + 1,
                    latitude=stop.latitude or 0.0,
                    longitude=stop.longitude or 0.0,
                    arrival_min=r.arrival_min[i],
                    start_min=r.start_min[i],
                    departure_min=r.departure_min[i],
                    load_on_arrival_kg=r.load_on_arrival_kg[i],
                    demand_kg=stop.demand_kg,
                    demand_m3=stop.demand_m3,
                    trip=trip,
                )
            )
        routes.append(
            VehicleRoute(
                vehicle_id=vehicle.id,
                depot_id=depot.id,
                depot_latitude=depot.latitude or 0.0,
                depot_longitude=depot.longitude or 0.0,
                depart_min=r.depart_min,
                return_min=r.return_min,
                distance_km=r.distance_km,
                cost=r.cost,
                load_kg=r.load_kg,
                load_m3=r.load_m3,
                break_start_min=r.break_start_min,
                stops=tuple(stops),
            )
        )
    unserved = tuple(
        UnservedStop(
            stop_id=problem.stops[s].id,
            latitude=problem.stops[s].latitude or 0.0,
            longitude=problem.stops[s].longitude or 0.0,
            reason_code=reasons.get(s, FLEET_REASON).code,
            reason=reasons.get(s, FLEET_REASON).message,
        )
        for s in evaluation.unserved
    )
    return RouteSchedule(routes=tuple(routes), unserved=unserved, stats=stats, day=day)
