"""The ``supplynet`` command line: one parser, one error policy.

Every command module registers its subcommands; any ``SupplynetError`` ends the
command with exit code 2 and one line per problem on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from supplynet.graph.errors import SupplynetError, ValidationFailed
from supplynet.server import (
    demo,
    forecast_commands,
    gnn_commands,
    neo4j_commands,
    network_commands,
    plan_commands,
    route_commands,
    serve_command,
)

COMMAND_MODULES: tuple[ModuleType, ...] = (
    network_commands,
    forecast_commands,
    gnn_commands,
    plan_commands,
    serve_command,
    neo4j_commands,
    route_commands,
    demo,
)
"""Modules with a ``register(subparsers)`` function, in ``--help`` order."""

EXIT_INVALID = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supplynet",
        description="Graph-based supply chain optimization: network, forecasts, plans, routes.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def error_lines(error: SupplynetError) -> list[str]:
    """What the user sees for an error: a headline, then one line per problem."""
    if isinstance(error, ValidationFailed):
        head = f"invalid {error.subject}: {len(error.problems)} problem(s)"
        return [head, *(str(p) for p in error.problems)]
    return [str(error)]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``supplynet`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except SupplynetError as error:
        for line in error_lines(error):
            print(f"error: {line}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
