"""`kiosk survey import`, `kiosk report ikm|visits` and `kiosk export daily`, end to end."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import datetime, time
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk.domain import ikm

# Paper forms as a data-entry clerk types them into Excel (Indonesian locale: `;`, cp1252).
PAPER = [
    # date, gender, age band, U1..U9 ("" = not answered)
    ("03/11/2025", "L", "20-29", "4 3 3 4 4 4 3 3 4"),
    ("03/11/2025", "P", "30-39", "3 3 2 3 3 3 3 3 3"),
    ("04/11/2025", "P", "", "4 4 4 4 4 4 4 4 -"),
    ("05/11/2025", "Laki-laki", "40-49", "2 3 3 3 - - 3 2 3"),
    ("05/11/2025", "", "", "3 3 3 3 3 3 3 3 3"),
]


def paper_csv(path: Path, rows=PAPER, extra: str = "") -> Path:
    lines = ["Tanggal;Jenis kelamin;Umur;" + ";".join(f"U{i}" for i in range(1, 10))]
    for day, gender, age, answers in rows:
        cells = ["" if a == "-" else a for a in answers.split()]
        lines.append(";".join([day, gender, age, *cells]))
    path.write_bytes(("\r\n".join(lines) + "\r\n" + extra).encode("cp1252"))
    return path


def independent_ikm(rows=PAPER) -> Fraction:
    """NRR per element over who answered it, mean of NRRs x 25, from the rows above."""
    per: dict[int, list[int]] = {i: [] for i in range(9)}
    for *_, answers in rows:
        for i, a in enumerate(answers.split()):
            if a != "-":
                per[i].append(int(a))
    nrrs = [Fraction(sum(v), len(v)) for v in per.values()]
    return sum(nrrs, Fraction(0)) / 9 * 25


def test_paper_import_then_ikm_report_end_to_end(kiosk, tmp_path: Path) -> None:
    code, out, _ = kiosk("survey", "import", str(paper_csv(tmp_path / "f.csv")), "--json")
    assert code == 0 and out["stored"] == 5 and out["refused"] == []
    code, rep, _ = kiosk(
        "report", "ikm", "--from", "2025-11-01", "--to", "2025-11-30", "--standard", "2017",
        "--population", "120", "--json",
    )  # fmt: skip
    assert code == 0
    want = independent_ikm()
    assert rep["standard"] == ikm.PERMENPANRB_14_2017.code
    assert rep["ikm"] == pytest.approx(float(want), abs=1e-12)
    assert rep["ikm_exact"] == f"{want.numerator}/{want.denominator}"
    assert rep["category"] == ikm.classify(want, "permenpanrb-14-2017").letter
    assert rep["respondents"] == 5
    u9 = next(e for e in rep["elements"] if e["code"] == "U9")
    assert (u9["answers"], u9["nrr"]) == (4, pytest.approx(13 / 4))
    assert rep["minimum_sample"] == ikm.krejcie_morgan(120) == 92
    assert all(e["sufficient"] is False for e in rep["elements"])
    assert rep["profile"]["gender"] == {"L": 2, "P": 2, "-": 1}

    # Outside the period: nothing.
    code, rep, _ = kiosk("report", "ikm", "--from", "2025-12-01", "--to", "2025-12-31", "--json")
    assert rep["ikm"] is None and rep["respondents"] == 0


def test_ikm_pdf_and_xlsx_are_real_files(kiosk, tmp_path: Path) -> None:
    kiosk("survey", "import", str(paper_csv(tmp_path / "f.csv")))
    pdf, xlsx = tmp_path / "ikm.pdf", tmp_path / "ikm.xlsx"
    for out in (pdf, xlsx):
        code, _, err = kiosk(
            "report", "ikm", "--from", "2025-01-01", "--to", "2025-12-31", "--out", str(out)
        )
        assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True)
        assert (tmp_path / "p-1.png").stat().st_size > 1000
    wb = load_workbook(xlsx)
    elements = list(wb.worksheets[1].iter_rows(values_only=True))
    assert elements[0][0] == "Unsur" and len(elements) == 10
    u1 = elements[1]
    assert u1[0] == "U1" and u1[2] == 5 and u1[3] == pytest.approx(16 / 5)
    assert list(u1[5:9]) == [0, 1, 2, 2]


def test_import_is_whole_file_or_nothing(kiosk, tmp_path: Path) -> None:
    bad = PAPER + [("06/11/2025", "L", "", "5 3 3 3 3 3 3 3 3"), ("31/02/2025", "P", "", "4" * 1)]
    code, out, err = kiosk("survey", "import", str(paper_csv(tmp_path / "f.csv", bad)), "--json")
    assert code == 2 and out["stored"] == 0
    assert [r["line"] for r in out["refused"]] == [7, 8]
    assert "f.csv:7: U1 is '5'" in err
    code, rep, _ = kiosk("report", "ikm", "--from", "2025-01-01", "--to", "2025-12-31", "--json")
    assert rep["respondents"] == 0
    # A 2004 form needs --standard 2004, and rows without a date need --date.
    f04 = tmp_path / "f04.csv"
    f04.write_text("U1,U2,U14\n4,3,2\n3,,4\n")
    code, _, err = kiosk("survey", "import", str(f04), "--date", "2016-11-01")
    assert code == 2 and "U14" in err and "--standard" in err
    code, _, err = kiosk("survey", "import", str(f04), "--standard", "2004")
    assert code == 2 and "--date" in err
    code, out, _ = kiosk(
        "survey", "import", str(f04), "--standard", "2004", "--date", "2016-11-01", "--json"
    )
    assert code == 0 and out["stored"] == 2


def test_report_visits_and_daily_export_files(kiosk, tmp_path: Path) -> None:
    kiosk("members", "add", "M1", "Siti", "--category", "Umum")
    kiosk("checkin", "M1", "--room", "BACA", "--at", "2026-11-24T23:30")
    kiosk("checkin", "M1", "--room", "KOL", "--at", "2026-11-25T00:30")
    kiosk("groups", "add", "--date", "2026-11-25", "--institution", "TK Pertiwi", "--level", "TK",
          "--children", "20", "--adults", "2")  # fmt: skip
    _, [group], _ = kiosk("groups", "list", "--json")
    code, _, err = kiosk("groups", "checkin", group["code"], "--children", "19", "--adults", "2",
                         "--room", "ANAK", "--at", "2026-11-25T09:00")  # fmt: skip
    assert code == 0, err
    args = ("report", "visits", "--from", "2026-11-24", "--to", "2026-11-25")
    code, rep, _ = kiosk(*args, "--by", "day", "--json")
    assert [(r["key"], r["member"], r["group"]) for r in rep["rows"]] == [
        ("2026-11-24", 1, 0),
        ("2026-11-25", 1, 21),
    ]
    code, rep, _ = kiosk(*args, "--by", "hour", "--json")
    assert {r["key"]: r["total"] for r in rep["rows"] if r["total"]} == {23: 1, 0: 1, 9: 21}
    code, rep, _ = kiosk(*args, "--room", "ANAK", "--json")
    assert rep["total"]["total"] == 21

    out_csv, out_xlsx, out_pdf = (tmp_path / f"v.{x}" for x in ("csv", "xlsx", "pdf"))
    for out in (out_csv, out_xlsx, out_pdf):
        assert kiosk(*args, "--out", str(out))[0] == 0
    with out_csv.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert table[0][:5] == ["Tanggal", "Anggota", "Tamu", "Rombongan", "Jumlah"]
    assert table[0][5:] == ["Pengunjung (orang)", "Laki-laki", "Perempuan", "Tidak diketahui"]
    # one member in two rooms: two room visits, one person; 21 in the group, no genders given
    assert table[-1] == ["Jumlah", "2", "0", "21", "23", "22", "0", "0", "23"]
    wb = load_workbook(out_xlsx)
    assert wb.sheetnames == [
        "Tanggal", "Jam", "Hari", "Bulan", "Tahun", "Per ruang", "Per kategori",
    ]  # fmt: skip
    hours = {r[0]: r[4] for r in wb["Jam"].iter_rows(min_row=2, values_only=True)}
    assert (hours[time(23)], hours[time(0)], hours[time(9)]) == (1, 1, 21)  # real times
    months = [r[0] for r in wb["Bulan"].iter_rows(min_row=2, values_only=True)]
    assert months[0] == datetime(2026, 11, 1) and wb["Bulan"]["A2"].number_format == "mmmm yyyy"
    assert out_pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        assert pages(out_pdf, "id", tmp_path)
    code, rep, _ = kiosk(*args, "--by", "room", "--out", str(tmp_path / "rooms.pdf"), "--json")
    assert code == 0 and {(r["site"], r["room"]) for r in rep["rows"]} == {
        ("PUSAT", "BACA"), ("PUSAT", "KOL"), ("PUSAT", "ANAK")
    }  # fmt: skip

    code, out, _ = kiosk("export", "daily", "--date", "2026-11-25", "--out",
                         str(tmp_path / "d.xlsx"), "--lang", "en", "--json")  # fmt: skip
    assert code == 0 and out["total"] == 22 and out["visitors"] == 22
    rows = list(load_workbook(tmp_path / "d.xlsx").worksheets[0].iter_rows(values_only=True))
    assert rows[0][:5] == ("Date", "Room", "Room name", "Visitor type", "Category")
    assert rows[-1][1:] == ("ALL", None, "Total", None, 22, 2, 22, 0, 0, 22)


def test_reports_refuse_bad_input_with_one_line(kiosk, tmp_path: Path) -> None:
    code, _, err = kiosk("report", "visits", "--from", "2026-11-25", "--to", "2026-11-01")
    assert code == 2 and "before" in err and err.count("\n") == 1
    code, _, err = kiosk(
        "report", "visits", "--from", "2026-11-01", "--to", "2026-11-02", "--out", "x.doc"
    )
    assert code == 2 and ".csv" in err
    code, _, err = kiosk("survey", "import", str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv" in err


def test_daily_export_into_a_folder_as_csv(kiosk, tmp_path) -> None:
    kiosk("members", "add", "M1", "Siti")
    kiosk("checkin", "M1", "--room", "BACA", "--at", "2026-03-02T09:00")
    usb = tmp_path / "usb"
    usb.mkdir()
    code, d, _ = kiosk(
        "export", "daily", "--date", "2026-03-02", "--out", str(usb), "--format", "csv", "--json"
    )
    assert code == 0 and d["out"] == str(usb / "kunjungan-PUSAT-2026-03-02.csv")
    with open(d["out"], encoding="utf-8-sig", newline="") as f:
        text = f.read()
    assert "BACA" in text and d["total"] == 1


def pages(pdf: Path, lang: str, tmp_path: Path) -> list[Path]:
    """Every page of a PDF rendered to PNG (poppler), as staff would print it."""
    prefix = tmp_path / f"{pdf.stem}-{lang}"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(prefix)], check=True)
    return sorted(tmp_path.glob(f"{prefix.name}-*.png"))


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils (pdftoppm)")
def test_ikm_with_real_ages_lays_out_and_reads_back(kiosk, tmp_path: Path) -> None:
    # 60 respondents aged 15 to 74: one profile row per age would not fit on a page.
    rows = [
        (f"{1 + i % 28:02d}/11/2025", "LP"[i % 2], str(15 + i), "4 3 3 4 4 4 3 3 4")
        for i in range(60)
    ]
    code, out, err = kiosk("survey", "import", str(paper_csv(tmp_path / "f.csv", rows)), "--json")
    assert code == 0, err
    pdf, xlsx = tmp_path / "ikm.pdf", tmp_path / "ikm.xlsx"
    period = ("report", "ikm", "--from", "2025-01-01", "--to", "2025-12-31")
    for lang in ("id", "en"):
        code, _, err = kiosk(*period, "--population", "500", "--lang", lang, "--out", str(pdf))
        assert code == 0, err
        assert pages(pdf, lang, tmp_path)
    code, rep, _ = kiosk(*period, "--out", str(xlsx), "--json")
    bands = {"<20": 5, "20-29": 10, "30-39": 10, "40-49": 10, "50-59": 10, "60+": 15}
    assert rep["profile"]["age_band"] == bands
    wb = load_workbook(xlsx)
    summary = {r[0].value: r[1] for r in wb["IKM"].iter_rows(min_row=2)}
    assert summary["IKM"].value == float(ikm.format_ikm(Fraction(str(rep["ikm"]))))
    assert summary["IKM"].number_format == "0.00"
    unrounded = summary["IKM (tanpa pembulatan)"]
    assert unrounded.value == pytest.approx(rep["ikm"])
    assert wb["IKM"].row_dimensions[unrounded.row].hidden
    profile = list(wb["Profil"].iter_rows(min_row=2, values_only=True))
    ages = profile[[r[0] for r in profile].index("Umur") :][:6]
    assert [(r[1], r[2]) for r in ages] == list(bands.items())
    assert "gender" not in {r[0] for r in profile}  # words, not the database's keys


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils (pdftoppm)")
def test_ikm_of_an_empty_period_is_a_readable_page(kiosk, tmp_path: Path) -> None:
    pdf = tmp_path / "empty.pdf"
    code, _, err = kiosk("report", "ikm", "--from", "2030-01-01", "--to", "2030-12-31",
                         "--lang", "id", "--out", str(pdf))  # fmt: skip
    assert code == 0, err
    assert len(pages(pdf, "id", tmp_path)) == 1
    assert b"IKM - \xc2\xb7" not in pdf.read_bytes()


def test_paper_import_refuses_impossible_ages_and_future_days(kiosk, tmp_path: Path) -> None:
    rows = [
        ("03/11/2025", "L", "abc", "4 3 3 4 4 4 3 3 4"),
        ("03/11/2025", "P", "200", "4 3 3 4 4 4 3 3 4"),
        ("03/11/2099", "P", "30", "4 3 3 4 4 4 3 3 4"),
        ("03/11/2025", "P", "30 - 39", "4 3 3 4 4 4 3 3 4"),
    ]
    code, out, err = kiosk("survey", "import", str(paper_csv(tmp_path / "f.csv", rows)), "--json")
    assert code == 2 and out["stored"] == 0
    reasons = {r["line"]: r["reason"] for r in out["refused"]}
    assert set(reasons) == {2, 3, 4}
    assert "abc" in reasons[2] and "200" in reasons[3] and "future" in reasons[4]


def test_categories_command_shows_the_mapping_from_the_settings(kiosk, tmp_path, monkeypatch):
    config = tmp_path / "kiosk.toml"
    config.write_text(
        '[categories.member_types]\nHonorer = "pegawai"\n"Anak Sekolah" = "PELAJAR"\n'
    )
    code, out, _ = kiosk("categories", "--config", str(config), "--json")
    assert code == 0
    rows = {r["code"]: r for r in out["categories"]}
    assert {"umum", "pelajar", "SD", "LAINNYA", "anak"} <= set(rows)
    assert rows["SD"]["kind"] == "group" and rows["umum"]["kind"] == "guest"
    assert {"honorer", "pns/tni/polri"} <= set(rows["pegawai"]["member_types"])
    assert "anak sekolah" in rows["pelajar"]["member_types"]
    code, text, _ = kiosk("categories", "--config", str(config), "--lang", "id")
    assert code == 0 and "honorer" in text and "Pelajar" in text
    config.write_text('[categories.member_types]\nHonorer = "pegawe"\n')
    code, _, err = kiosk("categories", "--config", str(config))
    assert code != 0 and "unknown category 'pegawe'" in err and len(err.strip().splitlines()) == 1


def _year_of_visits(kiosk) -> None:
    kiosk("members", "add", "M1", "Siti", "--gender", "P", "--category", "PNS/TNI/Polri")
    kiosk("members", "add", "M2", "Budi", "--gender", "L", "--category", "Pelajar")
    kiosk("checkin", "M1", "--room", "BACA", "--at", "2026-01-05T09:00")
    kiosk("checkin", "M1", "--room", "REF", "--at", "2026-01-05T10:00")
    kiosk("checkin", "M2", "--room", "BACA", "--at", "2026-11-24T23:30")
    guest = ("--category", "pelajar", "--gender", "P", "--origin", "16.05", "--purpose", "belajar")
    code, _, err = kiosk("guest", *guest, "--room", "BACA", "--at", "2026-06-10T10:00")
    assert code == 0, err
    kiosk("groups", "add", "--date", "2026-11-25", "--institution", "SD Negeri 5", "--level", "SD",
          "--children", "20", "--adults", "2")  # fmt: skip
    _, [group], _ = kiosk("groups", "list", "--json")
    code, _, err = kiosk("groups", "checkin", group["code"], "--children", "20", "--adults", "2",
                         "--room", "ANAK", "--at", "2026-11-25T09:00")  # fmt: skip
    assert code == 0, err


def test_year_report_xlsx_and_pdf(kiosk, tmp_path: Path) -> None:
    _year_of_visits(kiosk)
    code, rep, err = kiosk("report", "year", "--year", "2026", "--json")
    assert code == 0, err
    assert rep["total"] == 1 + 1 + 1 + 1 + 22 and rep["visitors"] == 2 + 1 + 22
    assert rep["opening_days"] == 4
    assert rep["categories"]["pegawai"][0] == 2 and rep["categories"]["pelajar"][10] == 1
    assert rep["categories"]["pelajar"][5] == 1 and rep["categories"]["SD"][10] == 22
    assert rep["origins"] == [{"code": "16.05", "name": "Kabupaten Musi Rawas", "guests": 1}]
    assert rep["groups"]["SD"] == {"visits": 1, "headcount": 22, "boys": 0, "girls": 0}
    assert rep["hours"]["23"] == 1
    xlsx, pdf = tmp_path / "year.xlsx", tmp_path / "year.pdf"
    for out in (xlsx, pdf):
        code, _, err = kiosk("report", "year", "--year", "2026", "--lang", "id", "--out", str(out))
        assert code == 0, err
    wb = load_workbook(xlsx)
    by_title = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    cats = next(v for k, v in by_title.items() if "kategori" in k.lower())
    assert cats[0][0] == "Kategori" and cats[0][1] == "Januari" and cats[0][-1] == "Jumlah"
    row = {r[0]: r[1:] for r in cats[1:]}
    assert row["ASN / pegawai"][0] == 2 and row["ASN / pegawai"][-1] == 2
    assert row["Jumlah"][-1] == 26
    rooms = next(v for k, v in by_title.items() if "ruang" in k.lower())
    assert {(r[0], r[1]) for r in rooms[1:-1]} >= {("PUSAT", "Ruang Baca Umum")}
    assert pdf.read_bytes().startswith(b"%PDF")
    assert b"Laporan Kunjungan Tahunan 2026" in pdf.read_bytes()  # the document's title
    pages = render_pages(pdf, tmp_path / "year")
    assert len(pages) >= 1


def render_pages(pdf: Path, prefix: Path) -> list[Path]:
    """Every page as PNG (pdftoppm), kept for a person to look at."""
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(prefix)], check=True)
    pages = sorted(prefix.parent.glob(prefix.name + "-*.png"))
    assert pages and all(p.stat().st_size > 1000 for p in pages)
    return pages


def test_list_of_visits_has_one_row_per_visit_and_no_names(kiosk, tmp_path: Path) -> None:
    _year_of_visits(kiosk)
    xlsx, csv_out = tmp_path / "list.xlsx", tmp_path / "list.csv"
    args = ("report", "list", "--from", "2026-01-01", "--to", "2026-12-31", "--lang", "id")
    code, out, err = kiosk(*args, "--out", str(xlsx), "--json")
    assert code == 0, err
    assert out["visits"] == 5
    code, _, err = kiosk(*args, "--site", "PUSAT", "--room", "BACA", "--out", str(csv_out))
    assert code == 0, err
    rows = list(load_workbook(xlsx).worksheets[0].iter_rows(values_only=True))
    body = rows[1:-1]
    assert len(body) == 5 and rows[-1][0] == "Jumlah" and rows[-1][8] == 1 + 1 + 1 + 1 + 22
    cells = {str(c) for r in rows for c in r if c is not None}
    assert not {"Siti", "Budi"} & cells  # no names, member numbers only
    first = body[0]
    assert (first[1], first[3], first[5], first[6], first[7]) == (
        "09:00", "BACA", "M1", "ASN / pegawai", "Perempuan",
    )  # fmt: skip
    late = next(r for r in body if r[5] == "M2")
    assert str(late[0])[:10] == "2026-11-24" and late[1] == "23:30"  # the WIB day and time
    guest = next(r for r in body if r[4] == "Tamu")
    assert (guest[11], guest[12]) == ("Kabupaten Musi Rawas", "Belajar / tugas")
    with csv_out.open(encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    assert len(lines) == 1 + 3 + 1  # heading, BACA of PUSAT (M1, M2, the guest), total
    assert [r[5] for r in lines[1:-1]] == ["M1", "", "M2"]


def test_iplm_figures_with_their_definitions(kiosk, tmp_path: Path) -> None:
    _year_of_visits(kiosk)
    code, rep, err = kiosk("report", "iplm", "--year", "2026", "--population", "250000", "--json")
    assert code == 0, err
    fig = {f["code"]: f["value"] for f in rep["figures"]}
    # M1 in two rooms on one day is one physical visit; the guest 1, the group 22, M2 1
    assert fig["physical_visits"] == 1 + 1 + 1 + 22 and fig["room_visits"] == 26
    assert fig["opening_days"] == 4 and fig["visits_per_opening_day"] == round(25 / 4, 2)
    assert (fig["members_registered"], fig["members_new"], fig["members_active"]) == (2, 2, 2)
    assert fig["activity_participants"] == 22
    assert fig["visits_per_capita"] == round(25 / 250000, 4)
    assert fig["members_per_population"] == round(100 * 2 / 250000, 2)
    assert all(f["definition"] for f in rep["figures"])
    assert rep["per_site"] == {"PUSAT": 25}
    code, rep, _ = kiosk("report", "iplm", "--year", "2025", "--json")
    fig = {f["code"]: f["value"] for f in rep["figures"]}
    assert fig["physical_visits"] == 0 and fig["visits_per_capita"] is None
    out = tmp_path / "iplm.xlsx"
    code, _, err = kiosk("report", "iplm", "--year", "2026", "--lang", "id", "--out", str(out))
    assert code == 0, err
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("Data", "Nilai", "Cara menghitung")
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Kunjungan fisik setahun"][1] == 25
    assert "Satu Data" in by_name["Kunjungan per hari layanan"][2]


def test_paper_file_imports_once_and_keeps_its_suggestions(kiosk, tmp_path: Path) -> None:
    f = tmp_path / "skm.csv"
    f.write_text(
        "Tanggal;Jenis kelamin;Umur;" + ";".join(f"U{i}" for i in range(1, 10)) + ";Saran\n"
        "03/11/2025;L;34;4;3;3;4;4;4;3;3;4;Tambah   buku anak\n"
        "04/11/2025;P;51;3;3;2;3;3;3;3;3;3;\n"
        "05/11/2025;P;22;4;4;4;4;4;4;4;4;4;AC ruang baca & wifi <lambat>\n",
        encoding="utf-8",
    )
    code, out, err = kiosk("survey", "import", str(f), "--json")
    assert code == 0, err
    assert (out["stored"], out["suggestions"]) == (3, 2)
    code, out, err = kiosk("survey", "import", str(f), "--json")
    assert code != 0 and "already imported" in err and "--again" in err
    assert len(err.strip().splitlines()) == 1
    args = ("report", "ikm", "--from", "2025-11-01", "--to", "2025-11-30")
    code, rep, _ = kiosk(*args, "--json")
    assert rep["respondents"] == 3  # not doubled
    assert rep["suggestions"] == [
        {"date": "2025-11-03", "text": "Tambah buku anak"},
        {"date": "2025-11-05", "text": "AC ruang baca & wifi <lambat>"},
    ]
    xlsx, pdf = tmp_path / "ikm.xlsx", tmp_path / "ikm.pdf"
    for out_file in (xlsx, pdf):
        code, _, err = kiosk(*args, "--lang", "id", "--out", str(out_file))
        assert code == 0, err
    sheet = load_workbook(xlsx).worksheets[-1]
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Saran" and rows[0] == ("Tanggal", "Saran") and len(rows) == 3
    assert render_pages(pdf, tmp_path / "ikm")
    code, out, err = kiosk("survey", "import", str(f), "--again", "--json")
    assert code == 0, err
    code, rep, _ = kiosk(*args, "--json")
    assert rep["respondents"] == 6 and len(rep["suggestions"]) == 4
