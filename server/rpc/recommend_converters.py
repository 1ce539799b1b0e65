"""Proto <-> domain conversions of ``RecommendationService``, and nothing else."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from supplynet.graph.errors import Problem
from supplynet.server.app import recommend as use
from supplynet.server.rpc.converters import unset_if_zero
from supplynet.v1 import recommendation_pb2

if TYPE_CHECKING:
    from supplynet.optimizer.recommend.result import Recommendations

Use = recommendation_pb2.RecommendationUse
USE_NAMES: dict[int, str] = {
    Use.RECOMMENDATION_USE_UNSPECIFIED: "substitute",
    Use.RECOMMENDATION_USE_SUBSTITUTE: "substitute",
    Use.RECOMMENDATION_USE_LISTING: "listing",
    Use.RECOMMENDATION_USE_ALTERNATE_SUPPLIER: "alternate-supplier",
}
USE_VALUES = {
    "substitute": Use.RECOMMENDATION_USE_SUBSTITUTE,
    "listing": Use.RECOMMENDATION_USE_LISTING,
    "alternate-supplier": Use.RECOMMENDATION_USE_ALTERNATE_SUPPLIER,
}


def request_from_proto(request: recommendation_pb2.RecommendSkusRequest) -> use.RecommendRequest:
    """The checked request; an unknown use or a bad date is reported with the rest."""
    found = []
    name = USE_NAMES.get(request.use)
    if name is None:
        found.append(Problem("use", f"unknown use {request.use}"))
    need_date = None
    if request.need_date:
        try:
            need_date = dt.date.fromisoformat(request.need_date)
        except ValueError:
            found.append(Problem("need_date", f"not a YYYY-MM-DD date, got {request.need_date!r}"))
    return use.recommend_request(
        found,
        use=name,
        sku_id=request.sku_id,
        store_id=request.store_id,
        need_date=need_date,
        limit=unset_if_zero(request.limit),
    )


def recommendations_to_proto(
    answer: Recommendations,
) -> recommendation_pb2.RecommendSkusResponse:
    """The response, built field by field: keyword construction of a message with a map
    field goes through a pure-Python ``update`` and took twice as long (a tenth of a
    light call's CPU)."""
    response = recommendation_pb2.RecommendSkusResponse(
        use=USE_VALUES[answer.use],
        need_date=answer.need_date.isoformat(),
        model_version=answer.model_version,
        fallback=answer.fallback,
        note=answer.note,
    )
    add = response.recommendations.add
    for r in answer.items:
        item = add()
        item.sku_id = r.sku_id
        item.score = r.score
        item.reason = r.reason
        item.supplier_id = r.supplier_id
        numbers = item.numbers
        for name, value in r.numbers.items():
            numbers[name] = value
    return response


def on_need_date(
    response: recommendation_pb2.RecommendSkusResponse, need_date: dt.date
) -> recommendation_pb2.RecommendSkusResponse:
    """A kept answer that holds on any date, for ``need_date`` (a copy: kept ones stay)."""
    day = need_date.isoformat()
    if response.need_date == day:
        return response
    dated = recommendation_pb2.RecommendSkusResponse()
    dated.CopyFrom(response)
    dated.need_date = day
    return dated
