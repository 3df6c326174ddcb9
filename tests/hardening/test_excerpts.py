"""No stored refusal excerpt or log line lets anyone rebuild a working card code."""

from __future__ import annotations

import logging
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kiosk.adapters.db.models import RefusedScan
from kiosk.domain.cards import Keyring, make_payload
from kiosk.domain.redact import redact
from kiosk.services.checkin import EXCERPT_CHARS, excerpt
from kiosk.services.kiosk import KioskService

RING = Keyring("K1", {"K1": bytes(range(32))})
numbers = st.from_regex(r"[A-Z][A-Z0-9]{0,9}", fullmatch=True)
junk = st.text(max_size=30)
separators = st.sampled_from(["", ":", ":X", "\ufeff", " ", "\n", "\u200b", "LK1:", "|"])


def signature(code: str) -> str:
    return code.rsplit(":", 1)[1]


def leaks(stored: str, sig: str) -> bool:
    """Four consecutive signature characters anywhere (any case, full-width folded)."""
    import unicodedata

    flat = unicodedata.normalize("NFKC", stored).upper()
    return any(sig[i : i + 4] in flat for i in range(len(sig) - 3))


@st.composite
def hostile_texts(draw: st.DrawFn) -> tuple[str, list[str]]:
    codes = [
        make_payload(draw(numbers), draw(st.integers(1, 9999)), RING)
        for _ in range(draw(st.integers(1, 3)))
    ]
    variants = []
    for code in codes:
        shape = draw(st.sampled_from(["as is", "lower", "full-width", "zero-width"]))
        if shape == "lower":
            code = code.lower()
        elif shape == "full-width":
            code = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in code)
        elif shape == "zero-width":
            code = "\u200b".join(code)
        variants.append(draw(separators) + code + draw(separators))
    text = draw(junk) + draw(st.sampled_from(["", "\ufeff"])) + draw(junk).join(variants)
    return text + draw(junk), [signature(c) for c in codes]


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_texts())
def test_no_excerpt_holds_a_signature(case: tuple[str, list[str]]) -> None:
    text, sigs = case
    stored = excerpt(text)
    assert len(stored) <= EXCERPT_CHARS + 1 and stored.isprintable()
    for sig in sigs:
        assert not leaks(stored, sig), (text, stored)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_no_run_of_four_signature_characters(text: str) -> None:
    assert not re.search(r"[A-Z2-7]{4}", redact(text).upper())


@pytest.mark.parametrize(
    "shape",
    [
        "{code}:X",  # an extra field
        "prefix {code}",
        "\ufeff{code}",  # byte-order mark
        "{code}{code}",  # two codes run together
        "{code}",
    ],
)
def test_refused_scans_never_store_a_working_code(service: KioskService, shape: str) -> None:
    code = make_payload("M2016001", 1, service.desk.keyring)
    decision = service.check_in(shape.format(code=code), "BACA")
    assert not decision.accepted
    with service.sessions() as s:
        [stored] = s.scalars(select(RefusedScan.excerpt)).all()
    assert not leaks(stored, signature(code))
    assert "M2016001" in stored  # staff can still tell which card it was


def test_scanner_log_lines_hold_no_signature(caplog: pytest.LogCaptureFixture) -> None:
    from kiosk.vision.decoders import Code
    from kiosk.vision.scanner import Scanner

    code = make_payload("M2016001", 1, RING)
    caplog.set_level(logging.WARNING)
    oversized = Code("junk " + code + "x" * 400, "QR_CODE", (), oversized=True)
    Scanner().feed([oversized], frame=0, at=0.0)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not leaks(logged, signature(code))
