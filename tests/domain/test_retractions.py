"""Retraction chains, checked against a direct recursive reading of the rule."""

from __future__ import annotations

from functools import cache

from hypothesis import given
from hypothesis import strategies as st

from caseledger.domain.model.retractions import retracted_positions


@st.composite
def retraction_logs(draw: st.DrawFn) -> dict[int, int]:
    """Events 1..n; some later ones are retractions of earlier positions (possibly of retractions)."""
    n = draw(st.integers(2, 40))
    log: dict[int, int] = {}
    for position in range(2, n + 1):
        if draw(st.booleans()):
            log[position] = draw(st.integers(1, position - 1))
    return log


@given(retraction_logs())
def test_matches_the_recursive_definition(log: dict[int, int]) -> None:
    @cache
    def effective(retraction: int) -> bool:
        return not any(effective(r) for r, target in log.items() if target == retraction)

    expected = {target for r, target in log.items() if effective(r)}
    assert retracted_positions(log) == expected


def test_a_chain_alternates() -> None:
    # 2 retracts 1, 3 retracts 2 (reviving 1), 4 retracts 3 (retracting 1 again)
    assert retracted_positions({2: 1, 3: 2}) == {2}
    assert retracted_positions({2: 1, 3: 2, 4: 3}) == {1, 3}
