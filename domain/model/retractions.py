"""Which events are retracted: a retraction counts unless it is itself retracted.

``EventRetracted`` names an earlier position; retracting a retraction revives the event it
retracted. Because a retraction always names an *earlier* position, deciding from the newest
retraction backwards settles every chain in one pass, however long.
"""

from __future__ import annotations

from collections.abc import Mapping


def retracted_positions(retractions: Mapping[int, int]) -> set[int]:
    """Positions retracted by an effective retraction, given ``{retraction position: target}``."""
    targeted_by: dict[int, list[int]] = {}
    for retraction, target in retractions.items():
        targeted_by.setdefault(target, []).append(retraction)
    effective: dict[int, bool] = {}
    for retraction in sorted(retractions, reverse=True):
        effective[retraction] = not any(effective.get(later, False) for later in targeted_by.get(retraction, ()))
    return {target for retraction, target in retractions.items() if effective[retraction]}
