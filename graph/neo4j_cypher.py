"""Every Cypher statement ``Neo4jStore`` runs, as constants with ``$parameters``.

Labels and relationship types appear only here, spelled out: nothing from input is
ever formatted into a statement. The graph model (see README, "Neo4j")::

    (:Location:Supplier|Warehouse|Store {id, ...})     (:Sku {id, ...})
    (:Supplier)-[:SUPPLIES {sku_id, lead_time_mean_days, ...}]->(:Warehouse)
    (:Supplier)-[:PRICES {sku_id, from_date, min_quantity, unit_cost}]->(:Warehouse)
    (:Location)-[:SHIPS_TO {distance_km, ...}]->(:Location)
    (:Location)-[:STOCKS {on_hand, ...}]->(:Sku)
    (:Location)-[:ON_ORDER {due_date, quantity}]->(:Sku)
    (:Sku)-[:SUBSTITUTED_BY {strength}]->(:Sku)
    (:Sku)-[:MADE_FROM {plant_id, quantity_per_unit, assembly_lead_time_days}]->(:Sku)
    (:Store)-[:DEMAND {year, date[], quantity[], price[], promo[]}]->(:Sku)
    (:Supplier)-[:DELIVERIES {sku_id, year, order_date[], ...}]->(:Warehouse)
    (:Plan {id, kind, created_at, ...})-[:HAS_LINE]->(:PlanLine {line_no, ...})
    (:Plan)-[:HAS_DETAIL]->(:PlanDetail {detail, row_no, ...})
    (:StoreVersion {id: 'store', counter})   bumped by every write transaction

A staged import (``Neo4jStore.stage_bundle``) writes history buckets in many transactions
as ``DEMAND``/``DELIVERIES`` relationships carrying ``import_id`` and ``staged_year``
instead of ``year`` (so no ``{year: ...}`` pattern ever matches them), attached to the
stored nodes or to ``(:StagedLocation|StagedSku {id, import_id})`` placeholders for ids
the import adds. Every read skips relationships with an ``import_id``; the commit
transaction turns the placeholders into nodes, drops each replaced live bucket and
removes the tags, so the whole import appears at once. ``(:StagedImport {id, version,
parts[], buckets[]})`` records the parts staged so far, so a retry resumes.
"""

from __future__ import annotations

SCHEMA = (
    "CREATE CONSTRAINT location_id IF NOT EXISTS FOR (n:Location) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT sku_id IF NOT EXISTS FOR (n:Sku) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT plan_id IF NOT EXISTS FOR (n:Plan) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT supplynet_lock_id IF NOT EXISTS "
    "FOR (n:SupplynetLock) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX plan_kind IF NOT EXISTS FOR (n:Plan) ON (n.kind)",
    "CREATE CONSTRAINT store_version_id IF NOT EXISTS FOR (n:StoreVersion) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX demand_import_id IF NOT EXISTS FOR ()-[d:DEMAND]-() ON (d.import_id)",
    "CREATE INDEX deliveries_import_id IF NOT EXISTS FOR ()-[d:DELIVERIES]-() ON (d.import_id)",
    "CREATE INDEX staged_location_id IF NOT EXISTS FOR (n:StagedLocation) ON (n.id)",
    "CREATE INDEX staged_sku_id IF NOT EXISTS FOR (n:StagedSku) ON (n.id)",
    "CREATE CONSTRAINT staged_import_id IF NOT EXISTS FOR (n:StagedImport) REQUIRE n.id IS UNIQUE",
)

LOCK = "MERGE (l:SupplynetLock {id: $name}) SET l.taken_at = datetime() RETURN l.id"
"""Serialises writers of one aggregate: the lock node is held until the transaction ends."""

CLEAR = """
MATCH (n) WHERE n:Location OR n:Sku OR n:Plan OR n:PlanLine OR n:PlanDetail OR n:SupplynetLock
      OR n:StagedLocation OR n:StagedSku OR n:StagedImport
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS
"""

