"""Which part of a network a read selects."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Scope(BaseModel):
    """A selection of the network; ``None`` means no restriction on that axis.

    Rules shared by every store: warehouses are kept when they match both
    ``warehouse_ids`` and ``regions``; SKUs when in ``sku_ids``. When warehouses are
    restricted, only stores served by a kept warehouse (a transport lane from it)
    stay, and only suppliers with a kept supply lane. Edges and positions stay when
    all their endpoints stay.
    """

    model_config = ConfigDict(frozen=True)

    warehouse_ids: frozenset[str] | None = None
    sku_ids: frozenset[str] | None = None
    regions: frozenset[str] | None = None

    def selects_all_warehouses(self) -> bool:
        return self.warehouse_ids is None and self.regions is None

    def is_everything(self) -> bool:
        return self.selects_all_warehouses() and self.sku_ids is None
