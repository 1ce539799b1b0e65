"""The server's plumbing over a real socket: health, reflection, auth, TLS, errors, shutdown."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from rpc_harness import error_info, running_server, self_signed, settings, violations

from supplynet.graph.embedded import EmbeddedStore
from supplynet.graph.errors import ValidationFailed
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.cli import main
from supplynet.server.cli.serve_command import settings_from_args
from supplynet.server.rpc.app import create_server
from supplynet.server.rpc.settings import ServeSettings
from supplynet.v1 import (
    network_pb2,
    network_pb2_grpc,
    pricing_pb2,
    pricing_pb2_grpc,
    recommendation_pb2,
    recommendation_pb2_grpc,
)

SERVICES = {
    "supplynet.v1.NetworkService",
    "supplynet.v1.ForecastService",
    "supplynet.v1.RiskService",
    "supplynet.v1.ReplenishmentService",
    "supplynet.v1.RoutingService",
    "supplynet.v1.PricingService",
    "supplynet.v1.RecommendationService",
}


@pytest.fixture
def store_dir(tiny: SyntheticDataset, tmp_path: Path) -> Path:
    EmbeddedStore(tmp_path / "store").upsert_network(tiny.network)
    return tmp_path / "store"


def _health(channel: grpc.Channel, service: str = "") -> int:
    request = health_pb2.HealthCheckRequest(service=service)
    return int(health_pb2_grpc.HealthStub(channel).Check(request, timeout=5).status)


def _listed_services(channel: grpc.Channel, metadata: tuple[tuple[str, str], ...] = ()) -> set[str]:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    replies = stub.ServerReflectionInfo(iter([request]), metadata=metadata, timeout=5)
    return {s.name for reply in replies for s in reply.list_services_response.service}


def _node(channel: grpc.Channel, **kwargs: object) -> network_pb2.Node:
    stub = network_pb2_grpc.NetworkServiceStub(channel)
    return stub.GetNode(network_pb2.GetNodeRequest(name="nodes/W001"), timeout=5, **kwargs)


def test_health_and_reflection_list_every_service(store_dir: Path) -> None:
    with running_server(settings(store_dir)) as server:
        channel = grpc.insecure_channel(server.target)
        assert _health(channel) == health_pb2.HealthCheckResponse.SERVING
        for name in SERVICES:
            assert _health(channel, name) == health_pb2.HealthCheckResponse.SERVING
        assert _listed_services(channel) >= SERVICES | {"grpc.health.v1.Health"}


def test_token_guards_every_rpc_but_health(store_dir: Path) -> None:
    with running_server(settings(store_dir, token="s3cret")) as server:
        channel = grpc.insecure_channel(server.target)
        assert _health(channel) == health_pb2.HealthCheckResponse.SERVING
        for metadata in ((), (("authorization", "Bearer wrong"),), (("authorization", "s3cret"),)):
            with pytest.raises(grpc.RpcError) as caught:
                _node(channel, metadata=metadata)
            assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
            assert error_info(caught.value).reason == "UNAUTHENTICATED"
        with pytest.raises(grpc.RpcError) as caught:
            _listed_services(channel)
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
        good = (("authorization", "Bearer s3cret"),)
        assert _node(channel, metadata=good).warehouse.id == "W001"
        assert "supplynet.v1.NetworkService" in _listed_services(channel, good)


def test_without_a_token_calls_need_no_metadata(store_dir: Path) -> None:
    with running_server(settings(store_dir)) as server:
        assert _node(grpc.insecure_channel(server.target)).name == "nodes/W001"


def test_tls_serves_trusting_clients_and_rejects_plaintext(store_dir: Path, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with running_server(settings(store_dir, tls_cert=cert, tls_key=key)) as server:
        credentials = grpc.ssl_channel_credentials(root_certificates=cert.read_bytes())
        secure = grpc.secure_channel(f"localhost:{server.port}", credentials)
        assert _node(secure).warehouse.id == "W001"
        with pytest.raises(grpc.RpcError) as caught:
            _node(grpc.insecure_channel(server.target))
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE


def test_add_on_services_name_what_they_cannot_serve(store_dir: Path) -> None:
    """Pricing and recommendation over a network without history: field errors, not INTERNAL."""
    with running_server(settings(store_dir)) as server:
        channel = grpc.insecure_channel(server.target)
        calls = (
            (
                lambda: pricing_pb2_grpc.PricingServiceStub(channel).RecommendPrices(
                    pricing_pb2.RecommendPricesRequest()
                ),
                "scope",
            ),
            (
                lambda: recommendation_pb2_grpc.RecommendationServiceStub(channel).RecommendSkus(
                    recommendation_pb2.RecommendSkusRequest(sku_id="K1")
                ),
                "store_id",
            ),
        )
        for call, field in calls:
            with pytest.raises(grpc.RpcError) as caught:
                call()
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert field in violations(caught.value)


def test_unexpected_failure_is_internal_without_internals_and_logged_with_request_id(
    store_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A store whose live version vanished fails inside pandas; the client learns nothing of it."""
    (store_dir / "MANIFEST.json").write_text('{"network": "v999999"}')
    with running_server(settings(store_dir)) as server, caplog.at_level(logging.ERROR):
        channel = grpc.insecure_channel(server.target)
        with pytest.raises(grpc.RpcError) as caught:
            _node(channel, metadata=(("x-request-id", "req-42"),))
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    message = caught.value.details() or ""
    assert "req-42" in message
    assert "v999999" not in message and "parquet" not in message.lower()
    info = error_info(caught.value)
    assert (info.reason, info.metadata["request_id"]) == ("INTERNAL", "req-42")
    logged = [r for r in caplog.records if getattr(r, "request_id", None) == "req-42"]
    assert logged and logged[0].exc_info is not None
    assert "v999999" in caplog.text


