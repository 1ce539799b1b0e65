"""``supplynet neo4j start|stop|status``: the local development server."""

from __future__ import annotations

import argparse
from pathlib import Path

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.neo4j_launcher import (
    DEFAULT_PORT,
    VAR_DIR,
    ServerConfig,
    configured_port,
    neo4j_version,
    start,
    status,
    stop,
)
from supplynet.server.cli.arguments import Subparsers
from supplynet.server.cli.output import console


def register(subparsers: Subparsers) -> None:
    neo4j = subparsers.add_parser(
        "neo4j",
        help="start, stop or inspect a local Neo4j server",
        description="A local Neo4j Community server run from the project's own files: the "
        "first start fetches the jars with Maven (minutes), later starts take seconds. "
        "Point the store at it with NEO4J_URI=bolt://127.0.0.1:PORT.",
    )
    actions = neo4j.add_subparsers(dest="action", required=True, metavar="ACTION")
    begin = actions.add_parser("start", help="start the server and wait until Bolt answers")
    _add_home(begin)
    begin.add_argument("--port", type=int, default=DEFAULT_PORT, help="Bolt port (7687)")
    begin.add_argument(
        "--password-file",
        type=Path,
        help="file holding the password that enables authentication for user neo4j "
        "(8+ characters; a password flag would show in the process list); default: off",
    )
    begin.add_argument("--heap", default="512m", help="JVM heap (512m)")
    begin.add_argument("--pagecache", default="128m", help="page cache (128m)")
    begin.add_argument("--timeout", type=float, default=180.0, help="seconds to wait (180)")
    begin.set_defaults(handler=run_start)
    end = actions.add_parser("stop", help="stop the server")
    _add_home(end)
    end.set_defaults(handler=run_stop)
    show = actions.add_parser("status", help="is it running, and does Bolt answer?")
    _add_home(show)
    show.set_defaults(handler=run_status)


def _add_home(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--home",
        type=Path,
        default=VAR_DIR / "server",
        help="server directory: conf, data, logs (default var/neo4j/server)",
    )


def _secret(path: Path) -> str:
    """The first line of a secret file; an unreadable file is a usage error."""
    try:
        return path.read_text().strip()
    except OSError as error:
        reason = f"cannot read {str(path)!r}: {error.strerror}"
        raise ValidationFailed([Problem("--password-file", reason)], "neo4j start") from None


def run_start(args: argparse.Namespace) -> int:
    config = ServerConfig(
        home=args.home,
        port=args.port,
        password=None if args.password_file is None else _secret(args.password_file),
        heap=args.heap,
        pagecache=args.pagecache,
    )
    out = console()
    with out.status(f"starting Neo4j {neo4j_version()} on {config.uri}"):
        result = start(config, timeout_s=args.timeout)
    if result.already_running:
        out.print(f"Neo4j already running on {result.uri} (pid {result.pid})")
        return 0
    fetched = f"; jars fetched in {result.fetch_s:.1f} s" if result.fetch_s else ""
    out.print(
        f"Neo4j {neo4j_version()} started on {result.uri} (pid {result.pid}) "
        f"in {result.start_s:.1f} s{fetched}"
    )
    out.print(f"use it: export NEO4J_URI={result.uri}")
    return 0


def run_stop(args: argparse.Namespace) -> int:
    stopped = stop(ServerConfig(home=args.home))
    console().print("Neo4j stopped" if stopped else f"no Neo4j running in {args.home}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    port = configured_port(args.home) or DEFAULT_PORT
    state = status(ServerConfig(home=args.home, port=port))
    if not state.running:
        console().print(f"not running (home {args.home})")
        return 1
    answers = "answering" if state.answering else "not answering yet"
    console().print(f"running: pid {state.pid}, {state.uri}, Bolt {answers} (home {args.home})")
    return 0
