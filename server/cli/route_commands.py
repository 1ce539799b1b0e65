"""``supplynet routes``: route a day of a replenishment plan; ``routes export`` writes a
saved route schedule as CSV, XLSX, JSON, GeoJSON or an HTML map.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

import pandas as pd

from supplynet.graph.deadline import Deadline
from supplynet.graph.errors import NotFound, Problem, ValidationFailed
from supplynet.graph.open_store import describe, open_store
from supplynet.optimizer.exports import FORMATS, write
from supplynet.optimizer.exports.clock import clock
from supplynet.optimizer.routing.schedule import PLAN_KIND, RouteSchedule
from supplynet.server.app.settings import AppSettings
from supplynet.server.cli.arguments import Subparsers
from supplynet.server.cli.output import console, frame_table, key_value_table


def register(subparsers: Subparsers) -> None:
    routes = subparsers.add_parser(
        "routes",
        help="route one day of a replenishment plan's deliveries (and export schedules)",
        description="Route the warehouse -> store transfers of one day of a saved "
        "replenishment plan with the default fleet, print the schedule and save it as a "
        "'routes' plan. 'routes export' writes a saved schedule to a file.",
    )
    routes.add_argument("--plan", metavar="ID", help="saved replenishment plan id")
    routes.add_argument(
        "--day",
        default="1",
        help="a ship date (YYYY-MM-DD) of the plan, or N: its N-th ship day (default 1); "
        "a day the plan does not ship on is refused with the valid days listed",
    )
    routes.add_argument("--seconds", type=float, default=None, help="time limit (default 10)")
    routes.add_argument("--workers", type=int, default=None, help="parallel searches")
    routes.add_argument("--save-as", metavar="ID", help="id of the saved route schedule")
    routes.add_argument(
        "--fewest-vehicles",
        action="store_true",
        help="minimise the number of trucks first (a large fixed cost per truck)",
    )
    routes.add_argument(
        "--vehicle",
        action="append",
        metavar="SPEC",
        help="a vehicle type of the fleet (repeat for more; default: the default fleet), "
        "comma-separated key=value: id, depot_id, capacity_kg (required), capacity_m3, "
        "fixed_cost, cost_per_km, count (a number or 'unbounded'), max_trips (reloads at "
        "the depot), shift=HH:MM-HH:MM, max_duration_min, break=HH:MM-HH:MM/MIN (start "
        "window and minutes); e.g. id=van,depot_id=W001,capacity_kg=900,count=3,max_trips=2",
    )
    routes.set_defaults(handler=run_routes)
    sub = routes.add_subparsers(dest="routes_command", metavar="SUBCOMMAND")
    export = sub.add_parser(
        "export",
        help="write a saved route schedule to a file",
        description="Write a saved route schedule (default: the newest) to PATH.",
    )
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("--out", type=Path, required=True, metavar="PATH")
    export.add_argument("--routes", metavar="ID", help="saved route schedule id")
    export.set_defaults(handler=run_export)


def run_routes(args: argparse.Namespace) -> int:
    from supplynet.server.app import route as use  # the solvers load only when routing

    if not args.plan:
        raise ValidationFailed([Problem("plan", "--plan is required (or use 'routes export')")])
    settings: AppSettings = args.settings
    request = use.route_request(
        settings,
        plan_id=args.plan,
        day=args.day,
        time_limit_seconds=args.seconds,
        workers=args.workers,
        fewest_vehicles=args.fewest_vehicles,
        schedule_id=args.save_as,
        fleet=None
        if args.vehicle is None
        else [vehicle_type(i, v) for i, v in enumerate(args.vehicle)],
    )
    out = console()
    store = open_store()
    try:
        plan = store.load_plan(request.plan_id)
        use.check_replenishment(plan, "plan")
        network = store.snapshot()
        limit = request.time_limit_seconds
        with out.status(f"routing {request.day} of {plan.id} for {limit:g} s"):
            schedule = use.route_day(plan, network, request, Deadline.after(limit))
        plan_id = use.schedule_id(request, schedule.day)
        store.save_plan(schedule.to_stored_plan(plan_id))
    finally:
        store.close()
    print_schedule(schedule)
    out.print(f"saved route schedule {plan_id!r} in {describe()}")
    return 0


def vehicle_type(index: int, spec: str) -> dict[str, object]:
    """``--vehicle`` text as ``Vehicle`` fields: ``key=value`` pairs; ``shift`` and
    ``break`` take clock times, ``count=unbounded`` means as many as needed."""
    field = f"fleet[{index}]"
    record: dict[str, object] = {}
    for piece in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, value = (part.strip() for part in piece.partition("="))
        if not sep or not key:
            raise ValidationFailed([Problem(field, f"expected key=value, got {piece!r}")])
        if key == "shift":
            record["shift_start_min"], record["shift_end_min"] = _span(f"{field}.shift", value)
        elif key == "break":
            window, _, minutes = value.partition("/")
            earliest, latest = _span(f"{field}.break", window)
            record["driver_break"] = {
                "earliest_start_min": earliest,
                "latest_start_min": latest,
                "duration_min": minutes,
            }
        elif key == "count" and value == "unbounded":
            record["count"] = None
        else:
            record[key] = value
    return record


def _span(field: str, text: str) -> tuple[float, float]:
    """``HH:MM-HH:MM`` (or minutes of day) as two minutes of day."""
    start, sep, end = text.partition("-")
    if not sep:
        raise ValidationFailed([Problem(field, f"expected HH:MM-HH:MM, got {text!r}")])
    return _minutes(field, start), _minutes(field, end)


def _minutes(field: str, text: str) -> float:
    hours, sep, minutes = text.strip().partition(":")
    try:
        return float(hours) * 60 + float(minutes) if sep else float(hours)
    except ValueError:
        raise ValidationFailed([Problem(field, f"{text!r} is not HH:MM")]) from None


def run_export(args: argparse.Namespace) -> int:
    from supplynet.server.app import route as use

    use.check_export(args.format, args.out)
    store = open_store()
    try:
        plan_id = args.routes
        if plan_id is None:
            saved = sorted(store.list_plans(PLAN_KIND), key=lambda p: p.created_at)
            if not saved:
                raise NotFound("route schedule", "newest")
            plan_id = saved[-1].id
        schedule = use.check_schedule(store.load_plan(plan_id), "routes")
    finally:
        store.close()
    path = write(schedule, args.format, args.out)
    console().print(f"wrote route schedule {plan_id!r} as {args.format} to {path}")
    return 0


def print_schedule(schedule: RouteSchedule) -> None:
    """Totals, one line per route, each route's stop order wrapped to the terminal (the
    table fits 80 columns; trips separated by ``| reload |``), and the unserved stops
    with their reasons."""
    out = console()
    out.print(key_value_table(f"routes for {schedule.day}", schedule.summary()))
    routes = pd.DataFrame(
        [
            {
                "vehicle": r.vehicle_id,
                "depot": r.depot_id,
                "stops": len(r.stops),
                "depart": clock(r.depart_min),
                "return": clock(r.return_min),
                "km": r.distance_km,
                "kg": r.load_kg,
                "cost": r.cost,
            }
            for r in schedule.routes
        ]
    )
    if len(routes):
        out.print(frame_table("routes", routes, float_format="{:,.1f}"))
        out.print("stop order:")
        for r in schedule.routes:
            trips = (" > ".join(s.stop_id for s in trip) for trip in r.trips)
            sequence = f"{r.vehicle_id}: " + " | reload | ".join(trips)
            wrapped = textwrap.fill(sequence, out.width, subsequent_indent="    ")
            out.print(wrapped, soft_wrap=True, markup=False)
    if schedule.unserved:
        unserved = pd.DataFrame(
            [
                {"stop": u.stop_id, "reason": u.reason_code, "why": u.reason}
                for u in schedule.unserved
            ]
        )
        out.print(frame_table("unserved stops", unserved))
