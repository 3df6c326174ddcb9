"""The dashboard over HTTP against the real app and a real database (SQLite and PostgreSQL):
logins, roles, staff kept to their site, CSRF, lock-out, the access log of exports."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from starlette.testclient import TestClient

from kiosk.adapters.db.engine import make_engine, make_sessionmaker
from kiosk.cli import main as kiosk_main
from kiosk.domain.clock import local_day, utcnow
from kiosk.server.app import create_app
from kiosk.services import web_accounts
from kiosk.services.sync_central import digest
from tests.web.conftest import PASSWORDS, Web, csrf_of, guest, login, make_settings


def test_pages_need_a_login(web: Web) -> None:
    c = web.client()
    for path in ("/today", "/kiosks", "/downloads", "/users"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}"
    r = c.get("/today/numbers", headers={"x-requested-with": "fetch"})
    assert r.status_code == 401  # the live refresh reloads the page, which asks for a login
    assert c.get("/api/v1/health").json() == {"ok": True}  # the sync API keeps its path


def test_roles_decide_the_pages(web: Web) -> None:
    expected = {
        "boss": {"/today": 200, "/kiosks": 200, "/downloads": 200, "/users": 200},
        "manda": {"/today": 200, "/kiosks": 200, "/downloads": 200, "/users": 403},
        "siti": {"/today": 200, "/kiosks": 200, "/downloads": 200, "/users": 403},
    }
    for name, pages in expected.items():
        c = web.client(name)
        got = {path: c.get(path).status_code for path in pages}
        assert got == pages, name
        menu = c.get("/today").text
        assert ('href="/users"' in menu) is (name == "boss")
    # Only admins enrol or revoke kiosks, even with a valid CSRF token.
    c = web.client("manda")
    token = csrf_of(c.get("/kiosks").text)
    r = c.post("/kiosks/enrol", data={"csrf": token, "kiosk": "k9", "site": "PUSAT"})
    assert r.status_code == 403 and "enrol-code" not in r.text
    assert "enrol-form" not in c.get("/kiosks").text
    boss = web.client("boss")
    token = csrf_of(boss.get("/kiosks").text)
    r = boss.post("/kiosks/enrol", data={"csrf": token, "kiosk": "k9", "site": "PUSAT"})
    code = re.search(r'id="enrol-code">([0-9A-F-]+)<', r.text)
    assert r.status_code == 200 and code
    with make_sessionmaker(make_engine(web.settings.database_url))() as s:
        from kiosk.services.sync_central import list_kiosks

        assert [k["kiosk"] for k in list_kiosks(s)] == ["k9"]
    r = boss.post("/kiosks/revoke", data={"csrf": token, "kiosk": "k9"}, follow_redirects=True)
    assert r.status_code == 200 and "dicabut" in r.text


def test_staff_see_only_their_own_site(web: Web) -> None:
    pusat, taba = web.kiosk("PUSAT"), web.kiosk("CAB-TABA")
    for _ in range(3):
        guest(pusat, "BACA")
    for _ in range(7):
        guest(taba, "BACA")
    siti = web.client("siti")
    page = siti.get("/today").text
    assert re.search(r'id="total-visits">3<', page)
    assert "CAB-TABA" not in page
    for path in ("/today?site=CAB-TABA", "/today/numbers?site=CAB-TABA", "/kiosks?site=all"):
        r = siti.get(path)
        assert r.status_code == 403, path
        assert 'id="total-visits"' not in r.text
        assert "Staf hanya dapat melihat lokasinya sendiri" in r.text
    token = csrf_of(siti.get("/downloads").text)
    for kind in ("daily", "visits", "year", "list", "ikm"):
        r = siti.post(f"/downloads/{kind}", data={"csrf": token, "site": "CAB-TABA"})
        assert r.status_code == 403, kind
    r = siti.post("/downloads/iplm", data={"csrf": token})
    assert r.status_code == 403  # the census figures are city-wide: managers and admins
    # A manager sees both, and every site at once.
    manda = web.client("manda")
    assert re.search(r'id="total-visits">10<', manda.get("/today").text)
    assert re.search(r'id="total-visits">7<', manda.get("/today?site=CAB-TABA").text)
    pusat.close()
    taba.close()


def test_every_form_needs_the_sessions_csrf_token(web: Web) -> None:
    boss, siti = web.client("boss"), web.client("siti")
    others = csrf_of(siti.get("/today").text)
    for data in ({}, {"csrf": ""}, {"csrf": "x" * 43}, {"csrf": others}):
        r = boss.post("/kiosks/enrol", data={**data, "kiosk": "evil", "site": "PUSAT"})
        assert r.status_code == 403 and "kedaluwarsa" in r.text
        r = boss.post("/users/add", data={**data, "name": "evil", "role": "admin"})
        assert r.status_code == 403
        r = boss.post("/logout", data=data, follow_redirects=False)
        assert r.status_code == 403
    assert "kiosk-evil" not in boss.get("/kiosks").text
    assert "user-evil" not in boss.get("/users").text
    # The login form: the token in the form must match the one in its cookie.
    c = web.client()
    c.get("/login")
    r = c.post("/login", data={"csrf": "forged", "name": "boss", "password": PASSWORDS["boss"]})
    assert r.status_code == 403 and "kiosk_session" not in r.cookies


def test_five_wrong_passwords_lock_the_account_in_the_database(web: Web) -> None:
    c = web.client()
    for _ in range(4):
        r = login(c, "siti", "not-her-password")
        assert r.status_code == 401 and "Nama pengguna atau kata sandi salah" in r.text
    r = login(c, "siti", "not-her-password")
    assert r.status_code == 429 and "dikunci" in r.text
    r = login(c, "siti")  # the right password does not open a locked account
    assert r.status_code == 429 and "kiosk_session" not in r.cookies
    # Another server process (a second app on the same database) sees the same lock.
    again = create_app(web.settings)
    with TestClient(again) as other:
        assert login(other, "siti").status_code == 429
    # Other accounts are not affected; an unknown name gets the same answer as a wrong password.
    assert login(c, "boss").status_code == 303
    r = login(web.client(), "nobody", "whatever-it-is")
    assert r.status_code == 401 and "Nama pengguna atau kata sandi salah" in r.text
    # A new password from the administrator lifts the lock.
    engine = make_engine(web.settings.database_url)
    with make_sessionmaker(engine).begin() as s:
        web_accounts.set_password(s, "siti", "baru-dan-panjang-2026")
    engine.dispose()
    assert login(web.client(), "siti", "baru-dan-panjang-2026").status_code == 303


def test_a_right_password_clears_earlier_failures(web: Web) -> None:
    c = web.client()
    for _ in range(4):
        assert login(c, "siti", "wrong-wrong-wrong").status_code == 401
    assert login(c, "siti").status_code == 303
    for _ in range(4):
        assert login(web.client(), "siti", "wrong-wrong-wrong").status_code == 401
    assert login(web.client(), "siti").status_code == 303


def test_session_cookie_is_random_httponly_samesite_and_only_its_hash_is_kept(web: Web) -> None:
    c = web.client()
    r = login(c, "boss")
    cookie = r.headers["set-cookie"]
    assert "kiosk_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    token = r.cookies["kiosk_session"]
    engine = make_engine(web.settings.database_url)
    from sqlalchemy import text

    with engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM web_sessions")).scalars().all()
    engine.dispose()
    assert stored == [digest(token)]
    # Logging out ends the session on the server, not only in this browser.
    token_form = csrf_of(c.get("/today").text)
    c.post("/logout", data={"csrf": token_form})
    stolen = web.client()
    stolen.cookies.set("kiosk_session", token)
    assert stolen.get("/today", follow_redirects=False).status_code == 303


def test_cookies_are_secure_unless_plain_http_is_allowed(web: Web) -> None:
    settings = make_settings(web.settings.data_dir, web.settings.database_url, False)
    strict = create_app(settings)
    with TestClient(strict) as c:
        page = c.get("/login").text
        assert "Dasbor memerlukan https" in page
        r = c.post(
            "/login",
            data={"csrf": csrf_of(page), "name": "boss", "password": PASSWORDS["boss"]},
        )
        assert r.status_code in (400, 403) and "kiosk_session" not in r.cookies
    with TestClient(strict, base_url="https://testserver") as c:
        r = login(c, "boss")
        assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]
        assert c.get("/today").status_code == 200
    # Allowing plain http for a trial keeps the cookies Secure when https is used anyway.
    r = login(web.client(base_url="https://testserver"), "boss")
    assert "Secure" in r.headers["set-cookie"]
    r = login(web.client(), "boss")
    assert r.status_code == 303 and "Secure" not in r.headers["set-cookie"]


def test_pages_say_that_nothing_comes_from_elsewhere(web: Web) -> None:
    c = web.client("boss")
    r = c.get("/today")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["cache-control"] == "no-store"
    assert "http://" not in r.text and "https://" not in r.text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', r.text):
        assert c.get(asset).status_code == 200


def test_english_switch_is_a_cookie(web: Web) -> None:
    c = web.client("boss")
    assert "Hari Ini" in c.get("/today").text
    r = c.get("/lang/en?next=/kiosks", follow_redirects=False)
    assert r.headers["location"] == "/kiosks"
    assert ">Today<" in c.get("/today").text
    r = c.get("/lang/en?next=https://elsewhere.example/", follow_redirects=False)
    assert r.headers["location"] == "/today"  # never away from this server


def test_visit_list_downloads_are_logged_and_admins_see_the_log(web: Web) -> None:
    svc = web.kiosk("PUSAT")
    guest(svc, "BACA")
    guest(svc, "REF")
    svc.close()
    siti = web.client("siti")
    token = csrf_of(siti.get("/downloads").text)
    day = local_day(utcnow()).isoformat()
    r = siti.post(
        "/downloads/list",
        data={"csrf": token, "from": day, "to": day, "format": "csv", "site": "PUSAT"},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    assert len(lines) == 1 + 2 + 1 and lines[-1].startswith("Jumlah,")  # two visits, total
    r = siti.post("/downloads/daily", data={"csrf": token, "format": "csv"})  # counts only
    assert r.status_code == 200
    boss = web.client("boss")
    log = boss.get("/users").text
    rows = re.findall(r"<tr><td>[^<]+</td><td>(web:[^<]+)</td><td[^>]*>server</td>", log)
    assert rows == ["web:siti"]
    assert f"visit list {day}..{day}" in log
    with make_sessionmaker(make_engine(web.settings.database_url))() as s:
        from kiosk.services.audit import read_log

        (entry,) = read_log(s)
    assert (entry.actor, entry.channel, entry.site, entry.rows) == (
        "web:siti",
        "server",
        "PUSAT",
        2,
    )


def test_daily_download_is_the_cli_export(web: Web, tmp_path: Path) -> None:
    svc = web.kiosk("PUSAT")
    for room, gender in (("BACA", "P"), ("BACA", "L"), ("ANAK", "P")):
        guest(svc, room, gender)
    svc.close()
    day = local_day(utcnow()).isoformat()
    c = web.client("manda")
    token = csrf_of(c.get("/downloads").text)
    got = {}
    for fmt in ("csv", "xlsx"):
        r = c.post(
            "/downloads/daily",
            data={"csrf": token, "date": day, "site": "PUSAT", "format": fmt, "lang": "id"},
        )
        assert r.status_code == 200
        assert r.headers["content-disposition"] == (
            f'attachment; filename="kunjungan-PUSAT-{day}.{fmt}"'
        )
        got[fmt] = r.content
    out = tmp_path / "cli.csv"
    args = ["--db", web.settings.database_url, "export", "daily", "--date", day]
    with contextlib.redirect_stdout(io.StringIO()):
        code = kiosk_main([*args, "--site", "PUSAT", "--out", str(out)])
    assert code == 0
    assert got["csv"] == out.read_bytes()
    assert got["xlsx"][:2] == b"PK"  # a real workbook (its zip carries times: not compared)


def test_users_cli_adds_lists_and_removes(web: Web, monkeypatch) -> None:
    db = ["--db", web.settings.database_url]
    monkeypatch.setattr("sys.stdin", io.StringIO("eine-lange-passphrase\n"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = kiosk_main(
            [*db, "users", "add", "rina", "--role", "staff", "--site", "PUSAT"]
            + ["--password-stdin", "--json"]
        )
    assert code == 0, out.getvalue()
    c = web.client()
    form = c.get("/login")
    r = c.post(
        "/login",
        data={"csrf": csrf_of(form.text), "name": "rina", "password": "eine-lange-passphrase"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert kiosk_main([*db, "users", "list", "--json"]) == 0
    import json

    rows = json.loads(out.getvalue().splitlines()[-1])
    assert {(u["name"], u["role"], u["site"]) for u in rows} >= {("rina", "staff", "PUSAT")}
    err = io.StringIO()
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with contextlib.redirect_stderr(err):
        code = kiosk_main([*db, "users", "add", "x1", "--role", "admin", "--password-stdin"])
    assert code == 2 and "minimal 10 karakter" in err.getvalue()
    with contextlib.redirect_stderr(io.StringIO()) as err:
        code = kiosk_main([*db, "users", "add", "x2", "--role", "staff", "--password-stdin"])
    assert code == 2 and "--site" in err.getvalue()
    with contextlib.redirect_stdout(io.StringIO()):
        assert kiosk_main([*db, "users", "remove", "rina"]) == 0
    # Removed: the open session ends at once.
    assert c.get("/today", follow_redirects=False).status_code == 303


def test_refused_forms_say_why_and_keep_what_was_typed(web: Web) -> None:
    boss = web.client("boss")
    token = csrf_of(boss.get("/users").text)
    r = boss.post(
        "/users/add",
        data={
            "csrf": token,
            "name": "rina",
            "role": "staff",
            "site": "PUSAT",
            "password": "satu-dua-tiga-empat",
            "password2": "satu-dua-tiga-lima",
        },
    )
    assert r.status_code == 400 and "Kedua kata sandi tidak sama" in r.text
    assert 'value="rina"' in r.text and 'value="PUSAT" selected' in r.text
    assert "satu-dua" not in r.text  # passwords are never sent back
    assert 'id="user-rina"' not in r.text
    r = boss.post(
        "/users/add",
        data={"csrf": token, "name": "rina", "role": "staff", "password": "x" * 12}
        | {"password2": "x" * 12},
    )
    assert r.status_code == 400 and "--site" in r.text  # staff need a site
    r = boss.post(
        "/kiosks/enrol",
        data={"csrf": token, "kiosk": "taba-2", "site": "CAB-TABA", "location": "ATAP"},
    )
    assert r.status_code == 400 and "ATAP" in r.text and 'value="taba-2"' in r.text
    assert "enrol-code" not in r.text
