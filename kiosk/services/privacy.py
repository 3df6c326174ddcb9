"""Privacy that holds on disk (UU 27/2022): erase on request, purge after retention periods.

After an erase or a purge (`KioskService.erase_member`, `KioskService.purge_personal_data`)
the SQLite write-ahead log is checkpointed and truncated, and
`secure_delete` (set on every connection) overwrites freed pages, so an erased name is left
neither in the database file nor in its `-wal` file. Aggregate counts stay: visits lose their
member link, refusals their excerpt, closed survey-queue rows go (answers are anonymous and
kept); guests and group leaders lose their personal fields.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import QueuedSurvey, RefusedScan, Visit
from kiosk.config import Settings
from kiosk.services.guests import purge_group_leaders, purge_guests
from kiosk.services.surveys import CLOSED

PURGED = "(purged)"


@dataclass(frozen=True)
class Purged:
    guests: int
    group_leaders: int
    member_visit_links: int
    refusal_excerpts: int
    closed_surveys: int

    def to_json(self) -> dict[str, int]:
        return asdict(self)


def purge(s: Session, cfg: Settings, now: datetime) -> Purged:
    """Apply every retention period of the settings in the caller's unit of work
    (`KioskService.purge_personal_data` commits it, then truncates the WAL)."""
    visit_cut = now - timedelta(days=cfg.member_visit_retention_days)
    refusal_cut = now - timedelta(days=cfg.refusal_retention_days)
    # The "one survey per member per min_days" rule reads closed rows: keep at least that long.
    survey_days = max(cfg.survey_retention_days, cfg.survey_min_days)
    survey_cut = now - timedelta(days=survey_days)
    guests = purge_guests(s, now, cfg.guest_retention_days)
    leaders = purge_group_leaders(s, now, cfg.guest_retention_days)
    links = s.execute(
        update(Visit)
        .where(Visit.member_id.is_not(None), Visit.at_utc < visit_cut)
        .values(member_id=None)
    ).rowcount
    refusals = s.execute(
        update(RefusedScan)
        .where(RefusedScan.at_utc < refusal_cut, RefusedScan.excerpt != PURGED)
        .values(excerpt=PURGED)
    ).rowcount
    surveys = s.execute(
        delete(QueuedSurvey).where(
            QueuedSurvey.status == CLOSED, QueuedSurvey.queued_at < survey_cut
        )
    ).rowcount
    return Purged(guests, leaders, links or 0, refusals or 0, surveys or 0)
