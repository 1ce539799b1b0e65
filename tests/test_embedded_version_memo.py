"""The embedded store's versions are asked for on every server call: a file whose stat is
unchanged is not read again, unless it was written so recently that a second write could
share its timestamp (the clock is injected; no waiting)."""

from __future__ import annotations

import os
from pathlib import Path

from supplynet.graph.embedded import RACY_NS, _FileMemo


def _memo(path: Path, reads: list[str], late: bool, missing: str | None = None) -> _FileMemo:
    """A memo of ``path`` whose reads are logged; ``late``: its clock reads the file as
    older than ``RACY_NS``, else as just written."""

    def read() -> str:
        reads.append(path.read_text() if path.exists() else "-")
        return reads[-1]

    def clock() -> int:
        info = os.stat(path)
        return max(info.st_mtime_ns, info.st_ctime_ns) + (RACY_NS + 1 if late else 0)

    return _FileMemo(path, read, missing, clock)


def _replace(path: Path, text: str) -> None:
    staging = path.with_name(".staging")
    staging.write_text(text)
    os.replace(staging, path)


def test_an_unchanged_file_is_read_once(tmp_path: Path) -> None:
    path, reads = tmp_path / "MANIFEST.json", list[str]()
    _replace(path, "one")
    memo = _memo(path, reads, late=True)
    assert [memo.get() for _ in range(3)] == ["one"] * 3
    assert reads == ["one"]


def test_a_replaced_file_is_read_again(tmp_path: Path) -> None:
    path, reads = tmp_path / "MANIFEST.json", list[str]()
    _replace(path, "one")
    memo = _memo(path, reads, late=True)
    assert memo.get() == "one"
    _replace(path, "two")
    assert memo.get() == "two"
    assert reads == ["one", "two"]


def test_a_file_written_within_the_racy_window_is_read_every_time(tmp_path: Path) -> None:
    path, reads = tmp_path / "MANIFEST.json", list[str]()
    _replace(path, "one")
    memo = _memo(path, reads, late=False)
    assert [memo.get() for _ in range(3)] == ["one"] * 3
    assert reads == ["one"] * 3


def test_a_missing_file_gives_its_value_without_a_read(tmp_path: Path) -> None:
    path, reads = tmp_path / "plans" / ".version", list[str]()
    assert _memo(path, reads, late=True, missing="plans:0").get() == "plans:0"
    assert reads == []