# ---- network: upserts ----
# Nodes MERGE on their constrained id. Edges are split by the caller, which holds the
# network lock and has read the stored edge keys: new edges are CREATEd, stored ones
# MATCHed and updated. That is MERGE's outcome without MERGE's per-row scan of the
# transaction's own new relationships, which slows big ingests down several-fold.
# Node rows are property maps. Edge rows are plain lists, [start, end, *values in
# EDGE_PROPERTIES order]: no per-row map keys to pack, send, decode and hash, which made
# edge batches about a third cheaper on both sides than {a, b, p: {...}} maps.
# ``start`` and ``end`` are positions in the batch's $starts and $ends id lists: each
# distinct endpoint is looked up once per batch (about 1,100 index seeks for 10,000
# inventory positions instead of 20,000, which took ~40% of the statements' server CPU).
# A missing id yields [null], so its edge fails the statement instead of shifting the list.

UPSERT_NODES = {
    "suppliers": "UNWIND $rows AS row MERGE (n:Location {id: row.id}) SET n:Supplier, n += row",
    "warehouses": "UNWIND $rows AS row MERGE (n:Location {id: row.id}) SET n:Warehouse, n += row",
    "stores": "UNWIND $rows AS row MERGE (n:Location {id: row.id}) SET n:Store, n += row",
    "skus": "UNWIND $rows AS row MERGE (n:Sku {id: row.id}) SET n += row",
}

EDGE_PROPERTIES = {
    "supply_lanes": (
        "sku_id",
        "lead_time_mean_days",
        "lead_time_std_days",
        "unit_cost",
        "fixed_order_cost",
        "moq",
        "lot_size",
        "capacity_per_day",
    ),
    "supply_lane_prices": ("sku_id", "from_date", "min_quantity", "unit_cost"),
    "transport_lanes": (
        "distance_km",
        "transit_time_days",
        "cost_per_unit",
        "cost_per_km",
        "capacity_per_day",
    ),
    "inventory_positions": ("on_hand", "storage_capacity", "holding_cost_per_day"),
    "open_orders": ("quantity", "due_date"),
    "substitutions": ("strength",),
    "bill_of_materials": ("plant_id", "quantity_per_unit", "assembly_lead_time_days"),
}
"""Relationship properties per edge table, in edge-row order after the two endpoints."""

_LOCATION_TO_LOCATION = """
    CALL () { UNWIND $starts AS id OPTIONAL MATCH (n:Location {id: id}) RETURN collect([n]) AS s }
    CALL () { UNWIND $ends AS id OPTIONAL MATCH (n:Location {id: id}) RETURN collect([n]) AS e }
    UNWIND $rows AS row WITH s[row[0]][0] AS a, e[row[1]][0] AS b, row"""
_LOCATION_TO_SKU = """
    CALL () { UNWIND $starts AS id OPTIONAL MATCH (n:Location {id: id}) RETURN collect([n]) AS s }
    CALL () { UNWIND $ends AS id OPTIONAL MATCH (n:Sku {id: id}) RETURN collect([n]) AS e }
    UNWIND $rows AS row WITH s[row[0]][0] AS a, e[row[1]][0] AS b, row"""
_SKU_TO_SKU = """
    CALL () { UNWIND $starts AS id OPTIONAL MATCH (n:Sku {id: id}) RETURN collect([n]) AS s }
    CALL () { UNWIND $ends AS id OPTIONAL MATCH (n:Sku {id: id}) RETURN collect([n]) AS e }
    UNWIND $rows AS row WITH s[row[0]][0] AS a, e[row[1]][0] AS b, row"""
"""Bind ``a`` and ``b`` per row from the batch's endpoint lists (one seek per distinct id)."""

