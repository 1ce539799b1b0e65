"""How ``supplynet serve`` is configured: environment first, flags override.

Environment variables use the ``SUPPLYNET_`` prefix (``SUPPLYNET_ADDRESS``,
``SUPPLYNET_TOKEN``, ``SUPPLYNET_TLS_CERT``...); the store keeps its own variables
(``NEO4J_URI`` selects Neo4j, else ``SUPPLYNET_DATA`` the embedded store). Secrets
come from the environment or from a file (``SUPPLYNET_TOKEN_FILE``), never from a
command-line value, which every user of the machine can read in the process list.
"""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.open_store import StoreSettings

JobPriority = Literal["idle", "nice"]
"""``idle``: jobs run only on CPU nothing else wants (Linux ``SCHED_IDLE``), so a light call
never waits behind a solve for its time slice; ``nice``: jobs share the CPU at a lower
niceness, for hosts where other busy services would starve idle-priority work."""

LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})


class ServeSettings(BaseSettings):
    """Everything the gRPC server needs to start; stored as given, checked by ``problems``."""

    model_config = SettingsConfigDict(env_prefix="SUPPLYNET_", extra="ignore")

    address: str = Field(default="127.0.0.1:50051", description="host:port to bind; port 0 picks")
    token: SecretStr | None = Field(default=None, description="bearer token every RPC must carry")
    token_file: Path | None = Field(
        default=None, description="file holding the bearer token (used when no token is set)"
    )
    tls_cert: Path | None = Field(default=None, description="PEM certificate chain")
    tls_key: Path | None = Field(default=None, description="PEM private key")
    workers: int = Field(default=2, ge=1, le=64, description="processes for CPU-heavy work")
    job_priority: JobPriority = Field(
        default="idle",
        description="idle: jobs (solves, fits) run only on CPU the server does not want, so "
        "light calls keep their latency during solves; nice: jobs share the CPU at a lower "
        "niceness, for a host whose other busy services would starve idle-priority jobs",
    )
    max_message_mb: int = Field(default=64, ge=1, le=2047, description="largest message, MiB")
    max_stream_mb: int = Field(
        default=256,
        ge=1,
        le=65_536,
        description="largest streamed upsert in total, MiB; checked while receiving",
    )
    max_operations: int = Field(
        default=16,
        ge=1,
        le=10_000,
        description="long operations (plans) queued or running at once; one more is refused "
        "with RESOURCE_EXHAUSTED and a retry delay",
    )
    grace_seconds: float = Field(default=10.0, ge=0, description="drain time on shutdown")
    cache_seconds: float = Field(
        default=0.0,
        ge=0,
        description="the cached network and demand are re-read when the store's version "
        "changes; above 0, seconds between version checks (a slow link), reads then up to "
        "that old",
    )
    event_loop: Literal["uvloop", "asyncio"] = Field(
        default="uvloop",
        description="uvloop takes ~15-25% less CPU per light call than asyncio's own loop",
    )
    processes: int = Field(
        default=1,
        ge=1,
        le=64,
        description="server processes sharing the port (SO_REUSEPORT), each with its own "
        "event loop: one loop's thread caps the light calls per second; workers and "
        "max_operations are shared out among them",
    )
    insecure_allow_remote: bool = False
    store: StoreSettings = Field(default_factory=StoreSettings)

    @model_validator(mode="after")
    def _token_from_file(self) -> ServeSettings:
        """Read ``token_file`` into ``token`` (the file wins: it is the flag's form); a
        missing file is reported by ``problems``."""
        if self.token_file is not None and self.token_file.is_file():
            self.token = SecretStr(self.token_file.read_text().strip())
        return self

    @property
    def host(self) -> str:
        host, _, _ = self.address.rpartition(":")
        return host.strip("[]")

    @property
    def uses_tls(self) -> bool:
        return self.tls_cert is not None and self.tls_key is not None

    @property
    def max_message_bytes(self) -> int:
        return self.max_message_mb * 1024 * 1024

    @property
    def max_stream_bytes(self) -> int:
        return self.max_stream_mb * 1024 * 1024

    def is_loopback(self) -> bool:
        """True when only this machine can reach the bound address."""
        if self.host.lower() in LOOPBACK_NAMES:
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def problems(self) -> list[Problem]:
        """Why the server must not start with these settings (empty when it may)."""
        found = []
        host, colon, port = self.address.rpartition(":")
        if not colon or not host or not port.isdigit() or int(port) > 65535:
            found.append(Problem("address", f"expected host:port, got {self.address!r}"))
        if (self.tls_cert is None) != (self.tls_key is None):
            found.append(Problem("tls_key", "TLS needs both a certificate and a key"))
        for name in ("tls_cert", "tls_key", "token_file"):
            path = getattr(self, name)
            if path is not None and not path.is_file():
                found.append(Problem(name, f"no such file {str(path)!r}"))
        if self.token is not None and not self.token.get_secret_value().strip():
            found.append(Problem("token", "empty: set a token or leave SUPPLYNET_TOKEN unset"))
        if not found and self.uses_tls:
            found.extend(_tls_pair_problems(self.tls_cert, self.tls_key))
        exposed = not found and not self.is_loopback()
        if exposed and self.token is None and not self.uses_tls and not self.insecure_allow_remote:
            found.append(
                Problem(
                    "address",
                    f"{self.host} is reachable from other machines and neither a token nor TLS "
                    "is configured; set one, bind to 127.0.0.1, or pass --insecure-allow-remote",
                )
            )
        return found

    def check(self) -> None:
        """Raise ``ValidationFailed`` naming every problem."""
        problems = self.problems()
        if problems:
            raise ValidationFailed(problems, "server settings")


def _tls_pair_problems(cert: Path | None, key: Path | None) -> list[Problem]:
    """Whether the certificate and key load and belong together (else say which, and why)."""
    assert cert is not None and key is not None
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except ssl.SSLError as error:
        mismatch = "KEY_VALUES_MISMATCH" in str(error) or "key values mismatch" in str(error)
        if mismatch:
            return [Problem("tls_key", f"{str(key)!r} is not the key of {str(cert)!r}")]
        return [Problem("tls_cert", f"cannot load the certificate or key: {error.reason}")]
    except OSError as error:
        return [Problem("tls_cert", f"cannot read: {error}")]
    return []
