"""The ``Network`` aggregate: every node and edge table, checked as a whole.

A network is immutable. It is built from records (``Network.build``) or raw rows
(``Network.from_rows``); either way every problem (bad values, duplicate ids,
dangling references) is collected and raised together as ``ValidationFailed``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

import pandas as pd
from pydantic import TypeAdapter, ValidationError

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.model import (
    BomLine,
    InventoryPosition,
    Location,
    OpenOrder,
    Record,
    Sku,
    Store,
    Substitution,
    Supplier,
    SupplyLane,
    SupplyLanePrice,
    TransportLane,
    Warehouse,
)
from supplynet.graph.scope import Scope

TABLES: dict[str, type[Record]] = {
    "suppliers": Supplier,
    "warehouses": Warehouse,
    "stores": Store,
    "skus": Sku,
    "supply_lanes": SupplyLane,
    "supply_lane_prices": SupplyLanePrice,
    "transport_lanes": TransportLane,
    "inventory_positions": InventoryPosition,
    "open_orders": OpenOrder,
    "substitutions": Substitution,
    "bill_of_materials": BomLine,
}
"""Table name -> record type, in dependency order (nodes before the edges that use them)."""

NODE_TABLES = ("suppliers", "warehouses", "stores", "skus")
LOCATION_TABLES = ("suppliers", "warehouses", "stores")


@cache
def _adapter(model: type[Record]) -> TypeAdapter[list[Record]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def table_columns(table: str) -> list[str]:
    """Column names of a table, in declaration order."""
    return list(TABLES[table].model_fields)


def parse_rows(table: str, rows: Sequence[Mapping[str, Any]]) -> tuple[list[Record], list[Problem]]:
    """Validate raw rows of one table; returns the valid records and a problem per bad field."""
    model = TABLES[table]
    try:
        return list(_adapter(model).validate_python(list(rows))), []
    except ValidationError as error:
        problems = [
            Problem(_error_path(table, err["loc"]), _error_reason(err)) for err in error.errors()
        ]
        bad = {err["loc"][0] for err in error.errors()}
        good = [model.model_validate(row) for index, row in enumerate(rows) if index not in bad]
        return good, problems


def _error_path(table: str, loc: tuple[int | str, ...]) -> str:
    index, *attrs = loc
    return f"{table}[{index}]" + "".join(f".{a}" for a in attrs)


def _error_reason(err: Mapping[str, Any]) -> str:
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] in ("missing", "extra_forbidden"):
        return message.lower()
    return f"{message.lower()} (got {err.get('input')!r})"


@dataclass(frozen=True)
class Network:
    """Suppliers, warehouses, stores and SKUs with the lanes and positions that join them."""

    suppliers: tuple[Supplier, ...] = ()
    warehouses: tuple[Warehouse, ...] = ()
    stores: tuple[Store, ...] = ()
    skus: tuple[Sku, ...] = ()
    supply_lanes: tuple[SupplyLane, ...] = ()
    supply_lane_prices: tuple[SupplyLanePrice, ...] = ()
    transport_lanes: tuple[TransportLane, ...] = ()
    inventory_positions: tuple[InventoryPosition, ...] = ()
    open_orders: tuple[OpenOrder, ...] = ()
    substitutions: tuple[Substitution, ...] = ()
    bill_of_materials: tuple[BomLine, ...] = ()
    _frames: dict[str, pd.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def build(cls, *, check_references: bool = True, **tables: Iterable[Record]) -> Network:
        """Assemble a network from records and check it as a whole.

        Parameters
        ----------
        check_references
            False accepts edges whose endpoints are not in this network: a partial
            network meant to be upserted into a store that holds the rest.
        **tables
            Records per table name (see ``TABLES``); missing tables are empty.

        Raises
        ------
        ValidationFailed
            With every duplicate key and dangling reference found.
        """
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise ValidationFailed([Problem(name, "unknown table") for name in sorted(unknown)])
        network = cls.unchecked(tables)
        problems = network.problems(check_references=check_references)
        if problems:
            raise ValidationFailed(problems, "network")
        return network

    @classmethod
    def unchecked(cls, tables: Mapping[str, Iterable[Record]]) -> Network:
        """Assemble records without any check: for callers that check themselves."""
        return cls(**{name: tuple(tables.get(name, ())) for name in TABLES})  # type: ignore[arg-type]

    @classmethod
    def from_rows(
        cls,
        rows: Mapping[str, Sequence[Mapping[str, Any]]],
        *,
        check_references: bool = True,
        context: Network | None = None,
    ) -> Network:
        """Parse raw rows (e.g. from CSV or JSON) per table; report every problem at once.

        ``context`` is a network the rows will be merged into: references to its
        records are valid too.
        """
        network, problems = parse_network(rows, check_references=check_references, context=context)
        if problems:
            raise ValidationFailed(problems, "network")
        return network

    @classmethod
    def from_frames(
        cls, frames: Mapping[str, pd.DataFrame], *, check_references: bool = True
    ) -> Network:
        """Parse one DataFrame per table (missing values become ``None``)."""
        return cls.from_rows(
            {name: _frame_rows(frame) for name, frame in frames.items()},
            check_references=check_references,
        )

    def problems(
        self, *, check_references: bool = True, context: Network | None = None
    ) -> list[Problem]:
        """Duplicate keys and (optionally) dangling references, each with its path.

        References may also point at records of ``context``.
        """
        found: list[Problem] = []
        seen_locations: dict[str, str] = {}
        for name in TABLES:
            keys: set[tuple[str, ...]] = set()
            for index, record in enumerate(self.table(name)):
                key = record.key()
                if key in keys:
                    found.append(Problem(f"{name}[{index}]", f"duplicate key {_show(key)}"))
                keys.add(key)
                if name in LOCATION_TABLES and isinstance(record, Location):
                    other = seen_locations.setdefault(record.id, name)
                    if other != name:
                        found.append(
                            Problem(
                                f"{name}[{index}].id", f"id {record.id!r} is already a {other[:-1]}"
                            )
                        )
        if check_references:
            found.extend(self._reference_problems(context or Network()))
        return found

    def _reference_problems(self, context: Network) -> list[Problem]:
        both = (self, context)
        suppliers = {s.id for n in both for s in n.suppliers}
        warehouses = {w.id for n in both for w in n.warehouses}
        stores = {s.id for n in both for s in n.stores}
        skus = {s.id for n in both for s in n.skus}
        locations = suppliers | warehouses | stores
        stocking = warehouses | stores
        positions = {p.key() for n in both for p in n.inventory_positions}
        checks: list[tuple[str, Sequence[Record], str, set[str], str]] = [
            ("supply_lanes", self.supply_lanes, "supplier_id", suppliers, "supplier"),
            ("supply_lanes", self.supply_lanes, "warehouse_id", warehouses, "warehouse"),
            ("supply_lanes", self.supply_lanes, "sku_id", skus, "SKU"),
            ("transport_lanes", self.transport_lanes, "origin_id", locations, "location"),
            ("transport_lanes", self.transport_lanes, "destination_id", locations, "location"),
            (
                "inventory_positions",
                self.inventory_positions,
                "location_id",
                stocking,
                "warehouse or store",
            ),
            ("inventory_positions", self.inventory_positions, "sku_id", skus, "SKU"),
            ("substitutions", self.substitutions, "sku_id", skus, "SKU"),
            ("substitutions", self.substitutions, "substitute_id", skus, "SKU"),
            ("bill_of_materials", self.bill_of_materials, "plant_id", warehouses, "warehouse"),
            ("bill_of_materials", self.bill_of_materials, "sku_id", skus, "SKU"),
            ("bill_of_materials", self.bill_of_materials, "component_id", skus, "SKU"),
        ]
        found = [
            Problem(f"{table}[{index}].{attr}", f"unknown {what} {getattr(record, attr)!r}")
            for table, records, attr, known, what in checks
            for index, record in enumerate(records)
            if getattr(record, attr) not in known
        ]
        found.extend(
            Problem(
                f"open_orders[{index}]",
                f"no inventory position for ({order.location_id!r}, {order.sku_id!r})",
            )
            for index, order in enumerate(self.open_orders)
            if (order.location_id, order.sku_id) not in positions
        )
        lanes = {lane.key() for n in both for lane in n.supply_lanes}
        found.extend(
            Problem(f"supply_lane_prices[{index}]", f"no supply lane {price.lane()!r}")
            for index, price in enumerate(self.supply_lane_prices)
            if price.lane() not in lanes
        )
        found.extend(_bom_cycles(self.bill_of_materials))
        found.extend(_rising_breaks(self.supply_lane_prices))
        return found

    def table(self, name: str) -> tuple[Record, ...]:
        """The records of one table by name."""
        if name not in TABLES:
            raise KeyError(name)
        records: tuple[Record, ...] = getattr(self, name)
        return records

    def frame(self, name: str) -> pd.DataFrame:
        """One table as a DataFrame with the record's columns (empty tables keep them)."""
        if name not in self._frames:
            rows = [record.model_dump() for record in self.table(name)]
            self._frames[name] = pd.DataFrame(rows, columns=table_columns(name))
        return self._frames[name]

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """Plain dict rows per table, as stores and exports write them."""
        return {name: [r.model_dump() for r in self.table(name)] for name in TABLES}

    def counts(self) -> dict[str, int]:
        """Number of records per table."""
        return {name: len(self.table(name)) for name in TABLES}

    @cached_property
    def locations(self) -> dict[str, Location]:
        """Every supplier, warehouse and store by id."""
        return {loc.id: loc for loc in (*self.suppliers, *self.warehouses, *self.stores)}

    def merge(self, other: Network) -> Network:
        """Upsert ``other`` into this network: records with the same key are replaced.

        The result is checked as a whole, so a patch may reference records that only
        this network holds.
        """
        merged: dict[str, list[Record]] = {}
        for name in TABLES:
            by_key = {r.key(): r for r in self.table(name)}
            by_key.update((r.key(), r) for r in other.table(name))
            merged[name] = list(by_key.values())
        return Network.build(**merged)  # type: ignore[arg-type]

    def union_unchecked(self, other: Network) -> Network:
        """Both networks' records side by side, unchecked: enough to look up ids."""
        return Network.unchecked({n: (*self.table(n), *other.table(n)) for n in TABLES})

    @cached_property
    def country(self) -> str | None:
        """The network's holiday calendar: the country most stores are in (demand happens
        there), else most locations; ties go to the first code. None when none names one."""
        for kinds in ((self.stores,), (self.suppliers, self.warehouses, self.stores)):
            found = Counter(loc.country for locations in kinds for loc in locations if loc.country)
            if found:
                return min(found, key=lambda code: (-found[code], code))
        return None

    @cached_property
    def skus_by_id(self) -> dict[str, Sku]:
        return {sku.id: sku for sku in self.skus}

    def demand_filter(self, scope: Scope) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        """The store and SKU ids whose history a scope keeps, ``None`` for all of them.

        The same rows as ``scoped(scope)``'s stores and SKUs select, without building
        the scoped network: a light read should not pay for a copy of the graph.
        """
        stores = (
            None
            if scope.selects_all_warehouses()
            else frozenset(s.id for s in self._stores_in(scope, self._warehouses_in(scope)))
        )
        skus = (
            None
            if scope.sku_ids is None
            else frozenset(k for k in scope.sku_ids if k in self.skus_by_id)
        )
        return stores, skus

    def _warehouses_in(self, scope: Scope) -> list[Warehouse]:
        return [
            w
            for w in self.warehouses
            if (scope.warehouse_ids is None or w.id in scope.warehouse_ids)
            and (scope.regions is None or w.region in scope.regions)
        ]

    def _stores_in(self, scope: Scope, warehouses: list[Warehouse]) -> list[Store]:
        """Every store, or with warehouses restricted those a kept warehouse serves."""
        if scope.selects_all_warehouses():
            return list(self.stores)
        kept_w = {w.id for w in warehouses}
        served = {t.destination_id for t in self.transport_lanes if t.origin_id in kept_w}
        return [s for s in self.stores if s.id in served]

    def scoped(self, scope: Scope) -> Network:
        """The part of the network a scope selects (see ``Scope`` for the rules)."""
        if scope.is_everything():
            return self
        warehouses = self._warehouses_in(scope)
        kept_w = {w.id for w in warehouses}
        skus = [s for s in self.skus if scope.sku_ids is None or s.id in scope.sku_ids]
        kept_k = {s.id for s in skus}
        stores = self._stores_in(scope, warehouses)
        kept_s = {s.id for s in stores}
        supply = [
            lane
            for lane in self.supply_lanes
            if lane.warehouse_id in kept_w and lane.sku_id in kept_k
        ]
        if scope.selects_all_warehouses() and scope.sku_ids is None:
            suppliers = list(self.suppliers)
        else:
            sourcing = {lane.supplier_id for lane in supply}
            suppliers = [s for s in self.suppliers if s.id in sourcing]
        kept_locations = kept_w | kept_s | {s.id for s in suppliers}
        stocking = kept_w | kept_s
        return Network.build(
            suppliers=suppliers,
            warehouses=warehouses,
            stores=stores,
            skus=skus,
            supply_lanes=supply,
            supply_lane_prices=[
                p
                for p in self.supply_lane_prices
                if p.warehouse_id in kept_w and p.sku_id in kept_k
            ],
            transport_lanes=[
                t
                for t in self.transport_lanes
                if t.origin_id in kept_locations and t.destination_id in kept_locations
            ],
            inventory_positions=[
                p
                for p in self.inventory_positions
                if p.location_id in stocking and p.sku_id in kept_k
            ],
            open_orders=[
                o for o in self.open_orders if o.location_id in stocking and o.sku_id in kept_k
            ],
            substitutions=[
                s for s in self.substitutions if s.sku_id in kept_k and s.substitute_id in kept_k
            ],
            bill_of_materials=[
                b
                for b in self.bill_of_materials
                if b.plant_id in kept_w and b.sku_id in kept_k and b.component_id in kept_k
            ],
        )

    def summary(self) -> dict[str, Any]:
        """Counts plus a few figures planners look at first."""
        categories = sorted({s.category for s in self.skus})
        regions = sorted({w.region for w in self.warehouses if w.region})
        return {
            **self.counts(),
            "categories": len(categories),
            "regions": len(regions),
            "country": self.country,
            "units_on_hand": float(sum(p.on_hand for p in self.inventory_positions)),
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Network):
            return NotImplemented
        return all(
            sorted(self.table(n), key=Record.key) == sorted(other.table(n), key=Record.key)
            for n in TABLES
        )

    def __hash__(self) -> int:
        return hash(tuple(self.counts().values()))