CREATE_EDGES = {
    "supply_lanes": _LOCATION_TO_LOCATION
    + """
        CREATE (a)-[:SUPPLIES {sku_id: row[2], lead_time_mean_days: row[3],
            lead_time_std_days: row[4], unit_cost: row[5], fixed_order_cost: row[6],
            moq: row[7], lot_size: row[8], capacity_per_day: row[9]}]->(b)""",
    "supply_lane_prices": _LOCATION_TO_LOCATION
    + """
        CREATE (a)-[:PRICES {sku_id: row[2], from_date: row[3], min_quantity: row[4],
            unit_cost: row[5]}]->(b)""",
    "transport_lanes": _LOCATION_TO_LOCATION
    + """
        CREATE (a)-[:SHIPS_TO {distance_km: row[2], transit_time_days: row[3],
            cost_per_unit: row[4], cost_per_km: row[5], capacity_per_day: row[6]}]->(b)""",
    "inventory_positions": _LOCATION_TO_SKU
    + """
        CREATE (a)-[:STOCKS {on_hand: row[2], storage_capacity: row[3],
            holding_cost_per_day: row[4]}]->(b)""",
    "open_orders": _LOCATION_TO_SKU
    + """
        CREATE (a)-[:ON_ORDER {quantity: row[2], due_date: row[3]}]->(b)""",
    "substitutions": _SKU_TO_SKU
    + """
        CREATE (a)-[:SUBSTITUTED_BY {strength: row[2]}]->(b)""",
    "bill_of_materials": _SKU_TO_SKU
    + """
        CREATE (a)-[:MADE_FROM {plant_id: row[2], quantity_per_unit: row[3],
            assembly_lead_time_days: row[4]}]->(b)""",
}
"""A null value creates no property, as the record's ``None`` reads back."""

UPDATE_EDGES = {
    "supply_lanes": _LOCATION_TO_LOCATION
    + """
        MATCH (a)-[r:SUPPLIES {sku_id: row[2]}]->(b)
        SET r.lead_time_mean_days = row[3], r.lead_time_std_days = row[4],
            r.unit_cost = row[5], r.fixed_order_cost = row[6], r.moq = row[7],
            r.lot_size = row[8], r.capacity_per_day = row[9]""",
    "supply_lane_prices": _LOCATION_TO_LOCATION
    + """
        MATCH (a)-[r:PRICES {sku_id: row[2], from_date: row[3], min_quantity: row[4]}]->(b)
        SET r.unit_cost = row[5]""",
    "transport_lanes": _LOCATION_TO_LOCATION
    + """
        MATCH (a)-[r:SHIPS_TO]->(b)
        SET r.distance_km = row[2], r.transit_time_days = row[3], r.cost_per_unit = row[4],
            r.cost_per_km = row[5], r.capacity_per_day = row[6]""",
    "inventory_positions": _LOCATION_TO_SKU
    + """
        MATCH (a)-[r:STOCKS]->(b)
        SET r.on_hand = row[2], r.storage_capacity = row[3],
            r.holding_cost_per_day = row[4]""",
    "open_orders": _LOCATION_TO_SKU
    + """
        MATCH (a)-[r:ON_ORDER {due_date: row[3]}]->(b)
        SET r.quantity = row[2]""",
    "substitutions": _SKU_TO_SKU
    + """
        MATCH (a)-[r:SUBSTITUTED_BY]->(b)
        SET r.strength = row[2]""",
    "bill_of_materials": _SKU_TO_SKU
    + """
        MATCH (a)-[r:MADE_FROM {plant_id: row[2]}]->(b)
        SET r.quantity_per_unit = row[3], r.assembly_lead_time_days = row[4]""",
}
"""Both endpoints are bound first, so the planner joins them with Expand(Into) (6x faster
than expanding a dense warehouse's relationships). Setting a null removes the property."""

EDGE_KEYS = {
    "supply_lanes": "MATCH (a:Supplier)-[r:SUPPLIES]->(b:Warehouse) "
    "RETURN collect([a.id, b.id, r.sku_id]) AS keys",
    "supply_lane_prices": "MATCH (a:Supplier)-[r:PRICES]->(b:Warehouse) RETURN collect([a.id, "
    "b.id, r.sku_id, toString(r.from_date), toString(r.min_quantity)]) AS keys",
    "transport_lanes": "MATCH (a:Location)-[:SHIPS_TO]->(b:Location) "
    "RETURN collect([a.id, b.id]) AS keys",
    "inventory_positions": "MATCH (a:Location)-[:STOCKS]->(b:Sku) "
    "RETURN collect([a.id, b.id]) AS keys",
    "open_orders": "MATCH (a:Location)-[r:ON_ORDER]->(b:Sku) "
    "RETURN collect([a.id, b.id, toString(r.due_date)]) AS keys",
    "substitutions": "MATCH (a:Sku)-[:SUBSTITUTED_BY]->(b:Sku) "
    "RETURN collect([a.id, b.id]) AS keys",
    "bill_of_materials": "MATCH (a:Sku)-[r:MADE_FROM]->(b:Sku) "
    "RETURN collect([r.plant_id, a.id, b.id]) AS keys",
}
"""The keys of the stored edges of each table, in ``Record.key()`` order."""

