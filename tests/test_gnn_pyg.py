"""Importing the GNN package prints no torch-geometric import warning."""

from __future__ import annotations

import subprocess
import sys


def test_gnn_imports_without_the_jit_script_future_warning() -> None:
    """A fresh interpreter that turns FutureWarnings into errors imports every GNN module
    (torch-geometric's import calls the deprecated ``torch.jit.script``)."""
    code = "import gnn.risk_model, gnn.demand_forecaster, gnn.backtest"
    done = subprocess.run(
        [sys.executable, "-W", "error::FutureWarning", "-c", code],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "jit" not in done.stderr
