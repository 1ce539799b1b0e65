"""The ``GraphStore`` protocol every store implements, and its shared pieces."""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

import pandas as pd

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.history import (
    DELIVERIES,
    DEMAND,
    HistorySchema,
    check,
    duplicate_problems,
    reference_problems,
)
from supplynet.graph.network import Network
from supplynet.graph.plans import PlanInfo, StoredPlan
from supplynet.graph.scope import Scope


@runtime_checkable
class GraphStore(Protocol):
    """Where the network, its histories and saved plans live.

    Every write is all-or-nothing: a rejected or failed call leaves the store as it
    was. Upserts are idempotent: writing the same data twice changes nothing.
    """

    def upsert_network(self, network: Network) -> dict[str, int]:
        """Insert or replace records by key; ``network`` may be partial (edges only).

        Returns the number of records written per table.

        Raises
        ------
        ValidationFailed
            When the stored network merged with ``network`` would be inconsistent.
        """
        ...

    def import_bundle(
        self, network: Network, demand: pd.DataFrame | None, deliveries: pd.DataFrame | None
    ) -> dict[str, int]:
        """Upsert ``network`` and append both histories as one all-or-nothing write.

        Readers see the old state until the whole import is visible; a crash, a kill
        or a rejection at any point leaves the old state, and running the same import
        again gives the same state (idempotent). Returns records written per table
        and history.

        Raises
        ------
        ValidationFailed
            When the merged network or a history row is invalid.
        """
        ...

    def snapshot(self, scope: Scope | None = None) -> Network:
        """The stored network, or the part ``scope`` selects."""
        ...

    def append_demand(self, frame: pd.DataFrame) -> int:
        """Upsert demand rows (key: date, store, SKU); returns rows written."""
        ...

    def read_demand(
        self, scope: Scope | None = None, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame:
        """Demand rows of the scoped stores and SKUs between ``start`` and ``end`` inclusive."""
        ...

    def append_deliveries(self, frame: pd.DataFrame) -> int:
        """Upsert delivery rows (key: supplier, warehouse, SKU, order date)."""
        ...

    def read_deliveries(self, scope: Scope | None = None) -> pd.DataFrame:
        """Delivery rows of the scoped warehouses and SKUs."""
        ...

    def version(self) -> str:
        """A token that changes whenever the network or a history changes: caches compare
        it instead of expiring on a timer."""
        ...

    def plans_version(self) -> str:
        """A token that changes whenever a plan is saved: readers of the newest plan
        compare it instead of listing the plans on every call."""
        ...

    def save_plan(self, plan: StoredPlan) -> None:
        """Save or replace a plan by id."""
        ...

    def load_plan(self, plan_id: str) -> StoredPlan:
        """Raises ``NotFound`` for an unknown id."""
        ...

    def list_plans(self, kind: str | None = None) -> list[PlanInfo]:
        """Headers of saved plans, newest first."""
        ...

    def close(self) -> None:
        """Release connections and locks."""
        ...


def history_ids(schema: HistorySchema, network: Network) -> dict[str, set[str]]:
    """The ids each id column of a history may hold: those of ``network``."""
    if schema is DEMAND:
        return {"store_id": {s.id for s in network.stores}, "sku_id": {s.id for s in network.skus}}
    return {
        "supplier_id": {s.id for s in network.suppliers},
        "warehouse_id": {w.id for w in network.warehouses},
        "sku_id": {s.id for s in network.skus},
    }


def checked_history(frame: pd.DataFrame, schema: HistorySchema, network: Network) -> pd.DataFrame:
    """Coerce a history frame and check that every id in it exists in ``network``.

    Two rows with the same key are a problem too: which one was meant is unknown.
    Bad cells, unknown ids and repeated keys are reported together, so one round of
    fixes is enough (keys are compared only once every cell parses).
    """
    try:
        clean: pd.DataFrame | None = check(frame, schema)
        problems: list[Problem] = []
    except ValidationFailed as failure:
        clean, problems = None, list(failure.problems)
    known = history_ids(schema, network)
    present = {column: ids for column, ids in known.items() if column in frame.columns}
    ids = frame[list(present)].astype(str).reset_index(drop=True) if clean is None else clean
    problems += reference_problems(ids, schema, present)
    if clean is not None:
        problems += duplicate_problems(clean, schema)
    if problems:
        raise ValidationFailed(problems, schema.name)
    assert clean is not None
    return clean


def history_in_scope(
    frame: pd.DataFrame, schema: HistorySchema, network: Network, scope: Scope | None
) -> pd.DataFrame:
    """Rows of a history whose ids fall inside the scoped network."""
    if scope is None or scope.is_everything():
        return frame
    part = network.scoped(scope)
    skus = {s.id for s in part.skus}
    if schema is DEMAND:
        mask = frame["store_id"].isin({s.id for s in part.stores}) & frame["sku_id"].isin(skus)
    elif schema is DELIVERIES:
        mask = frame["warehouse_id"].isin({w.id for w in part.warehouses}) & frame["sku_id"].isin(
            skus
        )
    return frame[mask].reset_index(drop=True)
