"""Argument helpers shared by CLI commands."""

from __future__ import annotations

import argparse
from typing import Any

from supplynet.graph.scope import Scope

Subparsers = Any
"""``argparse``'s private ``_SubParsersAction``; typed loosely on purpose."""


def add_scope_arguments(parser: argparse.ArgumentParser) -> None:
    """``--warehouse``, ``--sku`` and ``--region``, each repeatable or comma-separated."""
    group = parser.add_argument_group("scope (default: the whole network)")
    group.add_argument("--warehouse", action="append", metavar="ID", help="warehouse id(s)")
    group.add_argument("--sku", action="append", metavar="ID", help="SKU id(s)")
    group.add_argument("--region", action="append", metavar="NAME", help="region name(s)")


def scope_from_args(args: argparse.Namespace) -> Scope:
    def split(values: list[str] | None) -> frozenset[str] | None:
        if not values:
            return None
        return frozenset(v.strip() for value in values for v in value.split(",") if v.strip())

    return Scope(
        warehouse_ids=split(args.warehouse), sku_ids=split(args.sku), regions=split(args.region)
    )


def add_horizon_argument(parser: argparse.ArgumentParser, default_setting: str) -> None:
    """``--horizon-days`` (alias ``--horizon``): every horizon is in days on every door."""
    parser.add_argument(
        "--horizon-days",
        "--horizon",
        dest="horizon_days",
        type=int,
        default=None,
        metavar="DAYS",
        help=f"days ahead (default: settings' {default_setting}); weekly data gets the "
        "weeks that cover them",
    )


def add_country_argument(parser: argparse.ArgumentParser) -> None:
    """``--country``: the holiday calendar of every model of the command."""
    parser.add_argument(
        "--country",
        default=None,
        metavar="ISO",
        help="holiday calendar (ISO country code, e.g. BD) of every model (default: "
        "SUPPLYNET_COUNTRY, else the country the network lies in)",
    )
