"""Member card QR payloads: versioned, signed with the library's card key, small.

Payload: ``LK1:<key id>:<member number>:<card seq>:<mac>``, for example
``LK1:K1:M2016001:1:7XQ2MZBHAP``.

- ``LK1`` is the format version; a later format gets a new prefix and both can be read.
- the key id lets the library replace its key without reprinting every card at once;
  one key serves every site, so a card works at every branch kiosk.
- the card sequence revokes lost cards: the member's next card carries seq + 1.
- the MAC is 50 bits of HMAC-SHA256 over everything before it, in base32 (A-Z, 2-7), so a
  forged or mistyped payload is refused while the whole text stays in QR alphanumeric mode:
  a 20-character member number still fits QR version 3 at error correction M.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

VERSION = "LK1"
GROUP_PREFIX = "LKG1:"  # a school group's QR: LKG1:<group code>
CODE_128 = "CODE_128"  # the decoders' name for the barcode printed on older member cards
MAC_CHARS = 10
MEMBER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./_-]{0,19}$")
_KEY_ID = re.compile(r"^[A-Z0-9]{1,4}$")
_SEQ = re.compile(r"^[1-9][0-9]{0,3}$")  # ASCII only: int() would accept other scripts' digits


MISSING_KEY_HELP = (
    "card key file not found: restore it from a backup (`kiosk restore BACKUP`) or copy "
    "card-keys.toml from another kiosk of the library; a new key (`kiosk init --new-key`) "
    "makes every printed card fail"
)


class CardError(ValueError):
    """A payload that is not a valid card. `reason` is a check-in reason code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class CardRef:
    member_number: str
    seq: int
    key_id: str


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: dict[str, bytes]

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            with path.open("rb") as f:
                data = tomllib.load(f)
        except FileNotFoundError:
            raise CardKeyError(f"{path}: {MISSING_KEY_HELP}") from None
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as e:
            raise CardKeyError(f"{path}: card key file cannot be read: {e}") from None
        keys_raw = data.get("keys")
        if not isinstance(keys_raw, dict) or not keys_raw:
            raise CardKeyError(f"{path}: keys: needs a [keys] table with at least one key")
        keys: dict[str, bytes] = {}
        for kid, hexkey in keys_raw.items():
            if not _KEY_ID.match(kid):
                raise CardKeyError(f"{path}: keys.{kid}: key ids are 1-4 of A-Z, 0-9")
            try:
                keys[kid] = bytes.fromhex(hexkey)
            except (TypeError, ValueError):
                raise CardKeyError(f"{path}: keys.{kid}: must be hexadecimal text") from None
            if len(keys[kid]) < 16:
                raise CardKeyError(f"{path}: keys.{kid}: too short (at least 16 bytes)")
        current = data.get("current")
        if current not in keys:
            raise CardKeyError(f"{path}: current: must name one of the keys ({', '.join(keys)})")
        return cls(current, keys)

    @classmethod
    def generate(cls, path: Path, key_id: str = "K1") -> Keyring:
        """Write a new random key file readable only by its owner."""
        ring = cls(key_id, {key_id: secrets.token_bytes(32)})
        ring.save(path)
        return ring

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [
            "# Card keys of the library: every kiosk of every site needs this same file.",
            "# Keep it secret. To replace the key, add a new id, make it current, reprint cards",
            "# over time, then remove the old id.",
            f'current = "{self.current}"',
            "",
            "[keys]",
            *(f'{kid} = "{key.hex()}"' for kid, key in self.keys.items()),
        ]
        # Written to a temporary name, synced and renamed: a full disk never leaves a 0-byte
        # key file. (The same steps as kiosk.adapters.files.atomic; the domain stays stdlib.)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                f.write("\n".join(lines) + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def with_new_key(self, key_id: str) -> Keyring:
        if not _KEY_ID.match(key_id) or key_id in self.keys:
            raise CardKeyError(f"key id {key_id!r} must be new and 1-4 of A-Z, 0-9")
        return Keyring(key_id, {**self.keys, key_id: secrets.token_bytes(32)})


class CardKeyError(ValueError):
    pass


def _mac(key: bytes, signed: str) -> str:
    digest = hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:MAC_CHARS]


def make_payload(member_number: str, seq: int, keyring: Keyring) -> str:
    if not MEMBER_NUMBER.match(member_number):
        raise ValueError(f"member number {member_number!r} cannot go on a card")
    if not 1 <= seq <= 9999:
        raise ValueError("card sequence must be 1..9999")
    signed = f"{VERSION}:{keyring.current}:{member_number}:{seq}"
    return f"{signed}:{_mac(keyring.keys[keyring.current], signed)}"


def looks_like_card(text: str) -> bool:
    return text.startswith(VERSION + ":")


def could_be_card(text: str, barcode: str, legacy: bool = False) -> bool:
    """Is a code in view one of the library's (member card, group QR, old member barcode)?

    The scanner counts only these when it decides whether several cards are shown at once, so
    a poster's QR in the background never blocks a member's card.
    """
    text = text.strip()
    if text.startswith((VERSION + ":", GROUP_PREFIX)):
        return True
    return legacy and barcode == CODE_128 and bool(MEMBER_NUMBER.match(text))


def read_payload(text: str, keyring: Keyring) -> CardRef:
    """The card a payload names, or CardError('bad_payload', why)."""
    if not looks_like_card(text):
        raise CardError("bad_payload", "not a library card code")
    parts = text.split(":")
    if len(parts) != 5:
        raise CardError("bad_payload", "card code is truncated or garbled")
    _version, key_id, number, seq, mac = parts
    if key_id not in keyring.keys:
        raise CardError("bad_payload", f"card signed with an unknown key ({key_id[:4]!r})")
    if not MEMBER_NUMBER.match(number) or not _SEQ.match(seq):
        raise CardError("bad_payload", "card code is garbled")
    expected = _mac(keyring.keys[key_id], text[: -len(mac) - 1])
    if not hmac.compare_digest(expected.encode(), mac.encode("utf-8", "replace")):
        raise CardError("bad_payload", "card signature does not match (forged or misread)")
    return CardRef(number, int(seq), key_id)
