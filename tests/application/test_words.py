"""Issue #12, point 2 (part): validation rules in sentences for the TUI, from the rules msgspec
and the ledger give (the command line keeps the exact rule, which scripts read)."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from caseledger.application.exports import PROJECTION_NAMES
from caseledger.application.text import PROJECTION_WORDS, choice_words, field_words, fields_in_words, in_words, type_words
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.recording import shape_error


@pytest.mark.parametrize(
    ("raw", "field", "sentence"),
    [
        ({"officer": "po b", "category": "clerical", "minutes": "5"}, "officer", "use letters, digits and . _ - only (1 to 64 characters, no spaces)"),
        ({"officer": "po", "category": "nope", "minutes": "5"}, "category", "'nope' is not one of the choices"),
        ({"officer": "po", "category": "clerical", "minutes": "5000"}, "minutes", "at most 720"),
        ({"officer": "po", "category": "clerical", "minutes": "0"}, "minutes", "at least 1"),
        ({"officer": "po", "category": "clerical", "minutes": "abc"}, "minutes", "a whole number, like 30"),
    ],
)
def test_a_rule_reads_as_a_sentence(raw: dict[str, str], field: str, sentence: str) -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert(raw, p.AddOnTaskLogged, strict=False)
    error = shape_error(caught.value)
    assert (error.field, in_words(error.rule)) == (field, sentence)


def test_a_date_and_words_already_in_words() -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert({"offender": "o", "hearing_date": "2026-13-01", "review_type": "x"}, p.HearingScheduled, strict=False)
    assert in_words(shape_error(caught.value).rule) == "a date, like 2026-03-20"
    assert in_words("'on-hyb' is already where off-002 is") == "'on-hyb' is already where off-002 is"
    assert (in_words("required"), field_words("occurred_at")) == ("needed", "occurred at")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("SIUPlacementStarted", "SIU placement started"),
        ("CcloContactRecorded", "CCLO contact recorded"),
        ("AddOnTaskLogged", "Add-on task logged"),
        ("ReleaseDecisionRecorded", "Release decision recorded"),
        ("EventRetracted", "Event retracted"),
    ],
)
def test_an_event_type_reads_as_words(name: str, words: str) -> None:
    assert type_words(name) == words


def test_every_event_type_and_choice_has_words_without_underscores() -> None:
    assert all("_" not in type_words(name) and type_words(name)[0].isupper() for name in p.PAYLOAD_TYPES)
    assert [choice_words(c) for c in ("scanning_faxing", "non_case_email", "assessment_for_decision_submitted")] == [
        "scanning and faxing",
        "non-case email",
        "assessment for decision submitted",
    ]


def test_an_events_fields_read_as_words_with_ids_and_free_text_as_recorded() -> None:
    admitted = p.OffenderAdmitted(
        offender="off-1",
        site="on-hyb",
        security_level="medium",
        sentence_start=dt.date(2026, 1, 2),
        statutory_release=dt.date(2027, 1, 2),
        warrant_expiry=dt.date(2028, 1, 2),
        complexity=["mental_health", "gang_affiliation"],
    )
    assert fields_in_words(admitted, omit=("offender",)) == (
        "site: on-hyb; security level: medium; sentence start: 2026-01-02; statutory release: 2027-01-02; "
        "warrant expiry: 2028-01-02; complexity: mental_health, gang_affiliation"
    )  # factors are ids (typed by people), not choices: as recorded
    assert (
        fields_in_words(p.AddOnTaskLogged(officer="po.a", category="scanning_faxing", minutes=25))
        == "officer: po.a; category: scanning and faxing; minutes: 25"
    )
    assert fields_in_words(p.ReleasePlanStep(offender="o", step="assessment_for_decision_submitted")) == "offender: o; step: assessment for decision submitted"
    assert fields_in_words(p.TransferCancelled(offender="o", reason="no_bed [b]x[/b]")) == "offender: o; reason: no_bed [b]x[/b]"


def test_every_projection_has_words_and_a_liaison_officer_is_named() -> None:
    assert set(PROJECTION_WORDS) == set(PROJECTION_NAMES)
    assert all("_" not in words for words in PROJECTION_WORDS.values())
    assert field_words("cclo") == "CCLO (liaison officer)" and field_words("police_service") == "police service"
