"""``GraphStore`` on a Neo4j server, through the official driver.

A network upsert, or an import of a network with histories of up to ``staged_rows``
rows, is one managed transaction: it takes a lock node, reads the ids
already stored (one query per id kind, never one per record), then writes in
``UNWIND $rows ... MERGE`` batches while a worker thread checks the input against
those ids (the check's ~1 s of Python runs while the server works). The
transaction commits only after the check passes: a rejected record raises
``ValidationFailed`` and rolls back every batch sent, as a failure during the
writes does, so nothing is ever half-written. A plain history append is checked whole
first, then written in transactions of whole buckets (``HISTORY_TX_ROWS``), so that
histories larger than the server's transaction memory still go in. A larger import
is staged the same way (``stage_bundle``: buckets tagged with an import id that every
read skips) and made visible by one small commit transaction (``commit_staged``), so it
stays all-or-nothing; a staged import that never commits is deleted by the next one. Reads
run in one read transaction, one query per table, so a snapshot is consistent. The
graph model is documented in ``graph.neo4j_cypher`` and the README.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from neo4j import Driver, GraphDatabase, ManagedTransaction, Result, Session
from neo4j.exceptions import (
    AuthError,
    ClientError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from supplynet.graph import neo4j_cypher as cypher
from supplynet.graph.errors import NotFound, Problem, StoreError, StoreUnavailable, ValidationFailed
from supplynet.graph.history import DELIVERIES, DEMAND, HistorySchema, check, empty, upsert
from supplynet.graph.model import (
    InventoryPosition,
    Location,
    Record,
    Sku,
    Store,
    Supplier,
    SupplyLane,
    Warehouse,
)
from supplynet.graph.network import LOCATION_TABLES, NODE_TABLES, TABLES, Network, parse_rows
from supplynet.graph.plans import PlanInfo, Scalar, StoredPlan
from supplynet.graph.scope import Scope
from supplynet.graph.store import checked_history

T = TypeVar("T")
BATCH_ROWS = 10_000
HISTORY_TX_ROWS = 500_000
"""History rows per write transaction. A big append is split by whole buckets: the large
preset's 12.7M demand rows in one transaction outgrow a 512 MiB server's transaction memory."""
OPEN_DELIVERY = dt.date(9999, 12, 31)
"""Stands for "not delivered yet" in ``delivered_date`` arrays (lists cannot hold null)."""

PLAN_RESERVED = frozenset({"id", "kind", "created_at", "line_count", "attribute_keys"})
LINE_RESERVED = frozenset({"plan_id", "line_no", "field_keys"})
DETAIL_RESERVED = frozenset({"plan_id", "detail", "row_no", "field_keys"})

EDGE_ENDPOINTS = {
    "supply_lanes": ("supplier_id", "warehouse_id"),
    "supply_lane_prices": ("supplier_id", "warehouse_id"),
    "transport_lanes": ("origin_id", "destination_id"),
    "inventory_positions": ("location_id", "sku_id"),
    "open_orders": ("location_id", "sku_id"),
    "substitutions": ("sku_id", "substitute_id"),
    "bill_of_materials": ("sku_id", "component_id"),
}
"""Edge table -> the record fields that become the relationship's start and end node."""
_LOCATION_TYPES: dict[str, type[Location]] = {
    "suppliers": Supplier,
    "warehouses": Warehouse,
    "stores": Store,
}


@dataclass(frozen=True)
class _HistoryLayout:
    """How one history maps onto bucket relationships (one per series and year)."""

    schema: HistorySchema
    lock: str
    write: str
    read_live: str
    stage: str
    commit: str
    bucket: dict[str, str]
    """Bucket parameter name -> history column (besides ``year``)."""
    year_of: str
    arrays: tuple[str, ...]


_DEMAND = _HistoryLayout(
    DEMAND,
    cypher.LOCK_DEMAND_BUCKETS,
    cypher.WRITE_DEMAND_BUCKETS,
    cypher.READ_LIVE_DEMAND_BUCKETS,
    cypher.STAGE_DEMAND_BUCKETS,
    cypher.COMMIT_DEMAND_BUCKETS,
    {"a": "store_id", "b": "sku_id"},
    "date",
    ("date", "quantity", "price", "promo"),
)
_DELIVERIES = _HistoryLayout(
    DELIVERIES,
    cypher.LOCK_DELIVERY_BUCKETS,
    cypher.WRITE_DELIVERY_BUCKETS,
    cypher.READ_LIVE_DELIVERY_BUCKETS,
    cypher.STAGE_DELIVERY_BUCKETS,
    cypher.COMMIT_DELIVERY_BUCKETS,
    {"a": "supplier_id", "b": "warehouse_id", "sku": "sku_id"},
    "order_date",
    ("order_date", "promised_date", "delivered_date", "quantity"),
)


