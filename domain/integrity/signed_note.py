"""Checkpoints any transparency-log tool reads: C2SP tlog-checkpoint text in a C2SP signed note.

A checkpoint is the log's tree head (:mod:`caseledger.domain.integrity.merkle`) as three lines,
then a blank line and a signature line (c2sp.org/tlog-checkpoint, c2sp.org/signed-note)::

    <origin>
    <tree size, decimal>
    <root hash, base64>

    — <key name> <base64(key ID (4 bytes) ‖ Ed25519 signature of the text above the blank line)>

The key ID is C2SP's for Ed25519: SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]. The
public key travels as a *verifier key*, ``<name>+<hex key ID>+<base64(0x01 ‖ public key)>``, so
an auditor can check a checkpoint with Go's ``sumdb/note``, ``litetlog`` or this module alike.

Opening a note follows the spec's rules: signatures by other keys (other name or other ID) are
ignored, a signature by the known key that fails refuses the whole note, and a note the known
key did not sign is refused. Base64 is read strictly (canonical, padded), so no character of a
note can change without the note being refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from caseledger.domain.errors import LedgerError
from caseledger.domain.integrity.merkle import HASH_SIZE

ED25519 = 0x01
"""C2SP signed-note's signature type byte for Ed25519."""
SIGNATURE_SIZE = 64
MAX_SIGNATURES = 64
"""Signature lines a note may carry (the spec asks verifiers to accept at least 16)."""
_DASH = "— "
_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


class NoteError(LedgerError):
    """A note or a checkpoint is malformed, or not signed by the key it is checked against."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    """Strict standard base64: padded, no stray character, no bits beyond the data (so one
    encoding per value)."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError(f"{what}: not base64") from None
    if _b64(data) != text:
        raise NoteError(f"{what}: not base64 in its one canonical form")
    return data


def _check_name(name: str, what: str) -> str:
    if not name or "+" in name or any(character.isspace() for character in name) or _CONTROL.search(name):
        raise NoteError(f"{what}: {name!r} is not a key name (non-empty, no space, no '+')")
    return name


@dataclass(frozen=True)
class TreeHead:
    """The log's tree head: who issued it (``origin``), its size in leaves and its root hash."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()
    """tlog-checkpoint's optional lines after the root (caseledger writes none)."""

    def text(self) -> str:
        """The checkpoint's note text."""
        _check_name(self.origin, "origin")
        if not 0 <= self.size < 2**63 or len(self.root) != HASH_SIZE:
            raise NoteError(f"not a tree head: size {self.size}, root of {len(self.root)} bytes")
        return "".join(f"{line}\n" for line in (self.origin, str(self.size), _b64(self.root), *self.extensions))


