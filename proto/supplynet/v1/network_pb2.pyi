from supplynet.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Supplier(_message.Message):
    __slots__ = ("id", "name", "latitude", "longitude", "region", "country")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    latitude: float
    longitude: float
    region: str
    country: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., region: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class Warehouse(_message.Message):
    __slots__ = ("id", "name", "latitude", "longitude", "region", "storage_capacity", "country")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    STORAGE_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    latitude: float
    longitude: float
    region: str
    storage_capacity: float
    country: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., region: _Optional[str] = ..., storage_capacity: _Optional[float] = ..., country: _Optional[str] = ...) -> None: ...

class Store(_message.Message):
    __slots__ = ("id", "name", "latitude", "longitude", "region", "window_open_min", "window_close_min", "service_min", "country")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    WINDOW_OPEN_MIN_FIELD_NUMBER: _ClassVar[int]
    WINDOW_CLOSE_MIN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_MIN_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    latitude: float
    longitude: float
    region: str
    window_open_min: int
    window_close_min: int
    service_min: float
    country: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., region: _Optional[str] = ..., window_open_min: _Optional[int] = ..., window_close_min: _Optional[int] = ..., service_min: _Optional[float] = ..., country: _Optional[str] = ...) -> None: ...

class Sku(_message.Message):
    __slots__ = ("id", "name", "category", "unit_weight_kg", "unit_volume_m3", "unit_cost", "price", "shelf_life_days")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    UNIT_WEIGHT_KG_FIELD_NUMBER: _ClassVar[int]
    UNIT_VOLUME_M3_FIELD_NUMBER: _ClassVar[int]
    UNIT_COST_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    SHELF_LIFE_DAYS_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    category: str
    unit_weight_kg: float
    unit_volume_m3: float
    unit_cost: float
    price: float
    shelf_life_days: float
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., category: _Optional[str] = ..., unit_weight_kg: _Optional[float] = ..., unit_volume_m3: _Optional[float] = ..., unit_cost: _Optional[float] = ..., price: _Optional[float] = ..., shelf_life_days: _Optional[float] = ...) -> None: ...

class Node(_message.Message):
    __slots__ = ("name", "supplier", "warehouse", "store", "sku")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_FIELD_NUMBER: _ClassVar[int]
    WAREHOUSE_FIELD_NUMBER: _ClassVar[int]
    STORE_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    name: str
    supplier: Supplier
    warehouse: Warehouse
    store: Store
    sku: Sku
    def __init__(self, name: _Optional[str] = ..., supplier: _Optional[_Union[Supplier, _Mapping]] = ..., warehouse: _Optional[_Union[Warehouse, _Mapping]] = ..., store: _Optional[_Union[Store, _Mapping]] = ..., sku: _Optional[_Union[Sku, _Mapping]] = ...) -> None: ...

class SupplyLane(_message.Message):
    __slots__ = ("supplier_id", "warehouse_id", "sku_id", "lead_time_mean_days", "lead_time_std_days", "unit_cost", "fixed_order_cost", "moq", "lot_size", "capacity_per_day")
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    LEAD_TIME_MEAN_DAYS_FIELD_NUMBER: _ClassVar[int]
    LEAD_TIME_STD_DAYS_FIELD_NUMBER: _ClassVar[int]
    UNIT_COST_FIELD_NUMBER: _ClassVar[int]
    FIXED_ORDER_COST_FIELD_NUMBER: _ClassVar[int]
    MOQ_FIELD_NUMBER: _ClassVar[int]
    LOT_SIZE_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    warehouse_id: str
    sku_id: str
    lead_time_mean_days: float
    lead_time_std_days: float
    unit_cost: float
    fixed_order_cost: float
    moq: float
    lot_size: float
    capacity_per_day: float
    def __init__(self, supplier_id: _Optional[str] = ..., warehouse_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., lead_time_mean_days: _Optional[float] = ..., lead_time_std_days: _Optional[float] = ..., unit_cost: _Optional[float] = ..., fixed_order_cost: _Optional[float] = ..., moq: _Optional[float] = ..., lot_size: _Optional[float] = ..., capacity_per_day: _Optional[float] = ...) -> None: ...