@dataclass(frozen=True)
class StagedImport:
    """An import whose histories are written but invisible until ``commit_staged``."""

    import_id: str
    network: Network
    version: int
    """The store's change counter when staging began: the commit requires it unchanged,
    since the staged buckets already hold the stored rows merged with the new ones."""
    buckets: dict[str, int]
    """Staged buckets per history; the commit checks they are all still there."""
    rows: dict[str, int]


class Neo4jStore:
    """A ``GraphStore`` over one Neo4j database; the driver is passed in and owned."""

    def __init__(
        self, driver: Driver, database: str = "neo4j", staged_rows: int = HISTORY_TX_ROWS
    ) -> None:
        self._driver = driver
        self._database = database
        self._staged_rows = staged_rows

    @classmethod
    def connect(
        cls,
        uri: str,
        *,
        user: str = "neo4j",
        password: str = "",
        database: str = "neo4j",
        staged_rows: int | None = None,
    ) -> Neo4jStore:
        """Connect, check the server answers, and create the constraints if missing.

        An empty ``password`` connects without credentials (a server with auth disabled).
        An import with more history rows than ``staged_rows`` (default ``HISTORY_TX_ROWS``)
        is staged in transactions of about that many rows.

        Raises
        ------
        StoreUnavailable
            The server cannot be reached or rejects the credentials.
        """
        driver = GraphDatabase.driver(
            uri, auth=(user, password) if password else None, notifications_min_severity="OFF"
        )
        store = cls(driver, database, staged_rows or HISTORY_TX_ROWS)
        try:
            with store._errors():
                driver.verify_connectivity()
            store.ensure_schema()
        except Exception:
            driver.close()
            raise
        return store

    def ensure_schema(self) -> None:
        """Create the uniqueness constraints and indexes (idempotent)."""
        with self._errors(), self._driver.session(database=self._database) as session:
            for statement in cypher.SCHEMA:
                with contextlib.suppress(ClientError):  # a concurrent creator won the race
                    session.run(statement).consume()

    def clear(self) -> None:
        """Delete every node this store wrote (network, histories, plans)."""
        with self._errors(), self._driver.session(database=self._database) as session:
            session.run(cypher.CLEAR).consume()
            session.run(cypher.BUMP_VERSION).consume()

    def close(self) -> None:
        self._driver.close()

    def query(self, statement: str, **params: Any) -> list[dict[str, Any]]:
        """Run a read-only Cypher query (analysts, notebooks, tests); rows as dicts.

        Raises
        ------
        StoreError
            Invalid Cypher, or a statement that tries to write.
        """
        return self._read(lambda tx: tx.run(statement, params).data())

    # ---- network ----

    def upsert_network(self, network: Network) -> dict[str, int]:
        return self.import_bundle(network, None, None)

    def import_bundle(
        self, network: Network, demand: pd.DataFrame | None, deliveries: pd.DataFrame | None
    ) -> dict[str, int]:
        """The network and both histories in one write transaction, or staged; see ``GraphStore``.

        Up to ``staged_rows`` history rows go in one transaction, bounded by the server's
        transaction memory (``db.memory.transaction.max``); more are staged
        (``stage_bundle``) and committed at once (``commit_staged``).
        """
        histories = _histories(demand, deliveries)
        if sum(len(frame) for _, frame in histories) > self._staged_rows:
            return self.commit_staged(self.stage_bundle(network, demand, deliveries))
        written: dict[str, int] = {}

        def work(tx: ManagedTransaction) -> None:
            ids = _import_network(tx, network, None)
            clean = [(layout, checked_history(f, layout.schema, ids)) for layout, f in histories]
            for layout, frame in clean:
                _append_part(tx, frame, layout)
                written[layout.schema.name] = len(frame)

        self._write(work)
        return network.counts() | written

    def stage_bundle(
        self, network: Network, demand: pd.DataFrame | None, deliveries: pd.DataFrame | None
    ) -> StagedImport:
        """Check the bundle, then write its histories as tagged buckets no read sees.

        Each part of about ``staged_rows`` rows is its own transaction: the stored buckets
        it touches are read, merged with the new rows and written as staged copies, and the
        part is ticked off on the import's marker node; ids the network adds get
        placeholder nodes to hang them on. Nothing here changes ``version()``.

        The import id is a digest of the checked bundle, so a retry of a killed import
        finds its marker and resumes after the last staged part, as long as nothing was
        written since (its merged buckets still hold). Whatever else was staged (other or
        stale imports) is deleted first, so running an import again is idempotent.

        Raises
        ------
        ValidationFailed
            When the merged network or a history row is invalid (nothing is staged).
        """
        histories = _histories(demand, deliveries)

        def check(
            tx: ManagedTransaction,
        ) -> tuple[list[tuple[_HistoryLayout, pd.DataFrame]], Network, dict[str, str]]:
            positions: set[tuple[str, ...]] = set()
            if network.inventory_positions or network.open_orders:
                positions = _edge_keys(tx, "inventory_positions")
            lanes = _edge_keys(tx, "supply_lanes") if network.supply_lane_prices else set()
            context, kinds = _stored_ids(tx, positions, lanes)
            _reject(_problems(network, context, kinds))
            ids = context.union_unchecked(network)
            clean = [(layout, checked_history(f, layout.schema, ids)) for layout, f in histories]
            return clean, context, kinds

        clean, context, kinds = self._read(check)
        import_id = _digest(network, clean, self._staged_rows)
        version, done = self._begin_staging(import_id)
        stored_skus = {sku.id for sku in context.skus}
        locations = (*network.suppliers, *network.warehouses, *network.stores)
        new_locations = [location.id for location in locations if location.id not in kinds]
        new_skus = [sku.id for sku in network.skus if sku.id not in stored_skus]
        if "nodes" not in done:
            stage = functools.partial(
                _stage_nodes, import_id=import_id, locations=new_locations, skus=new_skus
            )
            done["nodes"] = self._write(stage, visible=False)
        buckets: dict[str, int] = {}
        for layout, frame in clean:
            name = layout.schema.name
            parts = _history_parts(frame, layout, self._staged_rows)
            for number, part in enumerate(parts):
                key = f"{name}:{number}"
                if key not in done:
                    stage = functools.partial(
                        _stage_part, part=part, layout=layout, import_id=import_id, key=key
                    )
                    done[key] = self._write(stage, visible=False)
                buckets[name] = buckets.get(name, 0) + done[key]
        rows = {layout.schema.name: len(frame) for layout, frame in clean}
        return StagedImport(import_id, network, version, buckets, rows)

    def commit_staged(self, staged: StagedImport) -> dict[str, int]:
        """Make a staged import visible in one transaction: network upsert, bucket swap.

        Raises
        ------
        StoreError
            When the store changed since staging began (another write, or another import
            deleted this one's staged buckets): nothing changed, run the import again.
        ValidationFailed
            When the network no longer fits the stored one.
        """

        def work(tx: ManagedTransaction) -> None:
            _import_network(tx, staged.network, staged)
            tx.run(cypher.DROP_MARKER, import_id=staged.import_id).consume()
            for layout in (_DEMAND, _DELIVERIES):
                expected = staged.buckets.get(layout.schema.name, 0)
                if expected:
                    found = tx.run(layout.commit, import_id=staged.import_id).single(strict=True)
                    if found["buckets"] != expected:
                        raise StoreError(
                            f"import {staged.import_id}: {found['buckets']} of {expected} staged "
                            f"{layout.schema.name} buckets left; run the import again"
                        )

        self._write(work)
        return staged.network.counts() | staged.rows

    def snapshot(self, scope: Scope | None = None) -> Network:
        return _network(self._read(lambda tx: _read_tables(tx, scope)))

    # ---- histories ----

    def append_demand(self, frame: pd.DataFrame) -> int:
        return self._append(frame, _DEMAND)

    def append_deliveries(self, frame: pd.DataFrame) -> int:
        return self._append(frame, _DELIVERIES)

    def _append(self, frame: pd.DataFrame, layout: _HistoryLayout) -> int:
        schema = layout.schema
        clean = self._read(
            lambda tx: checked_history(frame, schema, _stored_ids(tx, set(), set())[0])
        )
        for part in _history_parts(clean, layout, HISTORY_TX_ROWS):
            self._write(functools.partial(_append_part, part=part, layout=layout))
        return len(clean)

    def read_demand(
        self, scope: Scope | None = None, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame:
        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            stores, skus = None, None
            if scope is not None and not scope.is_everything():
                part = _network(_read_tables(tx, scope))
                stores, skus = [s.id for s in part.stores], [s.id for s in part.skus]
            params = {
                "a": stores,
                "b": skus,
                "first": None if start is None else start.year,
                "last": None if end is None else end.year,
            }
            return _records(tx.run(cypher.READ_DEMAND, params))

        frame = _explode(self._read(work), _DEMAND)
        if start is not None:
            frame = frame[frame["date"] >= pd.Timestamp(start)]
        if end is not None:
            frame = frame[frame["date"] <= pd.Timestamp(end)]
        return frame.reset_index(drop=True)

    def read_deliveries(self, scope: Scope | None = None) -> pd.DataFrame:
        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            warehouses, skus = None, None
            if scope is not None and not scope.is_everything():
                part = _network(_read_tables(tx, scope))
                warehouses, skus = [w.id for w in part.warehouses], [s.id for s in part.skus]
            return _records(tx.run(cypher.READ_DELIVERIES, b=warehouses, skus=skus))

        return _explode(self._read(work), _DELIVERIES)

    # ---- plans ----

    def save_plan(self, plan: StoredPlan) -> None:
        problems = (
            [
                Problem(f"attributes.{key}", "name reserved by the Neo4j store")
                for key in plan.attributes
                if key in PLAN_RESERVED
            ]
            + [
                Problem(f"lines[{index}].{key}", "name reserved by the Neo4j store")
                for index, line in enumerate(plan.lines)
                for key in line
                if key in LINE_RESERVED
            ]
            + [
                Problem(f"details.{name}[{index}].{key}", "name reserved by the Neo4j store")
                for name, rows in plan.details.items()
                for index, row in enumerate(rows)
                for key in row
                if key in DETAIL_RESERVED
            ]
        )
        if problems:
            raise ValidationFailed(problems, "plan")
        header = _present(plan.attributes) | {
            "id": plan.id,
            "kind": plan.kind,
            "created_at": plan.created_at,
            "line_count": len(plan.lines),
            "attribute_keys": list(plan.attributes),
        }
        lines = [
            _present(line) | {"plan_id": plan.id, "line_no": index, "field_keys": list(line)}
            for index, line in enumerate(plan.lines)
        ]
        details = [
            _present(row)
            | {"plan_id": plan.id, "detail": name, "row_no": index, "field_keys": list(row)}
            for name, rows in plan.details.items()
            for index, row in enumerate(rows)
        ]

        def work(tx: ManagedTransaction) -> None:
            tx.run(cypher.DELETE_PLAN_LINES, id=plan.id).consume()
            tx.run(cypher.DELETE_PLAN_DETAILS, id=plan.id).consume()
            tx.run(cypher.SAVE_PLAN_HEADER, id=plan.id, props=header).consume()
            for batch in _batches(lines):
                tx.run(cypher.SAVE_PLAN_LINES, id=plan.id, lines=batch).consume()
            for batch in _batches(details):
                tx.run(cypher.SAVE_PLAN_DETAILS, id=plan.id, rows=batch).consume()

        self._write(work)

    def load_plan(self, plan_id: str) -> StoredPlan:
        def work(tx: ManagedTransaction) -> dict[str, Any] | None:
            found = tx.run(cypher.LOAD_PLAN, id=plan_id).single()
            if found is None:
                return None
            rows = [r["row"] for r in tx.run(cypher.LOAD_PLAN_DETAILS, id=plan_id)]
            return found.data() | {"details": rows}

        found = self._read(work)
        if found is None:
            raise NotFound("plan", plan_id)
        header, lines = found["plan"], found["lines"]
        details: dict[str, list[dict[str, Scalar]]] = {}
        for row in found["details"]:
            details.setdefault(row["detail"], []).append(
                {key: row.get(key) for key in row["field_keys"]}
            )
        return StoredPlan(
            id=header["id"],
            kind=header["kind"],
            created_at=header["created_at"].to_native(),
            attributes={key: header.get(key) for key in header["attribute_keys"]},
            lines=tuple({key: line.get(key) for key in line["field_keys"]} for line in lines),
            details={name: tuple(rows) for name, rows in details.items()},
        )

    def list_plans(self, kind: str | None = None) -> list[PlanInfo]:
        rows = self._read(lambda tx: tx.run(cypher.LIST_PLANS, kind=kind).data())
        infos = [
            PlanInfo(
                id=r["id"],
                kind=r["kind"],
                created_at=r["created_at"].to_native(),
                line_count=r["line_count"],
                attributes={key: r["header"].get(key) for key in r["header"]["attribute_keys"]},
            )
            for r in rows
        ]
        return sorted(infos, key=lambda i: (i.created_at, i.id), reverse=True)

    # ---- plumbing ----

    def _write(self, work: Callable[[ManagedTransaction], T], *, visible: bool = True) -> T:
        """Run ``work`` in a write transaction; one that readers see bumps ``version()``."""

        def counted(tx: ManagedTransaction) -> T:
            result = work(tx)
            if visible:
                tx.run(cypher.BUMP_VERSION).consume()
            return result

        with self._errors(), self._driver.session(database=self._database) as session:
            return session.execute_write(counted)

    def _begin_staging(self, import_id: str) -> tuple[int, dict[str, int]]:
        """Delete staged data other than a resumable ``import_id``'s; the change counter
        and the parts of ``import_id`` already staged (name -> buckets).

        ``import_id``'s marker resumes only if it was staged at the current counter and
        nothing else was staged: deleting staged data bumps the counter, so that an import
        still staging what was deleted fails its commit instead of dropping buckets it no
        longer has, and a marker from another counter is stale (its merges no longer hold).
        """

        def drop(session: Session, keep: str | None) -> int:
            deleted = 0
            for statement in cypher.DROP_STAGED:
                counters = session.run(statement, keep=keep).consume().counters
                deleted += counters.relationships_deleted + counters.nodes_deleted
            return deleted

        with self._errors(), self._driver.session(database=self._database) as session:
            found = session.run(cypher.READ_STAGING, import_id=import_id).single(strict=True)
            resumes = found["version"] is not None and found["version"] == found["counter"]
            deleted = drop(session, import_id if resumes else None)
            if resumes and not deleted:
                return int(found["counter"]), dict(
                    zip(found["parts"], found["buckets"], strict=True)
                )
            if resumes:
                deleted += drop(session, None)
            if deleted:
                session.run(cypher.BUMP_VERSION).consume()
            rows = session.run(cypher.READ_VERSION).data()
            counter = int(rows[0]["counter"]) if rows else 0
            session.run(cypher.START_STAGING, import_id=import_id, version=counter).consume()
            return counter, {}

    def version(self) -> str:
        """The change counter every write transaction bumps: equal means unchanged."""
        rows = self._read(lambda tx: tx.run(cypher.READ_VERSION).data())
        return f"neo4j:{rows[0]['counter'] if rows else 0}"

    def plans_version(self) -> str:
        """Saving a plan is a write transaction too: the one change counter serves."""
        return self.version()

    def _read(self, work: Callable[[ManagedTransaction], T]) -> T:
        with self._errors(), self._driver.session(database=self._database) as session:
            return session.execute_read(work)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver exceptions become the supplynet tree (ours pass through)."""
        try:
            yield
        except (ServiceUnavailable, SessionExpired, AuthError) as error:
            raise StoreUnavailable(f"Neo4j unavailable: {error}") from error
        except (Neo4jError, DriverError) as error:
            raise StoreError(f"Neo4j failed: {error}") from error


def _histories(
    demand: pd.DataFrame | None, deliveries: pd.DataFrame | None
) -> list[tuple[_HistoryLayout, pd.DataFrame]]:
    """The non-empty histories of a bundle with their layouts."""
    return [
        (layout, frame)
        for layout, frame in ((_DEMAND, demand), (_DELIVERIES, deliveries))
        if frame is not None and len(frame)
    ]


def _import_network(
    tx: ManagedTransaction, network: Network, staged: StagedImport | None
) -> Network:
    """Lock, check ``network`` against the stored ids while writing it; the ids after.

    For a staged import, first check nothing was written since staging began and turn
    its placeholder nodes into the nodes the upsert merges.
    """
    tx.run(cypher.LOCK, name="network").consume()
    if staged is not None:
        rows = tx.run(cypher.READ_VERSION).data()
        if (int(rows[0]["counter"]) if rows else 0) != staged.version:
            raise StoreError(
                f"import {staged.import_id}: the store changed while it was staged; "
                "run the import again"
            )
    edge_keys = {
        table: _edge_keys(tx, table)
        for table in EDGE_ENDPOINTS
        if network.table(table)
        or (table == "inventory_positions" and network.open_orders)
        or (table == "supply_lanes" and network.supply_lane_prices)
    }
    context, kinds = _stored_ids(
        tx, edge_keys.get("inventory_positions", set()), edge_keys.get("supply_lanes", set())
    )
    if staged is not None:
        for statement in cypher.PROMOTE_STAGED:
            tx.run(statement, import_id=staged.import_id).consume()
    with ThreadPoolExecutor(max_workers=1) as pool:
        checking = pool.submit(_problems, network, context, kinds)
        try:
            _write_network(tx, network, edge_keys)
        except (Neo4jError, DriverError):
            _reject(checking.result())  # a bad record explains a failed write
            raise
        _reject(checking.result())
    return context.union_unchecked(network)


def _stage_nodes(
    tx: ManagedTransaction, import_id: str, locations: list[str], skus: list[str]
) -> int:
    """Placeholders for the ids the import adds, so staged buckets have ends to hang on."""
    for batch in _batches(locations):
        tx.run(cypher.STAGE_LOCATIONS, ids=batch, import_id=import_id).consume()
    for batch in _batches(skus):
        tx.run(cypher.STAGE_SKUS, ids=batch, import_id=import_id).consume()
    tx.run(cypher.STAGED_PART, import_id=import_id, part="nodes", buckets=0).consume()
    return 0


def _stage_part(
    tx: ManagedTransaction, part: pd.DataFrame, layout: _HistoryLayout, import_id: str, key: str
) -> int:
    """Stage the part's buckets (the stored rows merged with the new ones) and tick the
    part off on the marker, in one transaction; how many buckets."""
    rows = _merged_buckets(tx, part, layout, layout.read_live)
    for batch in _batches(rows):
        tx.run(layout.stage, buckets=batch, import_id=import_id).consume()
    tx.run(cypher.STAGED_PART, import_id=import_id, part=key, buckets=len(rows)).consume()
    return len(rows)


def _digest(
    network: Network, histories: list[tuple[_HistoryLayout, pd.DataFrame]], rows: int
) -> str:
    """The import id: equal bundles (and part size) stage equal parts, so a retry resumes."""
    digest = hashlib.sha256(str(rows).encode())
    for name in TABLES:
        for record in network.table(name):
            digest.update(record.model_dump_json().encode())
    for layout, frame in histories:
        digest.update(layout.schema.name.encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:32]


def _history_parts(
    frame: pd.DataFrame, layout: _HistoryLayout, rows: int
) -> Iterator[pd.DataFrame]:
    """Whole buckets, about ``rows`` rows per part (one write transaction each)."""
    if frame.empty:
        return
    keys = [frame[column] for column in layout.bucket.values()]
    bucket = frame.groupby([*keys, frame[layout.year_of].dt.year], sort=False).ngroup()
    per_bucket = -(-len(frame) // (int(bucket.max()) + 1))
    per_part = max(1, rows // per_bucket)
    for _, part in frame.groupby(bucket.to_numpy() // per_part, sort=False):
        yield part


def _append_part(tx: ManagedTransaction, part: pd.DataFrame, layout: _HistoryLayout) -> None:
    """Lock the part's buckets, merge the stored rows with the incoming ones, rewrite them."""
    for batch in _batches(_merged_buckets(tx, part, layout, layout.lock)):
        tx.run(layout.write, buckets=batch).consume()


def _merged_buckets(
    tx: ManagedTransaction, part: pd.DataFrame, layout: _HistoryLayout, read: str
) -> list[dict[str, Any]]:
    """Bucket rows of the stored rows (``read`` over the part's bucket keys) upserted
    with the part's rows."""
    years = part[layout.year_of].dt.year.to_numpy()
    stored = _records(tx.run(read, buckets=_bucket_keys(part, layout, years)))
    return _bucket_rows(upsert(_explode(stored, layout), part, layout.schema), layout)


def _stored_ids(
    tx: ManagedTransaction,
    positions: set[tuple[str, ...]],
    lanes: set[tuple[str, ...]],
) -> tuple[Network, dict[str, str]]:
    """Key-only placeholders of the stored records, enough to check references against."""
    kinds = {r["id"]: r["table"] for r in tx.run(cypher.STORED_LOCATIONS)}
    tables: dict[str, list[Any]] = {name: [] for name in TABLES}
    for key, table in kinds.items():
        tables[table].append(_placeholder(_LOCATION_TYPES[table], id=key))
    tables["skus"] = [_placeholder(Sku, id=r["id"]) for r in tx.run(cypher.STORED_SKUS)]
    tables["inventory_positions"] = [
        _placeholder(InventoryPosition, location_id=a, sku_id=b) for a, b in positions
    ]
    tables["supply_lanes"] = [
        _placeholder(SupplyLane, supplier_id=a, warehouse_id=b, sku_id=k) for a, b, k in lanes
    ]
    return Network.unchecked(tables), kinds


def _edge_keys(tx: ManagedTransaction, table: str) -> set[tuple[str, ...]]:
    """The ``Record.key()`` of every stored edge of ``table``."""
    keys: list[list[str]] = tx.run(cypher.EDGE_KEYS[table]).single(strict=True)["keys"]
    return {tuple(key) for key in keys}


def _placeholder(model: type[Record], **keys: str) -> Record:
    """A record holding only its key fields: unvalidated, for id lookups only."""
    return model.model_construct(None, **keys)


def _kind_clashes(network: Network, kinds: Mapping[str, str]) -> list[Problem]:
    """Incoming locations whose id is stored as another kind of location."""
    return [
        Problem(f"{table}[{index}].id", f"id {record.id!r} is already a {kinds[record.id][:-1]}")
        for table in LOCATION_TABLES
        for index, record in enumerate(getattr(network, table))
        if kinds.get(record.id, table) != table
    ]


def _problems(network: Network, context: Network, kinds: Mapping[str, str]) -> list[Problem]:
    """Everything wrong with ``network`` given the stored ids (the upsert's worker thread)."""
    return network.problems(context=context) + _kind_clashes(network, kinds)


def _reject(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems, "network")


def _write_network(
    tx: ManagedTransaction, network: Network, edge_keys: Mapping[str, set[tuple[str, ...]]]
) -> None:
    """Send every batch (nodes, then new and stored edges), then wait for them all."""
    sent: list[Result] = []
    for table in NODE_TABLES:
        rows = [record.model_dump() for record in network.table(table)]
        sent += _send(tx, cypher.UPSERT_NODES[table], rows)
    for table in EDGE_ENDPOINTS:
        stored = edge_keys.get(table, set())
        records = network.table(table)
        new = [r for r in records if r.key() not in stored] if stored else records
        old = [r for r in records if r.key() in stored] if stored else []
        sent += _send_edges(tx, cypher.CREATE_EDGES[table], new, table)
        sent += _send_edges(tx, cypher.UPDATE_EDGES[table], old, table)
    for result in sent:
        result.consume()


def _send(tx: ManagedTransaction, statement: str, rows: Sequence[Any]) -> list[Result]:
    """Run ``statement`` over ``rows`` in batches without waiting for each to finish.

    The server works through one batch while the client packs the next; the caller
    consumes the results, so a failed batch still fails (and rolls back) the transaction.
    """
    return [tx.run(statement, rows=batch) for batch in _batches(rows)]


def _send_edges(
    tx: ManagedTransaction, statement: str, records: Sequence[Record], table: str
) -> list[Result]:
    """``_send`` for edges: per batch, the distinct endpoint ids and rows pointing into them.

    A row is ``(start position, end position, *values)`` (``cypher.EDGE_PROPERTIES``
    order), the positions indexing the batch's ``starts`` and ``ends`` id lists. Rows
    are tuples of plain values, which Python's garbage collector stops tracking: 157k
    row lists kept alive until the commit made its full collections walk the whole
    network again and again (building the large preset's rows took 0.5-0.8 s, now 0.23 s).
    """
    fields = operator.attrgetter(*EDGE_ENDPOINTS[table], *cypher.EDGE_PROPERTIES[table])
    sent = []
    for batch in _batches(records):
        starts: dict[str, int] = {}
        ends: dict[str, int] = {}
        rows = [
            (starts.setdefault(row[0], len(starts)), ends.setdefault(row[1], len(ends)), *row[2:])
            for row in map(fields, batch)
        ]
        sent.append(tx.run(statement, rows=rows, starts=list(starts), ends=list(ends)))
    return sent


def _read_tables(tx: ManagedTransaction, scope: Scope | None) -> dict[str, list[dict[str, Any]]]:
    """Rows per table of the scoped network, following ``Network.scoped`` rule by rule."""
    scope = scope or Scope()

    def run(table: str, **params: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = tx.run(cypher.READ[table], params).single(strict=True)["rows"]
        return rows

    rows = {
        "warehouses": run(
            "warehouses", ids=_listed(scope.warehouse_ids), regions=_listed(scope.regions)
        ),
        "skus": run("skus", ids=_listed(scope.sku_ids)),
    }
    all_warehouses = scope.selects_all_warehouses()
    kept_w = None if all_warehouses else [w["id"] for w in rows["warehouses"]]
    kept_k = None if scope.sku_ids is None else [k["id"] for k in rows["skus"]]
    served = None if kept_w is None else tx.run(cypher.SERVED_STORE_IDS, warehouses=kept_w).value()
    rows["stores"] = run("stores", ids=served)
    rows["supply_lanes"] = run("supply_lanes", b=kept_w, skus=kept_k)
    rows["supply_lane_prices"] = run("supply_lane_prices", b=kept_w, skus=kept_k)
    sourcing = None
    if not scope.is_everything():
        sourcing = sorted({lane["supplier_id"] for lane in rows["supply_lanes"]})
    rows["suppliers"] = run(
        "suppliers", ids=None if all_warehouses and kept_k is None else sourcing
    )
    locations = None
    if not scope.is_everything():
        locations = [n["id"] for t in LOCATION_TABLES for n in rows[t]]
    stocking = None
    if not all_warehouses:
        stocking = [n["id"] for t in ("warehouses", "stores") for n in rows[t]]
    rows["transport_lanes"] = run("transport_lanes", a=locations)
    rows["inventory_positions"] = run("inventory_positions", a=stocking, b=kept_k)
    rows["open_orders"] = run("open_orders", a=stocking, b=kept_k)
    rows["substitutions"] = run("substitutions", b=kept_k)
    rows["bill_of_materials"] = run("bill_of_materials", w=kept_w, b=kept_k)
    return rows


def _network(rows: Mapping[str, list[dict[str, Any]]]) -> Network:
    """Parse stored rows; references are not re-checked (every write checked them)."""
    parsed: dict[str, list[Record]] = {}
    problems: list[Problem] = []
    for table in TABLES:
        parsed[table], bad = parse_rows(table, rows.get(table, []))
        problems.extend(bad)
    if problems:
        raise StoreError(f"stored network does not parse: {problems[0]} (+{len(problems) - 1})")
    return Network.unchecked(parsed)


def _records(result: Result) -> list[dict[str, Any]]:
    """Rows as dicts without ``Record.data()``'s per-value walk (histories hold big lists)."""
    keys = result.keys()
    return [dict(zip(keys, values, strict=True)) for values in result.values()]


def _listed(values: frozenset[str] | None) -> list[str] | None:
    return None if values is None else sorted(values)


def _batches(rows: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), BATCH_ROWS):
        yield rows[start : start + BATCH_ROWS]


def _present(values: Mapping[str, Scalar]) -> dict[str, Scalar]:
    """Neo4j drops null properties, so ``None`` values live only in the key list."""
    return {key: value for key, value in values.items() if value is not None}


def _bucket_keys(
    frame: pd.DataFrame, layout: _HistoryLayout, years: np.ndarray
) -> list[dict[str, Any]]:
    keys = pd.DataFrame({param: frame[column] for param, column in layout.bucket.items()})
    keys["year"] = years
    keys = keys.drop_duplicates().sort_values(list(keys.columns))
    records: list[dict[str, Any]] = keys.to_dict("records")
    return [{k: int(v) if k == "year" else v for k, v in r.items()} for r in records]


def _bucket_rows(frame: pd.DataFrame, layout: _HistoryLayout) -> list[dict[str, Any]]:
    """One row per bucket: its key and the arrays of its history rows, sorted by date."""
    frame = frame.assign(year=frame[layout.year_of].dt.year.to_numpy())
    columns: dict[str, list[Any]] = {}
    for name in layout.arrays:
        values = frame[name]
        if name in layout.schema.dates:
            columns[name] = [OPEN_DELIVERY if pd.isna(d) else d for d in values.dt.date]
        else:
            columns[name] = values.tolist()
    keys = [*layout.bucket.values(), "year"]
    rows = []
    for key, positions in frame.groupby(keys, sort=False).indices.items():
        row = dict(zip([*layout.bucket, "year"], key, strict=True))
        row["year"] = int(row["year"])
        row |= {name: [columns[name][i] for i in positions] for name in layout.arrays}
        rows.append(row)
    return rows


def _explode(buckets: list[dict[str, Any]], layout: _HistoryLayout) -> pd.DataFrame:
    """History rows from bucket rows (as the read and lock queries return them)."""
    schema = layout.schema
    buckets = [b for b in buckets if b[layout.arrays[0]]]
    if not buckets:
        return empty(schema)
    lengths = np.array([len(b[layout.arrays[0]]) for b in buckets])
    data: dict[str, Any] = {
        column: np.repeat(np.array([b[column] for b in buckets], dtype=object), lengths)
        for column in schema.ids
    }
    for name in layout.arrays:
        data[name] = list(itertools.chain.from_iterable(b[name] for b in buckets))
    frame = pd.DataFrame(data)
    if "delivered_date" in frame:
        frame["delivered_date"] = frame["delivered_date"].where(
            frame["delivered_date"] != OPEN_DELIVERY.isoformat()
        )
    clean = check(frame, schema)
    return clean.sort_values(list(schema.key), kind="stable").reset_index(drop=True)
