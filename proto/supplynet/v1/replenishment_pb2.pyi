from supplynet.v1 import common_pb2 as _common_pb2
from supplynet.v1 import operation_pb2 as _operation_pb2
from supplynet.v1 import plan_pb2 as _plan_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StartPlanRequest(_message.Message):
    __slots__ = ("scope", "horizon_days", "forecast_model", "service_level", "time_limit_seconds", "use_risk", "prices_plan", "backorders", "country")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    HORIZON_DAYS_FIELD_NUMBER: _ClassVar[int]
    FORECAST_MODEL_FIELD_NUMBER: _ClassVar[int]
    SERVICE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    USE_RISK_FIELD_NUMBER: _ClassVar[int]
    PRICES_PLAN_FIELD_NUMBER: _ClassVar[int]
    BACKORDERS_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    scope: _common_pb2.Scope
    horizon_days: int
    forecast_model: str
    service_level: float
    time_limit_seconds: float
    use_risk: bool
    prices_plan: str
    backorders: bool
    country: str
    def __init__(self, scope: _Optional[_Union[_common_pb2.Scope, _Mapping]] = ..., horizon_days: _Optional[int] = ..., forecast_model: _Optional[str] = ..., service_level: _Optional[float] = ..., time_limit_seconds: _Optional[float] = ..., use_risk: _Optional[bool] = ..., prices_plan: _Optional[str] = ..., backorders: _Optional[bool] = ..., country: _Optional[str] = ...) -> None: ...

class GetOperationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class WatchOperationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CancelOperationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...
