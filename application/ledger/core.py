"""What a :class:`~caseledger.application.ledger.Ledger` holds for one person: the store, the login
it proves, the view and its roles (the :class:`Seat`), the clock and the read models — and the two
permission checks every use case starts with.

Readings are checked against the view's roles (:meth:`LedgerCore.require`: an admin may take
another user's view, with its roles); recordings against the login's roles as the store holds
them at that moment (:meth:`LedgerCore.require_recording`), since the login is who records.

One lock serialises the use cases (:func:`serialised`), so a front end may call a Ledger from
several threads (the terminal UI's workers): a refresh and a recording never interleave on one
connection pool.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from caseledger.application.commands import LedgerService
from caseledger.application.identity import identity
from caseledger.application.ledger.results import Seat
from caseledger.application.readmodels import ReadModels
from caseledger.domain.errors import STORE_FAILURES, CacheForged, LogUnauthenticated, store_failure
from caseledger.domain.events import catalogue as p
from caseledger.domain.integrity.witness import Seen, check_extends, remember
from caseledger.domain.model.access import Actor, require_reader, require_recording
from caseledger.domain.model.clock import Clock
from caseledger.domain.model.recording import actor_of
from caseledger.domain.model.times import Cutoff
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.domain.store.urls import redacted, store_identity
from caseledger.domain.store.views import StoreView
from caseledger.projections.engine.projector import Projector
from caseledger.projections.output.targets import Target, output_target
from caseledger.projections.replay.facts import View
from caseledger.projections.rules import Rules, load_rules

Done = Callable[[int], None]
"""Told how much of a piece of work is done so far."""

Progress = Callable[[str, int | None], contextlib.AbstractContextManager[Done]]
"""How a front end shows long work: given what is done and how much there is (None: unknown), a
context in which the Ledger reports progress (the command line draws a bar on a terminal)."""

P = ParamSpec("P")
T = TypeVar("T")
Core = TypeVar("Core", bound="LedgerCore")


def serialised(method: Callable[Concatenate[Core, P], T]) -> Callable[Concatenate[Core, P], T]:
    """Run ``method`` holding the Ledger's lock (re-entrant: a use case may call another)."""

    @functools.wraps(method)
    def locked(self: Core, /, *args: P.args, **kwargs: P.kwargs) -> T:
        with self.lock:
            return method(self, *args, **kwargs)

    return locked


