"""`kiosk decode` and `kiosk scan` end to end: real cards, a real video, a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest
from vision_helpers import TEXTS, scene_with_card

from kiosk.cli import main
from tests.support import synth


def lines(out: str) -> list[dict]:
    return [json.loads(x) for x in out.splitlines() if x.strip()]


def test_decode_prints_one_json_line_per_image(tmp_path: Path, capsys) -> None:
    card = tmp_path / "card.png"
    cv2.imwrite(str(card), scene_with_card(TEXTS[0]))
    blank = tmp_path / "blank.jpg"
    cv2.imwrite(str(blank), synth.background(320, 240, __import__("numpy").random.default_rng(1)))
    rc = main(["decode", str(card), str(blank), "--json"])
    out = lines(capsys.readouterr().out)
    assert rc == 0
    assert out[0]["file"] == str(card)
    assert [c["text"] for c in out[0]["codes"]] == [TEXTS[0]]
    assert out[0]["codes"][0]["format"] == "QR_CODE"
    assert len(out[0]["codes"][0]["corners"]) == 4
    assert out[1] == {"file": str(blank), "codes": []}


def test_decode_reports_unreadable_files(tmp_path: Path, capsys) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not a png")
    rc = main(["decode", str(junk), str(tmp_path / "missing.png"), "--json"])
    captured = capsys.readouterr()
    assert rc == 2
    assert [x["error"] for x in lines(captured.out)] == ["not a readable image", "not found"]
    assert "kiosk: error:" in captured.err


@pytest.fixture
def kiosk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KIOSK_DB_URL", raising=False)
    assert main(["init"]) == 0
    assert main(["members", "add", "M2016001", "Siti Aminah"]) == 0
    assert main(["members", "add", "M2016002", "Budi Santoso"]) == 0
    assert main(["cards", "--format", "png", "--out", str(tmp_path / "cards")]) == 0
    capsys.readouterr()
    return tmp_path


def test_scan_checks_in_each_card_shown_once(kiosk_home: Path, capsys) -> None:
    cards = sorted((kiosk_home / "cards").glob("*.png"))
    faces = synth.load_card_faces([str(p) for p in cards])
    feed = kiosk_home / "feed.avi"
    truth = synth.write_feed(faces, str(feed), size=(640, 480), fps=30, seed=11)
    rc = main(["scan", "--source", str(feed), "--room", "BACA", "--json"])
    out = lines(capsys.readouterr().out)
    assert rc == 0
    assert [(d["decision"], d["member"]) for d in out] == [
        ("welcome", "M2016001"),
        ("welcome", "M2016002"),
        ("welcome_back", "M2016001"),
    ]
    assert all(d["room"] == "BACA" for d in out)
    for d in out:
        assert truth[d["frame"]]["card"] is not None
    # The visits were committed: a second scan of the same video only finds welcome-backs.
    assert main(["scan", "--source", str(feed), "--room", "BACA", "--json"]) == 0
    assert {d["decision"] for d in lines(capsys.readouterr().out)} == {"welcome_back"}


def test_scan_refuses_foreign_cards_with_a_reason(kiosk_home: Path, capsys) -> None:
    feed = kiosk_home / "foreign.avi"
    synth.write_feed(
        [(TEXTS[0], synth.card_face(TEXTS[0]))], str(feed), size=(640, 480), repeat_first=False
    )
    assert main(["scan", "--source", str(feed), "--room", "BACA", "--json"]) == 0
    out = lines(capsys.readouterr().out)
    assert len(out) == 1 and not out[0]["accepted"]


def test_scan_at_an_entrance_needs_a_room(kiosk_home: Path, capsys) -> None:
    rc = main(["scan", "--source", str(kiosk_home / "none.avi")])
    assert rc == 2
    assert "say which room" in capsys.readouterr().err


def test_scan_of_a_corrupt_video_is_an_error(kiosk_home: Path, capsys) -> None:
    bad = kiosk_home / "bad.avi"
    bad.write_bytes(b"RIFF" + bytes(5000))
    assert main(["scan", "--source", str(bad), "--room", "BACA"]) == 2
    assert "cannot open" in capsys.readouterr().err


def test_scan_legacy_flag_accepts_old_barcodes_but_not_bare_qr(kiosk_home: Path, capsys) -> None:
    import numpy as np
    import qrcode
    import zxingcpp

    folder = kiosk_home / "legacy"
    folder.mkdir()
    barcode = zxingcpp.create_barcode("M2016001", zxingcpp.BarcodeFormat.Code128)
    bars = np.asarray(barcode.to_image(scale=4, add_quiet_zones=True))
    bars = cv2.copyMakeBorder(bars, 60, 60, 60, 60, cv2.BORDER_CONSTANT, value=255)
    qr = np.asarray(qrcode.make("M2016002", border=4).get_image().convert("L"), dtype=np.uint8)
    blank = np.full((200, 300), 255, np.uint8)
    for i, image in enumerate([bars] * 3 + [blank] * 20 + [qr] * 3):
        cv2.imwrite(str(folder / f"f{i:03}.png"), image)
    rc = main(["scan", "--source", str(folder), "--room", "KOL", "--legacy", "--json"])
    out = lines(capsys.readouterr().out)
    assert rc == 0
    assert [(x["decision"], x["member"]) for x in out] == [
        ("welcome", "M2016001"),  # an old card's Code 128 barcode
        ("bad_payload", None),  # a QR holding a bare number is not a card
    ]


def test_decode_runs_the_cascade_and_reports_every_code(tmp_path: Path, capsys) -> None:
    from test_variants import two_codes

    frame, texts = two_codes()
    path = tmp_path / "counter.jpg"
    cv2.imwrite(str(path), frame)
    assert main(["decode", str(path), "--json", "--budget-ms", "2000"]) == 0
    [out] = lines(capsys.readouterr().out)
    assert sorted(c["text"] for c in out["codes"]) == sorted(texts)
    assert all(len(c["corners"]) == 4 for c in out["codes"])


def test_decode_refuses_a_budget_that_is_not_a_time(tmp_path: Path, capsys) -> None:
    assert main(["decode", str(tmp_path / "x.png"), "--budget-ms", "soon"]) == 2
    assert "--budget-ms: a time in milliseconds" in capsys.readouterr().err


def test_scan_single_pass_gives_the_same_check_ins(kiosk_home: Path, capsys) -> None:
    cards = sorted((kiosk_home / "cards").glob("*.png"))
    feed = kiosk_home / "feed.avi"
    synth.write_feed(synth.load_card_faces([str(p) for p in cards]), str(feed), (640, 480), seed=5)
    args = ["scan", "--source", str(feed), "--room", "BACA", "--json"]
    assert main([*args, "--single-pass"]) == 0
    single = [(d["decision"], d["member"]) for d in lines(capsys.readouterr().out)]
    assert single == [
        ("welcome", "M2016001"),
        ("welcome", "M2016002"),
        ("welcome_back", "M2016001"),
    ]