UPSERT_ONE_POSITION = """
MATCH (a:Location {id: $a}) MATCH (b:Sku {id: $b})
MERGE (a)-[r:STOCKS]->(b) SET r += $p
"""
"""Row-at-a-time baseline for the ingest benchmark."""

STORED_LOCATIONS = """
MATCH (n:Location)
RETURN n.id AS id,
       CASE WHEN n:Supplier THEN 'suppliers' WHEN n:Warehouse THEN 'warehouses'
            ELSE 'stores' END AS table
"""
STORED_SKUS = "MATCH (n:Sku) RETURN n.id AS id"

# ---- network: reads ($x IS NULL means "no restriction") ----

READ = {
    "suppliers": """
        MATCH (n:Supplier) WHERE $ids IS NULL OR n.id IN $ids
        RETURN collect(n {.*}) AS rows""",
    "warehouses": """
        MATCH (n:Warehouse)
        WHERE ($ids IS NULL OR n.id IN $ids) AND ($regions IS NULL OR n.region IN $regions)
        RETURN collect(n {.*}) AS rows""",
    "stores": "MATCH (n:Store) WHERE $ids IS NULL OR n.id IN $ids RETURN collect(n {.*}) AS rows",
    "skus": "MATCH (n:Sku) WHERE $ids IS NULL OR n.id IN $ids RETURN collect(n {.*}) AS rows",
    "supply_lanes": """
        MATCH (a:Supplier)-[r:SUPPLIES]->(b:Warehouse)
        WHERE ($b IS NULL OR b.id IN $b) AND ($skus IS NULL OR r.sku_id IN $skus)
        RETURN collect(r {.*, supplier_id: a.id, warehouse_id: b.id}) AS rows""",
    "supply_lane_prices": """
        MATCH (a:Supplier)-[r:PRICES]->(b:Warehouse)
        WHERE ($b IS NULL OR b.id IN $b) AND ($skus IS NULL OR r.sku_id IN $skus)
        RETURN collect({supplier_id: a.id, warehouse_id: b.id, sku_id: r.sku_id,
                        from_date: toString(r.from_date), min_quantity: r.min_quantity,
                        unit_cost: r.unit_cost}) AS rows""",
    "transport_lanes": """
        MATCH (a:Location)-[r:SHIPS_TO]->(b:Location)
        WHERE $a IS NULL OR (a.id IN $a AND b.id IN $a)
        RETURN collect(r {.*, origin_id: a.id, destination_id: b.id}) AS rows""",
    "inventory_positions": """
        MATCH (a:Location)-[r:STOCKS]->(b:Sku)
        WHERE ($a IS NULL OR a.id IN $a) AND ($b IS NULL OR b.id IN $b)
        RETURN collect(r {.*, location_id: a.id, sku_id: b.id}) AS rows""",
    "open_orders": """
        MATCH (a:Location)-[r:ON_ORDER]->(b:Sku)
        WHERE ($a IS NULL OR a.id IN $a) AND ($b IS NULL OR b.id IN $b)
        RETURN collect({location_id: a.id, sku_id: b.id, quantity: r.quantity,
                        due_date: toString(r.due_date)}) AS rows""",
    "substitutions": """
        MATCH (a:Sku)-[r:SUBSTITUTED_BY]->(b:Sku)
        WHERE $b IS NULL OR (a.id IN $b AND b.id IN $b)
        RETURN collect(r {.*, sku_id: a.id, substitute_id: b.id}) AS rows""",
    "bill_of_materials": """
        MATCH (a:Sku)-[r:MADE_FROM]->(b:Sku)
        WHERE ($w IS NULL OR r.plant_id IN $w) AND ($b IS NULL OR (a.id IN $b AND b.id IN $b))
        RETURN collect(r {.*, sku_id: a.id, component_id: b.id}) AS rows""",
}

