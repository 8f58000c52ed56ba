"""Half-even rounding on exact values, checked against Decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from caseledger.projections.replay.inputs import rounded, rounded_ratio


@given(st.integers(-(10**9), 10**9), st.integers(1, 10**6), st.integers(0, 4))
def test_matches_decimal_half_even(numerator: int, denominator: int, places: int) -> None:
    exact = Decimal(numerator) / Decimal(denominator)
    expected = float((Decimal(numerator) * 10**places / denominator).to_integral_value(ROUND_HALF_EVEN) / 10**places)
    if abs(exact) < 10**12:
        assert rounded_ratio(numerator, denominator, places) == expected
        assert rounded(Fraction(numerator, denominator), places) == expected


def test_ties_go_to_even() -> None:
    assert [rounded(Fraction(x, 1000), 2) for x in (3125, 3135, 125, -125)] == [3.12, 3.14, 0.12, -0.12]
