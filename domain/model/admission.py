"""Whether the program would have recorded an event it finds stored: the checks of the command
path, replayed against the ledger's state as of the event's position.

An event written around the program (SQL against the store) has passed none of them; the read
side asks :class:`Admission` before applying one (:mod:`caseledger.projections.engine.quarantine`).
The checks are the command path's (:func:`caseledger.domain.model.recording.record_entry`): the
note's length, the validation rules (:func:`~caseledger.domain.model.validation.locate`: the
identifier check is for new entries only, and a store may hold ids from before it), the site
the rules place it at, ``occurred_at`` not after ``recorded_at``, and the permission table
(:func:`~caseledger.domain.model.access.authorize`) for its *proven* recorder at that time.

A recorder the ledger has never heard of — no ``UserLinked`` or role event names them and they are
not one of its first users — is not checked against the permission table: moving a store with
``import --keep-recorded`` (an admin's act, checked once) keeps recorders the new store may know
nothing about (docs/security.md, residual risks).
"""

from __future__ import annotations

import datetime as dt

from caseledger.domain.errors import DomainError
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.access import Actor, authorize
from caseledger.domain.model.recording import NOTE_LIMIT, actor_of
from caseledger.domain.model.times import check_not_future
from caseledger.domain.model.validation import LedgerView, Placement, locate

ACCESS_EVENTS = (p.UserLinked, p.RoleGranted, p.RoleRevoked)


class Admission:
    """The checks, against ``view`` (kept current by the caller), with who holds what remembered
    between access events."""

    def __init__(self, view: LedgerView) -> None:
        self.view = view
        self._actors: dict[str, Actor | None] = {}

    def admit(self, data: p.Payload, *, at_site: str | None, note: str | None, occurred_at: dt.datetime, recorded_at: dt.datetime, recorder: str) -> Placement:
        """Where ``data`` goes, or :class:`DomainError` / :class:`~caseledger.domain.errors.AccessRefused`
        naming why the program would have refused it."""
        if note is not None and not 0 < len(note) <= NOTE_LIMIT:
            raise DomainError("note", f"a note is 1 to {NOTE_LIMIT} characters")
        placement = locate(self.view, data)
        if at_site != placement.at_site:
            raise DomainError("at_site", f"it says {at_site or 'no site'}; the ledger places it at {placement.at_site or 'no site'}")
        check_not_future(occurred_at, recorded_at)
        actor = self._actor(recorder)
        if actor is not None:
            authorize(actor, data, placement.at_site, case=placement.existing, target=placement.target, now=recorded_at)
        if isinstance(data, ACCESS_EVENTS):
            self._actors.clear()
        return placement

    def _actor(self, login: str) -> Actor | None:
        """``login`` with the roles they hold now; None for a recorder the ledger has never heard of."""
        try:
            return self._actors[login]
        except KeyError:
            actor = actor_of(self.view, login)
            known = actor.first_user or self.view.user(login) is not None
            self._actors[login] = actor if known else None
            return self._actors[login]
