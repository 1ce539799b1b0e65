import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from supplynet.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Plan(_message.Message):
    __slots__ = ("name", "kind", "create_time", "attributes", "lines", "warnings", "explanations", "projected_stock", "settings", "inputs")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _common_pb2.Scalar
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_common_pb2.Scalar, _Mapping]] = ...) -> None: ...
    class SettingsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _common_pb2.Scalar
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_common_pb2.Scalar, _Mapping]] = ...) -> None: ...
    class InputsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _common_pb2.Scalar
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_common_pb2.Scalar, _Mapping]] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    EXPLANATIONS_FIELD_NUMBER: _ClassVar[int]
    PROJECTED_STOCK_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: str
    create_time: _timestamp_pb2.Timestamp
    attributes: _containers.MessageMap[str, _common_pb2.Scalar]
    lines: _containers.RepeatedCompositeFieldContainer[PlanLine]
    warnings: _containers.RepeatedScalarFieldContainer[str]
    explanations: _containers.RepeatedCompositeFieldContainer[PlanExplanation]
    projected_stock: _containers.RepeatedCompositeFieldContainer[ProjectedStock]
    settings: _containers.MessageMap[str, _common_pb2.Scalar]
    inputs: _containers.MessageMap[str, _common_pb2.Scalar]
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attributes: _Optional[_Mapping[str, _common_pb2.Scalar]] = ..., lines: _Optional[_Iterable[_Union[PlanLine, _Mapping]]] = ..., warnings: _Optional[_Iterable[str]] = ..., explanations: _Optional[_Iterable[_Union[PlanExplanation, _Mapping]]] = ..., projected_stock: _Optional[_Iterable[_Union[ProjectedStock, _Mapping]]] = ..., settings: _Optional[_Mapping[str, _common_pb2.Scalar]] = ..., inputs: _Optional[_Mapping[str, _common_pb2.Scalar]] = ...) -> None: ...

class PlanExplanation(_message.Message):
    __slots__ = ("kind", "constraint", "location_id", "sku_id", "periods", "shortfall", "message")
    KIND_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINT_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    PERIODS_FIELD_NUMBER: _ClassVar[int]
    SHORTFALL_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    kind: str
    constraint: str
    location_id: str
    sku_id: str
    periods: _containers.RepeatedScalarFieldContainer[int]
    shortfall: float
    message: str
    def __init__(self, kind: _Optional[str] = ..., constraint: _Optional[str] = ..., location_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., periods: _Optional[_Iterable[int]] = ..., shortfall: _Optional[float] = ..., message: _Optional[str] = ...) -> None: ...

class ProjectedStock(_message.Message):
    __slots__ = ("location_id", "sku_id", "period", "period_start", "demand", "stock", "shortage", "target", "below_target")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    PERIOD_START_FIELD_NUMBER: _ClassVar[int]
    DEMAND_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    SHORTAGE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    BELOW_TARGET_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    sku_id: str
    period: int
    period_start: str
    demand: float
    stock: float
    shortage: float
    target: float
    below_target: float
    def __init__(self, location_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., period: _Optional[int] = ..., period_start: _Optional[str] = ..., demand: _Optional[float] = ..., stock: _Optional[float] = ..., shortage: _Optional[float] = ..., target: _Optional[float] = ..., below_target: _Optional[float] = ...) -> None: ...

class PlanLine(_message.Message):
    __slots__ = ("fields",)
    class FieldsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _common_pb2.Scalar
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_common_pb2.Scalar, _Mapping]] = ...) -> None: ...
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    fields: _containers.MessageMap[str, _common_pb2.Scalar]
    def __init__(self, fields: _Optional[_Mapping[str, _common_pb2.Scalar]] = ...) -> None: ...

class GetPlanRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListPlanLinesRequest(_message.Message):
    __slots__ = ("parent", "table", "location_id", "sku_id", "line_type", "short_only", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    TABLE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    LINE_TYPE_FIELD_NUMBER: _ClassVar[int]
    SHORT_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    table: str
    location_id: str
    sku_id: str
    line_type: str
    short_only: bool
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., table: _Optional[str] = ..., location_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., line_type: _Optional[str] = ..., short_only: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPlanLinesResponse(_message.Message):
    __slots__ = ("lines", "next_page_token", "total_size")
    LINES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[PlanLine]
    next_page_token: str
    total_size: int
    def __init__(self, lines: _Optional[_Iterable[_Union[PlanLine, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...
