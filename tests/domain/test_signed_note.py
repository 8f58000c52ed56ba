"""Checkpoints as C2SP signed notes: the reference implementations' known answers, round trips,
and every alteration refused.

Known answers: the verifier key and note of c2sp.org/signed-note ("Verifier keys", Example), and
the signer key, text and signed note in the documentation of Go's ``golang.org/x/mod/sumdb/note``
(Ed25519 is deterministic, so signing that text with that key gives that note to the byte).
"""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from caseledger.domain.integrity.signed_note import (
    NoteError,
    TreeHead,
    Verifier,
    open_checkpoint,
    open_note,
    parse_tree_head,
    parse_vkey,
    sign_checkpoint,
    sign_note,
)

C2SP_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
C2SP_NOTE = b"This is an example message.\n\n\xe2\x80\x94 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = GO_TEXT + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
NAME = "caseledger.example/kpo"
HEAD = TreeHead(NAME, 85, bytes(range(32)))


def go_private_key() -> Ed25519PrivateKey:
    """The Go signer key: ``PRIVATE+KEY+<name>+<id>+base64(0x01 ‖ seed)``."""
    material = base64.b64decode(GO_SKEY.split("+", 4)[4])
    assert material[0] == 0x01
    return Ed25519PrivateKey.from_private_bytes(material[1:])


def test_the_c2sp_example_note_opens_with_its_verifier_key() -> None:
    verifier = parse_vkey(C2SP_VKEY)
    assert verifier.name == "example.com/foo"
    assert verifier.key_id.hex() == "530d903a"
    assert verifier.vkey() == C2SP_VKEY
    assert open_note(C2SP_NOTE, verifier) == "This is an example message.\n"


def test_signing_the_go_example_gives_its_note_to_the_byte() -> None:
    key = go_private_key()
    assert Verifier("PeterNeumann", key.public_key()).vkey() == GO_VKEY
    assert sign_note(GO_TEXT, "PeterNeumann", key) == GO_NOTE.encode()
    assert open_note(GO_NOTE.encode(), parse_vkey(GO_VKEY)) == GO_TEXT


def test_a_checkpoint_is_the_c2sp_text_with_one_signature_line() -> None:
    """Origin, size and root (base64 of bytes 0…31) on three lines, a blank line, then the
    signature: the key ID is SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]."""
    note = sign_checkpoint(HEAD, NAME, KEY).decode()
    text, blank, signature = note.partition("\n\n")
    assert text + "\n" == "caseledger.example/kpo\n85\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    assert blank
    assert signature.startswith("— caseledger.example/kpo ")
    assert signature.endswith("\n")
    assert signature.count("\n") == 1
    blob = base64.b64decode(signature.split(" ")[2])
    assert blob[:4] == Verifier(NAME, KEY.public_key()).key_id
    assert len(blob) == 4 + 64


@settings(max_examples=40, deadline=None)
@given(
    origin=st.from_regex(r"[a-z0-9.]{1,20}/[A-Za-z0-9_.-]{1,20}", fullmatch=True),
    size=st.integers(0, 2**63 - 1),
    root=st.binary(min_size=32, max_size=32),
)
def test_checkpoints_round_trip(origin: str, size: int, root: bytes) -> None:
    head = TreeHead(origin, size, root)
    note = sign_checkpoint(head, origin, KEY)
    assert open_checkpoint(note, Verifier(origin, KEY.public_key())) == head
    assert parse_tree_head(head.text()) == head


def test_another_key_is_refused_even_under_the_same_name() -> None:
    note = sign_checkpoint(HEAD, NAME, OTHER_KEY)
    with pytest.raises(NoteError, match=r"not signed by caseledger\.example/kpo"):
        open_checkpoint(note, Verifier(NAME, KEY.public_key()))
    with pytest.raises(NoteError, match="not signed by"):
        open_checkpoint(sign_checkpoint(HEAD, "someone.else/log", KEY), Verifier(NAME, KEY.public_key()))


