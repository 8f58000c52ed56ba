"""Hostile and careless inputs to the Merkle log's commands (issue #25 point 1): ``verify-file``,
``prove`` and ``verify`` with two checkpoints, given files no honest ``caseledger events`` or
``caseledger checkpoint`` wrote. Each refusal is one line on standard error naming the line,
field or file and the rule, exit 2, never a traceback, nothing on standard output, nothing
recorded (``verify-file`` opens no store at all: the store named does not come into being), and
anything the file or the person typed escaped before it reaches the terminal.

What a serious tool accepts (decided here, where the docs were silent):

* **CRLF line endings** in an event file: ``caseledger events`` written through a text stream on
  Windows has them. JSON Lines (jsonlines.org) allows ``\\r\\n``, since JSON ignores whitespace
  around a value, and the leaf is over the parsed event, not the line's bytes — the same events
  give the same tree, so the file verifies.
* **A byte order mark** is refused, naming it: caseledger never writes one, ``import`` refuses
  it (one parser for both), and JSON parsers commonly refuse it (RFC 8259 §8.1: a BOM must not
  be added; a parser *may* ignore it).
* **A note with CRLF line endings** is refused: a C2SP signed note is signed over its exact
  bytes, so any re-saving is refused (the message says that it was re-saved, not that its origin
  is no key name).
* **An empty file, or blank lines only**, is a well-formed export of no events: a verdict
  (``DIFFERS``, exit 1: fewer events than the checkpoint's), not a refusal.
* **Several signatures** on a note (C2SP allows witnesses' cosignatures, before or after ours,
  even one under the same name by another key): the one by the pinned key is found.

The ledger: the tamper tests' 74 events (:func:`tests.domain.conftest.scenario_ledger`) on SQLite
(these are refusals of files, the same on every store; ``prove`` and the consistency proof read
the store's tree, which tests/cli/test_proofs_cli.py checks on both).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from caseledger.domain.integrity.signed_note import sign_note
from caseledger.domain.secrets.keys import signing_key
from tests.cli.test_proofs_cli import grow, one_line_refusal, signed
from tests.domain.conftest import scenario_ledger
from tests.support.auditor_tree import public_half
from tests.support.in_process import Client, Done
from tests.support.tampering import sql


@dataclass(frozen=True)
class Signed:
    """The ledger on SQLite, signed: its URL, the checkpoint, the signing key and its pinned
    public half, the export (one event a line) and a folder for the test's files."""

    url: str
    checkpoint: Path
    key: Path
    pin: Path
    lines: list[bytes]
    folder: Path
    client: Client

    @property
    def note(self) -> str:
        note = json.loads(self.checkpoint.read_bytes())["note"]
        assert isinstance(note, str)
        return note

    def file(self, name: str, content: bytes | str) -> Path:
        path = self.folder / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    def verify_file(self, events: Path, checkpoint: Path | None = None) -> Done:
        """``verify-file`` pointed at a store that does not exist (it must stay so)."""
        nowhere = self.folder / "no-store.db"
        done = self.client.run(
            f"sqlite:///{nowhere}", "verify-file", str(events), "--checkpoint", str(checkpoint or self.checkpoint), "--public-key", str(self.pin)
        )
        assert not nowhere.exists()
        return done

    def prove(self, position: str, checkpoint: Path | None = None) -> Done:
        return self.client.run(self.url, "prove", position, "--checkpoint", str(checkpoint or self.checkpoint), "--public-key", str(self.pin))

    def consistency(self, old: Path, new: Path) -> Done:
        return self.client.run(self.url, "verify", "--checkpoint", str(old), "--checkpoint", str(new), "--public-key", str(self.pin))


@pytest.fixture
def ledger(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Signed]:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    client = Client("importer", tmp_path / "config")
    url, _app = scenario_ledger(sqlite_url)
    checkpoint = signed(client, url, tmp_path / "signing.pem", tmp_path / "checkpoint.json")
    done = client.run(url, "events")
    assert done.returncode == 0, done.said
    before = head(url)
    yield Signed(url, checkpoint, tmp_path / "signing.pem", public_half(tmp_path / "signing.pem"), done.stdout.encode().splitlines(), tmp_path, client)
    assert head(url) == before  # nothing recorded, whatever the test gave


