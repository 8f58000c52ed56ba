"""An entry in words, and which entry is a person's last: what the terminal UI says before it
retracts something (the retract dialog, ``u`` to undo) and after it records something (the toast).

A person deciding to retract reads what the event *is* ("Add-on task logged: officer po.adams;
category clerical; minutes 45 — occurred 2026-03-19, recorded by po.adams"), never a bare
position. Their last entry is the newest event recorded under their login that still counts
(nothing retracts it) and that they may still retract themselves: an officer's own entries,
within the permission table's window of recording (24 hours: the Ledger passes it). The log is read
backwards from its head a batch at a time and the reading stops at the first batch recorded
wholly before the window, so the cost is the window's events, not the log's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import msgspec

from caseledger.application.text import fields_in_words, type_words, who
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.times import zone
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.log import LoggedEvent, SiteZones, read_log
from caseledger.projections.readmodels.database import Database
from caseledger.projections.replay.facts import registered_zones

BACKWARDS_BATCH = 500
"""Events read at a time going back from the head (a day of a busy region's entries is a few hundred)."""


@dataclass(frozen=True)
class Entry:
    """An event of the log, said in words."""

    position: int
    words: str


def payload_words(data: msgspec.Struct) -> str:
    """What an entry records, in words: its type, then its own fields (``Case assigned: offender:
    FPS0000005; officer: PO02``)."""
    fields = fields_in_words(data)
    return f"{type_words(type(data).__name__)}{f': {fields}' if fields else ''}"


def entry_words(event: LoggedEvent, zones: SiteZones) -> str:
    """A logged event in words: what it records, the local day it occurred at its site (an
    evening's entry is that evening's date, whatever UTC's), who recorded it."""
    envelope = event.envelope
    occurred = envelope.occurred_at.astimezone(zone(zones.zone_of(envelope.at_site))).date().isoformat()
    return f"{payload_words(envelope.data)} — occurred {occurred}, recorded by {who(envelope)} (position {event.position})"


def entry_of(app: LedgerApplication, event: LoggedEvent) -> Entry:
    """``event`` as an :class:`Entry` (its site's local day read from the sites' zones)."""
    return Entry(event.position, entry_words(event, registered_zones(Database(app))))


def event_at(app: LedgerApplication, position: int) -> LoggedEvent | None:
    """The readable event at ``position`` (None: no such position, or one that does not decode)."""
    found = list(read_log(app, after=position - 1, upto=position, skip_unreadable=True))
    return found[0] if found else None


def last_own_entry(app: LedgerApplication, login: str, now: dt.datetime, window: dt.timedelta, quarantined: Collection[int] = ()) -> Entry | None:
    """The newest entry ``login`` recorded within ``window`` before ``now`` that no retraction
    names and the read side did not quarantine (``quarantined``: it counts for nothing, and only
    an admin retracts it, from the Audit screen) — see the module."""
    since = now - window
    uncounted: set[int] = set(quarantined)
    upto = app.head_position()
    while upto > 0:
        after = max(0, upto - BACKWARDS_BATCH)
        batch = list(read_log(app, after=after, upto=upto, skip_unreadable=True))
        for event in reversed(batch):
            envelope = event.envelope
            if envelope.recorded_by == login and envelope.recorded_at >= since and event.position not in uncounted:
                return entry_of(app, event)
            if isinstance(envelope.data, p.EventRetracted) and event.position not in uncounted:  # a retracted (or quarantined) retraction revives its target
                uncounted.add(envelope.data.position)
        if all(event.envelope.recorded_at < since for event in batch):
            return None
        upto = after
    return None