class TransportLane(_message.Message):
    __slots__ = ("origin_id", "destination_id", "distance_km", "transit_time_days", "cost_per_unit", "cost_per_km", "capacity_per_day")
    ORIGIN_ID_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_ID_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_KM_FIELD_NUMBER: _ClassVar[int]
    TRANSIT_TIME_DAYS_FIELD_NUMBER: _ClassVar[int]
    COST_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    COST_PER_KM_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    origin_id: str
    destination_id: str
    distance_km: float
    transit_time_days: float
    cost_per_unit: float
    cost_per_km: float
    capacity_per_day: float
    def __init__(self, origin_id: _Optional[str] = ..., destination_id: _Optional[str] = ..., distance_km: _Optional[float] = ..., transit_time_days: _Optional[float] = ..., cost_per_unit: _Optional[float] = ..., cost_per_km: _Optional[float] = ..., capacity_per_day: _Optional[float] = ...) -> None: ...

class InventoryPosition(_message.Message):
    __slots__ = ("location_id", "sku_id", "on_hand", "storage_capacity", "holding_cost_per_day")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    STORAGE_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    HOLDING_COST_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    sku_id: str
    on_hand: float
    storage_capacity: float
    holding_cost_per_day: float
    def __init__(self, location_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., on_hand: _Optional[float] = ..., storage_capacity: _Optional[float] = ..., holding_cost_per_day: _Optional[float] = ...) -> None: ...

class OpenOrder(_message.Message):
    __slots__ = ("location_id", "sku_id", "quantity", "due_date")
    LOCATION_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    location_id: str
    sku_id: str
    quantity: float
    due_date: str
    def __init__(self, location_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., quantity: _Optional[float] = ..., due_date: _Optional[str] = ...) -> None: ...

class Substitution(_message.Message):
    __slots__ = ("sku_id", "substitute_id", "strength")
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    SUBSTITUTE_ID_FIELD_NUMBER: _ClassVar[int]
    STRENGTH_FIELD_NUMBER: _ClassVar[int]
    sku_id: str
    substitute_id: str
    strength: float
    def __init__(self, sku_id: _Optional[str] = ..., substitute_id: _Optional[str] = ..., strength: _Optional[float] = ...) -> None: ...

class BomLine(_message.Message):
    __slots__ = ("plant_id", "sku_id", "component_id", "quantity_per_unit", "assembly_lead_time_days")
    PLANT_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    COMPONENT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_PER_UNIT_FIELD_NUMBER: _ClassVar[int]
    ASSEMBLY_LEAD_TIME_DAYS_FIELD_NUMBER: _ClassVar[int]
    plant_id: str
    sku_id: str
    component_id: str
    quantity_per_unit: float
    assembly_lead_time_days: float
    def __init__(self, plant_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., component_id: _Optional[str] = ..., quantity_per_unit: _Optional[float] = ..., assembly_lead_time_days: _Optional[float] = ...) -> None: ...

class SupplyLanePrice(_message.Message):
    __slots__ = ("supplier_id", "warehouse_id", "sku_id", "from_date", "min_quantity", "unit_cost")
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    WAREHOUSE_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    MIN_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_COST_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    warehouse_id: str
    sku_id: str
    from_date: str
    min_quantity: float
    unit_cost: float
    def __init__(self, supplier_id: _Optional[str] = ..., warehouse_id: _Optional[str] = ..., sku_id: _Optional[str] = ..., from_date: _Optional[str] = ..., min_quantity: _Optional[float] = ..., unit_cost: _Optional[float] = ...) -> None: ...