def head(url: str) -> int:
    [(position,)] = sql(url, "SELECT COALESCE(MAX(rowid), 0) FROM stored_events")
    return int(position)


def whole(lines: list[bytes], ending: bytes = b"\n") -> bytes:
    return b"".join(line + ending for line in lines)


def refused_for(done: Done, path: Path, *words: str) -> None:
    """A one-line refusal naming ``path``, then ``words`` in what it says of it (the test's own
    folder name must not pass for them)."""
    one_line_refusal(done, str(path))
    said = done.stderr.split(str(path), 1)[1]
    assert all(word in said for word in words), said


def visible(done: Done) -> None:
    """No control character reaches the terminal (ESC shown as ``\\x1b``)."""
    assert "\x1b" not in done.said and "\r" not in done.said
    assert "\\x1b" in done.stderr, done.stderr


# --- verify-file: the event file ---------------------------------------------------------------


def test_crlf_line_endings_verify(ledger: Signed) -> None:
    done = ledger.verify_file(ledger.file("events.jsonl", whole(ledger.lines, b"\r\n")))
    assert (done.returncode, done.stdout) == (0, f"ok: the first 74 events of {ledger.folder / 'events.jsonl'} are the log the checkpoint signed\n"), done.said


def test_a_byte_order_mark_is_refused_naming_it(ledger: Signed) -> None:
    """By ``verify-file`` and by ``import``, which share the line parser (nothing recorded: the
    fixture checks the head)."""
    bom = ledger.file("bom.jsonl", b"\xef\xbb\xbf" + whole(ledger.lines[:3]))
    one_line_refusal(ledger.verify_file(bom), "line 1", "byte order mark")
    one_line_refusal(ledger.client.run(ledger.url, "import", str(bom)), "line 1", "byte order mark")


def test_a_byte_that_is_not_utf8_is_refused_naming_its_line(ledger: Signed) -> None:
    """In a value the decoder names the encoding; in a key (msgspec matches keys as bytes) the
    key is simply not one the line may have."""
    assert b'"po.brown"' in ledger.lines[5]
    in_value = [*ledger.lines[:5], ledger.lines[5].replace(b'"po.brown"', b'"po.br\xe9wn"'), *ledger.lines[6:]]
    one_line_refusal(ledger.verify_file(ledger.file("latin.jsonl", whole(in_value))), "line 6", "not valid UTF-8")
    in_key = [*ledger.lines[:5], ledger.lines[5].replace(b'"type"', b'"t\xffpe"'), *ledger.lines[6:]]
    one_line_refusal(ledger.verify_file(ledger.file("latin-key.jsonl", whole(in_key))), "line 6")


@pytest.mark.parametrize("content", [b"", b"\n\n\n", b"\r\n  \n\t\n"], ids=["empty", "blank-lines", "whitespace-lines"])
def test_a_file_of_no_events_differs(ledger: Signed, content: bytes) -> None:
    done = ledger.verify_file(ledger.file("none.jsonl", content))
    assert (done.returncode, done.stdout, done.stderr) == (1, "DIFFERS: the file holds 0 events, fewer than the checkpoint's 74\n", "")


def test_blank_lines_between_events_are_skipped_and_later_lines_keep_their_numbers(ledger: Signed) -> None:
    spaced = whole([ledger.lines[0], b"", *ledger.lines[1:3], b"{not json", *ledger.lines[3:]])
    one_line_refusal(ledger.verify_file(ledger.file("spaced.jsonl", spaced)), "line 5")


def test_a_directory_or_a_fifo_is_refused_as_either_file(ledger: Signed) -> None:
    events = ledger.file("events.jsonl", whole(ledger.lines))
    fifo = ledger.folder / "fifo"
    os.mkfifo(fifo)  # no writer: opening it for reading must not wait for one
    for odd in (ledger.folder, fifo):
        one_line_refusal(ledger.verify_file(odd), "EVENTS.jsonl", "not a regular file")
        refused_for(ledger.verify_file(events, checkpoint=odd), odd, "not a regular file")


