"""A Sunday evening in Canada on a host whose clock already says Monday in UTC.

Three institutions — Toronto, Vancouver, St. John's — each with one officer and one case whose
correctional plan is due on **Sunday 6 December 2026** (admission 2026-09-27 + 70 days), and a
clerical add-on task on the Thursday of that week (ISO week 2026-W49). The moments are the
evenings the specification's "Today is the site's" talks about:

=============  ==========================  ===========================  ==============
site           local time                  UTC (the host's clock)       UTC date/week
=============  ==========================  ===========================  ==============
Toronto        Sun 2026-12-06 20:30 −05:00  Mon 2026-12-07 01:30         2026-W50
Vancouver      Sun 2026-12-06 23:30 −08:00  Mon 2026-12-07 07:30         2026-W50
St. John's     Sun 2026-12-06 21:00 −03:30  Mon 2026-12-07 00:30         2026-W50
=============  ==========================  ===========================  ==============

At each, today at the site is Sunday 2026-12-06 (ISO week 2026-W49): the plan is due *today*, not
one day late; an entry made now is dated the 6th; this week's add-ons are W49's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import msgspec

SUNDAY = dt.date(2026, 12, 6)
SUNDAY_WEEK = "2026-W49"
UTC_MONDAY_WEEK = "2026-W50"
ADMIN = "hq.admin"


@dataclass(frozen=True)
class Evening:
    site: str
    zone: str
    province: str
    region: str
    officer: str
    offender: str
    host_utc: dt.datetime
    """The host's clock (UTC) at the site's Sunday evening."""


EVENINGS = (
    Evening("on-inst", "America/Toronto", "ON", "ontario", "po-on", "off-on", dt.datetime(2026, 12, 7, 1, 30, tzinfo=dt.UTC)),
    Evening("bc-inst", "America/Vancouver", "BC", "pacific", "po-bc", "off-bc", dt.datetime(2026, 12, 7, 7, 30, tzinfo=dt.UTC)),
    Evening("nl-inst", "America/St_Johns", "NL", "atlantic", "po-nl", "off-nl", dt.datetime(2026, 12, 7, 0, 30, tzinfo=dt.UTC)),
)


def evening_lines() -> list[bytes]:
    """The three sites' events as interchange lines (bare dates: local dates at each site).

    Each case: sentence 2026-09-25, admitted 2026-09-27, its preliminary assessment completed on
    2026-09-28 (met), so the one deadline pressing on Sunday 6 December is the correctional plan
    (2026-09-27 + 70 days = 2026-12-06; the sentence ends within four years); the release plan's
    deadline is in 2028 (eligibility 2028-09-01 − 180 days)."""
    lines: list[dict[str, object]] = []
    for place in EVENINGS:
        lines += [
            {
                "type": "SiteRegistered",
                "occurred_at": "2026-01-05",
                "site": place.site,
                "name": f"{place.zone} institution",
                "kind": "institution",
                "region": place.region,
                "timezone": place.zone,
                "security_levels": ["medium"],
                "province": place.province,
            },
            {
                "type": "OfficerRegistered",
                "occurred_at": "2026-01-05",
                "officer": place.officer,
                "name": "Evening Officer",
                "site": place.site,
                "role": "institutional_po",
            },
            {
                "type": "OffenderAdmitted",
                "occurred_at": "2026-09-27",
                "offender": place.offender,
                "site": place.site,
                "security_level": "medium",
                "sentence_start": "2026-09-25",
                "statutory_release": "2029-01-25",
                "warrant_expiry": "2029-09-24",
                "day_parole_eligibility": "2028-09-01",
                "complexity": [],
            },
            {"type": "CaseAssigned", "occurred_at": "2026-09-27", "offender": place.offender, "officer": place.officer},
            {"type": "CaseTaskCompleted", "occurred_at": "2026-09-28", "offender": place.offender, "task": "preliminary_assessment"},
            {"type": "AddOnTaskLogged", "occurred_at": "2026-12-03", "officer": place.officer, "category": "clerical", "minutes": 30},
        ]
    return [msgspec.json.encode(line) for line in lines]
