"""A real gRPC server on a real socket for tests: ``create_server`` on port 0 in a thread.

The server runs its own event loop in a background thread, so tests use the
generated (synchronous) client stubs exactly as integrators would.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2

from supplynet.graph.store import GraphStore
from supplynet.server.rpc.app import RunningServer, create_server
from supplynet.server.rpc.settings import ServeSettings
from supplynet.server.rpc.status import unpack_status


class ServerThread:
    """``create_server(settings)`` running in a thread; ``target`` is ``127.0.0.1:port``."""

    def __init__(self, settings: ServeSettings, store: GraphStore | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(create_server(settings, store), self.loop)
        self.running: RunningServer
        self.running, self.port = started.result(timeout=30)
        self.target = f"127.0.0.1:{self.port}"

    def stop(self, grace: float | None = 0) -> None:
        asyncio.run_coroutine_threadsafe(self.running.stop(grace), self.loop).result(timeout=60)
        asyncio.run_coroutine_threadsafe(_settle(), self.loop).result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


async def _settle() -> None:
    """Let cancelled handlers finish their clean-up before the loop closes."""
    others = asyncio.all_tasks() - {asyncio.current_task()}
    if others:
        await asyncio.wait(others, timeout=30)


@contextmanager
def running_server(
    settings: ServeSettings, store: GraphStore | None = None
) -> Iterator[ServerThread]:
    server = ServerThread(settings, store)
    try:
        yield server
    finally:
        server.stop()


def settings(data_dir: Path, **values: Any) -> ServeSettings:
    """Test settings: port 0 on loopback, short cache, the embedded store in ``data_dir``."""
    values.setdefault("address", "127.0.0.1:0")
    values.setdefault("cache_seconds", 0.0)
    return ServeSettings(store={"data_dir": data_dir}, **values)


def rich_status(error: grpc.RpcError) -> status_pb2.Status:
    """The google.rpc.Status a call failed with; fails the test when there is none."""
    status = unpack_status(error.trailing_metadata())  # type: ignore[attr-defined]
    assert status is not None, "the server sent no google.rpc.Status details"
    return status


def details(status: status_pb2.Status) -> dict[str, list[Message]]:
    """The status details unpacked, by type name: ``ErrorInfo`` and ``BadRequest``."""
    found: dict[str, list[Message]] = {}
    for packed in status.details:
        for kind in (error_details_pb2.ErrorInfo, error_details_pb2.BadRequest):
            if packed.Is(kind.DESCRIPTOR):
                message = kind()
                packed.Unpack(message)
                found.setdefault(kind.__name__, []).append(message)
    return found


def error_info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo:
    """The one ErrorInfo of a failed call (AIP-193 asks for exactly one)."""
    infos = details(rich_status(error)).get("ErrorInfo", [])
    assert len(infos) == 1, f"expected one ErrorInfo, got {len(infos)}"
    info = infos[0]
    assert isinstance(info, error_details_pb2.ErrorInfo)
    assert info.domain == "supplynet"
    return info


def violations(error: grpc.RpcError) -> dict[str, str]:
    """Field -> description of the one BadRequest of a failed call."""
    bad = details(rich_status(error)).get("BadRequest", [])
    assert len(bad) == 1, f"expected one BadRequest, got {len(bad)}"
    request = bad[0]
    assert isinstance(request, error_details_pb2.BadRequest)
    return {v.field: v.description for v in request.field_violations}


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for ``localhost`` and 127.0.0.1, made with the openssl CLI."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key
