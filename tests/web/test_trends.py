"""Trends and Satisfaction over HTTP on the real app and a real database (SQLite and
PostgreSQL): every number on the page is the CLI's (`kiosk report visits` / `report ikm`) for
the same data, staff see only their own site, and the charts are real SVG with their labels."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text

from kiosk.adapters.db.engine import make_engine
from kiosk.services.guests import GuestForm
from tests.web.conftest import Web
from tests.web.pages import cli_json, table

# Visits back-entered (as from the paper guest book) in early 2025 and early 2024.
VISITS = {
    ("PUSAT", "BACA"): [(date(2025, 1, 6), 3), (date(2025, 2, 10), 5), (date(2024, 1, 8), 2)],
    ("PUSAT", "ANAK"): [(date(2025, 3, 3), 4), (date(2024, 3, 4), 6)],
    ("CAB-TABA", "BACA"): [(date(2025, 1, 20), 7), (date(2024, 2, 12), 1)],
}
PERIOD = ("--from", "2025-01-01", "--to", "2025-03-31")
LAST = ("--from", "2024-01-01", "--to", "2024-03-31")


def history(web: Web) -> None:
    for (site, room), days in VISITS.items():
        svc = web.kiosk(site)
        for day, n in days:
            for i in range(n):
                form = GuestForm(
                    category=("pelajar", "umum")[i % 2],
                    gender="LP"[i % 2],
                    origin="16.73",
                    purpose="membaca",
                )
                at = datetime(day.year, day.month, day.day, 2 + i, 0, tzinfo=UTC)  # 09:00 WIB +
                svc.guest_check_in(form, room, at=at)


def totals(rows: list[list[str]]) -> list[tuple[str, int, int]]:
    return [(r[0], int(r[1]), int(r[2])) for r in rows]


def test_trend_numbers_are_the_cli_report(web: Web) -> None:
    history(web)
    db = web.settings.database_url
    page = web.client("manda").get("/trends?by=month&from=2025-01-01&to=2025-03-31&site=all")
    assert page.status_code == 200
    this = cli_json(db, "report", "visits", *PERIOD, "--by", "month")
    last = cli_json(db, "report", "visits", *LAST, "--by", "month")
    rows = totals(table(page.text, "trend-periods"))
    assert [r[1] for r in rows] == [r["total"] for r in this["rows"]] == [10, 5, 4]
    assert [r[2] for r in rows] == [r["total"] for r in last["rows"]] == [2, 1, 6]
    assert re.search(r'id="trend-total">19<', page.text)
    assert re.search(r'id="trend-last-total">9<', page.text)
    # Per room and category: the CLI's --by room / --by category (non-empty rows).
    for key in ("room", "category"):
        cli = cli_json(db, "report", "visits", *PERIOD, "--by", key)
        shown = sorted(int(r[1]) for r in table(page.text, f"trend-{key}") if int(r[1]))
        assert shown == sorted(r["total"] for r in cli["rows"] if r["total"]), key
    genders = {r[0]: r[1] for r in table(page.text, "trend-gender")}
    by_gender = cli_json(db, "report", "visits", *PERIOD, "--by", "gender")["rows"]
    cli = {r["key"]: r["total"] for r in by_gender}
    assert (int(genders["Perempuan"]), int(genders["Laki-laki"])) == (cli["P"], cli["L"])
    # One chart per view, drawn on the server with its axis labels, no script anywhere.
    assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2 * 5
    assert "Jan 2025" in page.text and "<script" not in page.text


def test_weeks_and_days_add_up_to_the_period(web: Web) -> None:
    history(web)
    c = web.client("boss")
    for by in ("day", "week", "year"):
        r = c.get(f"/trends?by={by}&from=2025-01-01&to=2025-03-31")
        assert r.status_code == 200, by
        assert sum(int(x[1]) for x in table(r.text, "trend-periods")) == 19, by
    days = table(c.get("/trends?by=day&from=2025-01-01&to=2025-03-31").text, "trend-periods")
    assert len(days) == 90  # every day listed, the empty ones as 0
    assert c.get("/trends?by=fortnight").status_code == 400
    r = c.get("/trends?from=2025-03-01&to=2025-01-01")
    assert r.status_code == 400 and "sebelum" in r.text


def test_staff_trends_are_their_own_site(web: Web) -> None:
    history(web)
    siti = web.client("siti")
    r = siti.get("/trends?by=month&from=2025-01-01&to=2025-03-31")
    args = ("report", "visits", *PERIOD, "--by", "month", "--site", "PUSAT")
    cli = cli_json(web.settings.database_url, *args)
    assert [int(x[1]) for x in table(r.text, "trend-periods")] == [r["total"] for r in cli["rows"]]
    assert "CAB-TABA" not in r.text
    for path in ("/trends?site=CAB-TABA", "/trends?site=all", "/satisfaction?site=CAB-TABA"):
        refused = siti.get(path)
        assert refused.status_code == 403, path
        assert "trend-periods" not in refused.text and "ikm-elements" not in refused.text


def import_paper(web: Web, tmp_path: Path) -> None:
    f = tmp_path / "skm.csv"
    f.write_text(
        "Tanggal;Jenis kelamin;Umur;" + ";".join(f"U{i}" for i in range(1, 10)) + ";Saran\n"
        "03/02/2025;L;34;4;3;3;4;4;4;3;3;4;Tambah   buku anak\n"
        "04/02/2025;P;51;3;3;2;3;3;3;3;3;3;\n"
        "05/02/2025;P;22;4;4;4;4;4;4;4;4;4;AC ruang baca & wifi <lambat>\n",
        encoding="utf-8",
    )
    assert cli_json(web.settings.database_url, "survey", "import", str(f))["stored"] == 3


def test_satisfaction_is_the_cli_ikm(web: Web, tmp_path: Path) -> None:
    history(web)
    import_paper(web, tmp_path)
    db = web.settings.database_url
    cli = cli_json(db, "report", "ikm", *PERIOD, "--standard", "2017")
    r = web.client("boss").get("/satisfaction?from=2025-01-01&to=2025-03-31&standard=2017")
    assert r.status_code == 200
    shown = re.search(r'id="ikm-value">([^<]+)<', r.text).group(1)
    assert shown == cli["ikm_display"].replace(".", ",")  # Bahasa Indonesia: a decimal comma
    assert re.search(rf'id="ikm-category">{cli["category"]}<', r.text)
    assert re.search(rf'id="ikm-respondents">{cli["respondents"]}<', r.text)
    assert re.search(rf'id="ikm-minimum">{cli["minimum_sample"]}<', r.text)
    rows = table(r.text, "ikm-elements")
    assert len(rows) == len(cli["elements"]) == 9
    for row, e in zip(rows, cli["elements"], strict=True):
        assert row[0].startswith(e["code"]) and int(row[1]) == e["answers"]
        assert row[2] == f"{e['nrr']:.3f}".replace(".", ",")
        assert row[4] == ("ya" if e["sufficient"] else "tidak")
    notes = [x[1] for x in table(r.text, "ikm-suggestions")]
    assert notes == [s["text"] for s in cli["suggestions"]]
    assert "AC ruang baca &amp; wifi &lt;lambat&gt;" in r.text  # escaped, never markup
    # The other standard has no answers in this period: said so, not an error.
    r = web.client("boss").get("/satisfaction?from=2025-01-01&to=2025-03-31&standard=2004")
    assert r.status_code == 200 and 'id="ikm-value">-<' in r.text
    assert web.client("boss").get("/satisfaction?standard=1999").status_code == 400
    # In English: decimal points.
    c = web.client("boss")
    c.get("/lang/en?next=/today")
    r = c.get("/satisfaction?from=2025-01-01&to=2025-03-31&standard=2017")
    assert f'id="ikm-value">{cli["ikm_display"]}<' in r.text and "Suggestions" in r.text


def test_a_site_no_longer_in_the_layout_keeps_its_visits_on_the_page(web: Web) -> None:
    """A branch closed and taken out of the layout: its old visits still count, under its code."""
    history(web)
    engine = make_engine(web.settings.database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE visits SET site = 'CAB-LAMA' WHERE site = 'CAB-TABA'"))
    engine.dispose()
    r = web.client("boss").get("/trends?by=month&from=2025-01-01&to=2025-03-31")
    assert r.status_code == 200
    sites = {row[0]: int(row[1]) for row in table(r.text, "trend-site")}
    rooms = {row[0]: int(row[1]) for row in table(r.text, "trend-room")}
    assert sites["CAB-LAMA"] == 7 and rooms["CAB-LAMA · BACA"] == 7


# Visits around a leap day and two year ends: the days around them are counted from the day
# counts, whole months and years from the month counts.
EDGE_DAYS = [
    (date(2022, 12, 31), 2), (date(2023, 1, 1), 3), (date(2023, 2, 28), 4), (date(2023, 3, 1), 1),
    (date(2023, 12, 31), 5), (date(2024, 1, 1), 2), (date(2024, 2, 29), 6), (date(2024, 3, 1), 3),
    (date(2024, 3, 31), 1),
]  # fmt: skip


def test_edge_periods_are_the_cli_report(web: Web) -> None:
    svc = web.kiosk("PUSAT")
    for day, n in EDGE_DAYS:
        for i in range(n):
            form = GuestForm(("pelajar", "umum")[i % 2], "LP"[i % 2], "16.73", "membaca")
            at = datetime(day.year, day.month, day.day, 2 + i, 0, tzinfo=UTC)
            svc.guest_check_in(form, "BACA", at=at)
    db = web.settings.database_url
    c = web.client("boss")
    for by, start, end, last_start, last_end in (
        ("day", "2024-02-29", "2024-02-29", "2023-02-28", "2023-02-28"),  # one leap day
        ("day", "2024-02-01", "2024-03-01", "2023-02-01", "2023-03-01"),
        ("week", "2023-12-31", "2024-01-01", "2022-12-31", "2023-01-01"),  # across a year end
        ("month", "2023-12-31", "2024-03-31", "2022-12-31", "2023-03-31"),
        ("year", "2023-01-01", "2024-12-31", "2022-01-01", "2023-12-31"),
    ):
        page = c.get(f"/trends?by={by}&from={start}&to={end}&site=all")
        assert page.status_code == 200, (by, start)
        rows = totals(table(page.text, "trend-periods"))
        cli_by = "day" if by == "week" else by
        this = cli_json(db, "report", "visits", "--from", start, "--to", end, "--by", cli_by)
        last = cli_json(db, "report", "visits", "--from", last_start, "--to", last_end)
        assert sum(r[1] for r in rows) == sum(r["total"] for r in this["rows"]), (by, start)
        assert sum(r[2] for r in rows) == last["total"]["total"], (by, start)
        if by != "week":
            assert [r[1] for r in rows] == [r["total"] for r in this["rows"]], (by, start)
        assert re.search(rf'id="trend-total">{this["total"]["visitors"]}<', page.text), by
        assert re.search(rf'id="trend-last-total">{last["total"]["visitors"]}<', page.text), by
