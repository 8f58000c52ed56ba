"""``caseledger status``: the store's head, its events by type, and how far each read model is."""

from __future__ import annotations

from dataclasses import dataclass

from caseledger.domain.errors import CacheForged
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.keys import holds_cache_key
from caseledger.projections.readmodels.engine import ModelStatus, Projector


@dataclass(frozen=True)
class StoreStatus:
    """The figures ``status`` prints and the demo shows when it has no terminal."""

    head: int
    counts: dict[str, int]
    models: list[ModelStatus]
    forged: str | None
    """Why the read models cannot be trusted (a seal, row or chain head that fails), or None."""
    checked: bool = True
    """False when this process lacks the store's keys (an encrypted store's status needs none):
    the seals were not checked."""


def store_status(app: LedgerApplication) -> StoreStatus:
    """Counted in SQL (no event is decoded); the read models' positions from their tracking rows,
    each table checked against its seal and the log's chain (:mod:`caseledger.projections.readmodels.sealing`)."""
    counts = app.ledger_recorder.topic_counts()
    projector = Projector(app)
    head, models = projector.status()
    if not holds_cache_key(app.ledger_recorder, app.seal):
        return StoreStatus(head, counts, models, None, checked=False)
    try:
        projector.check(rows=True)
        forged = None
    except CacheForged as error:
        forged = str(error)
    return StoreStatus(head, counts, models, forged)