SERVED_STORE_IDS = """
MATCH (w:Warehouse)-[:SHIPS_TO]->(s:Store) WHERE w.id IN $warehouses
RETURN DISTINCT s.id AS id
"""

# ---- histories: one relationship per series and calendar year, arrays sorted by date ----

LOCK_DEMAND_BUCKETS = """
UNWIND $buckets AS k
MATCH (a:Location {id: k.a}) MATCH (b:Sku {id: k.b})
MERGE (a)-[d:DEMAND {year: k.year}]->(b)
SET d.locked = true
RETURN k.a AS store_id, k.b AS sku_id, [x IN d.date | toString(x)] AS date,
       d.quantity AS quantity,
       d.price AS price, d.promo AS promo
"""
WRITE_DEMAND_BUCKETS = """
UNWIND $buckets AS k
MATCH (a:Location {id: k.a})-[d:DEMAND {year: k.year}]->(b:Sku {id: k.b})
SET d.date = k.date, d.quantity = k.quantity, d.price = k.price, d.promo = k.promo
REMOVE d.locked
"""
READ_DEMAND = """
MATCH (a:Store)-[d:DEMAND]->(b:Sku)
WHERE d.import_id IS NULL AND ($a IS NULL OR a.id IN $a) AND ($b IS NULL OR b.id IN $b)
  AND ($first IS NULL OR d.year >= $first) AND ($last IS NULL OR d.year <= $last)
RETURN a.id AS store_id, b.id AS sku_id, [x IN d.date | toString(x)] AS date,
       d.quantity AS quantity, d.price AS price, d.promo AS promo
"""

LOCK_DELIVERY_BUCKETS = """
UNWIND $buckets AS k
MATCH (a:Location {id: k.a}) MATCH (b:Location {id: k.b})
MERGE (a)-[d:DELIVERIES {sku_id: k.sku, year: k.year}]->(b)
SET d.locked = true
RETURN k.a AS supplier_id, k.b AS warehouse_id, k.sku AS sku_id,
       [x IN d.order_date | toString(x)] AS order_date,
       [x IN d.promised_date | toString(x)] AS promised_date,
       [x IN d.delivered_date | toString(x)] AS delivered_date, d.quantity AS quantity
"""
WRITE_DELIVERY_BUCKETS = """
UNWIND $buckets AS k
MATCH (a:Location {id: k.a})-[d:DELIVERIES {sku_id: k.sku, year: k.year}]->(b:Location {id: k.b})
SET d.order_date = k.order_date, d.promised_date = k.promised_date,
    d.delivered_date = k.delivered_date, d.quantity = k.quantity
REMOVE d.locked
"""
READ_DELIVERIES = """
MATCH (a:Supplier)-[d:DELIVERIES]->(b:Warehouse)
WHERE d.import_id IS NULL AND ($b IS NULL OR b.id IN $b) AND ($skus IS NULL OR d.sku_id IN $skus)
RETURN a.id AS supplier_id, b.id AS warehouse_id, d.sku_id AS sku_id,
       [x IN d.order_date | toString(x)] AS order_date,
       [x IN d.promised_date | toString(x)] AS promised_date,
       [x IN d.delivered_date | toString(x)] AS delivered_date, d.quantity AS quantity
"""

# ---- histories: staged imports (see the module docstring) ----

READ_LIVE_DEMAND_BUCKETS = """
UNWIND $buckets AS k
MATCH (a:Location {id: k.a})-[d:DEMAND {year: k.year}]->(b:Sku {id: k.b})
RETURN k.a AS store_id, k.b AS sku_id, [x IN d.date | toString(x)] AS date,
       d.quantity AS quantity, d.price AS price, d.promo AS promo
"""
STAGE_DEMAND_BUCKETS = """
UNWIND $buckets AS k
OPTIONAL MATCH (stored_a:Location {id: k.a})
OPTIONAL MATCH (new_a:StagedLocation {id: k.a, import_id: $import_id})
OPTIONAL MATCH (stored_b:Sku {id: k.b})
OPTIONAL MATCH (new_b:StagedSku {id: k.b, import_id: $import_id})
WITH k, coalesce(stored_a, new_a) AS a, coalesce(stored_b, new_b) AS b
CREATE (a)-[:DEMAND {import_id: $import_id, staged_year: k.year, date: k.date,
                     quantity: k.quantity, price: k.price, promo: k.promo}]->(b)
"""
COMMIT_DEMAND_BUCKETS = """
MATCH (a)-[s:DEMAND]->(b) WHERE s.import_id = $import_id
OPTIONAL MATCH (a)-[d:DEMAND {year: s.staged_year}]->(b)
DELETE d
SET s.year = s.staged_year
REMOVE s.staged_year, s.import_id
RETURN count(DISTINCT s) AS buckets
"""

