"""Purges, expiries and erasures made in bulk on a kiosk reach the central database, and a
purge run on the central database reaches the kiosks (UU 27/2022), through the real server."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select

from kiosk.adapters.db.models import (
    AccessRecord,
    Group,
    Guest,
    Member,
    OutboxItem,
    QueuedSurvey,
    RefusedScan,
    Visit,
)
from kiosk.adapters.http.client import CentralClient
from kiosk.domain.clock import local_day
from kiosk.services import surveys
from kiosk.services.guests import GuestForm
from kiosk.services.sync_records import to_wire
from tests.sync.conftest import assert_converged, now_utc


def number() -> str:
    return f"P{uuid.uuid4().hex[:8].upper()}"


def test_a_guest_purge_on_the_kiosk_reaches_the_central_copy(central, make_kiosk) -> None:
    k = make_kiosk("purge", "PUSAT", "BACA")
    svc = k.service()
    form = GuestForm(
        category="umum",
        gender="P",
        origin="other",
        origin_other="Kampung Baru",
        purpose="membaca",
        name="Rina Wati",
        institution="SMA Negeri 1",
    )
    visit_id = svc.guest_check_in(form).visit_id
    assert k.sync().cycle()["push"]["stored"] == 2
    with central.sessions() as s:
        guest_id = s.scalar(select(Visit.guest_id).where(Visit.id == visit_id))
        assert s.get(Guest, guest_id).name == "Rina Wati"
    # A year and a day later the kiosk's daily purge blanks the guest: one bulk UPDATE.
    later = now_utc() + timedelta(days=366)
    assert svc.purge_personal_data(now=later).guests == 1
    with svc.sessions() as s:
        queued = s.scalars(select(OutboxItem.kind)).all()
    assert queued == ["guest"]
    out = k.sync().cycle()["push"]
    assert out["duplicate"] == 1 and out["refused"] == 0
    with central.sessions() as s:
        guest = s.get(Guest, guest_id)
        assert (guest.name, guest.origin_other, guest.institution) == (None, None, None)
        assert guest.purged_at is not None and guest.category == "umum"
    # Idempotent: the purged record sent twice more changes nothing; the unpurged one (an
    # old copy) never brings the name back.
    with svc.sessions() as s:
        purged = to_wire(s.get(Guest, guest_id))
    token = (k.root / "sync-token").read_text().strip()
    old = purged | {"name": "Rina Wati", "purged_at": None}
    with CentralClient(central.url, token) as c:
        for record in (purged, purged, old):
            (answer,) = c.post("/push", {"items": [{"kind": "guest", "record": record}]})["results"]
            assert answer["status"] == "duplicate"
    with central.sessions() as s:
        assert s.get(Guest, guest_id).name is None
    assert_converged(central, [k])


def test_expired_survey_prompts_are_pushed_closed(central, make_kiosk) -> None:
    m = number()
    central.add_member(m)
    k = make_kiosk("expire", "PUSAT", "BACA")
    k.sync().cycle()
    svc = k.service()
    svc.check_in(k.card(m))
    now = svc.clock.now()
    with svc.sessions.begin() as s:
        member_id = s.scalar(select(Member.id).where(Member.number == m))
        prompt = QueuedSurvey(
            member_id=member_id,
            site="PUSAT",
            standard="permenpanrb-14-2017",
            elements="U1,U3",
            queued_at=now,
            queued_day=local_day(now),
            expires_at=now + timedelta(days=14),
        )
        s.add(prompt)
    assert k.sync().cycle()["push"]["stored"] == 2
    with central.sessions() as s:
        assert s.get(QueuedSurvey, prompt.id).status == "pending"
    with svc.sessions.begin() as s:  # a bulk UPDATE, as the kiosk does at the next scan
        assert surveys.expire(s, now + timedelta(days=15)) == 1
    assert k.sync().cycle()["push"]["duplicate"] == 1
    with central.sessions() as s:
        row = s.get(QueuedSurvey, prompt.id)
        assert (row.status, row.elements) == ("closed", "")


def test_a_member_erased_at_a_branch_is_erased_everywhere(central, make_kiosk) -> None:
    m = number()
    central.add_member(m, "Dewi Lestari")
    branch = make_kiosk("erase", "CAB-TABA", "BACA")
    other = make_kiosk("other", "PUSAT", "KOL")
    for k in (branch, other):
        k.sync().cycle()
    svc = branch.service()
    visit_id = svc.check_in(branch.card(m)).visit_id
    with svc.sessions.begin() as s:  # logged before excerpts were masked: it names the member
        now = svc.clock.now()
        s.add(
            RefusedScan(
                at_utc=now,
                local_day=local_day(now),
                site="CAB-TABA",
                kiosk_id=branch.kiosk_id,
                room="BACA",
                reason="expired",
                excerpt=m,
            )
        )
    branch.sync().cycle()
    with central.sessions() as s:
        assert s.scalar(select(Visit.member_id).where(Visit.id == visit_id)) is not None
        mentions = select(func.count()).where(func.lower(RefusedScan.excerpt).contains(m.lower()))
        assert s.scalar(mentions) == 1
    with svc.sessions() as s:
        member_id = s.scalar(select(Member.id).where(Member.number == m))
    code, out, err = branch.run("members", "erase", m, "--yes", "--json")
    assert code == 0, err
    with svc.sessions() as s:
        assert sorted(s.scalars(select(OutboxItem.kind)).all()) == [
            "member_erasure",
            "refused_scan",
            "visit",
        ]
    out = branch.sync().cycle()
    assert out["push"]["refused"] == 0 and out["push"]["stored"] == 1  # the erasure
    with central.sessions() as s:
        assert s.scalar(select(Member.id).where(Member.number == m)) is None
        assert s.scalar(select(Visit.member_id).where(Visit.id == visit_id)) is None
        assert s.scalar(select(func.count(Visit.id)).where(Visit.id == visit_id)) == 1
        assert s.scalar(mentions) == 0
        log = s.scalars(select(AccessRecord).where(AccessRecord.subject == f"member {m}")).one()
        assert (log.action, log.channel, log.actor) == (
            "erase",
            "server",
            f"kiosk {branch.kiosk_id}",
        )
    # The other kiosks lose the member at their next pull; the card no longer works.
    assert other.sync().cycle()["pull"]["members_deleted"] == 1
    assert other.service().check_in(other.card(m)).decision == "unknown_card"
    # Sent again (the kiosk lost the answer): a duplicate, nothing else changes.
    token = (branch.root / "sync-token").read_text().strip()
    with CentralClient(central.url, token) as c:
        item = {"kind": "member_erasure", "record": {"id": str(member_id)}}
        (answer,) = c.post("/push", {"items": [item]})["results"]
    assert answer["status"] == "duplicate"
    assert_converged(central, [branch, other])


def test_a_purge_run_on_the_central_database_reaches_the_kiosks(central, make_kiosk) -> None:
    from kiosk.services import groups as groups_mod

    k = make_kiosk("leaders", "PUSAT", "ANAK")
    day = now_utc().date() - timedelta(days=400)
    with central.sessions() as s, s.begin():
        code = groups_mod.add_group(
            s,
            "PUSAT",
            day,
            "TK Pertiwi",
            "TK",
            20,
            2,
            leader_name="Bu Rina",
            leader_phone="0812-7000-1111",
        ).code
    k.sync().cycle()
    with k.service().sessions() as s:
        group = s.scalar(select(Group).where(Group.code == code))
        assert (group.leader_name, group.leader_phone) == ("Bu Rina", "0812-7000-1111")
    # The daily purge on the central database (the same `kiosk purge`, its own --db).
    rc, out, err = k.run("purge", "--json", env=central.env)
    assert rc == 0, err
    assert out["purged_group_leaders"] >= 1
    assert k.sync().cycle()["pull"]["groups"] >= 1
    with k.service().sessions() as s:
        group = s.scalar(select(Group).where(Group.code == code))
        assert (group.leader_name, group.leader_phone) == (None, None)


def test_visit_links_and_refusal_excerpts_past_retention_travel(central, make_kiosk) -> None:
    m = number()
    central.add_member(m)
    k = make_kiosk("links", "PUSAT", "BACA")
    k.sync().cycle()
    svc = k.service()
    visit_id = svc.check_in(k.card(m)).visit_id
    assert svc.check_in(f"LK1:K1:{m}:1:AAAAAAAAAA").decision == "bad_payload"
    assert k.sync().cycle()["push"]["stored"] == 2
    with svc.sessions() as s:
        refusal_id = s.scalar(select(RefusedScan.id))
    with central.sessions() as s:
        assert s.scalar(select(Visit.member_id).where(Visit.id == visit_id)) is not None
        assert s.get(RefusedScan, refusal_id).excerpt != "(purged)"
    # Two years on, the kiosk's purge unlinks the visit and blanks the excerpt (bulk UPDATEs).
    done = svc.purge_personal_data(now=now_utc() + timedelta(days=731))
    assert (done.member_visit_links, done.refusal_excerpts) == (1, 1)
    assert k.sync().cycle()["push"]["duplicate"] == 2
    with central.sessions() as s:
        assert s.scalar(select(Visit.member_id).where(Visit.id == visit_id)) is None
        assert s.scalar(select(func.count(Member.id)).where(Member.number == m)) == 1
        assert s.get(RefusedScan, refusal_id).excerpt == "(purged)"
    assert_converged(central, [k])
