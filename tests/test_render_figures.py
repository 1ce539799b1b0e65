"""scripts/render_figures writes the guide's figures from the notebooks' plot functions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib.image

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "render_figures"


def test_writes_three_figures(tmp_path: Path) -> None:
    """Three PNGs, each a real drawing (not blank), named as the notebooks guide links them."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--preset", "tiny", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert names == ["demand_fan_chart.png", "network_map.png", "plan_kpis.png"]
    for name in names:
        pixels = matplotlib.image.imread(tmp_path / name)
        assert pixels.shape[0] > 200 and pixels.shape[1] > 400
        assert pixels[..., :3].std() > 0.05, f"{name} looks blank"
    guide = (SCRIPT.parents[1] / "docs" / "guide" / "notebooks.md").read_text()
    assert all(f"](../{name})" in guide for name in names)
