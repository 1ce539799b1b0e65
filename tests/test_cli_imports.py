"""The CLI loads the heavy stacks only for the commands that use them.

``supplynet import`` of a 200 MB file has a 1 GB memory budget; OR-Tools, scipy,
matplotlib, torch, grpc and the Neo4j driver loaded by every command module cost
~170 MiB of it before the first row was read (issue 22).
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("ortools", "scipy", "matplotlib", "torch", "grpc", "neo4j", "pyvrp", "openpyxl")


def test_importing_the_cli_loads_no_heavy_stack() -> None:
    """A fresh interpreter that builds the whole parser has none of them in sys.modules."""
    probe = (
        "import sys; from supplynet.server.cli import build_parser; build_parser(); "
        f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == []
