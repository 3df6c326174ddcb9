from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.adapters.render.qr import qr_version
from kiosk.domain.cards import (
    CardError,
    CardKeyError,
    Keyring,
    make_payload,
    read_payload,
)

RING = Keyring("K1", {"K1": bytes(range(32)), "K0": bytes(range(32, 64))})
NUMBERS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9./_-]{0,19}", fullmatch=True)


@given(NUMBERS, st.integers(1, 9999))
def test_round_trip(number: str, seq: int) -> None:
    ref = read_payload(make_payload(number, seq, RING), RING)
    assert (ref.member_number, ref.seq, ref.key_id) == (number, seq, "K1")


@settings(max_examples=300)
@given(NUMBERS, st.integers(1, 9999), st.data())
def test_every_single_character_change_is_refused(number: str, seq: int, data) -> None:
    payload = make_payload(number, seq, RING)
    i = data.draw(st.integers(0, len(payload) - 1), label="position")
    new = data.draw(st.characters(codec="utf-8").filter(lambda c: c != payload[i]), label="char")
    changed = payload[:i] + new + payload[i + 1 :]
    with pytest.raises(CardError) as e:
        read_payload(changed, RING)
    assert e.value.reason == "bad_payload"


def test_every_position_and_alphabet_change_is_refused_exhaustively() -> None:
    payload = make_payload("M2016001", 3, RING)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:./_- ١"
    for i in range(len(payload)):
        for c in alphabet:
            if c == payload[i]:
                continue
            with pytest.raises(CardError):
                read_payload(payload[:i] + c + payload[i + 1 :], RING)


@pytest.mark.parametrize("cut", [1, 5, 10, 20])
def test_truncated_payloads_are_refused(cut: int) -> None:
    payload = make_payload("M2016001", 1, RING)
    with pytest.raises(CardError):
        read_payload(payload[:-cut], RING)


def test_old_key_still_reads_and_unknown_key_is_refused() -> None:
    old = Keyring("K0", RING.keys)
    assert read_payload(make_payload("A1", 1, old), RING).key_id == "K0"
    other = Keyring("K9", {"K9": bytes(32)})
    with pytest.raises(CardError, match="unknown key"):
        read_payload(make_payload("A1", 1, other), RING)


def test_a_different_library_key_is_refused() -> None:
    forged = Keyring("K1", {"K1": bytes(32)})
    with pytest.raises(CardError, match="signature"):
        read_payload(make_payload("A1", 1, forged), RING)


@pytest.mark.parametrize(
    "number", ["ABCDEFGHIJ0123456789", "abcdefghij0123456789", "a/b.c_d-e/f.g_h-i/jk"]
)
def test_longest_payload_fits_qr_version_4_at_m(number: str) -> None:
    assert qr_version(make_payload(number, 9999, RING)) <= 4


@pytest.mark.parametrize("number", ["", "with space", "a:b", "x" * 21, "-lead", "ñandu"])
def test_numbers_that_cannot_go_on_a_card(number: str) -> None:
    with pytest.raises(ValueError):
        make_payload(number, 1, RING)


def test_key_file_round_trip_is_private(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    ring = Keyring.generate(path)
    assert path.stat().st_mode & 0o077 == 0
    assert Keyring.load(path) == ring
    rotated = ring.with_new_key("K2")
    rotated.save(path)
    loaded = Keyring.load(path)
    assert loaded.current == "K2" and set(loaded.keys) == {"K1", "K2"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("current = 'K1'", "keys"),
        ("current = 'K2'\n[keys]\nK1 = '" + "00" * 32 + "'", "current"),
        ("current = 'K1'\n[keys]\nK1 = 'zz'", "hexadecimal"),
        ("current = 'K1'\n[keys]\nK1 = 'abcd'", "too short"),
        ("current = [", "cannot be read"),
    ],
)
def test_bad_key_files_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(content)
    with pytest.raises(CardKeyError, match=message) as e:
        Keyring.load(path)
    assert str(path) in str(e.value)
