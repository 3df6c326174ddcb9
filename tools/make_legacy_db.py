"""Build a kiosk database with the code of an older main, for the upgrade test.

The file it makes is kept under tests/store/data/; tests/store/test_upgrade.py copies it, runs
today's `kiosk init` and checks that every row is still there. Run it with the *old* code first
on the import path (this script imports only what that code had):

    git worktree add /tmp/oldmain b8e8e93
    PYTHONPATH=/tmp/oldmain .venv/bin/python tools/make_legacy_db.py tests/store/data/b8e8e93
    git worktree remove /tmp/oldmain

It uses the old commands (`kiosk init`, `members add`, `checkin`, `guest`, `groups add`,
`groups checkin`, `survey import`) and the old service with a hand-moved clock for what only the
screen does (scans, the keypad, old barcodes, surveys). Every visitor type, decision, source,
refusal reason, survey status and survey channel of that code gets at least one row.
Prints one JSON line: the rows per table.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from random import Random


def main(out: Path) -> dict[str, int]:
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for old in ("kiosk.sqlite3", "kiosk.sqlite3-wal", "kiosk.sqlite3-shm", "card-keys.toml"):
        (out / old).unlink(missing_ok=True)
    home = Path(tempfile.mkdtemp(prefix="kiosk-legacy-"))
    for name in [k for k in os.environ if k.startswith("KIOSK_")]:
        del os.environ[name]
    os.environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home), KIOSK_DATA_DIR=str(out))

    try:  # the old layout: kiosk.core, before the restructure of issue 8
        from kiosk.core.cards import make_payload
        from kiosk.core.guests import GuestForm
        from kiosk.core.localtime import ManualClock
        from kiosk.core.service import KioskService
    except ModuleNotFoundError:
        raise SystemExit(
            "make_legacy_db: put the old code first on the import path "
            "(PYTHONPATH=/tmp/oldmain, see the docstring)"
        ) from None

    import kiosk
    from kiosk.cli import main as cli
    from kiosk.config import load_settings

    where = Path(kiosk.__file__).resolve()
    print(f"make_legacy_db: the kiosk code of {where.parent.parent}", file=sys.stderr)

    def run(*args: str) -> None:
        code = cli([*args, "--json"])
        if code != 0:
            raise SystemExit(f"kiosk {' '.join(args)} exited {code}")

    run("init")
    run("members", "add", "A0001", "Siti Rahma", "--gender", "P", "--category", "Umum")
    run("members", "add", "A0002", "Budi Santoso", "--gender", "L", "--category", "Pelajar")
    run("members", "add", "A0003", "Dewi Lestari", "--gender", "P", "--category", "Mahasiswa")
    run("members", "add", "A0004", "Rudi Hartono", "--gender", "L", "--category", "Umum")
    run("members", "add", "A0005", "Ani Wijaya", "--category", "Umum", "--expires", "2026-10-31")
    run("members", "add", "A0006", "Joko Susilo", "--gender", "L", "--category", "Umum")
    run("members", "suspend", "A0006")
    run("members", "revoke-card", "A0004")  # card 1 of A0004 is now refused
    run(
        "groups",
        "add",
        "--date",
        "2026-11-17",
        "--institution",
        "TK Pertiwi",
        "--level",
        "TK",
        "--children",
        "20",
        "--adults",
        "3",
        "--leader",
        "Ibu Sri",
        "--phone",
        "0812000001",
    )
    run(
        "groups",
        "add",
        "--date",
        "2026-11-18",
        "--institution",
        "SD Negeri 5",
        "--level",
        "SD",
        "--children",
        "28",
        "--adults",
        "2",
    )
    # Staff at the command line: a typed number (cli), back-entries from the paper book.
    run("checkin", "A0002", "--room", "BACA", "--at", "2026-11-16T09:00:00+07:00")
    run("checkin", "A0003", "--room", "KOL", "--at", "2026-11-16T10:00:00+07:00")
    run("checkin", "A0002", "--room", "PAV")
    run(
        "guest",
        "--category",
        "umum",
        "--gender",
        "L",
        "--origin",
        "16.05",
        "--purpose",
        "membaca",
        "--room",
        "BACA",
        "--at",
        "2026-11-16T11:00:00+07:00",
    )
    run(
        "guest",
        "--category",
        "mahasiswa",
        "--gender",
        "P",
        "--origin",
        "other",
        "--origin-other",
        "Palembang",
        "--purpose",
        "belajar",
        "--name",
        "Rina",
        "--room",
        "REF",
        "--at",
        "2026-11-16T11:30:00+07:00",
    )
    paper = home / "paper.csv"
    paper.write_text("U1,U2,U3,gender,age_band\n4,3,3,P,40-49\n3,,4,L,20-29\n")
    run("survey", "import", str(paper), "--date", "2026-11-15")

    # The screen's ways in, on a clock moved by hand.
    settings = load_settings(None)
    settings = replace(settings, survey_chance=1.0, survey_min_days=0, legacy_barcodes=True)
    clock = ManualClock(datetime(2026, 11, 17, 1, 0, tzinfo=UTC))  # 08:00 WIB
    svc = KioskService.open(settings, clock)
    svc.survey_rng = Random(8)
    ring = svc.desk.keyring

    def step(minutes: float) -> None:
        clock.advance(minutes * 60)

    card = {n: make_payload(n, 1, ring) for n in ("A0001", "A0002", "A0003", "A0005", "A0006")}
    svc.check_in(card["A0001"], "REF", source="scan")  # welcome; a survey is queued
    step(5)
    svc.check_in(card["A0001"], "REF", source="scan")  # welcome back: no visit row
    step(5)
    svc.check_in(card["A0001"], "PAV", source="scan")  # moved
    svc.check_in("A0003", "KOL", source="keypad")
    svc.check_in("A0002", "BACA", source="barcode")
    svc.guest_check_in(GuestForm("pelajar", "P", "16.73", "internet"), "BACA")
    svc.group_check_in(_group_code(out, "TK Pertiwi"), 18, 3, "ANAK", boys=10, girls=8)
    # Every refusal reason the old code logged.
    svc.check_in("hello", "REF", source="scan")  # bad_payload
    svc.check_in(make_payload("A9999", 1, ring), "REF", source="scan")  # unknown_card
    svc.check_in(make_payload("A0004", 1, ring), "REF", source="scan")  # revoked_card
    svc.check_in(card["A0005"], "REF", source="scan")  # expired
    svc.check_in(card["A0006"], "REF", source="scan")  # suspended
    svc.group_check_in("ZZZZZZ", 5, 1, "ANAK")  # unknown_group
    svc.group_check_in(_group_code(out, "SD Negeri 5"), 5, 1, "ANAK")  # wrong_day

    # The next day: the queued surveys come due; one answered, one skipped, one left shown;
    # a day later a new one is queued and stays pending.
    step(24 * 60)
    for number, then in (("A0001", "answer"), ("A0003", "skip"), ("A0002", "shown")):
        svc.check_in(card[number], "REF", source="scan")
        prompt = svc.survey_for(number)
        if prompt is None:
            raise SystemExit(f"no survey was queued for {number}")
        svc.survey_shown(prompt.id)
        if then == "answer":
            svc.answer_survey(prompt.id, {q.code: 4 for q in prompt.questions})
        elif then == "skip":
            svc.skip_survey(prompt.id)
        step(3)
    svc.record_rating({"U1": 3, "U9": 4})
    step(24 * 60)
    svc.check_in(card["A0003"], "KOL", source="scan")  # queues a survey left pending
    svc.close()
    shutil.rmtree(home)
    return counts(out / "kiosk.sqlite3")


def _group_code(out: Path, institution: str) -> str:
    with sqlite3.connect(out / "kiosk.sqlite3") as db:
        (code,) = db.execute(
            "SELECT code FROM groups WHERE institution = ?", (institution,)
        ).fetchone()
    return str(code)


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # one self-contained file to keep
        tables = [
            r[0]
            for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_legacy_db.py OUTPUT_FOLDER")
    print(json.dumps(main(Path(sys.argv[1]))))
