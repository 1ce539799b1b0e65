"""Proto <-> domain conversions, and nothing else.

Requests become plain rows that the domain model validates, so gRPC checks input
with exactly the rules of every other entry point. Problem paths come back in the
request's terms: ``warehouses[0].storage_capacity`` -> ``nodes[3].warehouse.storage_capacity``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from google.protobuf.message import Message

from supplynet.forecasting.forecast import DemandForecast
from supplynet.forecasting.series_index import SeriesForecast
from supplynet.gnn.risk_scores import RiskScores
from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.model import Record, Sku, Store, Supplier, Warehouse
from supplynet.graph.plans import Row, Scalar, StoredPlan
from supplynet.graph.scope import Scope
from supplynet.server.app.plans import (
    EXPLANATIONS,
    STOCK,
    WARNINGS,
    LinesPage,
    kpis,
    prefixed,
)
from supplynet.server.app.risk_ranking import ranked_scores
from supplynet.v1 import common_pb2, forecast_pb2, network_pb2, plan_pb2, risk_pb2

NODE_TABLES = {"supplier": "suppliers", "warehouse": "warehouses", "store": "stores", "sku": "skus"}
EDGE_TABLES = {
    "supply_lane": "supply_lanes",
    "transport_lane": "transport_lanes",
    "inventory_position": "inventory_positions",
    "open_order": "open_orders",
    "substitution": "substitutions",
    "bom_line": "bill_of_materials",
    "supply_lane_price": "supply_lane_prices",
}
NODE_KINDS = {Supplier: "supplier", Warehouse: "warehouse", Store: "store", Sku: "sku"}
_TABLE_PATH = re.compile(r"^(\w+\[\d+\])(.*)$")


T = TypeVar("T", int, float)


def unset_if_zero(value: T) -> T | None:
    """proto3 cannot tell an unset number from 0: 0 means "use the default" on every RPC."""
    return value if value else None


def scope_from_proto(scope: common_pb2.Scope) -> Scope | None:
    """The domain scope; ``None`` when nothing is restricted."""

    def axis(values: Iterable[str]) -> frozenset[str] | None:
        kept = frozenset(v for v in values if v)
        return kept or None

    result = Scope(
        warehouse_ids=axis(scope.warehouse_ids),
        sku_ids=axis(scope.sku_ids),
        regions=axis(scope.regions),
    )
    return None if result.is_everything() else result


def message_row(message: Message) -> dict[str, Any]:
    """A message's fields as a row; unset ``optional`` fields are left out (domain defaults)."""
    return {
        field.name: getattr(message, field.name)
        for field in message.DESCRIPTOR.fields
        if not field.has_presence or message.HasField(field.name)
    }


