"""Storing a paper survey file once: its hash is kept, and its suggestions apart from the
respondents (nothing links a suggestion to a person or a profile)."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.adapters.db.models import SurveyImport, SurveySuggestion
from kiosk.adapters.files.paper_survey import PaperImport
from kiosk.services.surveys import store_paper


class AlreadyImported(ValueError):
    """The same file (same bytes) was imported before: every count would double."""


def imported_before(s: Session, digest: str) -> datetime | None:
    """When a file with these bytes was first imported, or None."""
    q = select(SurveyImport.imported_at).where(SurveyImport.digest == digest)
    return s.scalars(q.order_by(SurveyImport.imported_at)).first()


def store_paper_file(s: Session, imported: PaperImport, site: str, again: bool = False) -> int:
    """Store a clean import and remember its hash; refuse a file already imported unless
    `again`. Suggestions are stored in a shuffled order, without the row they came from."""
    when = imported_before(s, imported.digest)
    if when is not None and not again:
        raise AlreadyImported(
            f"this file was already imported on {when:%Y-%m-%d %H:%M} UTC "
            "(its answers would count twice); use --again to import it anyway"
        )
    stored = store_paper(s, imported, site)
    notes = [(r.day, r.suggestion) for r in imported.rows if r.suggestion]
    random.SystemRandom().shuffle(notes)  # the file's row order would point at a respondent
    for day, text in notes:
        s.add(
            SurveySuggestion(standard=imported.standard.code, local_day=day, site=site, text=text)
        )
    s.add(
        SurveyImport(
            digest=imported.digest, standard=imported.standard.code, site=site, rows=stored
        )
    )
    return stored
