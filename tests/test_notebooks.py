"""The analyst notebooks run top to bottom on a fresh store, fast, and are committed clean.

Each notebook is executed with nbclient in a kernel on this interpreter
(``sys.executable``) against a fresh embedded store that the notebook fills with the
``tiny`` preset; any cell error fails the test. Notebook 01 also runs against the
real Neo4j server the test session starts.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from supplynet.graph.neo4j_store import Neo4jStore

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
KERNEL = "supplynet-test"
CELL_TIMEOUT_S = 600
"""A cell that hangs fails its test instead of stalling CI (speed is measured in bench/,
not asserted here)."""


@pytest.fixture(scope="session")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Jupyter data dir with a kernelspec that runs ipykernel on this interpreter."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"})
    )
    return root


@pytest.fixture
def notebook_env(
    kernel_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> pytest.MonkeyPatch:
    """Kernel lookup, a fresh empty embedded store and the tiny preset for the kernel."""
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_dir))
    monkeypatch.setenv("SUPPLYNET_DATA", str(tmp_path / "store"))
    monkeypatch.setenv("SUPPLYNET_NOTEBOOK_PRESET", "tiny")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return monkeypatch


def execute(path: Path) -> nbformat.NotebookNode:
    """Run every cell of ``path`` in a fresh kernel; returns the executed notebook."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return notebook


def outputs_text(notebook: nbformat.NotebookNode) -> str:
    """All text a notebook printed or displayed, for checking what it showed."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def figure_count(notebook: nbformat.NotebookNode) -> int:
    """Number of drawn outputs: PNG figures and interactive (folium / Leaflet) maps."""
    return sum(
        "image/png" in data or "leaflet" in str(data.get("text/html", "")).lower()
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        for data in [output.get("data", {})]
    )


ALL = sorted(NOTEBOOKS.glob("*.ipynb"))
FIGURES = {
    "01_explore_network": 2,
    "02_demand": 2,
    "03_risk_and_plan": 4,
    "04_routes": 1,
    "05_digital_twin": 2,
}
"""Figures each notebook draws at least (a missing one means a plot silently failed)."""


def test_kernel_runs_this_interpreter(notebook_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The test kernel is the interpreter running pytest, so notebooks see this venv."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    path = tmp_path / "probe.ipynb"
    nbformat.write(notebook, path)
    executed = execute(path)
    assert outputs_text(executed).strip() == sys.executable


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_notebook_runs_on_embedded_store(path: Path, notebook_env: pytest.MonkeyPatch) -> None:
    """Every cell runs without error, and the notebook draws its figures."""
    executed = execute(path)
    assert figure_count(executed) >= FIGURES[path.stem]
    if path.stem == "01_explore_network":
        assert "store: embedded" in outputs_text(executed)


@pytest.mark.neo4j
def test_explore_notebook_runs_on_neo4j(
    notebook_env: pytest.MonkeyPatch, neo4j_env: None, neo4j_store: Neo4jStore, neo4j_uri: str
) -> None:
    """Notebook 01 fills the (wiped) Neo4j database and answers its queries in Cypher.

    The notebook itself asserts that the Cypher answers equal the pandas ones.
    """
    assert os.environ["NEO4J_URI"] == neo4j_uri  # neo4j_env ran after notebook_env cleared it
    executed = execute(NOTEBOOKS / "01_explore_network.ipynb")
    text = outputs_text(executed)
    assert f"store: neo4j {neo4j_uri}" in text
    assert "same_as_pandas" in text
    assert neo4j_store.snapshot().counts()["warehouses"] == 2  # the tiny preset went to Neo4j


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_committed_notebook_has_no_outputs(path: Path) -> None:
    """Notebooks are committed stripped (``scripts/strip_notebooks``), so diffs stay reviewable."""
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    dirty = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert dirty == [], f"{path.name}: cells {dirty} have outputs; run scripts/strip_notebooks"


def test_every_notebook_opens_with_its_question() -> None:
    """Each notebook starts with a markdown paragraph saying what question it answers."""
    assert [p.stem for p in ALL] == list(FIGURES)
    for path in ALL:
        first = nbformat.read(path, as_version=4).cells[0]
        assert first.cell_type == "markdown"
        assert "**Question:**" in first.source, path.name


def test_helpers_live_in_the_package() -> None:
    """No notebook defines functions or classes: shared logic belongs in the package."""
    for path in ALL:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            defined = [
                line for line in cell.source.splitlines() if line.startswith(("def ", "class "))
            ]
            assert defined == [], f"{path.name} defines {defined}"
