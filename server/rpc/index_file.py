"""The server's series index in a file, so a job selects its own rows.

Selecting a plan's rows from the cached index and pickling them to the job (~3 MB of
object columns for one warehouse of the demo) held the server's GIL for ~50 ms per
StartPlan: twenty plans at once stalled every light call for a second. The index is
written once per demand version instead, and each job reads it in its own (niced)
process; the server only sends the file's path.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path

from supplynet.forecasting.series_index import SeriesIndex


@dataclass(frozen=True)
class IndexFile:
    """A series index pickled into the server's own private folder (mode 0700)."""

    path: Path

    @classmethod
    def write(cls, index: SeriesIndex, folder: Path) -> IndexFile:
        """Write a fresh ``index`` into ``folder``; the file goes with the returned object.

        The server keeps the object beside the index, and a job that still needs the
        file holds it until the job ends: a replaced index's file lives exactly as long
        as a job may read it. Written before any light forecast has cached fitted models
        in the index (they need not pickle).
        """
        handle, name = tempfile.mkstemp(prefix="series-", suffix=".pickle", dir=folder)
        with os.fdopen(handle, "wb") as out:
            pickle.dump(index, out, protocol=pickle.HIGHEST_PROTOCOL)
        file = cls(Path(name))
        weakref.finalize(file, file.path.unlink, missing_ok=True)
        return file

    def read(self) -> SeriesIndex:
        """The index as written (only ever a file this server wrote)."""
        with self.path.open("rb") as source:
            index: SeriesIndex = pickle.load(source)
        return index
