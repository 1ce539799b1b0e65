"""``supplynet routes``: route a day of a replenishment plan; ``routes export`` writes a
saved route schedule as CSV, XLSX, JSON, GeoJSON or an HTML map.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from supplynet.graph.errors import NotFound
from supplynet.graph.open_store import describe, open_store
from supplynet.optimizer.exports import FORMATS, write
from supplynet.optimizer.exports.clock import clock
from supplynet.optimizer.routing.deliveries import day_problem, plan_day
from supplynet.optimizer.routing.schedule import PLAN_KIND, RouteSchedule
from supplynet.optimizer.routing.solver import fewest_vehicles, solve
from supplynet.server.arguments import Subparsers
from supplynet.server.output import console, frame_table, key_value_table

if TYPE_CHECKING:
    from supplynet.server.demo import DemoRun


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
        "--day", default="1", help="ISO date, or N for the plan's N-th day (default 1)"
    )
    routes.add_argument("--seconds", type=float, default=10.0, help="time limit (default 10)")
    routes.add_argument("--workers", type=int, default=None, help="parallel searches")
    routes.add_argument("--save-as", metavar="ID", help="id of the saved route schedule")
    routes.add_argument(
        "--fewest-vehicles",
        action="store_true",
        help="minimise the number of trucks first (a large fixed cost per truck)",
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
    out = console()
    if not args.plan:
        out.print("error: --plan is required (or use 'routes export')")
        return 2
    store = open_store()
    try:
        plan = store.load_plan(args.plan)
        network = store.snapshot()
        day = plan_day(plan, args.day)
        problem = day_problem(plan, network, day)
        if args.fewest_vehicles:
            problem = fewest_vehicles(problem)
        with out.status(
            f"routing {len(problem.stops)} stops with {len(problem.vehicles)} vehicles "
            f"for {args.seconds:g} s"
        ):
            result = solve(problem, time_limit_s=args.seconds, workers=args.workers)
        schedule = RouteSchedule(result.routes, result.unserved, result.stats, day.isoformat())
        plan_id = args.save_as or f"{args.plan}-routes-{day.isoformat()}"
        store.save_plan(schedule.to_stored_plan(plan_id))
    finally:
        store.close()
    print_schedule(schedule)
    out.print(f"saved route schedule {plan_id!r} in {describe()}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        plan_id = args.routes
        if plan_id is None:
            saved = sorted(store.list_plans(PLAN_KIND), key=lambda p: p.created_at)
            if not saved:
                raise NotFound("route schedule", "newest")
            plan_id = saved[-1].id
        schedule = RouteSchedule.from_stored_plan(store.load_plan(plan_id))
    finally:
        store.close()
    path = write(schedule, args.format, args.out)
    console().print(f"wrote route schedule {plan_id!r} as {args.format} to {path}")
    return 0


def print_schedule(schedule: RouteSchedule) -> None:
    """Totals, one line per route, and the unserved stops with their reasons."""
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
                "sequence": " > ".join(s.stop_id for s in r.stops),
            }
            for r in schedule.routes
        ]
    )
    if len(routes):
        out.print(frame_table("routes", routes, float_format="{:,.1f}"))
    if schedule.unserved:
        unserved = pd.DataFrame(
            [
                {"stop": u.stop_id, "reason": u.reason_code, "why": u.reason}
                for u in schedule.unserved
            ]
        )
        out.print(frame_table("unserved stops", unserved))


DEMO_SECONDS = 10.0


def stage_routes(run: DemoRun) -> None:
    """Demo stage: route day 1 of the run's replenishment plan and write every export.

    Day 1 is the plan's first ship date; when nothing ships to stores that day, the first
    day that has transfers is routed instead (and the demo says so).
    """
    plan = run.results.get("plan")
    if plan is None or run.network is None:
        run.console.print("no replenishment plan in this run: routing skipped")
        return
    stored = plan.to_stored_plan("demo-plan")
    day = plan_day(stored, 1)
    transfer_days = sorted(
        str(line["ship_date"]) for line in stored.lines if line["line_type"] == "transfer"
    )
    if not transfer_days:
        run.console.print("the plan has no transfers to stores: routing skipped")
        return
    if day.isoformat() not in transfer_days:
        run.console.print(f"nothing ships to stores on {day}; routing {transfer_days[0]}")
        day = plan_day(stored, transfer_days[0])
    problem = day_problem(stored, run.network, day)
    result = solve(problem, time_limit_s=DEMO_SECONDS)
    schedule = RouteSchedule(result.routes, result.unserved, result.stats, day.isoformat())
    run.results["routes"] = schedule
    run.store.save_plan(schedule.to_stored_plan(f"demo-routes-{day.isoformat()}"))
    folder = run.out / "routes"
    written = [write(schedule, fmt, folder / f"routes.{fmt}") for fmt in FORMATS]
    print_schedule(schedule)
    run.console.print(f"wrote {', '.join(p.name for p in written)} to {folder}")
