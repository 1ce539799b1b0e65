from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecommendSkusRequest(_message.Message):
    __slots__ = ("sku_id", "store_id", "limit")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    store_id: str
    limit: int
    def __init__(self, sku_id: _Optional[str] = ..., store_id: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class SkuRecommendation(_message.Message):
    __slots__ = ("sku_id", "score", "reason")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    score: float
    reason: str
    def __init__(self, sku_id: _Optional[str] = ..., score: _Optional[float] = ..., reason: _Optional[str] = ...) -> None: ...

class RecommendSkusResponse(_message.Message):
    __slots__ = ("recommendations",)
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    recommendations: _containers.RepeatedCompositeFieldContainer[SkuRecommendation]
    def __init__(self, recommendations: _Optional[_Iterable[_Union[SkuRecommendation, _Mapping]]] = ...) -> None: ...
