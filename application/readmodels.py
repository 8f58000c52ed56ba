"""The read models as a person drives them: how far behind they are, catching up, rebuilding.

The command line shows a progress bar around these; the TUI catches up in a worker after its
first paint and warns when the lag is large.
"""

from __future__ import annotations

from collections.abc import Callable

from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.migrations import mac_the_chain
from caseledger.domain.store.snapshots import REPORTS
from caseledger.projections.catalogue import models_for
from caseledger.projections.engine.projector import Projector

Progress = Callable[[int], None]
"""Called with how many events are done so far."""


class ReadModels:
    """One store's read models."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector

    @classmethod
    def of(cls, app: LedgerApplication) -> ReadModels:
        return cls(Projector(app))

    def lag(self) -> int:
        """Events the furthest-behind read model has not applied yet."""
        _head, models = self.projector.status()
        return max((model.lag for model in models), default=0)

    def catch_up(self, on_progress: Progress | None = None) -> int:
        """Apply every event not yet applied; return how many were."""
        return self.projector.catch_up(on_progress)

    def rebuild(self, name: str | None, on_progress: Progress | None = None) -> tuple[tuple[str, ...], int]:
        """Empty and replay the read models ``name`` needs (a read model or a projection; all when
        None); return the models rebuilt (empty for all) and the position they reached."""
        names = models_for(name) if name else ()
        self.projector.rebuild(names, on_progress)
        head, _models = self.projector.status()
        return names, head


def discard_forged_snapshots(app: LedgerApplication) -> int:
    """Delete the aggregate snapshots whose MAC fails (commands already ignore them); return how many."""
    forged = app.forged_snapshots()
    if forged:
        app.delete_snapshots(forged)
    return len(forged)


def remac_the_log(app: LedgerApplication) -> None:
    """Give the log's chain entries MACs under this process's ledger key, after walking the
    public chain (``rebuild --new-cache-key``: the ledger key derives from the cache key, so a lost
    cache key leaves every MAC unverifiable). An entry that does not verify is left without one,
    and ``verify`` names it. Verify the log against a signed checkpoint first: what the walk
    cannot tell — a rewrite consistent under the public chain — is vouched for from here on."""
    with app.ledger_recorder.bulk_transaction() as bulk:
        count, skipped = mac_the_chain(app.ledger_recorder, bulk.cursor)
    left = f"; {skipped} that did not verify were left without one" if skipped else ""
    REPORTS.warning("caseledger: the log's %d chain entries now carry MACs under this process's ledger key%s", count, left)
