"""Recording: entries, retractions, imports, who may do what, the demo — and what the record form
asks before recording (known values, oddities)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from caseledger.application.commands import When
from caseledger.application.demo import seed_demo
from caseledger.application.entries import Entry, last_own_entry
from caseledger.application.imports import ImportReport, import_lines
from caseledger.application.ledger.core import LedgerCore, serialised
from caseledger.application.ledger.results import Imported, Recorded
from caseledger.application.oddities import covered_now, oddities
from caseledger.application.suggestions import Offers, known_values
from caseledger.domain.errors import AccessRefused
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.access import OWN_ENTRY_WINDOW, require_reader
from caseledger.domain.model.times import utc_now
from caseledger.domain.store.views import StoreView


class Recording(LedgerCore):
    """The use cases that record."""

    @serialised
    def record(self, data: p.Payload, occurred_at: When, note: str | None = None) -> Recorded:
        """Validate and record one entry as the login; then bring the read models up to date."""
        self.require_recording(type(data))
        position = self.service.record(data, occurred_at, note)
        return Recorded(type(data).__name__, position, self.caught_up_after_recording())

    def retract(self, position: int, reason: str, note: str | None = None) -> Recorded:
        """Record ``EventRetracted``: the event at ``position`` no longer counts in projections."""
        return self.record(p.EventRetracted(position=position, reason=reason), self.now(), note)

    @serialised
    def last_own_entry(self) -> Entry | None:
        """The login's newest entry that still counts and that they may retract themselves (within
        24 hours of recording it), in words (``u``, undo: :mod:`caseledger.application.entries`);
        to a login that records. The window is counted as the retraction rule counts it: from the
        system clock's now, the recording time a retraction would get (the view's clock may be a
        fixed instant)."""
        self.require_recording()
        self.projector.catch_up()
        return last_own_entry(self.app, self.login, utc_now(), OWN_ENTRY_WINDOW, self.projector.quarantined_positions())

    def grant(self, user: str, role: p.AccessRole, site: str | None = None) -> Recorded:
        """Record ``RoleGranted`` (an admin's)."""
        return self.record(p.RoleGranted(user=user, role=role, site=site), self.now())

    def revoke(self, user: str, role: p.AccessRole, site: str | None = None) -> Recorded:
        """Record ``RoleRevoked`` (an admin's)."""
        return self.record(p.RoleRevoked(user=user, role=role, site=site), self.now())

    def link(self, user: str, officer: str) -> Recorded:
        """Record ``UserLinked``: ``user``'s screens open on ``officer`` (an admin's)."""
        return self.record(p.UserLinked(user=user, officer=officer), self.now())

    @serialised
    def import_lines(self, lines: Iterable[bytes], *, keep_recorded: bool = False) -> Imported:
        """Record every JSON Lines line or none (:func:`~caseledger.application.imports.import_lines`):
        an admin's; keeping each line's recorder (``keep_recorded``, a move between stores) only the
        store owner's where the database writes every other login's own."""
        require_reader(self.acting(), "import")
        recorder = self.app.ledger_recorder
        if keep_recorded and recorder.login is not None and not recorder.owns_store:
            raise AccessRefused(
                f"only the store's owner ({recorder.owner}) keeps other logins' names (--keep-recorded): the database writes every other login's own; {self.login}"
            )
        report = import_lines(self.app, lines, self.login, keep_recorded=keep_recorded)
        written = (report.first_position, report.last_position) if report.first_position is not None and report.last_position is not None else None
        return Imported(report.events, report.first_position, report.last_position, self.caught_up_after_recording(written))

    @serialised
    def seed_demo(self, seed: int, lines: Callable[[bytes], Iterator[bytes]] | None = None) -> ImportReport | None:
        """Seed the demo's year into an empty store and bring the read models up to date (None,
        recording nothing, when the store holds events). Whoever seeds an empty store is its first
        user, so its admin: the import row of the table allows it."""
        if self.app.head_position() != 0:
            return None
        require_reader(self.acting(), "import")
        report = seed_demo(self.app, seed, self.clock, lines)
        if report is not None:
            self.catch_up()
        return report

    @serialised
    def init_roles(self, *, users: Sequence[str] = (), admins: Sequence[str] = (), projectors: Sequence[str] = ()) -> str:
        """PostgreSQL: create the group roles and their grants, make the logins named members (the
        owner's, once the read models exist: they are caught up first); say what was done."""
        require_reader(self.acting(), "init-roles")
        self.catch_up()
        return self.app.ledger_recorder.init_roles(users=users, admins=admins, projectors=projectors)

    @serialised
    def suggestions(self, officer: str) -> Offers:
        """What the record form offers as each id is typed (see :mod:`caseledger.application.suggestions`):
        to a login that records."""
        self.require_recording()
        self.projector.catch_up()
        return self.projector.trusting(lambda: known_values(self.projector, self.view(), officer))

    @serialised
    def oddities(self, data: p.Payload) -> list[str]:
        """What is accepted but odd about ``data`` (the form asks before recording it), to a login
        that may record it; for a coverage, who covers the absent officer now, read as the Site
        screen reads it."""
        self.require_recording(type(data))
        covered = None
        if isinstance(data, p.CoverageStarted):
            self.projector.catch_up()
            covered = self.projector.trusting(lambda: covered_now(self.projector, self.view(), data.officer))
        return oddities(StoreView(self.app), data, covered)
