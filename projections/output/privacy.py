"""De-identification: offender ids become keyed pseudonyms; names and free text are dropped.

The pseudonyms are read from the store's ``cl_pseudonyms`` table, computed where the pseudonym
key is (:mod:`caseledger.projections.readmodels.pseudonyms`): an export never holds the key, so
a de-identified file handed on cannot be reversed by recomputing pseudonyms from a list of
offender ids without it — not with the cache key, the store key or any key an analyst holds.
The same offender has the same pseudonym in every export of a store, so analysts can join
exports. The projections carry no names or free text; the columns named here are the
identifying ones. What de-identification does not hide, per store: docs/security.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from caseledger.projections.errors import ProjectionError

IDENTIFYING_COLUMNS = ("offender",)
"""Columns holding offender ids, replaced by pseudonyms."""

FREE_TEXT_COLUMNS = ("note", "reason", "destination", "name")
"""Columns of free text or names, dropped (none of today's projections has one; a guard for tomorrow's)."""


def deidentify(rows: Iterable[dict[str, Any]], pseudonyms: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    """Rows with offender ids replaced by their ``pseudonyms`` and free-text columns removed, one
    at a time; an offender with no pseudonym yet stops the export (the file is not written)."""
    for row in rows:
        clean = {key: value for key, value in row.items() if key not in FREE_TEXT_COLUMNS}
        for column in IDENTIFYING_COLUMNS:
            if clean.get(column) is not None:
                try:
                    clean[column] = pseudonyms[clean[column]]
                except KeyError:
                    raise ProjectionError(
                        "an offender of this export has no pseudonym yet: a process holding the store's pseudonym key file "
                        "(CASELEDGER_PSEUDONYM_KEY_FILE: the projector's, the store's owner's) computes it as it catches the read models up; try again then"
                    ) from None
        yield clean