def parse_network(
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    check_references: bool = True,
    context: Network | None = None,
) -> tuple[Network, list[Problem]]:
    """The records that parsed, and every problem: for callers that report more than these."""
    problems = [Problem(name, "unknown table") for name in sorted(set(rows) - set(TABLES))]
    parsed: dict[str, list[Record]] = {}
    for name in TABLES:
        parsed[name], table_problems = parse_rows(name, rows.get(name, ()))
        problems.extend(table_problems)
    network = Network.unchecked(parsed)
    problems.extend(network.problems(check_references=check_references, context=context))
    return network, problems


def _bom_cycles(lines: Sequence[BomLine]) -> list[Problem]:
    """A SKU that is, through its components, a component of itself at one plant:
    it could never be assembled."""
    parts: dict[tuple[str, str], list[str]] = {}
    for line in lines:
        parts.setdefault((line.plant_id, line.sku_id), []).append(line.component_id)
    found = []
    for index, line in enumerate(lines):
        seen, todo = set(), [line.component_id]
        while todo:
            sku = todo.pop()
            if sku == line.sku_id:
                found.append(
                    Problem(
                        f"bill_of_materials[{index}]",
                        f"{line.sku_id!r} is assembled from itself at {line.plant_id!r}",
                    )
                )
                break
            if sku not in seen:
                seen.add(sku)
                todo.extend(parts.get((line.plant_id, sku), ()))
    return found


def _rising_breaks(prices: Sequence[SupplyLanePrice]) -> list[Problem]:
    """A discount break that costs more per unit than a smaller order the same day: no
    buyer would reach for it, so the schedule is a typo."""
    table: dict[tuple[str, str, str, str], list[tuple[float, float, int]]] = {}
    for index, price in enumerate(prices):
        table.setdefault((*price.lane(), str(price.from_date)), []).append(
            (price.min_quantity, price.unit_cost, index)
        )
    found: list[Problem] = []
    for rows in table.values():
        rows.sort()
        found.extend(
            Problem(
                f"supply_lane_prices[{index}].unit_cost",
                f"{cost:g} for orders of {minimum:g} or more is above {lower:g} for smaller ones",
            )
            for (_, lower, _), (minimum, cost, index) in itertools.pairwise(rows)
            if cost > lower
        )
    return found


def _show(key: tuple[str, ...]) -> str:
    return repr(key[0]) if len(key) == 1 else repr(key)


def _frame_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    rows: list[dict[str, Any]] = clean.to_dict("records")
    return rows
