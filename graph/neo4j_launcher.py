"""Run a local Neo4j Community server from the project's own files.

Neo4j has no Python or Debian package, so the launcher resolves the server jars
from Maven Central with ``mvn`` (``graph/neo4j_server/pom.xml``, cached in
``~/.m2``), writes a ``neo4j.conf`` from the template next to that pom, and runs
``org.neo4j.server.CommunityEntryPoint`` on Java 17 as a detached process. A
start is done when the driver's ``verify_connectivity()`` succeeds; a failed
start raises ``StoreUnavailable`` with the tail of the server log.

Layout under ``var/neo4j`` (git-ignored)::

    lib-<version>/     the jars (shared by every server home)
    server/            the default home: conf/, data/, logs/, run/, supplynet.pid
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import socket
import string
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from supplynet.graph.errors import StoreUnavailable

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SERVER_FILES = Path(__file__).with_name("neo4j_server")
POM = SERVER_FILES / "pom.xml"
CONF_TEMPLATE = SERVER_FILES / "neo4j.conf.template"
VAR_DIR = PROJECT_ROOT / "var" / "neo4j"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
DEFAULT_PORT = 7687
FETCH_TIMEOUT_S = 1800.0

JVM_FLAGS = (
    "-XX:+UseParallelGC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
)
"""What Neo4j's own ``neo4j`` script passes, plus the opens Java 17 needs for netty.

Neo4j's script picks G1; this server gets the throughput collector instead: on a
small heap and two cores its young collections of a big write transaction's state
are shorter and it skips G1's barrier and refinement work (the large ingest bench:
10-25% less server CPU, young-GC pauses 0.5-0.65 s instead of ~0.8 s per upsert)."""


def neo4j_version() -> str:
    """The Neo4j version the pom pins."""
    found = re.search(r"<neo4j\.version>([^<]+)</neo4j\.version>", POM.read_text())
    if found is None:
        raise StoreUnavailable(f"{POM} does not pin <neo4j.version>")
    return found.group(1)


@dataclass(frozen=True)
class ServerConfig:
    """Where a server lives and how it runs; the defaults suit development.

    ``password`` None disables authentication (the server only listens on
    127.0.0.1); a password enables it for user ``neo4j`` (8 characters at least).
    """

    home: Path = VAR_DIR / "server"
    port: int = DEFAULT_PORT
    password: str | None = None
    heap: str = "512m"
    pagecache: str = "128m"
    lib: Path = field(default_factory=lambda: VAR_DIR / f"lib-{neo4j_version()}")

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def auth(self) -> tuple[str, str] | None:
        return None if self.password is None else ("neo4j", self.password)

    @property
    def pid_file(self) -> Path:
        return self.home / "supplynet.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "console.log"


@dataclass(frozen=True)
class StartResult:
    """How a start went: ``fetch_s`` is the jar download (0 when cached)."""

    pid: int
    uri: str
    fetch_s: float
    start_s: float
    already_running: bool


@dataclass(frozen=True)
class ServerStatus:
    """Whether a server runs in a home, and whether it answers on Bolt."""

    home: Path
    uri: str
    pid: int | None
    answering: bool

    @property
    def running(self) -> bool:
        return self.pid is not None


_children: dict[int, subprocess.Popen[bytes]] = {}
"""Servers this process started, so ``stop`` can reap them."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now (for tests)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def ensure_jars(lib: Path, timeout_s: float = FETCH_TIMEOUT_S) -> float:
    """Resolve the server jars into ``lib`` with Maven unless already there.

    Returns the seconds spent (0.0 when ``lib`` was complete). Concurrent callers
    wait for each other; a half-finished fetch never looks complete.

    Raises
    ------
    StoreUnavailable
        Maven is missing, fails or runs past ``timeout_s``.
    """
    marker = lib / ".complete"
    if marker.exists():
        return 0.0
    lib.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(lib.parent / ".fetch.lock"):
        if marker.exists():
            return 0.0
        mvn = shutil.which("mvn")
        if mvn is None:
            raise StoreUnavailable("Maven (mvn) is not on PATH: it is needed to fetch Neo4j")
        staging = lib.with_name(lib.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        started = time.perf_counter()
        command = [
            mvn,
            "-B",
            "-q",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
            "-DincludeScope=runtime",
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired as error:
            raise StoreUnavailable(f"fetching Neo4j jars took over {timeout_s:.0f} s") from error
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
            raise StoreUnavailable(f"mvn failed to fetch Neo4j jars:\n{tail}")
        shutil.rmtree(lib, ignore_errors=True)
        staging.rename(lib)
        marker.write_text(neo4j_version())
        return time.perf_counter() - started


def write_config(config: ServerConfig) -> Path:
    """Write ``neo4j.conf`` for ``config`` into its home; returns the conf directory."""
    conf_dir = config.home / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    for folder in ("data", "logs", "run", "import"):
        (config.home / folder).mkdir(exist_ok=True)
    text = string.Template(CONF_TEMPLATE.read_text()).substitute(
        port=config.port,
        auth_enabled="false" if config.password is None else "true",
        heap=config.heap,
        pagecache=config.pagecache,
        home=config.home.resolve(),
    )
    (conf_dir / "neo4j.conf").write_text(text)
    return conf_dir


def start(config: ServerConfig, timeout_s: float = 180.0) -> StartResult:
    """Start a server in ``config.home`` (fetching jars first if needed) and wait for Bolt.

    A server already running in that home is left alone.

    Raises
    ------
    StoreUnavailable
        The jars cannot be fetched, Java is missing, or the server does not answer
        within ``timeout_s`` (the message ends with the server log's tail).
    """
    running = _running_pid(config)
    if running is not None:
        _wait_for_bolt(config, None, time.monotonic() + timeout_s)
        return StartResult(running, config.uri, 0.0, 0.0, already_running=True)
    fetch_s = ensure_jars(config.lib)
    java = shutil.which("java")
    if java is None:
        raise StoreUnavailable("java is not on PATH: Neo4j needs Java 17")
    started = time.perf_counter()
    conf_dir = write_config(config)
    if config.password is not None:
        _set_initial_password(java, config, conf_dir)
    command = [
        java,
        f"-Xms{config.heap}",
        f"-Xmx{config.heap}",
        *JVM_FLAGS,
        "-cp",
        f"{config.lib}/*",
        ENTRY_POINT,
        f"--home-dir={config.home.resolve()}",
        f"--config-dir={conf_dir.resolve()}",
        "--console-mode",
    ]
    with open(config.log_file, "ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=config.home,
            start_new_session=True,
        )
    _children[process.pid] = process
    config.pid_file.write_text(str(process.pid))
    try:
        _wait_for_bolt(config, process, time.monotonic() + timeout_s)
    except StoreUnavailable:
        stop(config)
        raise
    return StartResult(
        process.pid, config.uri, fetch_s, time.perf_counter() - started, already_running=False
    )


def stop(config: ServerConfig, timeout_s: float = 60.0) -> bool:
    """Stop the server of ``config.home`` (SIGTERM, then SIGKILL); False if none ran."""
    pid = _running_pid(config)
    if pid is None:
        config.pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.2)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            _reap(pid)
            time.sleep(0.1)
    _reap(pid)
    config.pid_file.unlink(missing_ok=True)
    return True


def configured_port(home: Path) -> int | None:
    """The Bolt port written into ``home``'s ``neo4j.conf`` by the last start, if any."""
    conf = home / "conf" / "neo4j.conf"
    if not conf.exists():
        return None
    found = re.search(r"^server\.bolt\.listen_address=.*:(\d+)$", conf.read_text(), re.MULTILINE)
    return None if found is None else int(found.group(1))


def status(config: ServerConfig) -> ServerStatus:
    """The pid of the server running in ``config.home`` and whether Bolt answers."""
    pid = _running_pid(config)
    return ServerStatus(
        config.home, config.uri, pid, pid is not None and _answers(config, timeout_s=5.0)
    )


def log_tail(config: ServerConfig, lines: int = 30) -> str:
    """The last lines of the server's console log (empty if there is none)."""
    if not config.log_file.exists():
        return ""
    return "\n".join(config.log_file.read_text(errors="replace").splitlines()[-lines:])


def _set_initial_password(java: str, config: ServerConfig, conf_dir: Path) -> None:
    if (config.home / "data" / "databases").exists():
        return
    environment = {**os.environ, "NEO4J_HOME": str(config.home), "NEO4J_CONF": str(conf_dir)}
    command = [java, *JVM_FLAGS, "-cp", f"{config.lib}/*", ADMIN_TOOL]
    command += ["dbms", "set-initial-password", str(config.password)]
    done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120)
    if done.returncode != 0:
        raise StoreUnavailable(f"could not set the initial password: {done.stderr.strip()}")


