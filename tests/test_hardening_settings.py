"""Server secrets and TLS: an empty token is no token, tokens come from files, TLS errors say why.

Reproductions from issue 22: ``SUPPLYNET_TOKEN=`` counted as auth and then allowed
binding 0.0.0.0; a certificate with another key's file was reported as "cannot bind".
"""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
from rpc_harness import running_server, self_signed, settings

from supplynet.graph.errors import ValidationFailed
from supplynet.graph.neo4j_launcher import ServerConfig
from supplynet.graph.open_store import StoreSettings, open_store
from supplynet.server.rpc.settings import ServeSettings
from supplynet.v1 import network_pb2, network_pb2_grpc


def test_empty_token_from_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SUPPLYNET_TOKEN= does not count as auth: the server refuses to start, even on 0.0.0.0."""
    monkeypatch.setenv("SUPPLYNET_TOKEN", "")
    configured = ServeSettings(address="0.0.0.0:0", store={"data_dir": tmp_path})
    paths = [p.path for p in configured.problems()]
    assert "token" in paths
    with pytest.raises(ValidationFailed, match="token: empty"):
        configured.check()


def test_token_is_read_from_a_file(tmp_path: Path) -> None:
    """A token file secures the server like a token value: no token, no call."""
    secret = tmp_path / "token"
    secret.write_text("s3cret-from-file\n")
    with running_server(settings(tmp_path / "store", token_file=secret)) as server:
        channel = grpc.insecure_channel(server.target)
        stub = network_pb2_grpc.NetworkServiceStub(channel)
        with pytest.raises(grpc.RpcError) as denied:
            stub.GetNetworkSummary(network_pb2.GetNetworkSummaryRequest())
        assert denied.value.code() == grpc.StatusCode.UNAUTHENTICATED
        stub.GetNetworkSummary(
            network_pb2.GetNetworkSummaryRequest(),
            metadata=(("authorization", "Bearer s3cret-from-file"),),
        )
        channel.close()


def test_missing_token_file_is_named(tmp_path: Path) -> None:
    configured = settings(tmp_path, token_file=tmp_path / "nope")
    assert [p.path for p in configured.problems()] == ["token_file"]


def test_certificate_with_another_key_is_a_clear_error(tmp_path: Path) -> None:
    """A cert/key mismatch names both files instead of "cannot bind"."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    cert, _ = self_signed(tmp_path / "a")
    _, other_key = self_signed(tmp_path / "b")
    configured = settings(tmp_path, tls_cert=cert, tls_key=other_key)
    with pytest.raises(ValidationFailed, match="is not the key of") as info:
        configured.check()
    assert "bind" not in str(info.value)


@pytest.mark.neo4j
def test_neo4j_password_is_read_from_a_file(
    neo4j_uri: str,
    neo4j_server: ServerConfig | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """NEO4J_PASSWORD_FILE opens the store: the password need not be in any variable or flag."""
    if neo4j_server is None or neo4j_server.password is None:
        pytest.skip("the session's Neo4j was not started with a known password")
    secret = tmp_path / "neo4j-password"
    secret.write_text(neo4j_server.password + "\n")
    monkeypatch.setenv("NEO4J_URI", neo4j_uri)
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    monkeypatch.setenv("NEO4J_PASSWORD_FILE", str(secret))
    store = open_store()
    try:
        store.list_plans()
    finally:
        store.close()


def test_unreadable_neo4j_password_file_is_named(tmp_path: Path) -> None:
    configured = StoreSettings(neo4j_uri="bolt://127.0.0.1:1", neo4j_password_file=tmp_path / "no")
    with pytest.raises(ValidationFailed, match="NEO4J_PASSWORD_FILE"):
        open_store(configured)