class NetworkRows:
    """Rows per table gathered from labelled nodes and edges, remembering where each came from."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.problems: list[Problem] = []
        self._origin: dict[str, str] = {}

    def add(self, label: str, message: network_pb2.Node | network_pb2.Edge) -> None:
        """Add one node or edge; ``label`` is its path in the request, e.g. ``nodes[3]``."""
        kind = message.WhichOneof("kind")
        if kind is None:
            self.problems.append(Problem(label, "kind not set"))
            return
        tables = NODE_TABLES if isinstance(message, network_pb2.Node) else EDGE_TABLES
        table = tables[kind]
        rows = self.rows.setdefault(table, [])
        self._origin[f"{table}[{len(rows)}]"] = f"{label}.{kind}"
        rows.append(message_row(getattr(message, kind)))

    def locate(self, problems: Iterable[Problem]) -> list[Problem]:
        """Problems with table paths rewritten to request paths."""
        located = []
        for problem in problems:
            match = _TABLE_PATH.match(problem.path)
            origin = self._origin.get(match.group(1)) if match else None
            path = origin + match.group(2) if origin and match else problem.path
            located.append(Problem(path, problem.reason))
        return located


def node_to_proto(record: Record) -> network_pb2.Node:
    """A supplier, warehouse, store or SKU as a ``Node``."""
    kind = NODE_KINDS[type(record)]
    values = {k: v for k, v in record.model_dump().items() if v is not None}
    node = network_pb2.Node(name=f"nodes/{record.key()[0]}")
    getattr(node, kind).CopyFrom(getattr(network_pb2, type(record).__name__)(**values))
    return node


def resource_id(name: str, collection: str) -> str | None:
    """``{collection}/{id}`` -> id, or ``None`` for a malformed name."""
    prefix, _, key = name.partition("/")
    return key if prefix == collection and key and "/" not in key else None


def name_id(name: str, collection: str, field: str = "name") -> str:
    """``{collection}/{id}`` -> id; raises ``ValidationFailed`` naming ``field``."""
    key = resource_id(name, collection)
    if key is None:
        raise ValidationFailed([Problem(field, f"expected {collection}/{{id}}")], "request")
    return key


def scalar_to_proto(value: Scalar) -> common_pb2.Scalar:
    if isinstance(value, bool):
        return common_pb2.Scalar(bool_value=value)
    if isinstance(value, int):
        return common_pb2.Scalar(int_value=value)
    if isinstance(value, float):
        return common_pb2.Scalar(double_value=value)
    if value is None:
        return common_pb2.Scalar()
    return common_pb2.Scalar(string_value=str(value))


def scalar_from_proto(value: common_pb2.Scalar) -> Scalar:
    kind = value.WhichOneof("kind")
    return None if kind is None else getattr(value, kind)


def scalars_to_proto(values: Mapping[str, Scalar]) -> dict[str, common_pb2.Scalar]:
    return {key: scalar_to_proto(value) for key, value in values.items()}


def plan_to_proto(plan: StoredPlan) -> plan_pb2.Plan:
    """A stored plan with its header, every line and its details (``server.app.plans``)."""
    message = plan_pb2.Plan(
        name=f"plans/{plan.id}",
        kind=plan.kind,
        attributes=scalars_to_proto(kpis(plan)),
        lines=plan_lines_to_proto(plan.lines),
        warnings=[str(row["message"]) for row in plan.detail(WARNINGS)],
        explanations=[explanation_to_proto(row) for row in plan.detail(EXPLANATIONS)],
        projected_stock=[stock_to_proto(row) for row in plan.detail(STOCK)],
        settings=scalars_to_proto(prefixed(plan, "setting_")),
        inputs=scalars_to_proto(prefixed(plan, "input_")),
    )
    message.create_time.FromDatetime(_utc(plan.created_at))
    return message


def plan_lines_to_proto(rows: Iterable[Row]) -> list[plan_pb2.PlanLine]:
    return [plan_pb2.PlanLine(fields=scalars_to_proto(row)) for row in rows]


def explanation_to_proto(row: Row) -> plan_pb2.PlanExplanation:
    periods = str(row.get("periods") or "")
    return plan_pb2.PlanExplanation(
        kind=str(row["kind"]),
        constraint=str(row["constraint"]),
        location_id=str(row["location_id"]),
        sku_id=str(row.get("sku_id") or ""),
        periods=[int(p) for p in periods.split(",") if p],
        shortfall=float(row["shortfall"] or 0.0),
        message=str(row["message"]),
    )


def stock_to_proto(row: Row) -> plan_pb2.ProjectedStock:
    units = ("demand", "stock", "shortage", "target", "below_target")
    return plan_pb2.ProjectedStock(
        location_id=str(row["location_id"]),
        sku_id=str(row["sku_id"]),
        period=int(row["period"] or 0),
        period_start=str(row["period_start"]),
        **{name: float(row[name] or 0.0) for name in units},
    )


def lines_page_to_proto(page: LinesPage) -> plan_pb2.ListPlanLinesResponse:
    return plan_pb2.ListPlanLinesResponse(
        lines=plan_lines_to_proto(page.rows),
        next_page_token=page.next_page_token,
        total_size=page.total,
    )


def plan_lines(plan: plan_pb2.Plan) -> list[dict[str, Scalar]]:
    """A plan's lines as plain dicts (client side, e.g. for a DataFrame)."""
    return [{k: scalar_from_proto(v) for k, v in line.fields.items()} for line in plan.lines]


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def forecast_to_proto(forecast: DemandForecast) -> forecast_pb2.ForecastDemandResponse:
    """Every row of a forecast, periods as ISO dates."""
    frame = forecast.frame.assign(
        period=pd.to_datetime(forecast.frame["period"]).dt.strftime("%Y-%m-%d")
    )
    rows = frame[list(DemandForecast.COLUMNS)].to_dict("records")
    points = [forecast_pb2.ForecastPoint(**row) for row in rows]
    return forecast_pb2.ForecastDemandResponse(points=points, freq=forecast.freq)


@functools.lru_cache(maxsize=256)
def _iso_periods(first: np.datetime64, count: int, step_days: int) -> list[str]:
    """``count`` periods ``step_days`` apart as ISO dates: every series of a history ends on
    the same day, so the list is shared."""
    days = first + np.arange(count) * np.timedelta64(step_days, "D")
    return np.datetime_as_string(days, unit="D").tolist()  # type: ignore[no-any-return]


def series_forecasts_to_proto(
    forecasts: list[SeriesForecast], freq: str
) -> forecast_pb2.ForecastDemandResponse:
    """Forecasts built straight from their arrays: the same rows as ``forecast_to_proto``."""
    response = forecast_pb2.ForecastDemandResponse(freq=freq)
    step = 7 if freq == "W" else 1
    add = response.points.add
    for forecast in forecasts:
        store, sku = forecast.key
        periods = _iso_periods(forecast.periods[0], len(forecast.periods), step)
        columns = (values.tolist() for values in forecast.path)
        for period, mean, p10, p50, p90 in zip(periods, *columns, strict=True):
            add(
                location_id=store, sku_id=sku, period=period, mean=mean, p10=p10, p50=p50,
                p90=p90, model=forecast.model,
            )  # fmt: skip
    return response


ENTITY_TYPES = {
    "supplier": risk_pb2.ENTITY_TYPE_SUPPLIER,
    "supply_lane": risk_pb2.ENTITY_TYPE_SUPPLY_LANE,
}


def risk_to_proto(scores: RiskScores, model_version: str) -> risk_pb2.ScoreRiskResponse:
    """Every score in the one ranking order, entity types as the proto enum."""
    rows = ranked_scores(scores)[list(RiskScores.COLUMNS)].to_dict("records")
    return risk_pb2.ScoreRiskResponse(
        scores=[
            risk_pb2.RiskScore(**{**row, "entity_type": ENTITY_TYPES[str(row["entity_type"])]})
            for row in rows
        ],
        model_version=model_version,
    )
