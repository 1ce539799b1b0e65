"""Requests are pydantic models with their bounds declared as data; this turns a failed
check into the project's one error type, with field paths and the same wording on
every door (CLI flags and gRPC fields are named by the request field they fill)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from supplynet.graph.errors import Problem, ValidationFailed

RequestT = TypeVar("RequestT", bound=BaseModel)


def problems_of(error: PydanticError) -> list[Problem]:
    """One ``Problem`` per failed constraint, its path dotted (``lines[3].quantity``)."""
    found = []
    for detail in error.errors():
        path = ""
        for part in detail["loc"]:
            path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
        message = str(detail["msg"]).removeprefix("Value error, ")
        found.append(Problem(path or "request", f"{message}, got {detail['input']!r}"[:300]))
    return found


def checked(request_type: type[RequestT], subject: str, /, **fields: Any) -> RequestT:
    """``request_type(**fields)``, or ``ValidationFailed`` naming every bad field at once.

    Fields given as ``None`` are left out, so the model's (the settings') defaults apply.
    """
    given = {name: value for name, value in fields.items() if value is not None}
    try:
        return request_type(**given)
    except PydanticError as error:
        raise ValidationFailed(problems_of(error), subject) from None


def require(problems: list[Problem], subject: str) -> None:
    """Raise ``ValidationFailed`` when any problem was found."""
    if problems:
        raise ValidationFailed(problems, subject)
