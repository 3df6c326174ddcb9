"""Pull deltas on the central side: members and the site's groups by the server sequence, the
card keys and layout when they changed, and the site's other kiosks' recent visits.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import (
    Group,
    Member,
    SyncChange,
    SyncKiosk,
    SyncReceipt,
    Visit,
)
from kiosk.services.sync_enrolment import (
    keys_message,
    layout_message,
    utcnow,
)
from kiosk.services.sync_records import row_to_wire, to_wire

PULL_PAGE = 2000
PEER_WINDOW = timedelta(hours=12)  # how far back a kiosk hears of its site's other visits


def pull(
    s: Session,
    kiosk: SyncKiosk,
    since: int,
    peers_since: datetime | None,
    keys_fingerprint: str | None,
    key_file: Path,
    layout_fingerprint: str | None = None,
    layout_file: Path | None = None,
) -> dict[str, Any]:
    """Members and the site's groups changed after `since` (the server sequence), the card
    keys and the layout when they changed, and the site's other kiosks' recent visits."""
    now = utcnow()
    kiosk.last_contact = now
    changes = s.execute(
        select(SyncChange.seq, SyncChange.kind, SyncChange.record_id)
        .where(SyncChange.seq > since)
        .order_by(SyncChange.seq)
        .limit(PULL_PAGE)
    ).all()
    cursor = changes[-1].seq if changes else since
    wanted: dict[str, set[uuid.UUID]] = {"member": set(), "group": set()}
    for _seq, kind, rid in changes:
        wanted[kind].add(rid)
    members = (
        s.scalars(select(Member).where(Member.id.in_(wanted["member"]))).all()
        if wanted["member"]
        else []
    )
    groups = (
        s.scalars(select(Group).where(Group.id.in_(wanted["group"]))).all()
        if wanted["group"]
        else []
    )
    here = [g for g in groups if g.site == kiosk.site]
    gone_members = wanted["member"] - {m.id for m in members}
    gone_groups = wanted["group"] - {g.id for g in here}
    out: dict[str, Any] = {
        "cursor": cursor,
        "more": len(changes) == PULL_PAGE,
        "members": [_member_wire(m) for m in members],
        "groups": [to_wire(g) for g in here],
        "deleted": {
            "member": sorted(str(i) for i in gone_members),
            "group": sorted(str(i) for i in gone_groups),
        },
        "server_time": now.isoformat(),
    }
    keys = keys_message(key_file)
    if keys["fingerprint"] != keys_fingerprint:
        out["keys"] = keys
    if layout_file is not None:
        layout = layout_message(layout_file)
        if layout["fingerprint"] != layout_fingerprint:
            out["layout"] = layout
    out["peers"], out["peers_cursor"] = _peer_visits(s, kiosk, peers_since, now)
    return out


def _member_wire(m: Member) -> dict[str, Any]:
    data = to_wire(m)
    data.pop("created_at", None)
    data.pop("updated_at", None)
    return data


def _peer_visits(
    s: Session, kiosk: SyncKiosk, since: datetime | None, now: datetime
) -> tuple[list[dict[str, Any]], str]:
    """Visits of the other kiosks of this site received lately. The cursor overlaps by a
    minute (a slower transaction may commit an earlier receipt time); the kiosk ignores
    visits it already has."""
    start = max(since - timedelta(minutes=1), now - PEER_WINDOW) if since else now - PEER_WINDOW
    cols = [c for c in Visit.__table__.columns]
    q = (
        select(*cols, SyncReceipt.received_at)
        .join(SyncReceipt, SyncReceipt.record_id == Visit.id)
        .where(
            SyncReceipt.site == kiosk.site,
            SyncReceipt.kind == "visit",
            SyncReceipt.kiosk_id != kiosk.kiosk_id,
            SyncReceipt.received_at > start,
            Visit.at_utc > now - PEER_WINDOW,
            (Visit.member_id.is_not(None)) | (Visit.group_id.is_not(None)),
        )
        .order_by(SyncReceipt.received_at)
        .limit(5000)
    )
    rows = s.execute(q).mappings().all()
    latest = max((r["received_at"] for r in rows), default=start)
    peers = [row_to_wire({c.key: r[c.key] for c in cols}) for r in rows]
    return peers, latest.isoformat()
