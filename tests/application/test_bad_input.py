"""Bad input never gets in and never damages: a clear error naming the line, exit code 2 from the
command line, and afterwards ``verify`` passes and the event count is unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseledger.application.imports import import_lines
from caseledger.domain.errors import ImportFailed
from caseledger.domain.integrity.verify import verify
from caseledger.domain.store.application import LedgerApplication, open_application
from tests.support.cli import run_cli

GOOD = [
    b'{"type":"SiteRegistered","occurred_at":"2026-01-05","site":"KP","name":"Kingston","kind":"institution","region":"ontario","timezone":"America/Toronto","security_levels":["medium"]}',
    b'{"type":"OfficerRegistered","occurred_at":"2026-01-05","officer":"po1","name":"Pat","site":"KP","role":"institutional_po"}',
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def unchanged(app: LedgerApplication, head: int) -> None:
    assert app.head_position() == head
    assert verify(app).ok


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> LedgerApplication:
    url = f"sqlite:///{tmp_path_factory.mktemp('bad')}/store.db"
    app = open_application(url)
    import_lines(app, GOOD, "importer")
    return app


LEAVE_ENDED = b'{"type":"LeaveEnded","occurred_at":"2026-01-06","officer":"po1"}'


@settings(max_examples=150)
@given(st.binary(max_size=300))
def test_arbitrary_bytes(seeded: LedgerApplication, line: bytes) -> None:
    head = seeded.head_position()
    try:
        report = import_lines(seeded, [LEAVE_ENDED, line], "importer")
    except ImportFailed as error:
        assert error.line == 2
        unchanged(seeded, head)
    else:  # valid by chance (a blank line): recorded properly
        assert report.events == 1 + bool(line.strip())
        assert verify(seeded).ok


@settings(max_examples=150)
@given(st.dictionaries(st.sampled_from(["type", "occurred_at", "officer", "minutes", "category", "offender", "site", "x"]), json_values, max_size=6))
def test_arbitrary_json_objects(seeded: LedgerApplication, obj: dict[str, Any]) -> None:
    head = seeded.head_position()
    with pytest.raises(ImportFailed) as caught:
        import_lines(seeded, [msgspec.json.encode(obj), b'{"type":"Nope","occurred_at":"2026-01-06"}'], "importer")
    assert caught.value.line in (1, 2)
    unchanged(seeded, head)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (b"\xff\xfe\x00garbage", "$"),
        (b'{"type":"LeaveEnded","occurred_at":"2026-01-06","officer":"po1\xff"}', "$"),
        (b"[" * 10_000 + b"]" * 10_000, "$"),
        (b'{"type":"LeaveEnded","occurred_at":"2026-01-06","officer":"' + b"a" * (10 * 1024 * 1024) + b'"}', "officer"),
        (b'{"type":"LeaveEnded","occurred_at":"9999-12-31T23:59:59+00:00","officer":"po1"}', "occurred_at"),
        (b'{"type":"LeaveEnded","occurred_at":"0001-01-01T00:00:00+14:00","officer":"po1"}', "occurred_at"),
        (
            b'{"type":"OffenderAdmitted","occurred_at":"2026-01-06","offender":"O1","site":"KP","security_level":"medium","sentence_start":"99999-01-01","statutory_release":"2027-01-01","warrant_expiry":"2028-01-01"}',
            "sentence_start",
        ),
        (b'{"type":"AddOnTaskLogged","occurred_at":"2026-01-06","officer":"po1","category":"clerical","minutes":1e309}', "minutes"),
        (b'{"type":"AddOnTaskLogged","occurred_at":"2026-01-06","officer":"po1","category":"clerical","minutes":[30]}', "minutes"),
        (b'{"type":{"nested":{"deep":[1,2,3]}},"occurred_at":"2026-01-06"}', "type"),
    ],
    ids=[
        "invalid-utf8",
        "invalid-utf8-in-string",
        "deep-nesting",
        "10-MB-line",
        "far-future",
        "year-1-with-offset",
        "year-99999",
        "huge-number",
        "list-for-int",
        "object-for-type",
    ],
)
def test_malformed_lines_are_named_and_change_nothing(seeded: LedgerApplication, line: bytes, field: str) -> None:
    head = seeded.head_position()
    with pytest.raises(ImportFailed) as caught:
        import_lines(seeded, [LEAVE_ENDED, line], "importer")
    assert caught.value.line == 2
    assert caught.value.field == field, str(caught.value)
    unchanged(seeded, head)


@pytest.mark.slow
def test_the_command_line_exits_2_and_the_store_is_unchanged(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    app = open_application(url)
    import_lines(app, GOOD, "importer")
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(GOOD[1].replace(b"po1", b"po2") + b"\n" + b"\xff\xfe not json\n")
    result = run_cli(url, "import", str(bad))
    assert result.returncode == 2
    assert result.stderr.decode().startswith("caseledger: line 2: $: not a JSON object")
    unchanged(open_application(url), 2)