READ_LIVE_DELIVERY_BUCKETS = """
UNWIND $buckets AS k
MATCH (a:Location {id: k.a})-[d:DELIVERIES {sku_id: k.sku, year: k.year}]->(b:Location {id: k.b})
RETURN k.a AS supplier_id, k.b AS warehouse_id, k.sku AS sku_id,
       [x IN d.order_date | toString(x)] AS order_date,
       [x IN d.promised_date | toString(x)] AS promised_date,
       [x IN d.delivered_date | toString(x)] AS delivered_date, d.quantity AS quantity
"""
STAGE_DELIVERY_BUCKETS = """
UNWIND $buckets AS k
OPTIONAL MATCH (stored_a:Location {id: k.a})
OPTIONAL MATCH (new_a:StagedLocation {id: k.a, import_id: $import_id})
OPTIONAL MATCH (stored_b:Location {id: k.b})
OPTIONAL MATCH (new_b:StagedLocation {id: k.b, import_id: $import_id})
WITH k, coalesce(stored_a, new_a) AS a, coalesce(stored_b, new_b) AS b
CREATE (a)-[:DELIVERIES {import_id: $import_id, sku_id: k.sku, staged_year: k.year,
                         order_date: k.order_date, promised_date: k.promised_date,
                         delivered_date: k.delivered_date, quantity: k.quantity}]->(b)
"""
COMMIT_DELIVERY_BUCKETS = """
MATCH (a)-[s:DELIVERIES]->(b) WHERE s.import_id = $import_id
OPTIONAL MATCH (a)-[d:DELIVERIES {sku_id: s.sku_id, year: s.staged_year}]->(b)
DELETE d
SET s.year = s.staged_year
REMOVE s.staged_year, s.import_id
RETURN count(DISTINCT s) AS buckets
"""
"""A missing endpoint makes ``CREATE`` fail the statement: nothing is staged silently."""

STAGE_LOCATIONS = "UNWIND $ids AS id CREATE (:StagedLocation {id: id, import_id: $import_id})"
STAGE_SKUS = "UNWIND $ids AS id CREATE (:StagedSku {id: id, import_id: $import_id})"
PROMOTE_STAGED = (
    "MATCH (n:StagedLocation {import_id: $import_id}) "
    "SET n:Location REMOVE n:StagedLocation, n.import_id",
    "MATCH (n:StagedSku {import_id: $import_id}) SET n:Sku REMOVE n:StagedSku, n.import_id",
)
"""Placeholders become the nodes the network upsert then MERGEs (and labels by kind)."""

DROP_STAGED = (
    """MATCH ()-[d:DEMAND]->()
    WHERE d.import_id IS NOT NULL AND ($keep IS NULL OR d.import_id <> $keep)
    CALL (d) { DELETE d } IN TRANSACTIONS OF 2000 ROWS""",
    """MATCH ()-[d:DELIVERIES]->()
    WHERE d.import_id IS NOT NULL AND ($keep IS NULL OR d.import_id <> $keep)
    CALL (d) { DELETE d } IN TRANSACTIONS OF 2000 ROWS""",
    """MATCH (n:StagedLocation) WHERE $keep IS NULL OR n.import_id <> $keep
    CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 2000 ROWS""",
    """MATCH (n:StagedSku) WHERE $keep IS NULL OR n.import_id <> $keep
    CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 2000 ROWS""",
    "MATCH (m:StagedImport) WHERE $keep IS NULL OR m.id <> $keep DELETE m",
)
"""Staged data of every import but ``$keep`` (null: of every import); auto-commit."""

