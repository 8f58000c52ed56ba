"""The pseudonyms of de-identified exports, computed where the pseudonym key is and kept sealed.

A de-identified export replaces each offender id with its pseudonym under the pseudonym key
(:func:`caseledger.projections.output.privacy.pseudonym`), a key only the process that computes
pseudonyms holds (:func:`caseledger.domain.secrets.keys.pseudonym_key`) — on PostgreSQL the
projector or the store's owner, not an analyst's login. So the pseudonyms are computed when the
read models are caught up, for every offender the timeline names, and kept in
``cl_pseudonyms`` (offender, pseudonym), a cache like the read models: a MAC on every row and a
seal on the table (:mod:`.sealing`), the offender column cloaked in an encrypted store. An
export reads them from there without the key.

The seal's position is the timeline position the pseudonyms cover; the next catch-up adds those
of the offenders named after it. A table that fails its seal is emptied and computed again from
the timeline (the pseudonyms are a function of the key and the ids: nothing is lost).

What this does not hide: every caseledger login may read this table, as it may read the read
models' offender ids (docs/security.md, "De-identification").
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

import msgspec
from eventsourcing.persistence import IntegrityError

from caseledger.domain.errors import CacheForged
from caseledger.domain.secrets.keys import PSEUDONYM_KEY_VARIABLE
from caseledger.domain.store.keys import pseudonym_key_of
from caseledger.domain.store.roles import cache_table_statement
from caseledger.domain.store.snapshots import REPORTS
from caseledger.projections.errors import ProjectionError
from caseledger.projections.readmodels.database import Cursor, Database
from caseledger.projections.readmodels.sealing import SealedTable, Seals, Writing
from caseledger.projections.readmodels.tables import TimelineModel

PSEUDONYMS = "cl_pseudonyms"
ATTEMPTS = 20


def pseudonym(key: bytes, offender: str) -> str:
    """The pseudonym of ``offender`` under the pseudonym key: ``p-`` and 80 bits of HMAC-SHA256 —
    the same offender has the same pseudonym in every export (analysts join exports on it), and
    without the key it can neither be reversed nor recomputed from a list of offender ids."""
    return "p-" + hmac.new(key, offender.encode(), hashlib.sha256).hexdigest()[:20]


class _Named(msgspec.Struct):
    """The one field of a timeline row's event this module reads (most events name an offender)."""

    offender: str | None = None


_named = msgspec.json.Decoder(_Named)


class _Forged(Exception):
    """The pseudonym table fails its seal (the timeline's own failures are the projector's to repair)."""


