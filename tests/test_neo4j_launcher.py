"""The local Neo4j launcher: config, lifecycle, failure reports and the CLI commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplynet.graph.errors import StoreUnavailable
from supplynet.graph.neo4j_launcher import (
    ServerConfig,
    configured_port,
    free_port,
    start,
    status,
    stop,
    write_config,
)
from supplynet.graph.neo4j_store import Neo4jStore
from supplynet.server.cli import main


def test_config_binds_loopback_with_the_given_port_and_memory(tmp_path: Path) -> None:
    """The written neo4j.conf carries port, auth, heap and page cache, Bolt on 127.0.0.1 only."""
    config = ServerConfig(home=tmp_path, port=17999, heap="256m", pagecache="32m")
    text = (write_config(config) / "neo4j.conf").read_text()
    assert "server.bolt.listen_address=127.0.0.1:17999" in text
    assert "server.http.enabled=false" in text
    assert "dbms.security.auth_enabled=false" in text
    assert "server.memory.heap.max_size=256m" in text
    assert "server.memory.pagecache.size=32m" in text
    assert configured_port(tmp_path) == 17999
    with_password = ServerConfig(home=tmp_path, password="secret-pass")
    assert (
        "dbms.security.auth_enabled=true"
        in (write_config(with_password) / "neo4j.conf").read_text()
    )


def test_nothing_running_in_an_empty_home(tmp_path: Path) -> None:
    """Status and stop on a home without a server say so instead of failing."""
    config = ServerConfig(home=tmp_path, port=free_port())
    assert not status(config).running
    assert stop(config) is False


def test_failed_start_raises_with_the_log_tail(tmp_path: Path) -> None:
    """A server that cannot start ends in StoreUnavailable quoting its log."""
    config = ServerConfig(home=tmp_path, port=free_port(), heap="lots")
    with pytest.raises(StoreUnavailable, match=r"(?s)exited with code \d+.*lots"):
        start(config, timeout_s=120)
    assert not status(config).running


@pytest.mark.neo4j
def test_session_server_is_running_and_a_second_start_reuses_it(
    neo4j_server: ServerConfig | None,
) -> None:
    """The session's server answers on Bolt; starting it again does not start another."""
    if neo4j_server is None:
        pytest.skip("NEO4J_URI points at an external server")
    state = status(neo4j_server)
    assert state.running and state.answering
    again = start(neo4j_server)
    assert again.already_running and again.pid == state.pid


@pytest.mark.neo4j
def test_cli_status_reports_the_running_server(
    neo4j_server: ServerConfig | None, capsys: pytest.CaptureFixture[str]
) -> None:
    """``supplynet neo4j status`` finds the port in the home's conf and reports Bolt."""
    if neo4j_server is None:
        pytest.skip("NEO4J_URI points at an external server")
    assert main(["neo4j", "status", "--home", str(neo4j_server.home)]) == 0
    out = capsys.readouterr().out
    assert "Bolt answering" in out and str(neo4j_server.port) in out


def test_cli_status_without_server_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Status on an empty home prints "not running" and exits 1."""
    assert main(["neo4j", "status", "--home", str(tmp_path)]) == 1
    assert "not running" in capsys.readouterr().out


@pytest.mark.neo4j
def test_cli_start_finds_the_running_server(
    neo4j_server: ServerConfig | None, capsys: pytest.CaptureFixture[str]
) -> None:
    """``supplynet neo4j start`` on a home whose server runs says so and starts nothing."""
    if neo4j_server is None:
        pytest.skip("NEO4J_URI points at an external server")
    args = ["neo4j", "start", "--home", str(neo4j_server.home), "--port", str(neo4j_server.port)]
    secret = neo4j_server.home / "test-password"
    secret.write_text(f"{neo4j_server.password}\n")
    assert main([*args, "--password-file", str(secret)]) == 0
    assert f"already running on {neo4j_server.uri}" in capsys.readouterr().out


@pytest.mark.neo4j
def test_auth_is_enforced(neo4j_server: ServerConfig | None) -> None:
    """The session server runs with auth: its password works, a wrong one is refused."""
    if neo4j_server is None or neo4j_server.password is None:
        pytest.skip("NEO4J_URI points at an external server")
    store = Neo4jStore.connect(neo4j_server.uri, password=neo4j_server.password)
    assert isinstance(store.list_plans(), list)
    store.close()
    with pytest.raises(StoreUnavailable):
        Neo4jStore.connect(neo4j_server.uri, password="wrong-password")