def test_request_id_comes_back_in_trailing_metadata(store_dir: Path) -> None:
    with running_server(settings(store_dir)) as server:
        stub = network_pb2_grpc.NetworkServiceStub(grpc.insecure_channel(server.target))
        _, call = stub.GetNode.with_call(
            network_pb2.GetNodeRequest(name="nodes/W001"), metadata=(("x-request-id", "abc-1"),)
        )
        assert ("x-request-id", "abc-1") in tuple(call.trailing_metadata())
        _, call = stub.GetNode.with_call(network_pb2.GetNodeRequest(name="nodes/W001"))
        assert re.fullmatch(r"[0-9a-f]{16}", dict(call.trailing_metadata())["x-request-id"])
        with pytest.raises(grpc.RpcError) as failed:
            stub.GetNode(
                network_pb2.GetNodeRequest(name="nodes/NOPE"), metadata=(("x-request-id", "abc-2"),)
            )
        assert dict(failed.value.trailing_metadata())["x-request-id"] == "abc-2"  # type: ignore[attr-defined]


def test_messages_over_the_size_limit_are_refused(store_dir: Path) -> None:
    with running_server(settings(store_dir, max_message_mb=1)) as server:
        stub = network_pb2_grpc.NetworkServiceStub(grpc.insecure_channel(server.target))
        with pytest.raises(grpc.RpcError) as caught:
            stub.GetNode(network_pb2.GetNodeRequest(name="nodes/" + "x" * 2_000_000))
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_stop_drains_an_in_flight_call_and_refuses_new_ones(
    tiny: SyntheticDataset, tmp_path: Path
) -> None:
    """A client stream still uploading when shutdown begins completes within the grace period."""
    from supplynet.server.rpc.converters import node_to_proto

    nodes = [node_to_proto(s) for s in tiny.network.suppliers]
    sent_first = threading.Event()

    def chunks() -> Iterator[network_pb2.StreamUpsertNetworkRequest]:
        yield network_pb2.StreamUpsertNetworkRequest(nodes=nodes[:1])
        sent_first.set()
        time.sleep(1.0)
        yield network_pb2.StreamUpsertNetworkRequest(nodes=nodes[1:])

    with running_server(settings(tmp_path)) as server:
        channel = grpc.insecure_channel(server.target)
        stub = network_pb2_grpc.NetworkServiceStub(channel)
        future = stub.StreamUpsertNetwork.future(chunks(), timeout=30)
        assert sent_first.wait(10)
        time.sleep(0.2)
        stopping = threading.Thread(target=server.stop, kwargs={"grace": 10})
        stopping.start()
        time.sleep(0.3)
        with pytest.raises(grpc.RpcError) as refused:
            _node(grpc.insecure_channel(server.target))
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        assert future.result().written["suppliers"] == len(nodes)
        stopping.join(30)
        server.stop = lambda grace=0: None  # type: ignore[method-assign]
    assert len(EmbeddedStore(tmp_path).snapshot().suppliers) == len(nodes)


