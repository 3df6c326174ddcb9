"""The check-in desk works inside the caller's unit of work: nothing counts until it commits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kiosk.adapters.db.models import Visit
from kiosk.domain.cards import make_payload
from kiosk.domain.vocab import Admitted
from kiosk.services.kiosk import KioskService


class Abandoned(Exception):
    pass


def test_a_rolled_back_unit_of_work_stores_and_remembers_nothing(service: KioskService) -> None:
    service.add_member("M001", "Siti Aminah")
    card = make_payload("M001", 1, service.keyring)
    with pytest.raises(Abandoned), service.sessions.begin() as s:
        d = service.desk.check_in(s, card, "BACA")
        assert d.decision is Admitted.WELCOME and d.visit_id is not None
        raise Abandoned
    service.desk.committed(None)
    with service.sessions() as s:
        assert s.scalar(select(func.count(Visit.id))) == 0
    # The visit never counted, so this is a first arrival, not a "welcome back".
    again = service.check_in(card, "BACA")
    assert again.decision is Admitted.WELCOME and again.counted
    assert service.check_in(card, "BACA").decision is Admitted.WELCOME_BACK


def test_the_service_methods_the_command_line_uses(service: KioskService) -> None:
    info = service.add_member("M002", "Budi", "L", "Pelajar")
    assert [m.number for m in service.list_members("bud")] == [info.number]
    assert service.revoke_card("M002") == 2
    [(member, payload)] = service.member_cards(["M002"])
    assert member.card_seq == 2 and payload == make_payload("M002", 2, service.keyring)
    service.set_suspended("M002", True)
    assert service.check_in(payload, "BACA").decision == "suspended"
    assert service.member_record("M002")["suspended"] is True
    assert service.erase_member("M002") == 0 and service.list_members() == []
