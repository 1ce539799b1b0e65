from supplynet.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EntityType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENTITY_TYPE_UNSPECIFIED: _ClassVar[EntityType]
    ENTITY_TYPE_SUPPLIER: _ClassVar[EntityType]
    ENTITY_TYPE_SUPPLY_LANE: _ClassVar[EntityType]
ENTITY_TYPE_UNSPECIFIED: EntityType
ENTITY_TYPE_SUPPLIER: EntityType
ENTITY_TYPE_SUPPLY_LANE: EntityType

class ScoreRiskRequest(_message.Message):
    __slots__ = ("scope", "model")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    scope: _common_pb2.Scope
    model: str
    def __init__(self, scope: _Optional[_Union[_common_pb2.Scope, _Mapping]] = ..., model: _Optional[str] = ...) -> None: ...

class RiskScore(_message.Message):
    __slots__ = ("entity_type", "supplier_id", "warehouse_id", "sku_id", "late_probability", "expected_delay_days", "model")
    ENTITY_TYPE_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    LATE_PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_DELAY_DAYS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    entity_type: EntityType
    supplier_id: str
    warehouse_id: str
    sku_id: str
    late_probability: float
    expected_delay_days: float
    model: str
    def __init__(self, entity_type: _Optional[_Union[EntityType, str]] = ..., supplier_id: _Optional[str] = ..., warehouse_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., late_probability: _Optional[float] = ..., expected_delay_days: _Optional[float] = ..., model: _Optional[str] = ...) -> None: ...

class ScoreRiskResponse(_message.Message):
    __slots__ = ("scores", "model_version")
    SCORES_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    scores: _containers.RepeatedCompositeFieldContainer[RiskScore]
    model_version: str
    def __init__(self, scores: _Optional[_Iterable[_Union[RiskScore, _Mapping]]] = ..., model_version: _Optional[str] = ...) -> None: ...
