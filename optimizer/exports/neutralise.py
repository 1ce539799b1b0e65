"""Formula-injection neutralising for spreadsheet exports (OWASP "CSV injection").

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
run as a formula by Excel and LibreOffice, so a stop or vehicle id such as
``=HYPERLINK(...)`` would execute when a logistics team opens the file. CSV cells of
that kind get a leading apostrophe (and so does a cell already starting with one, so
``restore`` gives back exactly what was written); XLSX cells are stored as text with
Excel's quote prefix instead. Numbers stay numbers: only text is ever touched.
"""

from __future__ import annotations

from typing import Any

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def is_formula_like(value: Any) -> bool:
    """Whether a spreadsheet would read the text ``value`` as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_LEADS)


def neutralise(value: Any) -> Any:
    """``value`` safe for a CSV cell: formula-like (or quote-led) text gets a quote first."""
    if is_formula_like(value) or (isinstance(value, str) and value.startswith(QUOTE)):
        return QUOTE + value
    return value


def restore(text: str) -> str:
    """The text ``neutralise`` was given, from the cell it wrote."""
    return text[1:] if text.startswith(QUOTE) else text