def test_a_line_of_ten_mebibytes_is_refused_at_the_cap(ledger: Signed) -> None:
    huge = ledger.lines[0][:-1] + b',"note":"' + b"x" * (10 * 1024 * 1024) + b'"}'
    one_line_refusal(ledger.verify_file(ledger.file("huge.jsonl", whole([huge, *ledger.lines[1:]]))), "line 1", "longer than 1 MiB")


@pytest.mark.parametrize("value", [b"[]", b"42", b"null", b'"text"', b"true"])
def test_json_that_is_not_an_object_is_refused(ledger: Signed, value: bytes) -> None:
    one_line_refusal(ledger.verify_file(ledger.file("values.jsonl", whole([*ledger.lines[:2], value, *ledger.lines[2:]]))), "line 3", "object")


def test_a_bare_date_for_when_it_occurred_is_refused_naming_the_line(ledger: Signed) -> None:
    """A line typed by hand may give ``occurred_at`` as a date (``import`` takes one); an exported
    event carries the instant with its offset, and a leaf needs it in UTC."""
    line = json.loads(ledger.lines[4])
    line["occurred_at"] = line["occurred_at"][:10]
    edited = json.dumps(line).encode()
    done = ledger.verify_file(ledger.file("dated.jsonl", whole([*ledger.lines[:4], edited, *ledger.lines[5:]])))
    one_line_refusal(done, "line 5: occurred_at", "bare date")


def test_an_unknown_event_type_is_refused_naming_the_field(ledger: Signed) -> None:
    unknown = ledger.lines[3].replace(b'"type":"', b'"type":"Forged', 1)
    one_line_refusal(ledger.verify_file(ledger.file("unknown.jsonl", whole([*ledger.lines[:3], unknown, *ledger.lines[4:]]))), "line 4: type")


@pytest.mark.parametrize(
    ("where", "find", "replace"),
    [
        ("the type", b'"type":"', b'"type":"\\u001b[2J\\u001b]0;owned\\u0007'),
        ("a field's name", b'"type":', b'"\\u001b[31mred":1,"type":'),
        ("an unknown key's value", b'"type":', b'"x":"\\u001b[31m\\r","type":'),
    ],
)
def test_escape_sequences_in_a_line_are_shown_escaped(ledger: Signed, where: str, find: bytes, replace: bytes) -> None:
    hostile = ledger.lines[0].replace(find, replace, 1)
    done = ledger.verify_file(ledger.file("ansi.jsonl", whole([hostile, *ledger.lines[1:]])))
    one_line_refusal(done, "line 1")
    if where != "an unknown key's value":  # the refusal names the key, not the value it holds
        visible(done)


def test_a_retraction_of_a_position_in_no_line_and_huge_numbers_are_no_crash(ledger: Signed) -> None:
    """A position beyond any integer column, or a retraction naming a line the file lacks: a
    refusal or a verdict in one line, never a crash."""
    retraction = ledger.lines[73]
    assert b'"position":33' in retraction
    for name, line in (
        ("retracts-nowhere", retraction.replace(b'"position":33', b'"position":9999')),
        ("retracts-huge", retraction.replace(b'"position":33', b'"position":' + str(2**64).encode())),
        ("own-huge", retraction.replace(b'"log_position":74', b'"log_position":' + str(2**70).encode())),
    ):
        done = ledger.verify_file(ledger.file(f"{name}.jsonl", whole([*ledger.lines[:73], line])))
        assert done.returncode in (1, 2) and len(done.said.splitlines()) == 1, (name, done.said)
        assert "Traceback" not in done.said and "unexpected" not in done.said, (name, done.said)


# --- the checkpoint file -----------------------------------------------------------------------


def checkpoint_with_note(ledger: Signed, name: str, note: object) -> Path:
    return ledger.file(name, json.dumps({**json.loads(ledger.checkpoint.read_bytes()), "note": note}))


def each_reader(ledger: Signed, checkpoint: Path) -> Iterator[tuple[str, Done]]:
    """``verify-file``, ``prove`` and the consistency proof (twice the file), each given ``checkpoint``."""
    events = ledger.file("events.jsonl", whole(ledger.lines))
    yield "verify-file", ledger.verify_file(events, checkpoint)
    yield "prove", ledger.prove("5", checkpoint)
    yield "consistency", ledger.consistency(checkpoint, checkpoint)