class Pseudonyms:
    """The ``cl_pseudonyms`` table of one store."""

    columns = ("offender", "pseudonym")

    def __init__(self, db: Database) -> None:
        self.db = db
        self.table = db.table(PSEUDONYMS)
        self.sealed = SealedTable(db, PSEUDONYMS, self.columns, {"offender": "name"})
        self.seals = Seals(db)
        self.timeline = TimelineModel().sealed(db)

    def create(self, cursor: Cursor) -> None:
        """Create the table and its seal if missing (the owner: on PostgreSQL with the grants
        ``init-roles`` gives the others, if the roles exist already)."""
        recorder = self.db.recorder
        if not recorder.table_exists(cursor, PSEUDONYMS):
            cursor.execute(f"CREATE TABLE {self.table} (offender TEXT PRIMARY KEY, pseudonym TEXT NOT NULL, mac {recorder.binary_type} NOT NULL)")
            if recorder.login is not None:
                cursor.execute(cache_table_statement(self.table))
        self.seals.start(cursor, [PSEUDONYMS])

    def refresh(self) -> None:
        """Compute the pseudonyms of the offenders the timeline names beyond the table's seal (the
        pseudonym key is read, or created, only when there is one to compute). A table that fails
        its seal is computed again from the whole timeline, and said."""
        lost: tuple[type[Exception], ...] = (IntegrityError, *self.db.recorder.conflict_errors)
        for _ in range(ATTEMPTS):
            try:
                self._refresh_once()
                return
            except _Forged as forged:
                REPORTS.warning("caseledger: warning: %s: the pseudonyms are computed again from the timeline", forged)
                with self.db.transaction(write=True) as cursor:
                    self.clear(cursor, Writing(self.seals, cursor))
            except lost:
                continue  # another process added them first: look again
        raise ProjectionError("computing the pseudonyms kept losing races with other processes; try again")

    def _refresh_once(self) -> None:
        with self.db.transaction(write=False) as cursor:
            try:
                done, upto = self._positions(cursor)
            except CacheForged as forged:
                raise _Forged(str(forged)) from None
            if done >= upto:
                return
            offenders = set(self._offenders(cursor, done, upto))
            try:
                named = sorted(offenders - self._known(cursor, sorted(offenders)))
            except CacheForged as forged:
                raise _Forged(str(forged)) from None
        key = pseudonym_key_of(self.db.recorder) if named else b""
        if key is None:
            REPORTS.warning(
                "caseledger: warning: %d offenders have no pseudonym yet: this process holds no pseudonym key file (%s); "
                "a de-identified export waits for one that does (the projector, the store's owner)",
                len(named),
                PSEUDONYM_KEY_VARIABLE,
            )
            return
        with self.db.transaction(write=True) as cursor:
            if self._positions(cursor)[0] != done:
                return  # another process moved it meanwhile: the next catch-up looks again
            writing = Writing(self.seals, cursor)
            self.sealed.insert(cursor, writing, [(offender, pseudonym(key, offender)) for offender in named])
            writing.reseal([PSEUDONYMS], upto)

    def _positions(self, cursor: Cursor) -> tuple[int, int]:
        """(the timeline position the pseudonyms cover, the timeline's)."""
        seal = self.seals.read(cursor, PSEUDONYMS)
        self.seals.check_position(cursor, seal, seal.position)
        row = cursor.execute(f"SELECT position FROM {self.db.table('cl_tracking')} WHERE name = ?", (TimelineModel.name,)).fetchone()
        return seal.position, int(row[0]) if row else 0

    def _offenders(self, cursor: Cursor, after: int, upto: int) -> Iterable[str]:
        for row in self.timeline.select(cursor, "position > ? AND position <= ?", (after, upto)):
            offender = _named.decode(row[-1]).offender
            if offender is not None:
                yield offender

    def _known(self, cursor: Cursor, offenders: list[str]) -> set[str]:
        """Those of ``offenders`` that have a pseudonym already (their rows checked): a catch-up
        reads the rows of the offenders it met, not the whole table."""
        known: set[str] = set()
        for start in range(0, len(offenders), 500):
            chunk = [self.sealed.param("offender", offender) for offender in offenders[start : start + 500]]
            known.update(str(offender) for offender, _name in self.sealed.select(cursor, f"offender IN ({','.join('?' * len(chunk))})", chunk))
        return known

    def _checked(self, cursor: Cursor) -> dict[str, str]:
        """Every pseudonym, each row checked, the table counted against its seal."""
        self.seals.check_rows(cursor, self.sealed)
        return {str(offender): str(name) for offender, name in self.sealed.select(cursor)}

    def clear(self, cursor: Cursor, writing: Writing) -> None:
        """Empty the table (the timeline it follows is rebuilt, or it failed its seal): the next
        catch-up computes every pseudonym again, the same under the same key."""
        cursor.execute(f"DELETE FROM {self.table}")
        writing.cleared(PSEUDONYMS)

    def mapping(self) -> dict[str, str]:
        """Offender id → pseudonym, as the table holds them (checked against the MACs and the seal;
        :class:`CacheForged` otherwise) — what an export reads, without the key."""
        if not self.db.recorder.has_table(PSEUDONYMS):
            raise ProjectionError("this store has no pseudonyms yet: the projector (`caseledger project`) or the store's owner computes them; try again then")
        with self.db.transaction(write=False) as cursor:
            self._positions(cursor)
            return self._checked(cursor)
