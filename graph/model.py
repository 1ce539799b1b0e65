"""Typed, validated records for the nodes and edges of a supply network.

Rates are per day and durations in days (or minutes of day for delivery windows),
whatever period a planner later aggregates to.

Field constraints are declared here as data (``Field(ge=...)``) so that every entry
point (CSV import, stores, gRPC) validates with the same rules.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
MinuteOfDay = Annotated[int, Field(ge=0, le=24 * 60)]


@cache
def holiday_countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes that have a holiday calendar (the ``holidays`` package)."""
    import holidays  # loaded when a code is checked, not with every record type

    return frozenset(code for code in holidays.list_supported_countries() if len(code) == 2)


def _country_code(value: str) -> str:
    code = value.strip().upper()
    if code not in holiday_countries():
        raise ValueError("must be an ISO 3166-1 alpha-2 country code with a holiday calendar")
    return code


CountryCode = Annotated[str, AfterValidator(_country_code)]
"""A country (``BD``, ``de``: stored upper case) whose holiday calendar the models can use."""


class Record(BaseModel):
    """Base of every record: immutable, strict about unknown fields, finite numbers only."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    key_fields: ClassVar[tuple[str, ...]] = ("id",)

    def key(self) -> tuple[str, ...]:
        """The natural key that identifies this record for upserts."""
        return tuple(str(getattr(self, name)) for name in self.key_fields)


class Location(Record):
    """Anything with a position on the map; ids are unique across all location kinds."""

    id: Id
    name: str = ""
    latitude: Latitude
    longitude: Longitude
    region: str = ""
    country: CountryCode | None = Field(
        default=None,
        description="ISO code of the country the location is in: the holiday calendar of "
        "its demand (``Network.country``); None: not known.",
    )


class Supplier(Location):
    """An external source of SKUs."""


class Warehouse(Location):
    """A stocking point that buys from suppliers and ships to stores."""

    storage_capacity: NonNegative | None = Field(
        default=None, description="Total units the warehouse can hold; None means unlimited."
    )


class Store(Location):
    """A point of sale where demand happens; receives deliveries in a daily time window."""

    window_open_min: MinuteOfDay = 6 * 60
    window_close_min: MinuteOfDay = 18 * 60
    service_min: Annotated[float, Field(ge=0, le=24 * 60)] = 15.0

    @model_validator(mode="after")
    def _window_is_ordered(self) -> Store:
        if self.window_close_min < self.window_open_min:
            raise ValueError("window_close_min must not be before window_open_min")
        return self


class Sku(Record):
    """A stock-keeping unit."""

    id: Id
    name: str = ""
    category: str = Field(min_length=1)
    unit_weight_kg: NonNegative
    unit_volume_m3: NonNegative
    unit_cost: NonNegative
    price: NonNegative
    shelf_life_days: Positive | None = Field(
        default=None, description="Days before the product expires; None for non-perishables."
    )


class SupplyLane(Record):
    """Supplier -> warehouse sourcing of one SKU."""

    key_fields: ClassVar[tuple[str, ...]] = ("supplier_id", "warehouse_id", "sku_id")

    supplier_id: Id
    warehouse_id: Id
    sku_id: Id
    lead_time_mean_days: NonNegative
    lead_time_std_days: NonNegative = 0.0
    unit_cost: NonNegative
    fixed_order_cost: NonNegative = 0.0
    moq: NonNegative = 0.0
    lot_size: Positive = 1.0
    capacity_per_day: NonNegative | None = Field(
        default=None, description="Units the lane can ship per day; None means unlimited."
    )


class SupplyLanePrice(Record):
    """A price on a supply lane from ``from_date`` on, for orders of at least ``min_quantity``.

    The rows with the latest ``from_date`` on or before a day are the lane's prices that
    day; an order pays, on all its units (all-units discount), the ``unit_cost`` of the row
    with the largest ``min_quantity`` it reaches, or the lane's own ``unit_cost`` when no row
    applies (before the first ``from_date``, or below every break). A price change is a row
    with ``min_quantity`` 0; quantity discounts are rows with larger minimums.
    """

    key_fields: ClassVar[tuple[str, ...]] = (
        "supplier_id",
        "warehouse_id",
        "sku_id",
        "from_date",
        "min_quantity",
    )

    supplier_id: Id
    warehouse_id: Id
    sku_id: Id
    from_date: dt.date
    min_quantity: NonNegative = 0.0
    unit_cost: NonNegative

    def lane(self) -> tuple[str, str, str]:
        """The key of the supply lane this price belongs to."""
        return (self.supplier_id, self.warehouse_id, self.sku_id)


class TransportLane(Record):
    """A directed lane between two locations."""

    key_fields: ClassVar[tuple[str, ...]] = ("origin_id", "destination_id")

    origin_id: Id
    destination_id: Id
    distance_km: NonNegative
    transit_time_days: NonNegative
    cost_per_unit: NonNegative = 0.0
    cost_per_km: NonNegative = 0.0
    capacity_per_day: NonNegative | None = None

    @model_validator(mode="after")
    def _not_a_loop(self) -> TransportLane:
        if self.origin_id == self.destination_id:
            raise ValueError("origin_id and destination_id must differ")
        return self


class InventoryPosition(Record):
    """Stock of one SKU at one location (warehouse or store)."""

    key_fields: ClassVar[tuple[str, ...]] = ("location_id", "sku_id")

    location_id: Id
    sku_id: Id
    on_hand: NonNegative
    storage_capacity: NonNegative | None = None
    holding_cost_per_day: NonNegative = Field(description="Cost of holding one unit for a day.")


class OpenOrder(Record):
    """An order already placed for an inventory position, due on a date."""

    key_fields: ClassVar[tuple[str, ...]] = ("location_id", "sku_id", "due_date")

    location_id: Id
    sku_id: Id
    quantity: NonNegative
    due_date: dt.date


class Substitution(Record):
    """Shoppers switch from ``sku_id`` to ``substitute_id`` with the given strength in (0, 1]."""

    key_fields: ClassVar[tuple[str, ...]] = ("sku_id", "substitute_id")

    sku_id: Id
    substitute_id: Id
    strength: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]

    @model_validator(mode="after")
    def _not_self(self) -> Substitution:
        if self.sku_id == self.substitute_id:
            raise ValueError("a SKU cannot substitute itself")
        return self


class BomLine(Record):
    """One line of a bill of materials: ``plant_id`` assembles ``sku_id`` from
    ``quantity_per_unit`` units of ``component_id`` each, taking ``assembly_lead_time_days``.

    A finished SKU has one line per component at a plant; the components are bought on
    the plant's own supply lanes, each with its own lead time.
    """

    key_fields: ClassVar[tuple[str, ...]] = ("plant_id", "sku_id", "component_id")

    plant_id: Id = Field(description="The warehouse that assembles.")
    sku_id: Id = Field(description="The finished SKU.")
    component_id: Id
    quantity_per_unit: Positive = Field(description="Component units in one finished unit.")
    assembly_lead_time_days: NonNegative = 0.0

    @model_validator(mode="after")
    def _not_self(self) -> BomLine:
        if self.sku_id == self.component_id:
            raise ValueError("a SKU cannot be a component of itself")
        return self
