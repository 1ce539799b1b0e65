"""PricingService over a real socket on the tiny network: the same answer as the use case,
every price explained, markdown schedules monotone, planned prices saved on request, and
bad input answered INVALID_ARGUMENT naming the field."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from rpc_harness import ServerThread, running_server, settings, violations

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.app import price as use
from supplynet.server.app import price_plans
from supplynet.server.app.recommend import network_today
from supplynet.v1 import common_pb2, pricing_pb2, pricing_pb2_grpc


@pytest.fixture(scope="module")
def store_and_server(
    tiny: SyntheticDataset, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[EmbeddedStore, ServerThread]]:
    root = tmp_path_factory.mktemp("pricing")
    store = EmbeddedStore(root)
    store.upsert_network(tiny.network)
    store.append_demand(tiny.demand)
    with running_server(settings(root), store) as running:
        yield store, running


@pytest.fixture(scope="module")
def stub(
    store_and_server: tuple[EmbeddedStore, ServerThread],
) -> pricing_pb2_grpc.PricingServiceStub:
    return pricing_pb2_grpc.PricingServiceStub(grpc.insecure_channel(store_and_server[1].target))


def test_answers_what_the_use_case_answers(
    stub: pricing_pb2_grpc.PricingServiceStub, tiny: SyntheticDataset
) -> None:
    reply = stub.RecommendPrices(pricing_pb2.RecommendPricesRequest(max_change=0.1), timeout=120)
    request = use.price_request(tiny.network, max_change=0.1)
    basis = use.pricing_basis(request, tiny.network, tiny.demand)
    expected = use.price(request, basis, None, network_today(tiny.demand))
    got = {r.sku_id: r.recommended_price for r in reply.recommendations}
    assert got == expected.prices.prices()
    assert reply.solver_status == "OPTIMAL"
    assert reply.margin_per_day_after >= reply.margin_per_day_now
    for r in reply.recommendations:
        assert abs(r.recommended_price / r.current_price - 1) <= 0.1 + 1e-9
        assert r.reasons and r.reasons[0].startswith("own elasticity")
        assert r.own_elasticity_low <= r.own_elasticity <= r.own_elasticity_high


def test_markdowns_and_planned_prices(
    stub: pricing_pb2_grpc.PricingServiceStub,
    store_and_server: tuple[EmbeddedStore, ServerThread],
    tiny: SyntheticDataset,
) -> None:
    reply = stub.RecommendPrices(
        pricing_pb2.RecommendPricesRequest(
            max_change=0.05, include_markdowns=True, apply_as_planned_prices=True
        ),
        timeout=120,
    )
    assert reply.markdowns and reply.planned_prices_applied
    for schedule in reply.markdowns:
        discounts = [s.discount for s in schedule.steps]
        assert discounts == sorted(discounts) and schedule.steps[0].day == 0
        assert schedule.expected_waste_units <= schedule.no_markdown_waste_units + 1e-9
    saved = price_plans.latest_price_plan(store_and_server[0])
    assert saved is not None
    future = price_plans.price_future(saved, tiny.demand)
    prices = {r.sku_id: r.recommended_price for r in reply.recommendations}
    assert (future["price"] == future["sku_id"].map(prices)).all()
    assert future["date"].min().date() == network_today(tiny.demand)


def test_bad_input_names_the_field(stub: pricing_pb2_grpc.PricingServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as bad:
        stub.RecommendPrices(
            pricing_pb2.RecommendPricesRequest(
                max_change=1.5,
                scope=common_pb2.Scope(sku_ids=["NOPE"]),
                store_ids=["NOWHERE"],
            )
        )
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(bad.value)) == {"max_change", "scope.sku_ids", "store_ids[0]"}