def test_non_loopback_without_token_or_tls_refuses_to_start(tmp_path: Path) -> None:
    import asyncio

    exposed = settings(tmp_path, address="0.0.0.0:0")
    assert exposed.problems() and exposed.problems()[0].path == "address"
    with pytest.raises(ValidationFailed, match="neither a token nor TLS"):
        asyncio.run(create_server(exposed))
    assert not settings(tmp_path, address="0.0.0.0:0", token="t").problems()
    assert not settings(tmp_path, address="0.0.0.0:0", insecure_allow_remote=True).problems()
    assert settings(tmp_path, address="[::1]:0").is_loopback()


def test_cli_refuses_an_exposed_address(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--address", "0.0.0.0:50999"]) == 2
    assert "neither a token nor TLS" in capsys.readouterr().err


def test_flags_override_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from supplynet.server.cli import build_parser

    monkeypatch.setenv("SUPPLYNET_WORKERS", "3")
    monkeypatch.setenv("SUPPLYNET_TOKEN", "from-env")
    monkeypatch.setenv("SUPPLYNET_DATA", str(tmp_path / "env"))
    from_env = settings_from_args(build_parser().parse_args(["serve"]))
    assert from_env.workers == 3 and from_env.token is not None
    assert from_env.token.get_secret_value() == "from-env"
    assert from_env.store.data_dir == tmp_path / "env"
    (tmp_path / "token").write_text("flag\n")
    args = ["serve", "--workers", "5", "--token-file", str(tmp_path / "token")]
    args += ["--data-dir", str(tmp_path / "flag"), "--cache-seconds", "2.5"]
    args += ["--max-operations", "4", "--job-priority", "nice"]
    flagged = settings_from_args(build_parser().parse_args(args))
    assert flagged.workers == 5 and flagged.token is not None
    assert flagged.cache_seconds == 2.5 and flagged.max_operations == 4
    assert flagged.job_priority == "nice" and from_env.job_priority == "idle"
    assert flagged.token.get_secret_value() == "flag"
    assert flagged.store.data_dir == tmp_path / "flag"
    with pytest.raises(ValidationFailed, match="workers"):
        settings_from_args(build_parser().parse_args(["serve", "--workers", "0"]))
    with pytest.raises(ValidationFailed, match="cache_seconds"):
        settings_from_args(build_parser().parse_args(["serve", "--cache-seconds", "-1"]))
    assert isinstance(ServeSettings().address, str)


@pytest.mark.parametrize("event_loop", ["uvloop", "asyncio"])
def test_serve_command_runs_until_sigterm(store_dir: Path, event_loop: str) -> None:
    """The real ``supplynet serve`` process: answers health, exits 0 on SIGTERM."""
    env = {**os.environ, "SUPPLYNET_DATA": str(store_dir), "SUPPLYNET_EVENT_LOOP": event_loop}
    env.pop("NEO4J_URI", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "supplynet.server.cli", "serve", "--address", "127.0.0.1:0"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        lines = []
        port = None
        while port is None and len(lines) < 50:
            lines.append(process.stderr.readline())
            port = re.search(r"serving on 127\.0\.0\.1:(\d+)", lines[-1])
        assert port, "".join(lines)
        assert f"{event_loop} event loop" in lines[-1]
        channel = grpc.insecure_channel(f"127.0.0.1:{port.group(1)}")
        assert _health(channel) == health_pb2.HealthCheckResponse.SERVING
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
