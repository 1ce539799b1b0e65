"""Use cases of the logistics team: route a ship day of a saved plan, export schedules.

A day is a date or the N-th day on which the plan ships to stores (1 = the first);
anything else is refused with the valid days listed. ``route_day`` is pure and
picklable, so the server runs it in a worker process and the CLI in its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from supplynet.graph.deadline import Deadline
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network
from supplynet.graph.plans import PlanId, StoredPlan
from supplynet.optimizer.exports import FORMATS
from supplynet.optimizer.routing.deliveries import day_problem, network_travel
from supplynet.optimizer.routing.problem import Depot, RoutingProblem, Vehicle
from supplynet.optimizer.routing.schedule import PLAN_KIND, RouteSchedule
from supplynet.optimizer.routing.solver import fewest_vehicles, solve
from supplynet.server.app.progress import Progress, Report, ignore
from supplynet.server.app.settings import AppSettings
from supplynet.server.app.validation import checked, require

MAX_TYPES = 1_000
"""Vehicle types in one request at most (each may hold many trucks)."""
SHOWN_DAYS = 12
"""Valid days listed in an error at most (a long plan ships on many)."""


class RouteRequest(BaseModel):
    """Which day of which plan to route, and how hard to try."""

    model_config = ConfigDict(frozen=True)

    plan_id: PlanId
    day: str = Field(default="1", max_length=32)
    time_limit_seconds: float = Field(gt=0)
    workers: int | None = Field(default=None, ge=1, le=64)
    fewest_vehicles: bool = False
    schedule_id: PlanId | None = None
    fleet: tuple[Vehicle, ...] | None = Field(default=None, max_length=MAX_TYPES)
    """Vehicle types with counts (``count=None``: as many as needed); default fleet if unset."""
    road_factor: float | None = Field(default=None, ge=1, le=5)
    """Road km per great-circle km; None: the network's (``deliveries.network_travel``)."""
    speed_kmh: float | None = Field(default=None, gt=0, le=200)
    """Average road speed; None: ``TravelModel``'s."""


def route_request(settings: AppSettings, **fields: object) -> RouteRequest:
    """A checked request; fields left ``None`` take the settings' defaults (the travel
    model: ``SUPPLYNET_ROUTE_ROAD_FACTOR`` and ``SUPPLYNET_ROUTE_SPEED_KMH``, else the
    network's own)."""
    given = {name: value for name, value in fields.items() if value is not None}
    request = checked(
        RouteRequest,
        "route request",
        **{
            "time_limit_seconds": settings.route_time_limit_s,
            "road_factor": settings.route_road_factor,
            "speed_kmh": settings.route_speed_kmh,
            **given,
        },
    )
    too_long = request.time_limit_seconds > settings.max_time_limit_s
    limit = f"must be at most {settings.max_time_limit_s:g} seconds"
    require([Problem("time_limit_seconds", limit)] if too_long else [], "route request")
    return request


def check_replenishment(plan: StoredPlan, field: str = "plan_id") -> None:
    """Refuse a route schedule (or any other kind) where a replenishment plan is needed."""
    if plan.kind != "replenishment":
        reason = f"{plan.id} is a {plan.kind!r} plan, not a replenishment plan"
        require([Problem(field, reason)], "route request")


def check_schedule(plan: StoredPlan, field: str = "schedule") -> RouteSchedule:
    """The route schedule a saved plan holds; refuses other kinds of plan."""
    if plan.kind != PLAN_KIND:
        reason = f"{plan.id} is a {plan.kind!r} plan, not a route schedule"
        require([Problem(field, reason)], "export request")
    return RouteSchedule.from_stored_plan(plan)


def check_fleet(request: RouteRequest, network: Network) -> None:
    """Refuse a fleet the network cannot base (unknown warehouse) or no engine can route
    (a break on a reloading truck), naming ``fleet[i].field`` before any solving."""
    if request.fleet is None:
        return
    depots = [
        Depot(id=w.id, latitude=w.latitude, longitude=w.longitude) for w in network.warehouses
    ]
    try:
        RoutingProblem.build(depots, request.fleet, ())
    except ValidationFailed as failed:
        problems = [
            Problem(p.path.replace("vehicles", "fleet", 1), p.reason)
            for p in failed.problems
            if p.path.startswith("vehicles")
        ]
        require(problems, "route request")


def ship_days(plan: StoredPlan) -> list[dt.date]:
    """The days on which the plan ships to stores, in order."""
    return sorted(
        {
            dt.date.fromisoformat(str(line["ship_date"]))
            for line in plan.lines
            if line.get("line_type") == "transfer"
        }
    )


def resolve_day(plan: StoredPlan, day: str) -> dt.date:
    """``day`` as a date: an ISO date the plan ships on, or N for its N-th ship day."""
    days = ship_days(plan)
    shown = ", ".join(d.isoformat() for d in days[:SHOWN_DAYS])
    more = f" and {len(days) - SHOWN_DAYS} more" if len(days) > SHOWN_DAYS else ""
    valid = f"valid: 1..{len(days)} or {shown}{more}" if days else "the plan ships to no store"
    text = day.strip()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(days):
        return days[int(text) - 1]
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        date = None
    if date is None or date not in days:
        require([Problem("day", f"{text!r} is not a ship day of {plan.id}; {valid}")], "day")
    assert date is not None
    return date


def route_day(
    plan: StoredPlan,
    network: Network,
    request: RouteRequest,
    deadline: Deadline,
    report: Report = ignore,
) -> RouteSchedule:
    """Route one ship day of a replenishment plan with the request's fleet or the default."""
    report(Progress(0.0, "building"))
    date = resolve_day(plan, request.day)
    check_fleet(request, network)
    travel = network_travel(network, request.road_factor, request.speed_kmh)
    actual = day_problem(plan, network, date, fleet=request.fleet, travel=travel)
    problem = fewest_vehicles(actual) if request.fewest_vehicles else actual
    report(Progress(0.1, "solving"))
    result = solve(
        problem,
        time_limit_s=request.time_limit_seconds,
        workers=request.workers,
        deadline=deadline,
    )
    return replace(true_costs(result, problem, actual), day=date.isoformat())


def true_costs(
    schedule: RouteSchedule, solved: RoutingProblem, actual: RoutingProblem
) -> RouteSchedule:
    """Route costs at the fleet's real fixed costs: ``fewest_vehicles`` raises them only
    to rank solutions by vehicle count, and nobody pays that."""
    extra = {
        v.id: s.fixed_cost - v.fixed_cost
        for v, s in zip(actual.vehicles, solved.vehicles, strict=True)
    }
    routes = tuple(replace(r, cost=r.cost - extra[r.vehicle_id]) for r in schedule.routes)
    return replace(schedule, routes=routes)


def schedule_id(request: RouteRequest, day: str) -> str:
    """The saved schedule's id: the one asked for, else ``<plan>-routes-<day>``."""
    return request.schedule_id or f"{request.plan_id}-routes-{day}"


def check_export(fmt: str, out: Path | None = None) -> None:
    """A known format, and a file name that says the same format."""
    problems = []
    if fmt not in FORMATS:
        problems.append(Problem("format", f"choose one of {', '.join(FORMATS)}"))
    elif out is not None and out.suffix.lower().lstrip(".") not in (fmt, ""):
        problems.append(Problem("out", f"{out.name} does not end in .{fmt}"))
    require(problems, "export request")
