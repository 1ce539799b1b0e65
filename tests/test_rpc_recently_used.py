"""The bounded map the servers keep derived answers in."""

from __future__ import annotations

import pytest

from supplynet.server.rpc.recently_used import RecentlyUsed


def test_the_least_recently_used_entry_goes_first() -> None:
    kept: RecentlyUsed[str, int] = RecentlyUsed(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the most recent: "b" is dropped next
    kept.put("c", 3)
    assert len(kept) == 2
    assert kept.get("b") is None
    assert (kept.get("a"), kept.get("c")) == (1, 3)


def test_writing_a_key_again_replaces_it_and_keeps_the_bound() -> None:
    kept: RecentlyUsed[int, str] = RecentlyUsed(3)
    for key in range(10):
        kept.put(key % 4, str(key))
    # the last writes were 3 -> "7", 0 -> "8", 1 -> "9": key 2 ("6") is the oldest, dropped
    assert len(kept) == 3
    assert [kept.get(key) for key in (0, 1, 2, 3)] == ["8", "9", None, "7"]


def test_a_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="size must be at least 1"):
        RecentlyUsed(0)
