"""The command line: exit codes, output and that bad input never writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from supplynet.graph.embedded import EmbeddedStore
from supplynet.server.cli import COMMAND_MODULES, build_parser, main
from supplynet.server.cli.demo import STAGES


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYNET_DATA", str(tmp_path / "store"))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return tmp_path / "store"


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"generate", "info", "import", "export", "demo"} <= set(commands)
    assert len(COMMAND_MODULES) >= 2
    for name in commands:
        with pytest.raises(SystemExit) as exit_info:
            main([name, "--help"])
        assert exit_info.value.code == 0
        assert "usage: supplynet" in capsys.readouterr().out


def test_generate_info_export_import(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--preset", "tiny", "--seed", "3"]) == 0
    assert "stores" in capsys.readouterr().out
    assert main(["info", "--warehouse", "W001"]) == 0
    info = capsys.readouterr().out
    assert "embedded" in info and "demand rows" in info
    assert main(["export", str(tmp_path / "csv")]) == 0
    assert (tmp_path / "csv" / "supply_lanes.csv").exists()
    before = EmbeddedStore(data_dir).snapshot()
    assert main(["import", str(tmp_path / "csv")]) == 0
    assert EmbeddedStore(data_dir).snapshot() == before


def test_bad_import_exits_2_names_the_cell_and_stores_nothing(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--preset", "tiny"]) == 0
    assert main(["export", str(tmp_path / "csv")]) == 0
    capsys.readouterr()
    positions = pd.read_csv(tmp_path / "csv" / "inventory_positions.csv")
    positions.loc[4, "on_hand"] = -5
    positions.to_csv(tmp_path / "csv" / "inventory_positions.csv", index=False)
    before = EmbeddedStore(data_dir).snapshot()
    assert main(["import", str(tmp_path / "csv")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: invalid import from")
    assert err[1] == (
        "error: inventory_positions.csv line 6 column on_hand: "
        "input should be greater than or equal to 0 (got '-5.0')"
    )
    assert EmbeddedStore(data_dir).snapshot() == before


def test_console_script_reports_without_traceback(tmp_path: Path) -> None:
    """The installed entry point, run as a user would: exit 2, one line, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "supplynet.server.cli", "import", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        check=False,
        env={"SUPPLYNET_DATA": str(tmp_path / "store"), "PATH": ""},
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().endswith("not a directory")


def test_unknown_preset_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", "--preset", "huge"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'huge'" in capsys.readouterr().err


def test_demo_runs_every_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert main(["demo", "--preset", "tiny", "--out", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    for number in range(1, len(STAGES) + 1):
        assert f"[{number}/{len(STAGES)}]" in out
