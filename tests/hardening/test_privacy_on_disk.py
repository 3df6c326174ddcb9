"""Privacy on disk: erased names leave the database and its WAL, retention periods, the
access log of personal data."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import select, text

from kiosk.adapters.db.models import QueuedSurvey, RefusedScan, Visit
from kiosk.config import load_settings
from kiosk.domain.cards import make_payload
from kiosk.services import members
from kiosk.services.kiosk import KioskService
from tests.support.clock import ManualClock

NAME = "Zulaikha Kartikasari"


def on_disk(data_dir: Path) -> bytes:
    files = [data_dir / f"kiosk.sqlite3{side}" for side in ("", "-wal", "-shm")]
    return b"".join(p.read_bytes() for p in files if p.exists())


def test_an_erased_name_is_gone_from_the_files_while_the_kiosk_runs(kiosk, data_dir: Path) -> None:
    kiosk("init")
    assert kiosk("members", "add", "M2016001", NAME)[0] == 0
    kiosk("members", "add", "M2016002", "Budi Santoso")
    kiosk("checkin", "m2016001", "--room", "BACA")  # typed in lower case: refused, logged
    running = KioskService.open(load_settings(overrides={"data_dir": data_dir}, environ={}))
    try:
        assert running.member_count() == 2  # the kiosk holds the database open
        assert NAME.encode() in on_disk(data_dir)
        code, _, _ = kiosk("members", "erase", "M2016001", "--yes")
        assert code == 0
        assert NAME.encode() not in on_disk(data_dir)
        assert running.member_count() == 1
        with running.sessions() as s:
            excerpts = s.scalars(select(RefusedScan.excerpt)).all()
        assert excerpts and all("2016001" not in e for e in excerpts)
    finally:
        running.close()


def test_database_and_exports_with_names_are_not_world_readable(
    kiosk, data_dir: Path, tmp_path: Path
) -> None:
    kiosk("init")
    kiosk("members", "add", "M2016001", NAME)
    kiosk("checkin", "M2016001", "--room", "BACA")
    assert kiosk("cards", "--out", str(tmp_path / "cards.pdf"))[0] == 0
    assert kiosk("export", "daily", "--out", str(tmp_path / "d.xlsx"))[0] == 0
    for p in [data_dir / "kiosk.sqlite3", data_dir / "card-keys.toml", tmp_path / "d.xlsx"]:
        assert stat.S_IMODE(p.stat().st_mode) & 0o007 == 0, p


def test_retention_keeps_counts_and_forgets_people(
    service: KioskService, clock: ManualClock
) -> None:
    with service.session() as s:
        members.add_member(s, "M2016001", NAME)
    card = make_payload("M2016001", 1, service.desk.keyring)
    old = clock.now()
    assert service.check_in(card, "BACA").counted
    service.check_in("LK1:K1:M2016001:1:FORGEDXXXX", "BACA")
    with service.session() as s:
        member_id = s.scalar(select(members.Member.id))
        s.add(
            QueuedSurvey(
                member_id=member_id, site="PUSAT", standard="2017", elements="",
                queued_at=old, queued_day=old.date(), expires_at=old, status="closed",
            )
        )  # fmt: skip
    clock.advance(800 * 86400)
    assert service.check_in(card, "BACA").counted  # a recent visit keeps its link
    done = service.purge_personal_data()
    assert (done.member_visit_links, done.refusal_excerpts, done.closed_surveys) == (1, 1, 1)
    with service.sessions() as s:
        visits = s.execute(select(Visit.member_id, Visit.at_utc).order_by(Visit.at_utc)).all()
        assert [m is None for m, _ in visits] == [True, False]  # both still counted
        assert s.scalars(select(RefusedScan.excerpt)).all() == ["(purged)"]
        assert s.scalar(select(QueuedSurvey.id).where(QueuedSurvey.status == "closed")) is None
        if service.engine.url.get_backend_name() == "sqlite":
            assert s.execute(text("PRAGMA secure_delete")).scalar() == 1
    wal = Path(str(service.engine.url.database) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # truncated after the purge
    assert service.purge_personal_data().member_visit_links == 0


def test_every_view_of_names_is_in_the_access_log(kiosk, tmp_path: Path) -> None:
    kiosk("init")
    kiosk("members", "add", "M2016001", NAME)
    kiosk("members", "add", "M2016002", "Budi Santoso")
    kiosk("members", "list")
    kiosk("members", "list", "--search", "budi")
    kiosk("members", "show", "M2016001")
    kiosk("cards", "--out", str(tmp_path / "c.pdf"))
    kiosk("groups", "list")
    kiosk("members", "erase", "M2016002", "--yes")
    code, rows, _ = kiosk("audit", "--json")
    assert code == 0
    seen = [(r["action"], r["subject"], r["rows"], r["channel"]) for r in rows]
    assert seen[:4] == [
        ("list", "members", 2, "cli"),
        ("list", "members --search budi", 1, "cli"),
        ("show", "member M2016001", 1, "cli"),
        ("print", f"cards (pdf) to {tmp_path / 'c.pdf'}", 2, "cli"),
    ]
    assert [s[0] for s in seen[4:]] == ["list", "erase"]
    assert all("@" in r["actor"] for r in rows)
    assert all(NAME not in str(r) for r in rows)  # the log names who asked, not who was shown
    code, text_out, _ = kiosk("audit")
    assert "members --search budi" in text_out
