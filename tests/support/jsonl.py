"""Import lines for the tests of ``caseledger import``: a small store's worth (one site, one
officer, one offender, one add-on task) and the encoding a file of them has."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

SETUP: list[dict[str, object]] = [
    {
        "type": "SiteRegistered",
        "occurred_at": "2026-01-05",
        "site": "KP",
        "name": "Kingston Pen",
        "kind": "institution",
        "region": "ontario",
        "timezone": "America/Toronto",
        "security_levels": ["medium"],
    },
    {"type": "OfficerRegistered", "occurred_at": "2026-01-05", "officer": "po1", "name": "Pat", "site": "KP", "role": "institutional_po"},
    {
        "type": "OffenderAdmitted",
        "occurred_at": "2026-01-06",
        "offender": "O1",
        "site": "KP",
        "security_level": "medium",
        "sentence_start": "2025-01-01",
        "statutory_release": "2027-01-01",
        "warrant_expiry": "2028-01-01",
        "by": "mai1",
    },
    {
        "type": "AddOnTaskLogged",
        "occurred_at": "2026-01-07T10:15:00-05:00",
        "officer": "po1",
        "category": "travel_logistics",
        "minutes": 90,
        "note": "booked release travel",
    },
]
"""KP, po1 working there, O1 admitted there (entered by mai1), po1's travel add-on task."""


def jsonl(lines: Sequence[Mapping[str, object]]) -> list[bytes]:
    """``lines`` as import lines (JSON, one a line)."""
    return [msgspec.json.encode(line) + b"\n" for line in lines]
