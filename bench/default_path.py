"""The naive baseline: the eventsourcing library's default path, one save per command.

Same validation and aggregates as caseledger, but events go through the library's own Mapper
with its JSONTranscoder (payload Structs registered as transcodings), and every line is a
separate command: read the aggregates from the store, append, ``app.save`` — one transaction
per event. This is what "just use the library" gives, and what the importer is compared with.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder, Mapper, Transcoding

from caseledger.application.interchange import parse_line
from caseledger.domain.events.catalogue import PAYLOAD_TYPES, Payload
from caseledger.domain.model.recording import record_entry
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.urls import store_env
from caseledger.domain.store.views import StoreView


class _StructAsDict(Transcoding):
    def __init__(self, cls: type[Payload]) -> None:
        self.type = cls
        self.name = cls.__name__
        self.cls = cls

    def encode(self, obj: Payload) -> dict[str, Any]:
        return msgspec.to_builtins(obj)

    def decode(self, data: dict[str, Any]) -> Payload:
        return msgspec.convert(data, self.cls)


class DefaultPathApplication(LedgerApplication):
    """The ledger with the library's default mapper and JSON transcoder."""

    def construct_mapper(self) -> Mapper[UUID]:
        return Application.construct_mapper(self)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for cls in PAYLOAD_TYPES.values():
            transcoder.register(_StructAsDict(cls))


def import_one_command_at_a_time(url: str, lines: Iterable[bytes], user: str) -> int:
    """Record each line as its own command and transaction; return how many were recorded."""
    import datetime as dt

    app = DefaultPathApplication(env=store_env(url))
    count = 0
    for raw in lines:
        parsed = parse_line(raw, user)
        recorded_at = parsed.recorded_at or dt.datetime.now(dt.UTC)
        _, event = record_entry(StoreView(app), parsed.entry, recorded_at)
        app.save(event)
        count += 1
    return count
