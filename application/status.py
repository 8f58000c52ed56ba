"""``caseledger status``: the store's head, its events by type, and how far each read model is."""

from __future__ import annotations

from dataclasses import dataclass

from caseledger.domain.store.application import LedgerApplication
from caseledger.projections.readmodels.engine import ModelStatus, Projector


@dataclass(frozen=True)
class StoreStatus:
    """The figures ``status`` prints and the demo shows when it has no terminal."""

    head: int
    counts: dict[str, int]
    models: list[ModelStatus]


def store_status(app: LedgerApplication) -> StoreStatus:
    """Counted in SQL (no event is decoded); the read models' positions from their tracking rows."""
    counts = app.ledger_recorder.topic_counts()
    head, models = Projector(app).status()
    return StoreStatus(head, counts, models)
