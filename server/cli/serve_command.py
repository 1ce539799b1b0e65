"""``supplynet serve``: run the gRPC API until interrupted.

Flags override environment variables (``SUPPLYNET_ADDRESS``, ``SUPPLYNET_TOKEN``,
``SUPPLYNET_TLS_CERT``, ``SUPPLYNET_TLS_KEY``, ``SUPPLYNET_WORKERS``,
``SUPPLYNET_MAX_MESSAGE_MB``, ``SUPPLYNET_CACHE_SECONDS``, ``SUPPLYNET_MAX_OPERATIONS``,
``SUPPLYNET_JOB_PRIORITY``, ``SUPPLYNET_EVENT_LOOP``, ``SUPPLYNET_PROCESSES``; the store:
``NEO4J_URI`` or ``SUPPLYNET_DATA``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.open_store import StoreSettings, describe
from supplynet.server.cli.arguments import Subparsers
from supplynet.server.rpc.settings import ServeSettings

FLAGS = (
    "address",
    "token_file",
    "tls_cert",
    "tls_key",
    "workers",
    "max_message_mb",
    "grace_seconds",
    "cache_seconds",
    "max_operations",
    "job_priority",
    "event_loop",
    "processes",
)


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the gRPC API (health, reflection, all services)",
        description="Serve the supplynet gRPC API. Binding a non-loopback address needs a "
        "token or TLS (or --insecure-allow-remote). Flags override SUPPLYNET_* variables.",
    )
    parser.add_argument("--address", help="host:port (default 127.0.0.1:50051)")
    parser.add_argument(
        "--token-file",
        type=Path,
        help="file holding the token every RPC must carry ('authorization: Bearer TOKEN'); "
        "or set SUPPLYNET_TOKEN (a token on the command line shows in the process list)",
    )
    parser.add_argument("--tls-cert", type=Path, help="PEM certificate chain")
    parser.add_argument("--tls-key", type=Path, help="PEM private key")
    parser.add_argument("--workers", type=int, help="processes for solves and fits (default 2)")
    parser.add_argument("--max-message-mb", type=int, help="largest message in MiB (default 64)")
    parser.add_argument("--grace-seconds", type=float, help="drain time on shutdown (default 10)")
    parser.add_argument(
        "--cache-seconds",
        type=float,
        help="seconds between store-version checks of the cached network and demand "
        "(default 0: checked on every call; above 0 for a slow store link)",
    )
    parser.add_argument(
        "--max-operations",
        type=int,
        help="long operations queued or running at once (default 16); more are refused "
        "with RESOURCE_EXHAUSTED and a retry delay",
    )
    parser.add_argument(
        "--job-priority",
        choices=["idle", "nice"],
        help="idle (default): solves and fits run only on CPU the server does not want; "
        "nice: they share it at a lower niceness (a host with other busy services)",
    )
    parser.add_argument(
        "--event-loop", choices=["uvloop", "asyncio"], help="event loop (default uvloop)"
    )
    parser.add_argument(
        "--processes",
        type=int,
        help="server processes sharing the port, each with its own event loop (default 1; "
        "workers and max-operations are shared out among them)",
    )
    parser.add_argument("--data-dir", type=Path, help="embedded store directory")
    parser.add_argument("--neo4j-uri", help="use Neo4j at this URI instead of the embedded store")
    parser.add_argument(
        "--insecure-allow-remote",
        action="store_true",
        help="allow a non-loopback address without token or TLS",
    )
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING"])
    parser.set_defaults(handler=run_serve)


def settings_from_args(args: argparse.Namespace) -> ServeSettings:
    """Environment settings with every given flag applied on top."""
    given: dict[str, Any] = {
        name: getattr(args, name) for name in FLAGS if getattr(args, name) is not None
    }
    if args.insecure_allow_remote:
        given["insecure_allow_remote"] = True
    store: dict[str, Any] = {}
    if args.data_dir is not None:
        store["data_dir"] = args.data_dir
    if args.neo4j_uri is not None:
        store["neo4j_uri"] = args.neo4j_uri
    try:
        if store:
            given["store"] = StoreSettings(**store)
        return ServeSettings(**given)
    except ValidationError as error:
        problems = [
            Problem(".".join(str(p) for p in err["loc"]), err["msg"].lower())
            for err in error.errors()
        ]
        raise ValidationFailed(problems, "server settings") from None


def run_serve(args: argparse.Namespace) -> int:
    # the services (and grpc) import the heavy stack; other commands don't
    from supplynet.server.rpc.app import serve
    from supplynet.server.rpc.interceptors import configure_logging
    from supplynet.server.rpc.processes import run_in_loop

    configure_logging(args.log_level)
    settings = settings_from_args(args)
    settings.check()

    def ready(port: int, pids: tuple[int, ...]) -> None:
        host = settings.address.rpartition(":")[0]
        security = ", ".join(
            part
            for part, on in (("TLS", settings.uses_tls), ("token", settings.token is not None))
            if on
        )
        # printed whatever the log level: scripts read the bound port from this line
        print(
            f"serving on {host}:{port} ({security or 'plaintext, no auth'}), "
            f"store: {describe(settings.store)}, {settings.workers} worker processes, "
            f"{settings.event_loop} event loop, "
            f"{len(pids)} server process{'es' if len(pids) > 1 else ''} "
            f"(pid {', '.join(map(str, pids))})",
            file=sys.stderr,
            flush=True,
        )

    run_in_loop(settings, serve(settings, ready, args.log_level))
    return 0