READ_STAGING = """
OPTIONAL MATCH (m:StagedImport {id: $import_id})
OPTIONAL MATCH (v:StoreVersion {id: 'store'})
RETURN m.version AS version, coalesce(m.parts, []) AS parts,
       coalesce(m.buckets, []) AS buckets, coalesce(v.counter, 0) AS counter
"""
START_STAGING = """
CREATE (:StagedImport {id: $import_id, version: $version, parts: [], buckets: []})
"""
STAGED_PART = """
MATCH (m:StagedImport {id: $import_id})
SET m.parts = m.parts + $part, m.buckets = m.buckets + $buckets
"""
DROP_MARKER = "MATCH (m:StagedImport {id: $import_id}) DELETE m"
"""An import's marker: the counter it was staged at and its parts staged so far."""

# ---- plans ----

DELETE_PLAN_LINES = "MATCH (:Plan {id: $id})-[:HAS_LINE]->(l:PlanLine) DETACH DELETE l"
SAVE_PLAN_HEADER = "MERGE (p:Plan {id: $id}) SET p = $props"
SAVE_PLAN_LINES = """
MATCH (p:Plan {id: $id})
UNWIND $lines AS line
CREATE (p)-[:HAS_LINE]->(l:PlanLine) SET l = line
"""
LOAD_PLAN = """
MATCH (p:Plan {id: $id})
OPTIONAL MATCH (p)-[:HAS_LINE]->(l:PlanLine)
WITH p, l ORDER BY l.line_no
RETURN p {.*} AS plan, collect(l {.*}) AS lines
"""
LIST_PLANS = """
MATCH (p:Plan) WHERE $kind IS NULL OR p.kind = $kind
RETURN p.id AS id, p.kind AS kind, p.created_at AS created_at, p.line_count AS line_count,
       p {.*} AS header
"""
DELETE_PLAN_DETAILS = "MATCH (:Plan {id: $id})-[:HAS_DETAIL]->(d:PlanDetail) DETACH DELETE d"
SAVE_PLAN_DETAILS = """
MATCH (p:Plan {id: $id})
UNWIND $rows AS row
CREATE (p)-[:HAS_DETAIL]->(d:PlanDetail) SET d = row
"""
LOAD_PLAN_DETAILS = """
MATCH (:Plan {id: $id})-[:HAS_DETAIL]->(d:PlanDetail)
WITH d ORDER BY d.detail, d.row_no
RETURN d {.*} AS row
"""
BUMP_VERSION = """
MERGE (v:StoreVersion {id: 'store'})
SET v.counter = coalesce(v.counter, 0) + 1
"""
READ_VERSION = "MATCH (v:StoreVersion {id: 'store'}) RETURN v.counter AS counter"

# ---- analyst examples (README "Neo4j"; tests run each one) ----

EXAMPLES = {
    "latest replenishment plan, line by line": """
        MATCH (p:Plan {kind: 'replenishment'})
        WITH p ORDER BY p.created_at DESC LIMIT 1
        MATCH (p)-[:HAS_LINE]->(l:PlanLine)
        OPTIONAL MATCH (k:Sku {id: l.sku_id})
        RETURN p.id AS plan, l.line_no AS line, l.sku_id AS sku, k.category AS category,
               l.quantity AS quantity
        ORDER BY line""",
    "single-sourced SKUs per warehouse": """
        MATCH (s:Supplier)-[l:SUPPLIES]->(w:Warehouse)
        WITH w, l.sku_id AS sku, count(s) AS suppliers
        WHERE suppliers = 1
        RETURN w.id AS warehouse, count(sku) AS single_sourced_skus
        ORDER BY single_sourced_skus DESC, warehouse""",
    "late-delivery share per supplier": """
        MATCH (s:Supplier)-[d:DELIVERIES]->(:Warehouse) WHERE d.import_id IS NULL
        UNWIND range(0, size(d.order_date) - 1) AS i
        WITH s, d, i WHERE d.delivered_date[i] <> date('9999-12-31')
        RETURN s.id AS supplier, count(*) AS delivered,
               avg(CASE WHEN d.delivered_date[i] > d.promised_date[i] THEN 1.0 ELSE 0.0 END)
                 AS late_share
        ORDER BY late_share DESC, supplier""",
}
