"""The wheel's package list covers every source folder, under the ``supplynet`` namespace."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _declared() -> tuple[list[str], dict[str, str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return config["packages"], config["package-dir"]


def test_every_folder_with_an_init_is_a_listed_package() -> None:
    """A new subpackage left out of pyproject.toml would be missing from the wheel."""
    packages, package_dir = _declared()
    found = set()
    for name, folder in package_dir.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found.add(".".join([name, *relative.parts]))
    assert sorted(found) == sorted(packages)


def test_no_top_level_name_but_supplynet() -> None:
    """``proto``, ``graph`` or ``server`` at the top level would clash with other distributions."""
    packages, package_dir = _declared()
    assert {name.split(".")[0] for name in [*packages, *package_dir]} == {"supplynet"}
