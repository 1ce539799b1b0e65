from supplynet.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecommendPricesRequest(_message.Message):
    __slots__ = ("scope", "max_change", "seed")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    MAX_CHANGE_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    scope: _common_pb2.Scope
    max_change: float
    seed: int
    def __init__(self, scope: _Optional[_Union[_common_pb2.Scope, _Mapping]] = ..., max_change: _Optional[float] = ..., seed: _Optional[int] = ...) -> None: ...

class PriceRecommendation(_message.Message):
    __slots__ = ("sku_id", "current_price", "recommended_price", "expected_demand_change", "expected_margin_change")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PRICE_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDED_PRICE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_DEMAND_CHANGE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_MARGIN_CHANGE_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    current_price: float
    recommended_price: float
    expected_demand_change: float
    expected_margin_change: float
    def __init__(self, sku_id: _Optional[str] = ..., current_price: _Optional[float] = ..., recommended_price: _Optional[float] = ..., expected_demand_change: _Optional[float] = ..., expected_margin_change: _Optional[float] = ...) -> None: ...

class RecommendPricesResponse(_message.Message):
    __slots__ = ("recommendations",)
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    recommendations: _containers.RepeatedCompositeFieldContainer[PriceRecommendation]
    def __init__(self, recommendations: _Optional[_Iterable[_Union[PriceRecommendation, _Mapping]]] = ...) -> None: ...
