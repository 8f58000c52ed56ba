"""Rule sets: the shipped ones, hybrid ratios, the multiplier cap, and clear errors for bad files."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseledger.projections.rules import HERE, RulesError, load_rules, parse_rules


def test_current_and_proposed_ship_with_their_sources() -> None:
    current, proposed = load_rules("current"), load_rules("proposed")
    assert (current.name, proposed.name) == ("current", "proposed")
    assert current.ratio("institution", ("minimum", "medium")) == 25  # hybrid: the lowest prevails
    assert proposed.ratio("institution", ("maximum",)) == 25
    assert (current.ratio("ccc", ()), proposed.ratio("ccc", ())) == (10, 8)
    assert current.ratio("community_office", ()) is None
    assert current.multiplier(2) == Fraction(3, 2) and current.multiplier(9) == 2
    assert current.minimum_plan_lead_days == 28
    assert "roundtables-report-2021" in (HERE / "current.toml").read_text()
    assert current.sha256 != proposed.sha256


def test_a_users_rules_file_is_loaded_and_hashed(tmp_path: Path) -> None:
    custom = tmp_path / "tight.toml"
    custom.write_text((HERE / "proposed.toml").read_text().replace('name = "proposed"', 'name = "tight"').replace("ccc = 8", "ccc = 6"))
    rules = load_rules(str(custom))
    assert rules.name == "tight" and rules.ratio("ccc", ()) == 6


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("ccc = 10", 'ccc = "ten"'), "Expected `int`, got `str` - at `$.ratios.ccc`"),
        (("ccc = 10", "ccc = 0"), "Expected `int` >= 1 - at `$.ratios.ccc`"),
        (("ccc = 10", "ccc = 10\nbogus = 1"), "unknown field `bogus`"),
        (('name = "current"', ""), "missing required field `name`"),
        (("weekly = 37.5", "weekly = [37.5"), "not valid TOML"),
    ],
)
def test_bad_rules_files_are_refused_with_the_field(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text((HERE / "current.toml").read_text().replace(*change))
    with pytest.raises(RulesError) as caught:
        load_rules(str(bad))
    assert message in str(caught.value) and str(bad) in str(caught.value)


@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash_the_loader(content: bytes) -> None:
    try:
        parse_rules(content, "fuzz")
    except RulesError as error:
        assert str(error).startswith("fuzz: ")
