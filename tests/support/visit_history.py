"""A small visit history for report tests, and counts computed from its raw rows.

The visits cross local midnight (23:30 and 00:30 WIB), several rooms and sites, members,
guests and groups with headcounts. Expected numbers come from `at_utc` converted with zoneinfo
here, not from the stored `local_day` the reports use.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from kiosk.adapters.db.models import Guest, Member, Visit
from kiosk.domain.cards import make_payload
from kiosk.domain.clock import local_day, parse_at
from kiosk.services import groups, members
from kiosk.services.guests import GuestForm
from kiosk.services.kiosk import KioskService

JAKARTA = ZoneInfo("Asia/Jakarta")


def fill_history(service: KioskService) -> KioskService:
    svc = service
    svc.settings = svc.settings.__class__(**{**svc.settings.__dict__, "survey_chance": 0.0})
    with svc.session() as s:
        members.add_member(s, "M001", "Siti", "P", "Umum")
        members.add_member(s, "M002", "Budi", "L", "Pelajar")
        tk = groups.add_group(s, "PUSAT", date(2026, 11, 25), "TK Pertiwi", "TK", 20, 3).code
        sd = groups.add_group(s, "PUSAT", date(2026, 11, 26), "SD Negeri 5", "SD", 30, 2).code

    def member(number: str, room: str, at: str) -> None:
        card = make_payload(number, 1, svc.desk.keyring)
        assert svc.check_in(card, room, at=parse_at(at), source="paper").counted

    def guest(category: str, room: str, at: str) -> None:
        form = GuestForm(category, "L", "16.73", "membaca")
        assert svc.guest_check_in(form, room, at=parse_at(at)).counted

    member("M001", "BACA", "2026-11-24T23:30")  # late event: still the 24th
    member("M002", "KOL", "2026-11-25T00:30")  # 17:30 UTC on the 24th, but the 25th in WIB
    member("M001", "KOL", "2026-11-25T09:10")
    member("M001", "REF", "2026-11-25T09:50")  # moved: another room visit
    member("M002", "BACA", "2026-11-25T14:05")
    guest("umum", "BACA", "2026-11-25T10:15")
    guest("pelajar", "ANAK", "2026-11-25T23:30")
    guest("umum", "PAV", "2026-11-26T00:30")
    # boys and girls given: 10 + 8 children, the 3 adults of unknown gender
    at = parse_at("2026-11-25T09:00")
    assert svc.group_check_in(tk, 18, 3, "ANAK", boys=10, girls=8, at=at).counted
    assert svc.group_check_in(sd, 28, 2, "BACA", at=parse_at("2026-11-26T10:00")).counted
    member("M002", "BACA", "2026-12-01T08:00")
    member("M001", "BACA", "2025-12-01T08:00")  # last year, for year over year
    # The branch library has a room BACA too: never one row with the central library's.
    with svc.session() as s:
        siti = s.scalar(select(Member).where(Member.number == "M001"))
        at = parse_at("2026-11-25T15:00")
        s.add(
            Visit(
                at_utc=at, local_day=local_day(at), site="CAB-TABA", kiosk_id="taba-1",
                room="BACA", visitor_type="member", decision="welcome", category="Umum",
                gender="P", headcount=1, children=0, adults=1, member_id=siti.id,
                source="paper",
            )
        )  # fmt: skip
    return svc


def raw(svc: KioskService) -> list[dict]:
    with svc.sessions() as s:
        rows = s.scalars(select(Visit)).all()
        genders = {m.id: m.gender for m in s.scalars(select(Member))}
        guests = {g.id: g for g in s.scalars(select(Guest))}
    out = []
    for v in rows:
        local = v.at_utc.astimezone(JAKARTA)
        guest = guests.get(v.guest_id)
        out.append(
            {
                "who": v.member_id or v.id,  # a guest or group visit is its own people
                "gender": genders.get(v.member_id) or (guest.gender if guest else None),
                "boys": v.boys or 0,
                "girls": v.girls or 0,
                "purpose": guest.purpose if guest else "-",
                "origin": guest.origin_code if guest else "-",
                "day": local.date(),
                "hour": local.hour,
                "room": v.room,
                "kind": v.visitor_type,
                "category": v.category or "",
                "site": v.site,
                "heads": v.headcount,
            }
        )
    return out


def expected(rows: list[dict], key, keep=lambda r: True) -> dict:
    out: dict = defaultdict(lambda: defaultdict(int))
    for r in rows:
        if keep(r):
            out[key(r)][r["kind"]] += r["heads"]
    return {k: dict(v) for k, v in out.items()}


def people(rows: list[dict]) -> int:
    """Distinct people: a member once, guests and groups by their headcount."""
    members = {r["who"] for r in rows if r["kind"] == "member"}
    return len(members) + sum(r["heads"] for r in rows if r["kind"] != "member")


def by_gender(rows: list[dict]) -> tuple[int, int]:
    """(male, female) room visits: members and guests by gender, groups' boys and girls."""
    male = sum(r["heads"] if r["gender"] == "L" else r["boys"] for r in rows)
    female = sum(r["heads"] if r["gender"] == "P" else r["girls"] for r in rows)
    return male, female


# The library's categories as the reports name them, and member types of SLiMS/INLISLite that
# count in them, written out here rather than taken from kiosk.domain.categories.
LIBRARY_CATEGORIES = {
    **{c: c for c in ("umum", "pelajar", "mahasiswa", "guru", "pegawai", "peneliti", "anak")},
    **{c.casefold(): c for c in ("PAUD", "TK", "SD", "SMP", "SMA", "LAINNYA")},
    "dosen": "guru",
    "pns": "pegawai",
    "pns/tni/polri": "pegawai",
    "siswa": "pelajar",
    "anak-anak": "anak",
}


def category(rows: list[dict]):
    """The category row a visit counts in: one per category whatever its spelling ("Pelajar"
    of the member file and the guests' "pelajar" are "pelajar"), a member type in the category
    it maps to ("PNS" in "pegawai"), any other name by its first spelling in sort order."""
    names: dict[str, str] = {}
    for name in sorted({r["category"] for r in rows if r["category"]}):
        names.setdefault(name.casefold(), LIBRARY_CATEGORIES.get(name.casefold(), name))
    return lambda r: names[r["category"].casefold()] if r["category"] else ""


def daily_expected(rows: list[dict], day: date) -> dict:
    out: dict = defaultdict(int)
    named = category([r for r in rows if r["day"] == day])
    for r in rows:
        if r["day"] == day:
            out[(r["site"], r["room"], r["kind"], named(r))] += r["heads"]
    return dict(out)
