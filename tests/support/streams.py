"""Random valid streams for the projections' properties: the generator's events with their
would-be log positions, and retractions of some of them (some of retractions)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from hypothesis import strategies as st

from caseledger.fixtures.generate import generate
from tests.support.generated import GENERATED_UNTIL

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
"""After every generated event (they end by ``GENERATED_UNTIL``): the queries' clock."""


def stream(seed: int, events: int, retractions: int) -> list[dict[str, Any]]:
    """Generated lines with their would-be positions, plus some retractions (some of retractions)."""
    rng = random.Random(seed)
    lines = [{**line, "position": index + 1} for index, line in enumerate(generate(events, seed=seed, until=GENERATED_UNTIL))]
    targeted: set[int] = set()  # one retraction per event
    for _ in range(retractions):
        at = rng.randrange(20, len(lines))
        previous = lines[at - 1]
        targets = [line for line in lines[:at] if line["type"] != "SiteRegistered" and line.get("log_position", line.get("position")) not in targeted]
        target = rng.choice(targets)
        target_position: int = target["log_position"] if "log_position" in target else target["position"]
        targeted.add(target_position)
        lines.insert(
            at,
            {
                "type": "EventRetracted",
                "occurred_at": previous["occurred_at"],
                "position": target_position,
                "reason": "entered in error",
                "recorded_at": previous["recorded_at"],
                "by": "auditor",
            },
        )
        for number, line in enumerate(lines, 1):
            line["log_position" if line["type"] == "EventRetracted" else "position"] = number
    return lines


def encoded(lines: Sequence[Mapping[str, Any]]) -> list[bytes]:
    """``lines`` as import lines."""
    return [msgspec.json.encode(line) for line in lines]


streams = st.builds(stream, st.integers(0, 10**6), st.integers(150, 900), st.integers(0, 4))
"""Streams of 150 to 900 generated events with up to four retractions."""