@pytest.mark.parametrize(("note", "rule"), [(42, "note"), (["a", "b"], "note"), ({"origin": "x"}, "note")])
def test_a_checkpoint_whose_note_is_no_string_is_refused_naming_the_note(ledger: Signed, note: object, rule: str) -> None:
    bad = checkpoint_with_note(ledger, "note.json", note)
    for command, done in each_reader(ledger, bad):
        refused_for(done, bad, rule)
        assert "made before the Merkle log" not in done.stderr, (command, done.stderr)


def test_a_checkpoint_that_is_not_json_is_refused_as_not_json(ledger: Signed) -> None:
    bad = ledger.file("broken.json", '{"position": 74, "note": ')
    for command, done in each_reader(ledger, bad):
        refused_for(done, bad, "not a caseledger checkpoint")
        assert "made before the Merkle log" not in done.stderr, (command, done.stderr)


def test_a_checkpoint_made_before_the_merkle_log_says_so_in_one_line(ledger: Signed) -> None:
    old = ledger.file("old.json", json.dumps({key: value for key, value in json.loads(ledger.checkpoint.read_bytes()).items() if key != "note"}))
    for _command, done in each_reader(ledger, old):
        refused_for(done, old, "signs no tree head (made before the Merkle log")


def test_a_note_signed_by_another_key_is_refused(ledger: Signed) -> None:
    other = signed(ledger.client, ledger.url, ledger.folder / "other.pem", ledger.folder / "other.json")
    note = ledger.file("other.note", json.loads(other.read_bytes())["note"])
    for _command, done in each_reader(ledger, note):
        refused_for(done, note, "not signed by caseledger.log/")


def test_the_pinned_keys_signature_is_found_among_others(ledger: Signed) -> None:
    """C2SP signed-note: a verifier ignores signatures by keys it does not know — a witness's
    under another name, or another key under the log's own name — wherever they stand."""
    text, ours = ledger.note.split("\n\n")
    origin = text.split("\n")[0]
    stranger = Ed25519PrivateKey.generate()
    witness = sign_note(text + "\n", "witness.example/w1", stranger).decode().split("\n\n")[1]
    namesake = sign_note(text + "\n", origin, stranger).decode().split("\n\n")[1]
    for name, signatures in (("before", witness + ours), ("after", ours + witness), ("namesake", namesake + ours + witness)):
        note = ledger.file(f"{name}.note", f"{text}\n\n{signatures}")
        for command, done in each_reader(ledger, note):
            assert done.returncode == 0 and "Traceback" not in done.said, (name, command, done.said)


def test_a_bare_note_serves_every_proof_command(ledger: Signed) -> None:
    note = ledger.file("checkpoint.note", ledger.note)
    for command, done in each_reader(ledger, note):
        assert done.returncode == 0, (command, done.said)


def test_a_bare_note_given_to_verify_alone_is_refused_in_one_line(ledger: Signed) -> None:
    """``verify --checkpoint`` with one file checks the chain head the JSON signs: a note alone
    has none."""
    note = ledger.file("checkpoint.note", ledger.note)
    refused_for(ledger.client.run(ledger.url, "verify", "--checkpoint", str(note), "--public-key", str(ledger.pin)), note, "not a caseledger checkpoint")


@pytest.mark.parametrize("form", ["bare", "json"])
def test_a_note_saved_with_crlf_is_refused_as_resaved(ledger: Signed, form: str) -> None:
    crlf = ledger.note.replace("\n", "\r\n")
    checkpoint = ledger.file("crlf.note", crlf) if form == "bare" else checkpoint_with_note(ledger, "crlf.json", crlf)
    for _command, done in each_reader(ledger, checkpoint):
        refused_for(done, checkpoint, "CR LF")
        assert "\r" not in done.said


