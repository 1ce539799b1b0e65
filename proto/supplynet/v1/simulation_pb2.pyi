from supplynet.v1 import operation_pb2 as _operation_pb2
from supplynet.v1 import replenishment_pb2 as _replenishment_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class StartSimulationRequest(_message.Message):
    __slots__ = ("preset", "days", "policies", "replications", "seed", "mode")
    PRESET_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    REPLICATIONS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    preset: str
    days: int
    policies: _containers.RepeatedScalarFieldContainer[str]
    replications: int
    seed: int
    mode: str
    def __init__(self, preset: _Optional[str] = ..., days: _Optional[int] = ..., policies: _Optional[_Iterable[str]] = ..., replications: _Optional[int] = ..., seed: _Optional[int] = ..., mode: _Optional[str] = ...) -> None: ...
