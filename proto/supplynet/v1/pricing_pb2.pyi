from supplynet.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecommendPricesRequest(_message.Message):
    __slots__ = ("scope", "max_change", "seed", "min_margin", "price_cap", "max_price_changes", "horizon_days", "include_markdowns", "store_ids", "apply_as_planned_prices")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    MAX_CHANGE_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    MIN_MARGIN_FIELD_NUMBER: _ClassVar[int]
    PRICE_CAP_FIELD_NUMBER: _ClassVar[int]
    MAX_PRICE_CHANGES_FIELD_NUMBER: _ClassVar[int]
    HORIZON_DAYS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_MARKDOWNS_FIELD_NUMBER: _ClassVar[int]
    STORE_IDS_FIELD_NUMBER: _ClassVar[int]
    APPLY_AS_PLANNED_PRICES_FIELD_NUMBER: _ClassVar[int]
    scope: _common_pb2.Scope
    max_change: float
    seed: int
    min_margin: float
    price_cap: float
    max_price_changes: int
    horizon_days: int
    include_markdowns: bool
    store_ids: _containers.RepeatedScalarFieldContainer[str]
    apply_as_planned_prices: bool
    def __init__(self, scope: _Optional[_Union[_common_pb2.Scope, _Mapping]] = ..., max_change: _Optional[float] = ..., seed: _Optional[int] = ..., min_margin: _Optional[float] = ..., price_cap: _Optional[float] = ..., max_price_changes: _Optional[int] = ..., horizon_days: _Optional[int] = ..., include_markdowns: _Optional[bool] = ..., store_ids: _Optional[_Iterable[str]] = ..., apply_as_planned_prices: _Optional[bool] = ...) -> None: ...

class NeighbourEffect(_message.Message):
    __slots__ = ("sku_id", "units_per_day_change", "margin_per_day_change")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    UNITS_PER_DAY_CHANGE_FIELD_NUMBER: _ClassVar[int]
    MARGIN_PER_DAY_CHANGE_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    units_per_day_change: float
    margin_per_day_change: float
    def __init__(self, sku_id: _Optional[str] = ..., units_per_day_change: _Optional[float] = ..., margin_per_day_change: _Optional[float] = ...) -> None: ...

class PriceRecommendation(_message.Message):
    __slots__ = ("sku_id", "current_price", "recommended_price", "expected_demand_change", "expected_margin_change", "unit_cost", "own_elasticity", "own_elasticity_low", "own_elasticity_high", "elasticity_source", "neighbours", "binding_rules", "reasons", "units_per_day_now", "units_per_day_after")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PRICE_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDED_PRICE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_DEMAND_CHANGE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_MARGIN_CHANGE_FIELD_NUMBER: _ClassVar[int]
    UNIT_COST_FIELD_NUMBER: _ClassVar[int]
    OWN_ELASTICITY_FIELD_NUMBER: _ClassVar[int]
    OWN_ELASTICITY_LOW_FIELD_NUMBER: _ClassVar[int]
    OWN_ELASTICITY_HIGH_FIELD_NUMBER: _ClassVar[int]
    ELASTICITY_SOURCE_FIELD_NUMBER: _ClassVar[int]
    NEIGHBOURS_FIELD_NUMBER: _ClassVar[int]
    BINDING_RULES_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    UNITS_PER_DAY_NOW_FIELD_NUMBER: _ClassVar[int]
    UNITS_PER_DAY_AFTER_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    current_price: float
    recommended_price: float
    expected_demand_change: float
    expected_margin_change: float
    unit_cost: float
    own_elasticity: float
    own_elasticity_low: float
    own_elasticity_high: float
    elasticity_source: str
    neighbours: _containers.RepeatedCompositeFieldContainer[NeighbourEffect]
    binding_rules: _containers.RepeatedScalarFieldContainer[str]
    reasons: _containers.RepeatedScalarFieldContainer[str]
    units_per_day_now: float
    units_per_day_after: float
    def __init__(self, sku_id: _Optional[str] = ..., current_price: _Optional[float] = ..., recommended_price: _Optional[float] = ..., expected_demand_change: _Optional[float] = ..., expected_margin_change: _Optional[float] = ..., unit_cost: _Optional[float] = ..., own_elasticity: _Optional[float] = ..., own_elasticity_low: _Optional[float] = ..., own_elasticity_high: _Optional[float] = ..., elasticity_source: _Optional[str] = ..., neighbours: _Optional[_Iterable[_Union[NeighbourEffect, _Mapping]]] = ..., binding_rules: _Optional[_Iterable[str]] = ..., reasons: _Optional[_Iterable[str]] = ..., units_per_day_now: _Optional[float] = ..., units_per_day_after: _Optional[float] = ...) -> None: ...

class MarkdownStep(_message.Message):
    __slots__ = ("day", "discount", "price")
    DAY_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    day: int
    discount: float
    price: float
    def __init__(self, day: _Optional[int] = ..., discount: _Optional[float] = ..., price: _Optional[float] = ...) -> None: ...

class MarkdownSchedule(_message.Message):
    __slots__ = ("store_id", "sku_id", "stock", "days_to_expiry", "steps", "expected_revenue", "expected_waste_units", "no_markdown_waste_units")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    DAYS_TO_EXPIRY_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_REVENUE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_WASTE_UNITS_FIELD_NUMBER: _ClassVar[int]
    NO_MARKDOWN_WASTE_UNITS_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    sku_id: str
    stock: int
    days_to_expiry: int
    steps: _containers.RepeatedCompositeFieldContainer[MarkdownStep]
    expected_revenue: float
    expected_waste_units: float
    no_markdown_waste_units: float
    def __init__(self, store_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., stock: _Optional[int] = ..., days_to_expiry: _Optional[int] = ..., steps: _Optional[_Iterable[_Union[MarkdownStep, _Mapping]]] = ..., expected_revenue: _Optional[float] = ..., expected_waste_units: _Optional[float] = ..., no_markdown_waste_units: _Optional[float] = ...) -> None: ...

class RecommendPricesResponse(_message.Message):
    __slots__ = ("recommendations", "markdowns", "margin_per_day_now", "margin_per_day_after", "solver_status", "planned_prices_applied")
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    MARKDOWNS_FIELD_NUMBER: _ClassVar[int]
    MARGIN_PER_DAY_NOW_FIELD_NUMBER: _ClassVar[int]
    MARGIN_PER_DAY_AFTER_FIELD_NUMBER: _ClassVar[int]
    SOLVER_STATUS_FIELD_NUMBER: _ClassVar[int]
    PLANNED_PRICES_APPLIED_FIELD_NUMBER: _ClassVar[int]
    recommendations: _containers.RepeatedCompositeFieldContainer[PriceRecommendation]
    markdowns: _containers.RepeatedCompositeFieldContainer[MarkdownSchedule]
    margin_per_day_now: float
    margin_per_day_after: float
    solver_status: str
    planned_prices_applied: bool
    def __init__(self, recommendations: _Optional[_Iterable[_Union[PriceRecommendation, _Mapping]]] = ..., markdowns: _Optional[_Iterable[_Union[MarkdownSchedule, _Mapping]]] = ..., margin_per_day_now: _Optional[float] = ..., margin_per_day_after: _Optional[float] = ..., solver_status: _Optional[str] = ..., planned_prices_applied: _Optional[bool] = ...) -> None: ...
