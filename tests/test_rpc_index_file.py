"""The series index a server writes for its jobs: read back equal, gone with its owner."""

from __future__ import annotations

import gc
from pathlib import Path

import pandas as pd

from supplynet.forecasting.series_index import SeriesIndex
from supplynet.graph.synthetic import SyntheticDataset
from supplynet.server.rpc.index_file import IndexFile


def test_a_job_reads_the_index_the_server_wrote(tiny: SyntheticDataset, tmp_path: Path) -> None:
    index = SeriesIndex(tiny.demand)
    file = IndexFile.write(index, tmp_path)
    read = file.read()
    keys = index.keys()
    assert read.keys() == keys and read.freq == index.freq
    pd.testing.assert_frame_equal(read.rows(keys[:3]), index.rows(keys[:3]))


def test_the_file_lives_as_long_as_something_holds_it(
    tiny: SyntheticDataset, tmp_path: Path
) -> None:
    """The server drops a replaced index's file; a job still holding it keeps it."""
    file = IndexFile.write(SeriesIndex(tiny.demand), tmp_path)
    path = file.path
    held_by_job = file
    del file
    gc.collect()
    assert path.exists()
    del held_by_job
    gc.collect()
    assert not path.exists()
