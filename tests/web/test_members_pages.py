"""Members and Groups over HTTP on the real app and a real database (SQLite and PostgreSQL):
the CLI's rules, CSRF on every form, searches and prints in the access log, groups kept to
their site for staff, bad input answered in words with nothing lost."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from kiosk.adapters.db.engine import make_engine, make_sessionmaker
from kiosk.domain.clock import local_day, utcnow
from kiosk.domain.members import renewed_until
from kiosk.services.members import add_member
from tests.web.conftest import Web, csrf_of
from tests.web.pages import cli_json, table


@pytest.fixture(autouse=True)
def cli_at_pusat(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI used to check the pages: the central server's files, the PUSAT desk."""
    monkeypatch.setenv("KIOSK_DATA_DIR", str(web.settings.data_dir))
    monkeypatch.setenv("KIOSK_SITE", "PUSAT")


def member(web: Web, number: str) -> dict:
    return cli_json(web.settings.database_url, "members", "show", number)


def test_add_search_renew_suspend_revoke_and_print(web: Web) -> None:
    siti = web.client("siti")  # staff: members are the whole library's
    token = csrf_of(siti.get("/members").text)
    form = {"csrf": token, "number": "M2025001", "name": "Siti Aminah", "gender": "P"}
    r = siti.post("/members/add", data=form | {"category": "Umum", "expires": "31-12-2027"})
    assert r.status_code == 200 and "Anggota ditambahkan" in r.text
    assert table(r.text, "member-list")[0][:4] == ["M2025001", "Siti Aminah", "Umum", "31-12-2027"]
    # The same number again: refused in words, what was typed stays in the form.
    again = siti.post("/members/add", data=form | {"name": "Siti Lain"})
    assert again.status_code == 400 and "Tidak disimpan" in again.text
    assert 'value="Siti Lain"' in again.text
    too_long = siti.post("/members/add", data=form | {"number": "M2025002", "name": "x" * 30})
    assert too_long.status_code == 400 and 'id="member-error"' in too_long.text
    # Renew by 6 months: the CLI's rule from the current end.
    r = siti.post("/members/renew", data={"csrf": token, "number": "M2025001", "months": "6"})
    expected = renewed_until(
        local_day(utcnow()).replace(2027, 12, 31), local_day(utcnow()), None, 6
    )
    assert member(web, "M2025001")["expires"] == expected.isoformat()
    assert "Keanggotaan diperpanjang" in r.text
    r = siti.post("/members/suspend", data={"csrf": token, "number": "M2025001", "suspended": "1"})
    assert member(web, "M2025001")["suspended"] is True and "dibekukan" in r.text
    siti.post("/members/suspend", data={"csrf": token, "number": "M2025001", "suspended": "0"})
    assert member(web, "M2025001")["suspended"] is False
    r = siti.post("/members/revoke", data={"csrf": token, "number": "M2025001"})
    assert member(web, "M2025001")["card_seq"] == 2
    assert table(r.text, "member-list")[0][4] == "2"
    pdf = siti.post("/members/cards", data={"csrf": token, "numbers": "M2025001"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == 'attachment; filename="kartu-M2025001.pdf"'
    unknown = siti.post("/members/cards", data={"csrf": token, "numbers": "NOPE"})
    assert unknown.status_code == 400 and "NOPE" in unknown.text
    # Searches that showed names and the card print are in the access log, with who.
    log = cli_json(web.settings.database_url, "audit", "--limit", "50")
    mine = [a for a in log if a["actor"] == "web:siti"]
    assert {a["action"] for a in mine} >= {"list", "print"}
    assert any(a["subject"] == "members --search M2025001" for a in mine)


def test_member_forms_need_the_csrf_token(web: Web) -> None:
    c = web.client("boss")
    csrf = csrf_of(c.get("/members").text)
    c.post("/members/add", data={"csrf": csrf, "number": "M1", "name": "Budi"})
    for path, data in (
        ("/members/add", {"number": "M2", "name": "Rina"}),
        ("/members/renew", {"number": "M1"}),
        ("/members/suspend", {"number": "M1", "suspended": "1"}),
        ("/members/revoke", {"number": "M1"}),
        ("/members/cards", {"numbers": "M1"}),
        ("/groups/add", {"site": "PUSAT", "date": "2030-01-01", "institution": "TK A"}),
    ):
        for token in (None, "forged"):
            sent = data | ({"csrf": token} if token else {})
            r = c.post(path, data=sent)
            assert r.status_code == 403 and "kedaluwarsa" in r.text, path
    shown = member(web, "M1")
    assert (shown["card_seq"], shown["suspended"], shown["expires"]) == (1, False, None)
    assert "M2" not in str(cli_json(web.settings.database_url, "members", "list"))


def test_groups_are_kept_to_their_site(web: Web) -> None:
    day = (local_day(utcnow()) + timedelta(days=3)).isoformat()
    siti, tono, boss = web.client("siti"), web.client("tono"), web.client("boss")
    token = csrf_of(siti.get("/groups").text)
    fields = {"date": day, "institution": "TK Pertiwi", "level": "TK", "children": "20"}
    fields |= {"adults": "2", "leader": "Bu Rina", "phone": "0812-7000-1111"}
    # Staff asking for another site are refused; without a site it is their own.
    r = siti.post("/groups/add", data={"csrf": token, "site": "CAB-TABA"} | fields)
    assert r.status_code == 403
    r = siti.post("/groups/add", data={"csrf": token} | fields)
    assert r.status_code == 200 and "Rombongan dijadwalkan" in r.text
    code = re.search(r'id="group-([A-Z0-9-]+)"', r.text).group(1)
    row = table(r.text, "group-list")[0]
    assert row[3] == "20+2"  # staff: their own site, no site column
    listed = cli_json(web.settings.database_url, "groups", "list")
    assert [g["code"] for g in listed] == [code]
    # Another site's staff neither see nor change it.
    t_token = csrf_of(tono.get("/groups").text)
    assert code not in tono.get("/groups").text
    assert tono.get(f"/groups?edit={code}").status_code == 403
    for path in ("/groups/edit", "/groups/cancel", "/groups/letter"):
        r = tono.post(path, data={"csrf": t_token, "code": code, "children": "5"})
        assert r.status_code == 403, path
    # Its own staff correct it and print its letter; a manager or admin may too.
    r = siti.post("/groups/edit", data={"csrf": token, "code": code, "children": "25"})
    assert r.status_code == 200 and table(r.text, "group-list")[0][3] == "25+2"
    letter = siti.post("/groups/letter", data={"csrf": token, "code": code})
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    b_token = csrf_of(boss.get("/groups").text)
    assert code in boss.get("/groups?site=all").text
    bad = boss.post("/groups/edit", data={"csrf": b_token, "code": code, "children": "-3"})
    assert bad.status_code == 400 and 'id="group-error"' in bad.text
    r = boss.post("/groups/cancel", data={"csrf": b_token, "code": code})
    assert r.status_code == 200 and "dibatalkan" in r.text
    listed = cli_json(web.settings.database_url, "groups", "list")
    assert listed[0]["status"] == "cancelled" and listed[0]["expected_children"] == 25
    # An admin must say which site a new group visits.
    r = boss.post("/groups/add", data={"csrf": b_token} | fields)
    assert r.status_code == 400


def test_a_search_that_holds_most_members_lists_the_first_hundred(web: Web) -> None:
    """Typing one letter must not put 8,000 names on a page: the first hundred, and how many."""
    engine = make_engine(web.settings.database_url)
    with make_sessionmaker(engine).begin() as s:
        for i in range(130):
            add_member(s, f"M{i:05d}", f"Anggota Nomor {i}", "L", "Umum", None)
    engine.dispose()
    siti = web.client("siti")
    r = siti.get("/members?q=nomor")
    assert r.status_code == 200
    rows = table(r.text, "member-list")
    assert [row[0] for row in rows] == [f"M{i:05d}" for i in range(100)]
    assert re.search(r'id="member-more"[^>]*>[^<]*100[^<]*130', r.text)
    r = siti.get("/members?q=nomor 12")
    assert len(table(r.text, "member-list")) == 11 and 'id="member-more"' not in r.text
