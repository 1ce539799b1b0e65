"""The supplynet exception tree.

Every layer raises these (never driver or transport exceptions), so the CLI and
the gRPC interceptor can map them to exit codes and ``google.rpc.Status`` in one
place.

    SupplynetError
    ├── ValidationFailed     bad input; carries every problem found, each with a path
    ├── NotFound             an id that does not exist
    ├── StoreError           the store could not complete an operation
    │   └── StoreUnavailable the store could not be reached or started
    ├── Overloaded           too much work queued already; retry later
    └── Cancelled            long work stopped on request
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason why input was rejected, located by a path such as ``stores[3].latitude``."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class SupplynetError(Exception):
    """Base of every error supplynet raises on purpose."""

    reason_code = "SUPPLYNET_ERROR"


class ValidationFailed(SupplynetError):
    """Input failed validation; ``problems`` lists every violation, not just the first."""

    reason_code = "INVALID_INPUT"

    def __init__(self, problems: Iterable[Problem], subject: str = "input") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.subject = subject
        count = len(self.problems)
        head = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {count - 5} more)" if count > 5 else ""
        super().__init__(f"invalid {subject}: {count} problem(s): {head}{more}")

    def __reduce__(self) -> tuple[type[ValidationFailed], tuple[tuple[Problem, ...], str]]:
        # pickled whole, so it crosses from a worker process with its problems intact
        return type(self), (self.problems, self.subject)


class NotFound(SupplynetError):
    """A referenced entity, plan or operation does not exist."""

    reason_code = "NOT_FOUND"

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key!r} not found")

    def __reduce__(self) -> tuple[type[NotFound], tuple[str, str]]:
        return type(self), (self.kind, self.key)


class StoreError(SupplynetError):
    """A store operation failed; nothing was written."""

    reason_code = "STORE_ERROR"


class StoreUnavailable(StoreError):
    """The store could not be reached or started."""

    reason_code = "STORE_UNAVAILABLE"


class Overloaded(SupplynetError):
    """The server holds as much queued work as it accepts; ``retry_after_s`` is a hint."""

    reason_code = "OVERLOADED"

    def __init__(self, what: str, limit: int, retry_after_s: float) -> None:
        self.what = what
        self.limit = limit
        self.retry_after_s = retry_after_s
        super().__init__(f"{what}: {limit} already queued or running; retry later")

    def __reduce__(self) -> tuple[type[Overloaded], tuple[str, int, float]]:
        return type(self), (self.what, self.limit, self.retry_after_s)


class Cancelled(SupplynetError):
    """Long-running work was cancelled by its caller."""

    reason_code = "CANCELLED"