class Edge(_message.Message):
    __slots__ = ("supply_lane", "transport_lane", "inventory_position", "open_order", "substitution", "bom_line", "supply_lane_price")
    SUPPLY_LANE_FIELD_NUMBER: _ClassVar[int]
    TRANSPORT_LANE_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_POSITION_FIELD_NUMBER: _ClassVar[int]
    OPEN_ORDER_FIELD_NUMBER: _ClassVar[int]
    SUBSTITUTION_FIELD_NUMBER: _ClassVar[int]
    BOM_LINE_FIELD_NUMBER: _ClassVar[int]
    SUPPLY_LANE_PRICE_FIELD_NUMBER: _ClassVar[int]
    supply_lane: SupplyLane
    transport_lane: TransportLane
    inventory_position: InventoryPosition
    open_order: OpenOrder
    substitution: Substitution
    bom_line: BomLine
    supply_lane_price: SupplyLanePrice
    def __init__(self, supply_lane: _Optional[_Union[SupplyLane, _Mapping]] = ..., transport_lane: _Optional[_Union[TransportLane, _Mapping]] = ..., inventory_position: _Optional[_Union[InventoryPosition, _Mapping]] = ..., open_order: _Optional[_Union[OpenOrder, _Mapping]] = ..., substitution: _Optional[_Union[Substitution, _Mapping]] = ..., bom_line: _Optional[_Union[BomLine, _Mapping]] = ..., supply_lane_price: _Optional[_Union[SupplyLanePrice, _Mapping]] = ...) -> None: ...

class BatchUpsertNetworkRequest(_message.Message):
    __slots__ = ("nodes", "edges")
    NODES_FIELD_NUMBER: _ClassVar[int]
    EDGES_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[Node]
    edges: _containers.RepeatedCompositeFieldContainer[Edge]
    def __init__(self, nodes: _Optional[_Iterable[_Union[Node, _Mapping]]] = ..., edges: _Optional[_Iterable[_Union[Edge, _Mapping]]] = ...) -> None: ...

class StreamUpsertNetworkRequest(_message.Message):
    __slots__ = ("nodes", "edges")
    NODES_FIELD_NUMBER: _ClassVar[int]
    EDGES_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[Node]
    edges: _containers.RepeatedCompositeFieldContainer[Edge]
    def __init__(self, nodes: _Optional[_Iterable[_Union[Node, _Mapping]]] = ..., edges: _Optional[_Iterable[_Union[Edge, _Mapping]]] = ...) -> None: ...

class BatchUpsertNetworkResponse(_message.Message):
    __slots__ = ("written",)
    class WrittenEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    WRITTEN_FIELD_NUMBER: _ClassVar[int]
    written: _containers.ScalarMap[str, int]
    def __init__(self, written: _Optional[_Mapping[str, int]] = ...) -> None: ...

class GetNodeRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class ListNodesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListNodesResponse(_message.Message):
    __slots__ = ("nodes", "next_page_token", "total_size")
    NODES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[Node]
    next_page_token: str
    total_size: int
    def __init__(self, nodes: _Optional[_Iterable[_Union[Node, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_size: _Optional[int] = ...) -> None: ...

class GetNetworkSummaryRequest(_message.Message):
    __slots__ = ("scope",)
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    scope: _common_pb2.Scope
    def __init__(self, scope: _Optional[_Union[_common_pb2.Scope, _Mapping]] = ...) -> None: ...

class NetworkSummary(_message.Message):
    __slots__ = ("counts", "categories", "regions", "units_on_hand", "country")
    class CountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    UNITS_ON_HAND_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    counts: _containers.ScalarMap[str, int]
    categories: int
    regions: int
    units_on_hand: float
    country: str
    def __init__(self, counts: _Optional[_Mapping[str, int]] = ..., categories: _Optional[int] = ..., regions: _Optional[int] = ..., units_on_hand: _Optional[float] = ..., country: _Optional[str] = ...) -> None: ...
