"""Minutes of the day as dispatchers read them."""

from __future__ import annotations


def clock(minutes: float | None) -> str:
    """``HH:MM`` (rounded to the minute; past midnight shows ``+1d``); empty for None."""
    if minutes is None:
        return ""
    total = round(minutes)
    days, rest = divmod(total, 24 * 60)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return text if days == 0 else f"{text}+{days}d"
