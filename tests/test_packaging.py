"""The wheel's package list covers every source folder, under the ``supplynet`` namespace."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_SUFFIXES = {".xml", ".template", ".js", ".css"}
"""Files shipped as package data (not code), wherever they sit."""


def _declared() -> tuple[list[str], dict[str, str], dict[str, list[str]]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return config["packages"], config["package-dir"], config["package-data"]


def test_every_folder_with_code_or_data_is_a_listed_package() -> None:
    """A new subpackage left out of pyproject.toml would be missing from the wheel; a folder
    of package data left out makes setuptools warn on every install."""
    packages, package_dir, package_data = _declared()
    found = set()
    for name, folder in package_dir.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found.add(".".join([name, *relative.parts]))
        for path in (ROOT / folder).rglob("*"):
            data = path.parent.relative_to(ROOT / folder)
            if path.suffix in DATA_SUFFIXES and "__pycache__" not in data.parts:
                found.add(".".join([name, *data.parts]))
    assert sorted(found) == sorted(packages)
    assert set(package_data) <= set(packages)


def test_no_top_level_name_but_supplynet() -> None:
    """``proto``, ``graph`` or ``server`` at the top level would clash with other distributions."""
    packages, package_dir, _ = _declared()
    assert {name.split(".")[0] for name in [*packages, *package_dir]} == {"supplynet"}
