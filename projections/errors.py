"""The read side's refusal, on the lowest floor of :mod:`caseledger.projections` so that every floor can raise it."""

from __future__ import annotations

from caseledger.domain.errors import LedgerError


class ProjectionError(LedgerError):
    """A projection could not be computed or written: a read model that cannot be brought up to
    date, a projection, option or format that does not exist, a file that cannot be written (the
    message says which and why)."""
