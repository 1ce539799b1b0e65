"""RecommendationService over a real socket with a real (small) LightGCN trained on the tiny
network: answers match the in-process recommender, out-of-stock SKUs never come back, and
bad requests name their field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import grpc
import pytest
from rpc_harness import ServerThread, error_info, running_server, settings, violations

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.network import Network
from supplynet.graph.plans import StoredPlan
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.optimizer.recommend.lightgcn import RankerParams
from supplynet.optimizer.recommend.model import RecommendModel, train_recommend_model
from supplynet.optimizer.recommend.recommender import Recommender
from supplynet.optimizer.recommend.shelf_stock import ShelfStock
from supplynet.v1 import recommendation_pb2, recommendation_pb2_grpc

Use = recommendation_pb2.RecommendationUse


@pytest.fixture(scope="module")
def model(tiny: SyntheticDataset) -> RecommendModel:
    params = RankerParams(embedding_dim=8, layers=2, epochs=20, learning_rate=5e-2, seed=1)
    return train_recommend_model(tiny.network, tiny.demand, params)


def filled_store(root: Path, tiny: SyntheticDataset, model: RecommendModel) -> EmbeddedStore:
    """The tiny network and its demand in an embedded store at ``root``, with ``model`` saved."""
    store = EmbeddedStore(root)
    store.upsert_network(tiny.network)
    store.append_demand(tiny.demand)
    (root / "models").mkdir()
    (root / "models" / "recommend.pt").write_bytes(model.checkpoint().to_bytes())
    return store


@pytest.fixture(scope="module")
def server(
    tiny: SyntheticDataset, model: RecommendModel, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerThread]:
    root = tmp_path_factory.mktemp("recommend")
    filled_store(root, tiny, model)
    with running_server(settings(root)) as running:
        yield running


NEED_DAY = dt.date(2026, 1, 2)
SUBSTITUTES_OF_K0001 = recommendation_pb2.RecommendSkusRequest(
    sku_id="K0001", store_id="S0001", need_date=NEED_DAY.isoformat(), limit=5
)
"""What the tests that change the store while a server runs ask."""


@contextmanager
def own_server(root: Path) -> Iterator[recommendation_pb2_grpc.RecommendationServiceStub]:
    """A server of its own over the store at ``root`` (for tests that change that store)."""
    with running_server(settings(root)) as running:
        yield recommendation_pb2_grpc.RecommendationServiceStub(
            grpc.insecure_channel(running.target)
        )


@pytest.fixture(scope="module")
def stub(server: ServerThread) -> recommendation_pb2_grpc.RecommendationServiceStub:
    return recommendation_pb2_grpc.RecommendationServiceStub(grpc.insecure_channel(server.target))


def test_substitutes_match_the_recommender_and_are_in_stock(
    stub: recommendation_pb2_grpc.RecommendationServiceStub,
    tiny: SyntheticDataset,
    model: RecommendModel,
) -> None:
    stock = ShelfStock.build(tiny.network)
    local = Recommender(model, tiny.network, stock)
    day = dt.date(2026, 1, 2)
    for store in tiny.network.stores[:3]:
        reply = stub.RecommendSkus(
            recommendation_pb2.RecommendSkusRequest(
                sku_id="K0001", store_id=store.id, need_date=day.isoformat(), limit=5
            ),
            timeout=60,
        )
        expected = local.substitute("K0001", store.id, day, 5)
        assert [(r.sku_id, r.score) for r in reply.recommendations] == [
            (r.sku_id, r.score) for r in expected.items
        ]
        assert reply.use == Use.RECOMMENDATION_USE_SUBSTITUTE
        assert reply.model_version == model.version and not reply.fallback
        for item in reply.recommendations:
            assert stock.units_on(store.id, day)[stock.skus[item.sku_id]] >= 1.0
            assert item.numbers["units_on_shelf"] >= 1.0 and item.reason


def test_alternate_suppliers_name_supplier_lead_time_and_cost(
    stub: recommendation_pb2_grpc.RecommendationServiceStub,
) -> None:
    reply = stub.RecommendSkus(
        recommendation_pb2.RecommendSkusRequest(
            sku_id="K0001", store_id="W001", use=Use.RECOMMENDATION_USE_ALTERNATE_SUPPLIER
        ),
        timeout=60,
    )
    assert reply.need_date == "2025-12-31"  # the day after the tiny history's last sale
    for item in reply.recommendations:
        assert item.supplier_id and "lead time" in item.reason
        assert {"lead_time_days", "unit_cost", "late_probability"} <= set(item.numbers)


@pytest.mark.parametrize(
    ("request_fields", "code", "field"),
    [
        ({"sku_id": "K9999", "store_id": "S0001"}, grpc.StatusCode.NOT_FOUND, ""),
        ({"sku_id": "K0001", "store_id": "S9999"}, grpc.StatusCode.NOT_FOUND, ""),
        ({"sku_id": "K0001", "store_id": "S0001", "limit": 1001}, None, "limit"),
        ({"sku_id": "K0001", "store_id": "S0001", "need_date": "01/02/2026"}, None, "need_date"),
        ({"store_id": "S0001"}, None, "sku_id"),
    ],
)
def test_bad_requests_are_rejected_naming_the_field(
    stub: recommendation_pb2_grpc.RecommendationServiceStub,
    request_fields: dict[str, object],
    code: grpc.StatusCode | None,
    field: str,
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.RecommendSkus(recommendation_pb2.RecommendSkusRequest(**request_fields), timeout=60)
    if code is not None:
        assert caught.value.code() == code
        assert error_info(caught.value).reason == "NOT_FOUND"
        assert "9999" in (caught.value.details() or "")
    else:
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field in violations(caught.value)


def test_a_retrained_model_answers_without_a_restart(
    tiny: SyntheticDataset, model: RecommendModel, tmp_path: Path
) -> None:
    filled_store(tmp_path, tiny, model)
    checkpoint = tmp_path / "models" / "recommend.pt"
    params = RankerParams(embedding_dim=8, layers=2, epochs=20, learning_rate=5e-2, seed=2)
    newer = train_recommend_model(tiny.network, tiny.demand, params)
    request = recommendation_pb2.RecommendSkusRequest(sku_id="K0002", store_id="S0002")
    with own_server(tmp_path) as stub:
        assert stub.RecommendSkus(request, timeout=60).model_version == model.version
        checkpoint.write_bytes(newer.checkpoint().to_bytes())
        versions = set()
        for _ in range(200):  # the old model answers while the new one is built behind
            versions.add(stub.RecommendSkus(request, timeout=60).model_version)
            if newer.version in versions:
                break
        assert versions <= {model.version, newer.version}
        assert newer.version in versions


def test_a_new_plan_s_arrivals_count_without_a_restart(
    tiny: SyntheticDataset, model: RecommendModel, tmp_path: Path
) -> None:
    """The recommender follows the store's plans version: a saved plan's arrivals show."""
    store = filled_store(tmp_path, tiny, model)
    request = SUBSTITUTES_OF_K0001
    with own_server(tmp_path) as stub:
        first = stub.RecommendSkus(request, timeout=60).recommendations[0]
        before = first.numbers["units_on_shelf"]
        arrival = {"sku_id": first.sku_id, "destination_id": "S0001", "quantity": 1000.0,
                   "arrival_date": NEED_DAY.isoformat()}  # fmt: skip
        store.save_plan(
            StoredPlan(id="restock", kind="replenishment", created_at=dt.datetime(2026, 1, 1),
                       lines=(arrival,))
        )  # fmt: skip
        shelves = set()
        for _ in range(200):  # the old recommender answers while the new one is built
            reply = stub.RecommendSkus(request, timeout=60)
            shelves |= {
                r.numbers["units_on_shelf"]
                for r in reply.recommendations
                if r.sku_id == first.sku_id
            }
            if before + 1000.0 in shelves:
                break
        assert shelves <= {before, before + 1000.0}
        assert before + 1000.0 in shelves


def test_a_stock_change_in_the_store_counts_without_a_restart(
    tiny: SyntheticDataset, model: RecommendModel, tmp_path: Path
) -> None:
    """The recommender follows the store's version (read in the same hop as the model and
    plan stamps): a substitute whose stock a write empties stops being offered."""
    store = filled_store(tmp_path, tiny, model)
    request = SUBSTITUTES_OF_K0001
    with own_server(tmp_path) as stub:
        first = stub.RecommendSkus(request, timeout=60).recommendations[0].sku_id
        position = next(
            p
            for p in tiny.network.inventory_positions
            if (p.location_id, p.sku_id) == ("S0001", first)
        )
        emptied = position.model_copy(update={"on_hand": 0.0})
        store.upsert_network(Network.build(check_references=False, inventory_positions=[emptied]))
        offered = []
        for _ in range(200):  # the old recommender answers while the new one is built
            offered = [r.sku_id for r in stub.RecommendSkus(request, timeout=60).recommendations]
            if first not in offered:
                break
        assert first not in offered


def test_an_answer_kept_across_dates_echoes_each_asked_date(
    stub: recommendation_pb2_grpc.RecommendationServiceStub,
) -> None:
    """Alternate suppliers do not depend on the need date: the server keeps one answer for
    every date (``answer_key``), and each reply still carries the date it was asked for."""
    replies = [
        stub.RecommendSkus(
            recommendation_pb2.RecommendSkusRequest(
                sku_id="K0001",
                store_id="W001",
                use=Use.RECOMMENDATION_USE_ALTERNATE_SUPPLIER,
                need_date=day,
            ),
            timeout=60,
        )
        for day in ("2026-01-02", "2026-02-02", "2026-01-02")
    ]
    assert [r.need_date for r in replies] == ["2026-01-02", "2026-02-02", "2026-01-02"]
    assert replies[0].recommendations
    assert all(r.recommendations == replies[0].recommendations for r in replies)
