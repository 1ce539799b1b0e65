"""``RoutingService``: route a day of a saved replenishment plan; export saved schedules.

The schedule is saved as a plan of kind ``routes`` and returned with its lines. The
fleet is the request's vehicle types (counts or unbounded, trips, shifts), else the
routing package's default fleet (the domain model has none). The request's
time limit is the search's; the caller's gRPC deadline becomes the ``Deadline``, and the
solver's limit is the smaller of the two when the solver starts.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path

import grpc

from supplynet.graph.deadline import Deadline
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.plans import StoredPlan
from supplynet.optimizer.exports import write
from supplynet.optimizer.routing.schedule import RouteSchedule
from supplynet.server.app import route
from supplynet.server.rpc import tasks
from supplynet.server.rpc.converters import name_id, plan_to_proto, unset_if_zero
from supplynet.server.rpc.state import ServerState
from supplynet.v1 import plan_pb2, routing_pb2, routing_pb2_grpc

FORMATS = {
    routing_pb2.EXPORT_FORMAT_CSV: ("csv", "text/csv"),
    routing_pb2.EXPORT_FORMAT_XLSX: (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    routing_pb2.EXPORT_FORMAT_JSON: ("json", "application/json"),
    routing_pb2.EXPORT_FORMAT_GEOJSON: ("geojson", "application/geo+json"),
    routing_pb2.EXPORT_FORMAT_HTML: ("html", "text/html"),
}
"""Export format -> (file extension, MIME type)."""


class RoutingServicer(routing_pb2_grpc.RoutingServiceServicer):
    """Thin: load the plan and network, solve in a job, save and return the schedule."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    async def PlanRoutes(
        self, request: routing_pb2.PlanRoutesRequest, context: grpc.aio.ServicerContext
    ) -> plan_pb2.Plan:
        asked = route.route_request(
            self.state.app,
            plan_id=name_id(request.plan, "plans", "plan"),
            day=request.day or None,
            time_limit_seconds=unset_if_zero(request.time_limit_seconds),
            fleet=fleet_from_proto(request.fleet),
            fewest_vehicles=request.fewest_vehicles or None,
        )
        deadline = Deadline.after(context.time_remaining())
        saved = await self.state.call(self.state.store.load_plan, asked.plan_id)
        route.check_replenishment(saved, "plan")
        route.resolve_day(saved, asked.day)
        network = await self.state.network()
        route.check_fleet(asked, network)
        schedule: StoredPlan = await self.state.jobs.run(
            tasks.route_day, saved, network, asked, deadline, f"routes-{uuid.uuid4().hex[:12]}"
        )
        await self.state.call(self.state.store.save_plan, schedule)
        return await asyncio.to_thread(plan_to_proto, schedule)

    async def ExportSchedule(
        self, request: routing_pb2.ExportScheduleRequest, context: grpc.aio.ServicerContext
    ) -> routing_pb2.ExportScheduleResponse:
        if request.format not in FORMATS:
            raise ValidationFailed(
                [Problem("format", f"choose one of {', '.join(n for n, _ in FORMATS.values())}")],
                "export request",
            )
        plan_id = name_id(request.schedule, "plans", "schedule")
        schedule = route.check_schedule(
            await self.state.call(self.state.store.load_plan, plan_id), "schedule"
        )
        extension, content_type = FORMATS[request.format]
        content = await asyncio.to_thread(_export, schedule, extension)
        return routing_pb2.ExportScheduleResponse(
            content=content, content_type=content_type, filename=f"{plan_id}.{extension}"
        )


def fleet_from_proto(
    types: Sequence[routing_pb2.VehicleType],
) -> list[dict[str, object]] | None:
    """Vehicle types as ``Vehicle`` fields; ``None`` (the default fleet) when none given.

    Proto zeros mean the documented defaults: one truck, one trip; unset optionals stay
    unset (no volume limit, open shift, no break).
    """
    if not types:
        return None
    problems = [
        Problem(f"fleet[{i}].unbounded", "a type with a count cannot be unbounded")
        for i, t in enumerate(types)
        if t.unbounded and t.count
    ]
    if problems:
        raise ValidationFailed(problems, "route request")
    fleet: list[dict[str, object]] = []
    for t in types:
        record: dict[str, object] = {
            "id": t.id,
            "depot_id": t.depot_id,
            "capacity_kg": t.capacity_kg,
            "fixed_cost": t.fixed_cost,
            "shift_start_min": t.shift_start_min,
            "count": None if t.unbounded else t.count or 1,
            "max_trips": t.max_trips or 1,
        }
        for name in ("capacity_m3", "cost_per_km", "shift_end_min", "max_duration_min"):
            if t.HasField(name):
                record[name] = getattr(t, name)
        if t.HasField("driver_break"):
            b = t.driver_break
            record["driver_break"] = {
                "earliest_start_min": b.earliest_start_min,
                "latest_start_min": b.latest_start_min,
                "duration_min": b.duration_min,
            }
        fleet.append(record)
    return fleet


def _export(schedule: RouteSchedule, extension: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="supplynet-export-") as folder:
        path = write(schedule, extension, Path(folder) / "schedule")
        return path.read_bytes()


def register(server: grpc.aio.Server, state: ServerState) -> str:
    routing_pb2_grpc.add_RoutingServiceServicer_to_server(RoutingServicer(state), server)  # type: ignore[no-untyped-call]
    return str(routing_pb2.DESCRIPTOR.services_by_name["RoutingService"].full_name)
