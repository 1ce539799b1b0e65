"""Requests are pydantic models with their bounds declared as data; this turns a failed
check into the project's one error type, with field paths and the same wording on
every door (CLI flags and gRPC fields are named by the request field they fill)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError
from pydantic_core import ErrorDetails

from supplynet.graph.errors import Problem, ValidationFailed
from supplynet.graph.network import Network
from supplynet.graph.scope import Scope

RequestT = TypeVar("RequestT", bound=BaseModel)

SHOWN_INPUT = 60
"""Characters of a rejected value echoed back: enough to recognise it, never a flood."""

BOUND_WORDING = {
    "greater_than_equal": ("ge", "must be at least {}"),
    "greater_than": ("gt", "must be more than {}"),
    "less_than_equal": ("le", "must be at most {}"),
    "less_than": ("lt", "must be less than {}"),
    "string_too_long": ("max_length", "must be at most {} characters"),
    "string_too_short": ("min_length", "must be at least {} characters"),
    "string_pattern_mismatch": ("pattern", "must match {}"),
}


def _message(detail: ErrorDetails) -> str:
    context = detail.get("ctx") or {}
    key, wording = BOUND_WORDING.get(detail["type"], ("", ""))
    if key in context:
        message = wording.format(context[key])
    else:
        message = str(detail["msg"]).removeprefix("Value error, ")
    shown = repr(detail["input"])
    if len(shown) > SHOWN_INPUT:
        shown = shown[:SHOWN_INPUT] + "..."
    return f"{message}, got {shown}"


def problems_of(error: PydanticError) -> list[Problem]:
    """One ``Problem`` per failed constraint, its path dotted (``lines[3].quantity``)."""
    found = []
    for detail in error.errors():
        path = ""
        for part in detail["loc"]:
            path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
        found.append(Problem(path or "request", _message(detail)))
    return found


def checked(
    request_type: type[RequestT], subject: str, found: Sequence[Problem] = (), /, **fields: Any
) -> RequestT:
    """``request_type(**fields)``, or ``ValidationFailed`` naming every bad field at once.

    ``found`` are problems the caller saw already (a flag, an unknown id), reported with
    the request's own; fields given as ``None`` are left out, so defaults apply.
    """
    given = {name: value for name, value in fields.items() if value is not None}
    try:
        request = request_type(**given)
    except PydanticError as error:
        raise ValidationFailed([*problems_of(error), *found], subject) from None
    require(list(found), subject)
    return request


def require(problems: list[Problem], subject: str) -> None:
    """Raise ``ValidationFailed`` when any problem was found."""
    if problems:
        raise ValidationFailed(problems, subject)


def output_file_problems(path: Path, suffixes: Sequence[str], field: str = "out") -> list[Problem]:
    """Why ``path`` cannot take an output file: checked before any work, so a long solve
    or fit never ends in a traceback (or, worse, half done) because of where it writes."""
    problems = []
    if path.suffix.lower() not in suffixes:
        problems.append(Problem(field, f"{path}: use a {' or '.join(suffixes)} file name"))
    folder = next((p for p in [path.parent, *path.parent.parents] if p.exists()), Path("."))
    if path.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
        problems.append(Problem(field, f"cannot write {str(path)!r}"))
    return problems


SHOWN_UNKNOWN = 20
"""Unknown scope ids named one by one at most; the rest are counted."""


def scope_problems(network: Network, scope: Scope | None) -> list[Problem]:
    """The warehouses, SKUs and regions a scope names that ``network`` does not have.

    An unknown id is a typo to report, not an empty selection to answer with zeros.
    """
    if scope is None:
        return []
    axes = (
        ("warehouse", scope.warehouse_ids, {w.id for w in network.warehouses}),
        ("SKU", scope.sku_ids, {k.id for k in network.skus}),
        ("region", scope.regions, {w.region for w in network.warehouses}),
    )
    unknown = [
        (what, value)
        for what, asked, known in axes
        for value in sorted(asked or ())
        if value not in known
    ]
    problems = [
        Problem("scope", f"unknown {what} {value[:SHOWN_INPUT]!r}") for what, value in unknown
    ]
    if len(problems) > SHOWN_UNKNOWN:
        more = len(problems) - SHOWN_UNKNOWN
        problems = [*problems[:SHOWN_UNKNOWN], Problem("scope", f"and {more} more unknown ids")]
    return problems
