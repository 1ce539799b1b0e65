"""The ``supplynet`` command line: one parser, one error policy, thin commands.

Every command module registers its subcommands and only parses flags, calls a use
case of ``server/app`` and renders the result; any ``SupplynetError`` ends the command
with exit code 2 and one line per problem on stderr, never a traceback. The defaults
come from ``AppSettings`` (read once here), the same object the gRPC server uses.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from pydantic import ValidationError

from supplynet.graph.errors import SupplynetError, ValidationFailed
from supplynet.server.app.settings import AppSettings
from supplynet.server.app.validation import problems_of
from supplynet.server.cli import (
    demo,
    forecast_commands,
    gnn_commands,
    neo4j_commands,
    network_commands,
    plan_commands,
    plans_commands,
    price_commands,
    recommend_commands,
    route_commands,
    serve_command,
    simulate_commands,
)

COMMAND_MODULES: tuple[ModuleType, ...] = (
    network_commands,
    forecast_commands,
    gnn_commands,
    plan_commands,
    plans_commands,
    price_commands,
    recommend_commands,
    serve_command,
    neo4j_commands,
    route_commands,
    simulate_commands,
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


def read_settings() -> AppSettings:
    """The defaults, from ``SUPPLYNET_*`` variables; a bad value is a usage error."""
    try:
        return AppSettings()
    except ValidationError as error:
        raise ValidationFailed(problems_of(error), "SUPPLYNET_* settings") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``supplynet`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        args.settings = read_settings()
        code: int = args.handler(args)
    except SupplynetError as error:
        for line in error_lines(error):
            print(f"error: {line}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return code
