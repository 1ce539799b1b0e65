"""The routing problem as a user states it: depots, vehicles, stops and how to travel.

Units are the ones dispatchers use: kilometres, minutes from the start of the day,
kilograms and cubic metres. ``RoutingProblem.build`` validates everything at once
(every problem with a field path), so the solvers downstream can trust their input.

Times left open (a depot's ``close_min``, a stop's ``window_close_min``, a vehicle's
``shift_end_min``) are unbounded: a capacity-only problem needs no made-up windows, and
no stop is dropped because a default day ran out. Coordinates are needed only when no
travel matrix is given (then they are checked as latitude/longitude); with a full
matrix they are optional and only drawn on maps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from supplynet.graph.errors import Problem, ValidationFailed

Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Coordinate = Annotated[float | None, Field(allow_inf_nan=False)]
MAX_TRUCKS = 20_000
"""Trucks in one problem at most, after counts and unbounded types are expanded."""
MAX_TRIPS = 100
Count = Annotated[int, Field(ge=1, le=MAX_TRUCKS)]
Trips = Annotated[int, Field(ge=1, le=MAX_TRIPS)]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


_R = TypeVar("_R", bound=_Record)


class Depot(_Record):
    """A warehouse that vehicles leave from and return to, open ``open_min``..``close_min``."""

    id: Id
    latitude: Coordinate = None
    longitude: Coordinate = None
    open_min: NonNegative = 0.0
    close_min: NonNegative | None = None

    @model_validator(mode="after")
    def _window(self) -> Depot:
        if self.close_min is not None and self.close_min < self.open_min:
            raise ValueError("close_min is before open_min")
        return self


class DriverBreak(_Record):
    """A break of ``duration_min`` that must start within ``earliest``..``latest_start_min``."""

    earliest_start_min: NonNegative
    latest_start_min: NonNegative
    duration_min: Positive

    @model_validator(mode="after")
    def _window(self) -> DriverBreak:
        if self.latest_start_min < self.earliest_start_min:
            raise ValueError("latest_start_min is before earliest_start_min")
        return self


class Vehicle(_Record):
    """A truck type: where it is based, what it carries, what it costs and when it may drive.

    ``capacity_m3=None`` means volume is not limiting; ``max_duration_min`` bounds the time
    from leaving the depot to coming back. ``count`` trucks of this type are available
    (``None``: as many as needed); ``RoutingProblem.build`` expands a type of several
    into vehicles ``id.1``, ``id.2``, ... . ``max_trips`` > 1 lets a truck come back to
    its depot to reload during its shift (capacity holds per trip).
    """

    id: Id
    depot_id: Id
    capacity_kg: Positive
    capacity_m3: Positive | None = None
    fixed_cost: NonNegative = 0.0
    cost_per_km: NonNegative = 1.0
    shift_start_min: NonNegative = 0.0
    shift_end_min: NonNegative | None = None
    max_duration_min: Positive | None = None
    driver_break: DriverBreak | None = None
    count: Count | None = 1
    max_trips: Trips = 1

    @model_validator(mode="after")
    def _shift(self) -> Vehicle:
        if self.shift_end_min is not None and self.shift_end_min < self.shift_start_min:
            raise ValueError("shift_end_min is before shift_start_min")
        return self


class Stop(_Record):
    """A delivery to one store: how much, when service may start, how long it takes.

    ``penalty`` is the cost of leaving the stop unserved; None lets the solver pick one so
    large that a stop is only dropped when no vehicle can serve it. ``depot_id`` names the
    depot the goods are loaded at (only its vehicles can serve the stop); None: any depot.
    """

    id: Id
    latitude: Coordinate = None
    longitude: Coordinate = None
    demand_kg: NonNegative = 0.0
    demand_m3: NonNegative = 0.0
    window_open_min: NonNegative = 0.0
    window_close_min: NonNegative | None = None
    service_min: NonNegative = 0.0
    penalty: Positive | None = None
    depot_id: Id | None = None

    @model_validator(mode="after")
    def _window(self) -> Stop:
        if self.window_close_min is not None and self.window_close_min < self.window_open_min:
            raise ValueError("window_close_min is before window_open_min")
        return self


ROAD_FACTORS = (1.0, 5.0)
"""Road km per great-circle km a travel model may take, lowest and highest."""


class TravelModel(_Record):
    """Travel without a matrix: great-circle km times ``road_factor``, at ``speed_kmh``.

    Each network has its own (``deliveries.network_travel``: by default the road factor
    its warehouse -> store lanes show); 1.3 is a typical detour factor of regional road
    networks (1.2 motorway-rich, 1.4-1.6 dense cities or mountains); the speed is an
    average including junctions. Time-dependent travel (rush hours) is not modelled;
    give a ``UserMatrix`` of the expected durations at delivery time instead.
    """

    road_factor: Annotated[float, Field(ge=ROAD_FACTORS[0], le=ROAD_FACTORS[1])] = 1.3
    speed_kmh: Annotated[float, Field(gt=0, le=200)] = 50.0


@dataclass(frozen=True, eq=False)
class UserMatrix:
    """Distances (km) and durations (min) between locations, in the order of ``ids``.

    Shapes
    ------
    distance_km, duration_min: ``(len(ids), len(ids))``
    """

    ids: tuple[str, ...]
    distance_km: np.ndarray[Any, np.dtype[np.float64]]
    duration_min: np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class Resolution:
    """Integer units of the solver model: per minute, per km and per unit of cost.

    Each quantity has its own, so fine times do not force huge costs (or the reverse).
    """

    per_min: int = 100
    per_km: int = 100
    per_cost: int = 100


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """A validated routing problem; build it with ``RoutingProblem.build``.

    Nodes are numbered depots first, then stops, in the order given; ``vehicles`` holds
    one record per truck (fleet types already expanded by count).
    """

    depots: tuple[Depot, ...]
    vehicles: tuple[Vehicle, ...]
    stops: tuple[Stop, ...]
    travel: TravelModel = field(default_factory=TravelModel)
    matrix: UserMatrix | None = None
    resolution: Resolution = field(default_factory=Resolution)

    @property
    def scale(self) -> int:
        """Integer units per minute (kept for callers of the one-scale API)."""
        return self.resolution.per_min

    @classmethod
    def build(
        cls,
        depots: Iterable[Depot | dict[str, Any]],
        vehicles: Iterable[Vehicle | dict[str, Any]],
        stops: Iterable[Stop | dict[str, Any]],
        travel: TravelModel | None = None,
        matrix: UserMatrix | None = None,
        scale: int | None = None,
        resolution: Resolution | None = None,
    ) -> RoutingProblem:
        """Validate records and their references; raise ``ValidationFailed`` listing all problems.

        ``scale`` sets one resolution for minutes, km and cost; ``resolution`` sets each.

        Raises
        ------
        ValidationFailed
            With paths such as ``vehicles[2].depot_id`` or ``stops[5].window_close_min``.
        """
        problems: list[Problem] = []
        depot_items = _parse(Depot, "depots", depots, problems)
        vehicle_items = _parse(Vehicle, "vehicles", vehicles, problems)
        stop_items = _parse(Stop, "stops", stops, problems)
        depot_list = [r for _, r in depot_items]
        vehicle_list = [r for _, r in vehicle_items]
        stop_list = [r for _, r in stop_items]
        if not depot_list and not any(p.path.startswith("depots") for p in problems):
            problems.append(Problem("depots", "at least one depot is required"))
        if not vehicle_list and not any(p.path.startswith("vehicles") for p in problems):
            problems.append(Problem("vehicles", "at least one vehicle is required"))
        if resolution is None:
            resolution = Resolution() if scale is None else Resolution(scale, scale, scale)
        for name in ("per_min", "per_km", "per_cost"):
            if getattr(resolution, name) < 1:
                problems.append(Problem(f"resolution.{name}", "must be a positive integer"))
        _unique("depots", depot_items, problems)
        _unique("vehicles", vehicle_items, problems)
        _unique("stops", stop_items, problems)
        location_ids = [d.id for d in depot_list] + [s.id for s in stop_list]
        if len(set(location_ids)) < len(location_ids):
            clash = sorted({d.id for d in depot_list} & {s.id for s in stop_list})
            for name in clash:
                problems.append(Problem("stops", f"id {name!r} is also a depot id"))
        depot_ids = {d.id for d in depot_list}
        for i, v in vehicle_items:
            if v.depot_id not in depot_ids:
                problems.append(Problem(f"vehicles[{i}].depot_id", f"unknown depot {v.depot_id!r}"))
        for i, s in stop_items:
            if s.depot_id is not None and s.depot_id not in depot_ids:
                problems.append(Problem(f"stops[{i}].depot_id", f"unknown depot {s.depot_id!r}"))
        some_tied = any(s.depot_id is not None for s in stop_list)
        # all tied splits into single-depot problems (``parts``); some tied cannot
        tied = len(depot_list) > 1 and some_tied and any(s.depot_id is None for s in stop_list)
        for i, v in vehicle_items:
            if v.max_trips > 1 and v.driver_break is not None:
                problems.append(
                    Problem(f"vehicles[{i}].max_trips", "multi-trip vehicles cannot take a break")
                )
            elif v.max_trips > 1 and tied:
                problems.append(
                    Problem(
                        f"vehicles[{i}].max_trips",
                        "multi-trip cannot tie some stops to one of several depots and"
                        " leave others free (the only engine with reloads cannot); tie"
                        " every stop or none",
                    )
                )
        if matrix is not None:
            problems.extend(_check_matrix(matrix, location_ids))
        else:
            problems.extend(_check_coordinates("depots", depot_items))
            problems.extend(_check_coordinates("stops", stop_items))
        trucks = sum(max(1, len(stop_list)) if v.count is None else v.count for v in vehicle_list)
        if trucks > MAX_TRUCKS:
            problems.append(Problem("vehicles", f"{trucks} trucks; at most {MAX_TRUCKS} in all"))
            vehicle_list = []
        fleet = expand_fleet(vehicle_list, len(stop_list))
        if any(v.count != 1 for v in vehicle_list):
            _unique("vehicles", list(enumerate(fleet)), problems)
        if problems:
            raise ValidationFailed(problems, subject="routing problem")
        return cls(
            depots=tuple(depot_list),
            vehicles=fleet,
            stops=tuple(stop_list),
            travel=travel or TravelModel(),
            matrix=matrix,
            resolution=resolution,
        )

    @property
    def node_ids(self) -> tuple[str, ...]:
        """Location ids in node order: depots, then stops."""
        return tuple(d.id for d in self.depots) + tuple(s.id for s in self.stops)

    def depot_index(self, depot_id: str) -> int:
        """Node index of a depot."""
        return next(i for i, d in enumerate(self.depots) if d.id == depot_id)

    def has_breaks(self) -> bool:
        """Whether any vehicle has a driver break (some engines cannot model breaks)."""
        return any(v.driver_break is not None for v in self.vehicles)


def expand_fleet(types: Sequence[Vehicle], n_stops: int) -> tuple[Vehicle, ...]:
    """One record per truck: a type of ``count`` k > 1 becomes ``id.1`` .. ``id.k``.

    An unbounded type (``count=None``) gets one truck per stop, the most any plan uses.
    """
    fleet: list[Vehicle] = []
    for t in types:
        count = max(1, n_stops) if t.count is None else t.count
        if count == 1 and t.count == 1:
            fleet.append(t)
            continue
        fleet += [t.model_copy(update={"id": f"{t.id}.{k + 1}", "count": 1}) for k in range(count)]
    return tuple(fleet)


def _check_coordinates(name: str, records: Sequence[tuple[int, Depot | Stop]]) -> list[Problem]:
    """Without a matrix, distances come from coordinates: they must be valid lat/lon."""
    problems: list[Problem] = []
    for i, r in records:
        for attr, bound in (("latitude", 90.0), ("longitude", 180.0)):
            value = getattr(r, attr)
            if value is None:
                problems.append(Problem(f"{name}[{i}].{attr}", "required without a matrix"))
            elif not -bound <= value <= bound:
                problems.append(Problem(f"{name}[{i}].{attr}", f"must be within +-{bound:g}"))
    return problems


def _parse(
    model: type[_R], name: str, items: Iterable[_R | dict[str, Any]], problems: list[Problem]
) -> list[tuple[int, _R]]:
    """Records that validate, with their input positions; problems for those that do not."""
    parsed: list[tuple[int, _R]] = []
    for i, item in enumerate(items):
        if isinstance(item, model):
            parsed.append((i, item))
            continue
        try:
            parsed.append((i, model.model_validate(item)))
        except ValidationError as exc:
            for err in exc.errors():
                loc = "".join(f".{part}" for part in err["loc"] if isinstance(part, str))
                problems.append(Problem(f"{name}[{i}]{loc}", err["msg"]))
    return parsed


def _unique(
    name: str, records: Sequence[tuple[int, Depot | Vehicle | Stop]], problems: list[Problem]
) -> None:
    seen: set[str] = set()
    for i, r in records:
        if r.id in seen:
            problems.append(Problem(f"{name}[{i}].id", f"duplicate id {r.id!r}"))
        seen.add(r.id)


def _check_matrix(matrix: UserMatrix, location_ids: Sequence[str]) -> list[Problem]:
    problems: list[Problem] = []
    missing = sorted(set(location_ids) - set(matrix.ids))
    if missing:
        problems.append(Problem("matrix.ids", f"missing locations {missing[:5]}"))
    n = len(matrix.ids)
    for name in ("distance_km", "duration_min"):
        arr = np.asarray(getattr(matrix, name), dtype=float)
        if arr.shape != (n, n):
            problems.append(Problem(f"matrix.{name}", f"shape {arr.shape} is not ({n}, {n})"))
        elif not np.all(np.isfinite(arr)) or np.any(arr < 0):
            problems.append(Problem(f"matrix.{name}", "entries must be finite and >= 0"))
    return problems