def test_a_note_whose_origin_has_a_space_is_refused_naming_the_origin_line(ledger: Signed) -> None:
    """Signed with the pinned key, so only the origin line is at fault: C2SP's origin (the key's
    name) holds no space and no '+'."""
    text = ledger.note.split("\n\n")[0]
    spaced = text.replace("caseledger.log/", "caseledger log/", 1)
    note = ledger.file("spaced.note", sign_note(spaced + "\n", "caseledger.log/x", signing_key(ledger.key)))
    for _command, done in each_reader(ledger, note):
        refused_for(done, note, "origin")


def test_a_typed_checkpoint_path_is_shown_escaped(ledger: Signed) -> None:
    odd = ledger.file("\x1b[31mcheckpoint\x1b[0m.json", b"{")
    for _command, done in each_reader(ledger, odd):
        one_line_refusal(done)
        visible(done)


# --- prove POSITION ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "words"),
    [
        ("0", ("POSITION", "0")),
        ("-1", ("POSITION", "-1", "not a log position")),
        (str(2**63), ("POSITION", str(2**63), "not a log position")),
        (str(-(2**63) - 1), ("POSITION", "not a log position")),
    ],
)
def test_prove_refuses_a_position_that_is_none(ledger: Signed, position: str, words: tuple[str, ...]) -> None:
    one_line_refusal(ledger.prove(position), *words)


@pytest.mark.parametrize("position", ["12abc", "1.5", "", "0x10", "\x1b[2J"])
def test_prove_refuses_a_position_that_is_no_integer_as_a_usage_error(ledger: Signed, position: str) -> None:
    """argparse's refusal, in the command line's one-line form (``caseledger prove: …``)."""
    done = ledger.prove(position)
    assert done.returncode == 2 and not done.stdout and done.stderr.count("\n") == 1, done.said
    assert done.stderr.startswith("caseledger prove: POSITION: invalid int value: "), done.stderr
    assert "\x1b" not in done.said and "Traceback" not in done.said


# --- verify --checkpoint A --checkpoint B --------------------------------------------------------


def test_two_checkpoints_in_either_order_or_the_same_one_twice(ledger: Signed, tmp_path: Path) -> None:
    """The same file twice, or two copies of it: equal sizes need equal roots and no hashes (RFC
    9162 §2.1.4.2). The newer given first: the same proof as in order (docs/cli.md: either order)."""
    copy = shutil.copy(ledger.checkpoint, tmp_path / "copy.json")
    for first, second in ((ledger.checkpoint, ledger.checkpoint), (ledger.checkpoint, copy)):
        done = ledger.consistency(first, Path(second))
        assert (done.returncode, done.stdout) == (0, "consistency proof (0 hashes): the tree of 74 events extends the one of 74\n"), done.said


def test_the_newer_checkpoint_first_gives_the_same_proof(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    client = Client("importer", tmp_path / "config")
    url, app = scenario_ledger(sqlite_url)
    old = signed(client, url, tmp_path / "signing.pem", tmp_path / "old.json")
    grow(app, 3)
    new = signed(client, url, tmp_path / "signing.pem", tmp_path / "new.json")
    pin = public_half(tmp_path / "signing.pem")
    in_order = client.run(url, "verify", "--checkpoint", str(old), "--checkpoint", str(new), "--public-key", str(pin))
    reversed_ = client.run(url, "verify", "--checkpoint", str(new), "--checkpoint", str(old), "--public-key", str(pin))
    assert in_order.returncode == reversed_.returncode == 0, (in_order.said, reversed_.said)
    assert in_order.stdout == reversed_.stdout and in_order.stdout.startswith("consistency proof (5 hashes): the tree of 77 events extends the one of 74\n")


def test_two_checkpoints_of_the_same_size_but_other_roots_are_inconsistent(ledger: Signed) -> None:
    """Another log of 74 events (the scenario recorded again, with other instants) signed by the
    same key: same size, another root — no empty proof can join them."""
    other_url, _app = scenario_ledger(f"sqlite:///{ledger.folder}/other.db")
    other = signed(ledger.client, other_url, ledger.key, ledger.folder / "other.json")
    done = ledger.consistency(ledger.checkpoint, other)
    assert done.returncode == 1 and done.stdout.startswith("INCONSISTENT: the store's tree does not show that the tree of 74 events extends the one of 74"), (
        done.said
    )
