from supplynet.v1 import plan_pb2 as _plan_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExportFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXPORT_FORMAT_UNSPECIFIED: _ClassVar[ExportFormat]
    EXPORT_FORMAT_CSV: _ClassVar[ExportFormat]
    EXPORT_FORMAT_XLSX: _ClassVar[ExportFormat]
    EXPORT_FORMAT_JSON: _ClassVar[ExportFormat]
    EXPORT_FORMAT_GEOJSON: _ClassVar[ExportFormat]
    EXPORT_FORMAT_HTML: _ClassVar[ExportFormat]
EXPORT_FORMAT_UNSPECIFIED: ExportFormat
EXPORT_FORMAT_CSV: ExportFormat
EXPORT_FORMAT_XLSX: ExportFormat
EXPORT_FORMAT_JSON: ExportFormat
EXPORT_FORMAT_GEOJSON: ExportFormat
EXPORT_FORMAT_HTML: ExportFormat

class PlanRoutesRequest(_message.Message):
    __slots__ = ("plan", "day", "time_limit_seconds", "fleet", "fewest_vehicles")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    FLEET_FIELD_NUMBER: _ClassVar[int]
    FEWEST_VEHICLES_FIELD_NUMBER: _ClassVar[int]
    plan: str
    day: str
    time_limit_seconds: float
    fleet: _containers.RepeatedCompositeFieldContainer[VehicleType]
    fewest_vehicles: bool
    def __init__(self, plan: _Optional[str] = ..., day: _Optional[str] = ..., time_limit_seconds: _Optional[float] = ..., fleet: _Optional[_Iterable[_Union[VehicleType, _Mapping]]] = ..., fewest_vehicles: _Optional[bool] = ...) -> None: ...

class DriverBreak(_message.Message):
    __slots__ = ("earliest_start_min", "latest_start_min", "duration_min")
    EARLIEST_START_MIN_FIELD_NUMBER: _ClassVar[int]
    LATEST_START_MIN_FIELD_NUMBER: _ClassVar[int]
    DURATION_MIN_FIELD_NUMBER: _ClassVar[int]
    earliest_start_min: float
    latest_start_min: float
    duration_min: float
    def __init__(self, earliest_start_min: _Optional[float] = ..., latest_start_min: _Optional[float] = ..., duration_min: _Optional[float] = ...) -> None: ...

class VehicleType(_message.Message):
    __slots__ = ("id", "depot_id", "capacity_kg", "capacity_m3", "fixed_cost", "cost_per_km", "shift_start_min", "shift_end_min", "max_duration_min", "driver_break", "count", "unbounded", "max_trips")
    ID_FIELD_NUMBER: _ClassVar[int]
    DEPOT_ID_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_KG_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_M3_FIELD_NUMBER: _ClassVar[int]
    FIXED_COST_FIELD_NUMBER: _ClassVar[int]
    COST_PER_KM_FIELD_NUMBER: _ClassVar[int]
    SHIFT_START_MIN_FIELD_NUMBER: _ClassVar[int]
    SHIFT_END_MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_DURATION_MIN_FIELD_NUMBER: _ClassVar[int]
    DRIVER_BREAK_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    UNBOUNDED_FIELD_NUMBER: _ClassVar[int]
    MAX_TRIPS_FIELD_NUMBER: _ClassVar[int]
    id: str
    depot_id: str
    capacity_kg: float
    capacity_m3: float
    fixed_cost: float
    cost_per_km: float
    shift_start_min: float
    shift_end_min: float
    max_duration_min: float
    driver_break: DriverBreak
    count: int
    unbounded: bool
    max_trips: int
    def __init__(self, id: _Optional[str] = ..., depot_id: _Optional[str] = ..., capacity_kg: _Optional[float] = ..., capacity_m3: _Optional[float] = ..., fixed_cost: _Optional[float] = ..., cost_per_km: _Optional[float] = ..., shift_start_min: _Optional[float] = ..., shift_end_min: _Optional[float] = ..., max_duration_min: _Optional[float] = ..., driver_break: _Optional[_Union[DriverBreak, _Mapping]] = ..., count: _Optional[int] = ..., unbounded: _Optional[bool] = ..., max_trips: _Optional[int] = ...) -> None: ...

class ExportScheduleRequest(_message.Message):
    __slots__ = ("schedule", "format")
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    schedule: str
    format: ExportFormat
    def __init__(self, schedule: _Optional[str] = ..., format: _Optional[_Union[ExportFormat, str]] = ...) -> None: ...

class ExportScheduleResponse(_message.Message):
    __slots__ = ("content", "content_type", "filename")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    content_type: str
    filename: str
    def __init__(self, content: _Optional[bytes] = ..., content_type: _Optional[str] = ..., filename: _Optional[str] = ...) -> None: ...