def parse_tree_head(text: str) -> TreeHead:
    """The tree head of a checkpoint's note text; NoteError naming the line that does not fit."""
    if not text.endswith("\n"):
        raise NoteError("checkpoint: the text does not end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("checkpoint: fewer than three lines (origin, tree size, root hash)")
    if any(not line for line in lines):
        raise NoteError(f"checkpoint: line {lines.index('') + 1} is empty")
    origin, size, root, *extensions = lines
    if not _SIZE.fullmatch(size) or int(size) >= 2**63:
        raise NoteError(f"checkpoint line 2 (tree size): {size!r} is not a decimal count without leading zeros")
    digest = _unb64(root, "checkpoint line 3 (root hash)")
    if len(digest) != HASH_SIZE:
        raise NoteError(f"checkpoint line 3 (root hash): {len(digest)} bytes, not {HASH_SIZE}")
    return TreeHead(origin, int(size), digest, tuple(extensions))


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    """A key that signs notes: its name and its Ed25519 public key."""

    name: str
    public_key: Ed25519PublicKey

    def __post_init__(self) -> None:
        _check_name(self.name, "key name")

    @property
    def key_id(self) -> bytes:
        """C2SP's key ID: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]."""
        return hashlib.sha256(self.name.encode() + b"\n" + bytes([ED25519]) + _raw(self.public_key)).digest()[:4]

    def vkey(self) -> str:
        """The verifier key text, ``<name>+<hex key ID>+<base64(0x01 ‖ public key)>``."""
        return f"{self.name}+{self.key_id.hex()}+{_b64(bytes([ED25519]) + _raw(self.public_key))}"


def parse_vkey(vkey: str) -> Verifier:
    """The :class:`Verifier` of a verifier key text; NoteError when it does not fit or its ID
    is not the one its name and key give."""
    name, _, rest = vkey.partition("+")
    key_id, _, material = rest.partition("+")
    if not re.fullmatch(r"[0-9a-f]{8}", key_id):
        raise NoteError(f"verifier key: {key_id!r} is not a key ID (8 lowercase hex digits)")
    data = _unb64(material, "verifier key")
    if len(data) != 1 + 32 or data[0] != ED25519:
        raise NoteError("verifier key: not an Ed25519 key (type 0x01 and 32 bytes)")
    verifier = Verifier(name, Ed25519PublicKey.from_public_bytes(data[1:]))
    if verifier.key_id.hex() != key_id:
        raise NoteError(f"verifier key: the key ID {key_id} is not the one of its name and key ({verifier.key_id.hex()})")
    return verifier


def sign_note(text: str, name: str, key: Ed25519PrivateKey) -> bytes:
    """The signed note of ``text`` (lines ending in a newline) under ``key``, named ``name``."""
    if not text.endswith("\n") or _CONTROL.search(text):
        raise NoteError("note text: must end with a newline and hold no control character")
    verifier = Verifier(name, key.public_key())
    signature = key.sign(text.encode())
    return f"{text}\n{_DASH}{name} {_b64(verifier.key_id + signature)}\n".encode()


def open_note(note: bytes, verifier: Verifier) -> str:
    """The text of ``note`` once ``verifier``'s signature on it is checked; NoteError otherwise."""
    try:
        whole = note.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NoteError(f"note: not UTF-8 (byte {error.start})") from None
    found = _CONTROL.search(whole)
    if found:
        raise NoteError(f"note: a control character (U+{ord(found.group()):04X}) at character {found.start()}")
    split = whole.rfind("\n\n")
    if split < 0:
        raise NoteError("note: no blank line before the signatures")
    text, lines = whole[: split + 1], whole[split + 2 :]
    if not lines.endswith("\n"):
        raise NoteError("note: the last signature line does not end with a newline")
    signatures = lines[:-1].split("\n")
    if len(signatures) > MAX_SIGNATURES:
        raise NoteError(f"note: more than {MAX_SIGNATURES} signatures")
    verified = False
    for number, line in enumerate(signatures, 1):
        name, blob = _signature_line(line, number)
        if name != verifier.name or blob[:4] != verifier.key_id:
            continue  # another key's signature (a witness's, an older key's): not ours to judge
        try:
            if len(blob) != 4 + SIGNATURE_SIZE:
                raise InvalidSignature
            verifier.public_key.verify(blob[4:], text.encode())
        except InvalidSignature:
            raise NoteError(f"note: signature {number}, by {name}, does not match the text") from None
        verified = True
    if not verified:
        raise NoteError(f"note: not signed by {verifier.name} (key ID {verifier.key_id.hex()})")
    return text


def _signature_line(line: str, number: int) -> tuple[str, bytes]:
    if not line.startswith(_DASH):
        raise NoteError(f"note: signature line {number} does not start with '— '")
    name, space, encoded = line[len(_DASH) :].rpartition(" ")
    if not space:
        raise NoteError(f"note: signature line {number} has no key name")
    blob = _unb64(encoded, f"note: signature line {number}")
    if len(blob) < 5:
        raise NoteError(f"note: signature line {number} is too short")
    return _check_name(name, f"note: signature line {number}"), blob


def sign_checkpoint(head: TreeHead, name: str, key: Ed25519PrivateKey) -> bytes:
    """The checkpoint of ``head``: its text signed by ``key`` named ``name`` (C2SP recommends
    the origin as the name)."""
    return sign_note(head.text(), name, key)


def open_checkpoint(note: bytes, verifier: Verifier) -> TreeHead:
    """The tree head of a checkpoint ``verifier`` signed; NoteError otherwise."""
    return parse_tree_head(open_note(note, verifier))
