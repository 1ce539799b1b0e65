from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecommendationUse(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECOMMENDATION_USE_UNSPECIFIED: _ClassVar[RecommendationUse]
    RECOMMENDATION_USE_SUBSTITUTE: _ClassVar[RecommendationUse]
    RECOMMENDATION_USE_LISTING: _ClassVar[RecommendationUse]
    RECOMMENDATION_USE_ALTERNATE_SUPPLIER: _ClassVar[RecommendationUse]
RECOMMENDATION_USE_UNSPECIFIED: RecommendationUse
RECOMMENDATION_USE_SUBSTITUTE: RecommendationUse
RECOMMENDATION_USE_LISTING: RecommendationUse
RECOMMENDATION_USE_ALTERNATE_SUPPLIER: RecommendationUse

class RecommendSkusRequest(_message.Message):
    __slots__ = ("sku_id", "store_id", "limit", "use", "need_date")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    USE_FIELD_NUMBER: _ClassVar[int]
    NEED_DATE_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    store_id: str
    limit: int
    use: RecommendationUse
    need_date: str
    def __init__(self, sku_id: _Optional[str] = ..., store_id: _Optional[str] = ..., limit: _Optional[int] = ..., use: _Optional[_Union[RecommendationUse, str]] = ..., need_date: _Optional[str] = ...) -> None: ...

class SkuRecommendation(_message.Message):
    __slots__ = ("sku_id", "score", "reason", "supplier_id", "numbers")
    class NumbersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    NUMBERS_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    score: float
    reason: str
    supplier_id: str
    numbers: _containers.ScalarMap[str, float]
    def __init__(self, sku_id: _Optional[str] = ..., score: _Optional[float] = ..., reason: _Optional[str] = ..., supplier_id: _Optional[str] = ..., numbers: _Optional[_Mapping[str, float]] = ...) -> None: ...

class RecommendSkusResponse(_message.Message):
    __slots__ = ("recommendations", "use", "need_date", "model_version", "fallback", "note")
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    USE_FIELD_NUMBER: _ClassVar[int]
    NEED_DATE_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    recommendations: _containers.RepeatedCompositeFieldContainer[SkuRecommendation]
    use: RecommendationUse
    need_date: str
    model_version: str
    fallback: bool
    note: str
    def __init__(self, recommendations: _Optional[_Iterable[_Union[SkuRecommendation, _Mapping]]] = ..., use: _Optional[_Union[RecommendationUse, str]] = ..., need_date: _Optional[str] = ..., model_version: _Optional[str] = ..., fallback: _Optional[bool] = ..., note: _Optional[str] = ...) -> None: ...