class LedgerCore:
    """The state behind the use cases, and the checks they start with."""

    def __init__(self, app: LedgerApplication, url: str, view: str | None, *, clock: Clock, login: str | None, progress: Progress | None) -> None:
        """``view``: whose view to take (default: the login's own; only an admin takes another's);
        ``login``: who records where the store proves no login (a script's or a test's SQLite);
        ``progress``: how to show long work (None: not shown)."""
        self.app = app
        self.url = url
        self.clock = clock
        self.progress = progress
        self.lock = threading.RLock()
        self.rules: Rules = load_rules("current")
        self._login = login
        self._view = view
        self._seat: Seat | None = None
        self._projector: Projector | None = None
        self._service: LedgerService | None = None

    def _reopen(self, *, new_cache_key: bool) -> None:
        """Open the store afresh, holding its keys (``new_cache_key``: adopting this process's cache key)."""
        self.app = open_application(self.url, new_cache_key=new_cache_key)
        self._projector = None
        self._service = None

    # -- who ----------------------------------------------------------------------------------

    @functools.cached_property
    def login(self) -> str:
        """Who records and reads: the login the store proves (PostgreSQL), else the one given at
        open, else the operating system's (:func:`~caseledger.application.identity.identity`)."""
        return identity(self.app, self._login)

    @property
    def user(self) -> str:
        """Whose view this is (the login's own until :meth:`take_seat` says otherwise)."""
        return self._seat.viewer if self._seat is not None else self._view or self.login

    @property
    def store(self) -> str:
        """Where the store is, without its password."""
        return redacted(self.url)

    @property
    def seat(self) -> Seat:
        """Who is at the keyboard, with their roles (read from the store when first asked)."""
        return self._seat or self.take_seat()

    @property
    def seat_so_far(self) -> Seat:
        """The seat if its roles are read, else one with none (records nothing, reads nothing) —
        for a UI thread, which must not wait on the store while a worker catches up."""
        return self._seat or Seat(self.login, self.user, Actor(self.login))

    @serialised
    def take_seat(self) -> Seat:
        """Read the login's roles and the viewed user's: an admin may open anyone's view (with its
        roles; a view of someone holding none keeps the admin's), anyone else only their own."""
        view = StoreView(self.app)
        me = actor_of(view, self.login)
        notice = None
        viewer = self.user
        if viewer != me.login and not me.admin:
            notice, viewer = f"only an admin opens another user's view: showing {me.login}'s", me.login
        actor = me if viewer == me.login else actor_of(view, viewer)
        if actor is not me and not actor.roles:
            notice, actor = f"{viewer} holds no role in this store: their screens with your roles", me
        self._seat = Seat(me.login, viewer, actor, notice)
        return self._seat

    def require(self, action: str) -> Actor:
        """Refuse ``action`` (a row of the permission table's readings) unless the view's roles allow
        it; return the view's actor, whose roles then say what may be seen."""
        actor = self.seat.actor
        require_reader(actor, action)
        return actor

    def acting(self) -> Actor:
        """The login with its roles as the store holds them now: who records, imports, sets up."""
        return actor_of(StoreView(self.app), self.login)

    def require_recording(self, kind: type[p.Payload] | None = None) -> Actor:
        """Refuse, before anything is read or validated, what the login may not record whatever the
        case or site: anything, holding no recording role; ``kind``, an administration event, not
        being an admin. The rest of the table (whose case, which site) is checked when the entry
        is placed (:func:`~caseledger.domain.model.access.authorize`)."""
        actor = self.acting()
        require_recording(actor, kind)
        return actor

    # -- where ----------------------------------------------------------------------------------

    def _output_target(self, path: str, *, force: bool = False, keys: tuple[Path, ...] = (), companions: tuple[str, ...] = ()) -> Target:
        """Check that an output file may go at ``path`` (``--output``): never this store, one of its
        files or a key (``keys``: one given with the request), an existing file only with ``force``
        (:mod:`~caseledger.projections.output.targets`). Every use case that writes a file calls it
        after its permission check and before any work; a front end may call the module's function
        earlier still (``demo --report``, before seeding)."""
        return output_target(path, "--output", store=self.url, force=force, keys=keys, companions=companions)

    # -- when ---------------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        """The Ledger's clock (fixed in tests and snapshots)."""
        return self.clock.now()

    def view(self, as_of: Cutoff | None = None, known_at: Cutoff | None = None) -> View:
        """The cut the projections read: ``as_of`` and ``known_at`` (None: now) at the clock's now."""
        return View(as_of=as_of, known_at=known_at, now=self.now())

    # -- the read models ----------------------------------------------------------------------

    @property
    def projector(self) -> Projector:
        """The read models, opened when first needed (commands that read none never open them)."""
        if self._projector is None:
            self._projector = Projector(self.app)
        return self._projector

    @property
    def service(self) -> LedgerService:
        """The command service recording as :attr:`login`."""
        if self._service is None:
            self._service = LedgerService(self.app, self.login)
        return self._service

    @serialised
    def head(self) -> int:
        """The log's head position."""
        return self.app.head_position()

    @serialised
    def catch_up(self) -> int:
        """Bring the read models up to date (showing progress where there is a front end's);
        return how many events were applied. Any login may: it records nothing."""
        if self.progress is None:
            applied = self.projector.catch_up()
        else:
            models = ReadModels(self.projector)
            with self.progress("updating read models", models.lag()) as done:
                applied = models.catch_up(done)
        self._remember_authenticated()
        return applied

    def check_witness(self) -> None:
        """Refuse (:class:`~caseledger.domain.errors.LogUnauthenticated`) a log that no longer extends
        what this user's clients saw of this store (:mod:`~caseledger.domain.integrity.witness`). Any login may."""
        try:
            check_extends(store_identity(self.url), self.app.ledger_recorder.head_at)
        except LogUnauthenticated as alarm:
            raise self.projector.located(alarm) from None

    def _remember_authenticated(self) -> None:
        """Remember, for this user's next open, the position every read model reached and the chain
        head there: authenticated on the way (or vouched for by the seals the projector wrote)."""
        position = min(self.projector.positions().values(), default=0)
        head = self.app.ledger_recorder.head_at(position) if position else None
        if head is not None:
            remember(store_identity(self.url), Seen(position, head))

    def caught_up_after_recording(self, written: tuple[int, int] | None = None) -> str | None:
        """Catch the read models up after events were recorded; if the store or disk refuses now,
        the events stand (they were committed) and the next reading catches up: return why."""
        try:
            if written is not None:  # the positions this process has just chained and MAC'd (an import)
                self.projector.written_here(*written)
            self.catch_up()
        except STORE_FAILURES as error:
            return store_failure(error)
        return None

    @serialised
    def read_model_lag(self) -> int:
        """Events the read models have still to apply (the TUI warns when it is large)."""
        return ReadModels(self.projector).lag()

    def check_caches(self) -> str | None:
        """Count and check every read-model row against its seal (a screen checks only the rows it
        reads, so a deleted row is noticed here); if one fails, rebuild the read models and say
        why — and say why too when a screen met a failing row first and they were rebuilt then
        (stderr is under the TUI). Read without the lock (screens keep loading meanwhile); any login may."""
        try:
            self.projector.check(rows=True)
        except CacheForged as forged:
            with self.lock:
                self.projector.repair(forged)
        with self.lock:
            said, self.projector.repairs[:] = list(self.projector.repairs), []
        return "; ".join(said) or None
