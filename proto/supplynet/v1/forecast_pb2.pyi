from supplynet.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ForecastDemandRequest(_message.Message):
    __slots__ = ("scope", "store_ids", "horizon_days", "model", "prices_plan", "country")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    STORE_IDS_FIELD_NUMBER: _ClassVar[int]
    HORIZON_DAYS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PRICES_PLAN_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    scope: _common_pb2.Scope
    store_ids: _containers.RepeatedScalarFieldContainer[str]
    horizon_days: int
    model: str
    prices_plan: str
    country: str
    def __init__(self, scope: _Optional[_Union[_common_pb2.Scope, _Mapping]] = ..., store_ids: _Optional[_Iterable[str]] = ..., horizon_days: _Optional[int] = ..., model: _Optional[str] = ..., prices_plan: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class ForecastPoint(_message.Message):
    __slots__ = ("location_id", "sku_id", "period", "mean", "p10", "p50", "p90", "model")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    P10_FIELD_NUMBER: _ClassVar[int]
    P50_FIELD_NUMBER: _ClassVar[int]
    P90_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    sku_id: str
    period: str
    mean: float
    p10: float
    p50: float
    p90: float
    model: str
    def __init__(self, location_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., period: _Optional[str] = ..., mean: _Optional[float] = ..., p10: _Optional[float] = ..., p50: _Optional[float] = ..., p90: _Optional[float] = ..., model: _Optional[str] = ...) -> None: ...

class ForecastDemandResponse(_message.Message):
    __slots__ = ("points", "freq", "holiday_country")
    POINTS_FIELD_NUMBER: _ClassVar[int]
    FREQ_FIELD_NUMBER: _ClassVar[int]
    HOLIDAY_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    points: _containers.RepeatedCompositeFieldContainer[ForecastPoint]
    freq: str
    holiday_country: str
    def __init__(self, points: _Optional[_Iterable[_Union[ForecastPoint, _Mapping]]] = ..., freq: _Optional[str] = ..., holiday_country: _Optional[str] = ...) -> None: ...