def test_a_signature_of_another_key_beside_ours_is_ignored_and_a_failing_one_of_ours_refuses_the_note() -> None:
    """A witness's cosignature (another name) does not stand in the way; a second line with our
    name and key ID whose signature does not match refuses the note even beside a good one."""
    note = sign_checkpoint(HEAD, NAME, KEY)
    witness = sign_checkpoint(HEAD, "witness.example/w1", OTHER_KEY).split(b"\n\n")[1]
    assert open_checkpoint(note + witness, Verifier(NAME, KEY.public_key())) == HEAD
    ours = note.split(b"\n\n")[1].decode()
    blob = bytearray(base64.b64decode(ours.split(" ")[2]))
    blob[-1] ^= 1
    forged = f"— {NAME} {base64.b64encode(bytes(blob)).decode()}\n".encode()
    with pytest.raises(NoteError, match=r"signature 2, by caseledger\.example/kpo, does not match"):
        open_checkpoint(note + forged, Verifier(NAME, KEY.public_key()))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_note_altered_anywhere_is_refused(data: st.DataObject) -> None:
    """Any one byte changed, removed or added, or any one line removed, anywhere in the note."""
    note = sign_checkpoint(HEAD, NAME, KEY)
    spot = data.draw(st.integers(0, len(note) - 1), label="spot")
    how = data.draw(st.sampled_from(["change", "remove", "add", "drop line"]), label="how")
    if how == "change":
        byte = data.draw(st.integers(0, 255).filter(lambda value: value != note[spot]), label="byte")
        altered = note[:spot] + bytes([byte]) + note[spot + 1 :]
    elif how == "remove":
        altered = note[:spot] + note[spot + 1 :]
    elif how == "add":
        altered = note[:spot] + bytes([data.draw(st.integers(0, 255), label="byte")]) + note[spot:]
    else:
        lines = note.split(b"\n")
        dropped = spot % (len(lines) - 1)
        altered = b"\n".join(lines[:dropped] + lines[dropped + 1 :])
    with pytest.raises(NoteError):
        open_checkpoint(altered, Verifier(NAME, KEY.public_key()))


def test_a_non_canonical_base64_signature_is_refused() -> None:
    """68 bytes of key ID and signature end in a group with two unused bits: setting them keeps
    the bytes a lax decoder reads, and changes the note."""
    note = sign_checkpoint(HEAD, NAME, KEY).decode()
    encoded = note.split(" ")[-1].rstrip("\n")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = encoded[-2]
    lax = encoded[:-2] + alphabet[alphabet.index(last) | 1] + "="
    assert lax != encoded
    assert base64.b64decode(lax) == base64.b64decode(encoded)
    with pytest.raises(NoteError, match="canonical"):
        open_note(note.replace(encoded, lax).encode(), Verifier(NAME, KEY.public_key()))


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("o\n85\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "does not end with a newline"),
        ("o\n85\n", "fewer than three lines"),
        ("o\n\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "line 2 is empty"),
        ("o\n085\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "line 2 (tree size): '085'"),
        ("o\n+85\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "line 2 (tree size)"),
        ("o\n８5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "line 2 (tree size)"),
        ("o\n9223372036854775808\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "line 2 (tree size)"),
        ("o\n85\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n", "31 bytes, not 32"),
        ("o\n85\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n", "line 3 (root hash): not base64"),
    ],
)
def test_a_tree_head_that_does_not_fit_is_refused(text: str, rule: str) -> None:
    with pytest.raises(NoteError, match=rule.replace("(", r"\(").replace(")", r"\)").replace("+", r"\+")):
        parse_tree_head(text)


def test_extension_lines_are_kept() -> None:
    head = parse_tree_head("o\n85\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\nextra one\n")
    assert head == TreeHead("o", 85, bytes(range(32)), ("extra one",))
    assert head.text().endswith("\nextra one\n")


@pytest.mark.parametrize(
    ("vkey", "rule"),
    [
        ("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "not the one of its name and key"),
        ("example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "not the one of its name and key"),
        ("example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "not a key ID"),
        ("example.com/foo+530d903a+AukyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "not an Ed25519 key"),
        ("+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k", "not a key name"),
    ],
)
def test_a_verifier_key_that_does_not_fit_is_refused(vkey: str, rule: str) -> None:
    with pytest.raises(NoteError, match=rule):
        parse_vkey(vkey)


@pytest.mark.parametrize("name", ["", "has space", "has+plus", "no\u00a0break"])
def test_key_names_follow_the_spec(name: str) -> None:
    with pytest.raises(NoteError, match="not a key name"):
        sign_note("text\n", name, KEY)
