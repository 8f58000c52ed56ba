"""What the Ledger's use cases return where it is more than rows: plain values a front end prints
or shows (a thread worker hands them to the UI thread as they are)."""

from __future__ import annotations

from dataclasses import dataclass, field

from caseledger.application.integrity import CheckpointSigner
from caseledger.domain.integrity.verify import Verdict
from caseledger.domain.model.access import READERS, RECORDING_ROLES, Actor, recordable
from caseledger.projections.engine.deep import Difference
from caseledger.projections.engine.quarantine import Quarantined


@dataclass(frozen=True)
class Seat:
    """Who is at the keyboard and whose view they have: the proven ``login`` records; ``actor``'s
    roles decide what the screens offer (the viewed user's; an admin may take anyone's view)."""

    login: str
    viewer: str
    actor: Actor
    notice: str | None = None
    """Why the view is not the one asked for, if it is not."""

    @property
    def records(self) -> bool:
        """Whether this view records at all (an auditor's or analyst's is read-only)."""
        return any(self.actor.holds(role) for role in RECORDING_ROLES)

    @property
    def recordable(self) -> list[str]:
        """The event types this view's roles may record (the record form offers only these)."""
        return recordable(self.actor)

    def may(self, action: str) -> bool:
        """Whether a role of this view allows ``action`` (a key of :data:`~caseledger.domain.model.access.READERS`)."""
        return any(self.actor.holds(role) for role in READERS[action])


@dataclass(frozen=True)
class Recorded:
    """An entry recorded: its event's type and log position."""

    kind: str
    position: int
    stale: str | None = None
    """Why the read models could not be brought up to date after it (the entry stands; the next
    reading catches up), or None."""


@dataclass(frozen=True)
class Imported:
    """What an import recorded: how many events, at which positions."""

    events: int
    first_position: int | None
    last_position: int | None
    stale: str | None = None
    """As :attr:`Recorded.stale`."""


@dataclass(frozen=True)
class Verification:
    """The hash chain's verdict and, when asked for and the chain is intact, the first cache that
    differs from its recomputation from the log (None: every one equals it)."""

    verdict: Verdict
    deep: bool = False
    """Whether the caches were compared."""
    difference: Difference | None = None
    quarantined: list[Quarantined] = field(default_factory=list)
    """The events the read side quarantined (:func:`~caseledger.application.integrity.quarantine_listing`)."""
    unlisted: str | None = None
    """Why the quarantined events could not be listed, or None."""
    signer: CheckpointSigner | None = None
    """The checkpoint checked against and who signed it (None: no checkpoint given)."""

    def headline(self, scope: str = "") -> str:
        """The verdict in one line, as ``verify`` prints it last (``scope``: what was walked, as
        " from the checkpoint on")."""
        verdict = self.verdict
        if not verdict.ok:
            return f"{verdict.events} events verified, {sum(found.count for found in verdict.breaks)} broken"
        return f"intact: {verdict.events} events{scope}, head position {verdict.head_position}, head {verdict.head.hex()}"


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild did."""

    names: tuple[str, ...]
    """The read models rebuilt (empty: all of them)."""
    head: int
    """The position they reached."""
    forged_snapshots: int
    """Aggregate snapshots deleted because their MAC failed."""