def _wait_for_bolt(
    config: ServerConfig, process: subprocess.Popen[bytes] | None, deadline: float
) -> None:
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StoreUnavailable(
                f"Neo4j exited with code {process.returncode} during start; "
                f"log {config.log_file}:\n{log_tail(config)}"
            )
        if _answers(config, timeout_s=2.0):
            return
        time.sleep(0.5)
    raise StoreUnavailable(
        f"Neo4j did not answer on {config.uri} in time; log {config.log_file}:\n{log_tail(config)}"
    )


def _answers(config: ServerConfig, timeout_s: float) -> bool:
    # the driver is loaded here, not at import: ``supplynet neo4j --help`` and every other
    # command that imports this module for its constants stay light
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, DriverError, Neo4jError

    try:
        with GraphDatabase.driver(
            config.uri, auth=config.auth, connection_timeout=timeout_s
        ) as driver:
            driver.verify_connectivity()
    except AuthError:
        return True  # the server is up; credentials are the client's business
    except (DriverError, Neo4jError, OSError):
        return False
    return True


def _running_pid(config: ServerConfig) -> int | None:
    try:
        pid = int(config.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) and _is_server_of(pid, config.home) else None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _is_server_of(pid: int, home: Path) -> bool:
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    wanted = f"--home-dir={home.resolve()}".encode()
    return ENTRY_POINT.encode() in arguments and wanted in arguments


def _reap(pid: int) -> None:
    process = _children.get(pid)
    if process is not None and process.poll() is not None:
        _children.pop(pid)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
