"""Keeping the store: its status, who the store says you are, proving the log (verify,
checkpoint), and the read models (rebuild, project)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from caseledger.application.entries import event_at
from caseledger.application.integrity import (
    NewCheckpoint,
    checked_head,
    checkpoint_document,
    deep_difference,
    quarantine_listing,
    sign_checkpoint,
    verify_store,
)
from caseledger.application.ledger.core import LedgerCore, serialised
from caseledger.application.ledger.requests import check_position
from caseledger.application.ledger.results import Rebuilt, Verification
from caseledger.application.ledger.scopes import AuditScope, allowed
from caseledger.application.proofs import ConsistencyProof, InclusionProof, prove_consistency, prove_inclusion
from caseledger.application.readmodels import ReadModels, discard_forged_snapshots, remac_the_log
from caseledger.application.status import StoreStatus, store_status
from caseledger.domain.errors import STORE_FAILURES, AccessRefused
from caseledger.domain.model.access import Actor
from caseledger.domain.store.roles import PROJECTOR_ROLE
from caseledger.domain.store.urls import store_identity
from caseledger.projections.engine.projector import Projector
from caseledger.projections.engine.quarantine import Quarantined
from caseledger.projections.errors import ProjectionError

UNREADABLE: tuple[type[Exception], ...] = (ProjectionError, *STORE_FAILURES)
"""Why the read models may not open for reading: none made yet, or the store refusing."""


class Keeping(LedgerCore):
    """The use cases that look after the store."""

    @serialised
    def status(self, *, full: bool = False) -> StoreStatus:
        """The head, the events by type, each read model's position and lag, whether their seals
        check (and a sample of their blocks, or with ``full`` every row). Any login may read it:
        it names no case."""
        return store_status(self.app, full=full)

    @serialised
    def whoami(self) -> Actor:
        """The login the store proves, its linked officer and roles. Any login may ask."""
        return self.seat.actor

    @serialised
    def verify(self, checkpoint: Path | None = None, public_key: Path | None = None, *, since_checkpoint: bool = False, deep: bool = False) -> Verification:
        """Recompute the hash chain (:func:`~caseledger.application.integrity.verify_store`); with
        ``deep`` and an intact chain, also every cache from the log; with ``checkpoint``, who signed
        it. A supervisor's, an auditor's or an admin's (the whole chain: it names no case)."""
        self.require("verify")
        verdict, signer = verify_store(self.app, checkpoint, public_key, since_checkpoint=since_checkpoint, store=store_identity(self.url))
        difference = deep_difference(self.app) if deep and verdict.ok else None  # first: opening the read models below creates what is missing
        quarantined, unlisted = self._quarantine()
        return Verification(verdict, deep=deep and verdict.ok, difference=difference, quarantined=quarantined, unlisted=unlisted, signer=signer)

    @serialised
    def quarantine(self) -> tuple[list[Quarantined], str | None]:
        """The events the read side quarantined — position, type, proven author, reason, whether
        retracted — and why the list is incomplete or missing, if it is. As ``verify``'s: a
        supervisor's, an auditor's or an admin's (a reason may name a case)."""
        self.require("verify")
        return self._quarantine()

    def _quarantine(self) -> tuple[list[Quarantined], str | None]:
        """The quarantine list as far as the read models have judged the log (listing catches
        nothing up: ``verify`` must change nothing, not even what this client remembers having
        seen, nor create or repair a table: the read models are opened read-only), and why it is
        incomplete or missing, if it is."""
        try:
            reader = Projector(self.app, reading_only=True)
        except UNREADABLE as error:
            return [], f"the read models cannot be read ({error})"
        quarantined, unlisted = quarantine_listing(reader)
        judged, head = reader.judged(), self.app.head_position()
        if unlisted is None and judged < head:
            unlisted = f"the read models have judged the log up to position {judged} of {head}; what follows is judged when they catch up"
        return quarantined, unlisted

    @serialised
    def checkpoint(self, key: Path | None = None, *, output: str | None = None, force: bool = False) -> NewCheckpoint:
        """A checkpoint of the verified head signed with ``key`` (default: the user config
        directory's, created on first use: the result names the key file it made), written to
        ``output`` when given (a file there replaced only with ``force``; never the store or a
        key, ``key`` included); who may verify may sign one."""
        self.require("verify")
        target = self._output_target(output, force=force, keys=(key,) if key else ()) if output is not None else None
        made = sign_checkpoint(self.app, key, [event.position for event in self._quarantine()[0]])
        if target is not None:
            target.write(lambda out: out.write(checkpoint_document(made.checkpoint)))
        return made

    @serialised
    def prove(self, position: int, checkpoint: Path, public_key: Path | None = None) -> InclusionProof:
        """The inclusion proof of the event at ``position`` in the tree ``checkpoint`` signs,
        checked against its root (:mod:`caseledger.application.proofs`). Who may verify may ask;
        the event's canonical bytes are shown only to who may read the event in the Audit
        screen's scope (else the proof carries its leaf hash alone)."""
        self.require("verify")
        check_position(position, "POSITION")
        head = checked_head(checkpoint, public_key)
        proof = prove_inclusion(self.app, position, head)
        event = event_at(self.app, position)
        actor = self.seat.actor
        if event is None or not (event.envelope.recorded_by == actor.login or allowed(lambda: AuditScope(self.app, actor).allows(event.envelope))):
            proof = dataclasses.replace(proof, leaf="")
        return proof

    @serialised
    def consistency(self, old: Path, new: Path, public_key: Path | None = None) -> ConsistencyProof:
        """The consistency proof between the tree heads two checkpoints sign, drawn from the
        store and checked against both. As ``verify``'s."""
        self.require("verify")
        return prove_consistency(self.app, checked_head(old, public_key), checked_head(new, public_key))

    @serialised
    def rebuild(self, name: str | None = None, *, new_cache_key: bool = False) -> Rebuilt:
        """Empty the read models ``name`` needs (a read model or a projection; all when None) and
        replay the log into them, after deleting the aggregate snapshots whose MAC fails; with
        ``new_cache_key``, every cache is sealed under this process's cache key. An admin's; the
        check comes before the store is opened with a new cache key, which changes it."""
        self.require("rebuild")
        self._reopen(new_cache_key=new_cache_key)
        if new_cache_key:
            remac_the_log(self.app)
        forged = discard_forged_snapshots(self.app)
        models = ReadModels(self.projector)
        if self.progress is None:
            names, head = models.rebuild(name)
        else:
            with self.progress("rebuilding read models", self.app.head_position()) as done:
                names, head = models.rebuild(name, done)
        return Rebuilt(names, head, forged)

    @serialised
    def project(self) -> int:
        """Bring the read models up to date; return the position the furthest-behind one reached.
        On a PostgreSQL store with roles the projector's job: the owner's or a member of the
        projector role's (user logins only read them)."""
        recorder = self.app.ledger_recorder
        if not recorder.writes_caches:
            raise AccessRefused(f"only the store's owner or a member of {PROJECTOR_ROLE} writes the read models; {recorder.login} reads them")
        self.catch_up()
        return min(self.projector.positions().values(), default=0)
