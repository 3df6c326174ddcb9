"""The figures about visits and members that Perpusnas' library census (Pendataan
Perpustakaan, the data of the IPLM: Peraturan Perpusnas 7/2025) asks of a city library, each
with how it is counted.

"Visits per opening day" is the Satu Data indicator "tingkat kunjungan masyarakat per hari":
physical visits in the year divided by the days the library was open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.domain.vocab import N_

# code -> (English name msgid, how it is counted msgid); both languages in the catalogues.
FIGURES: dict[str, tuple[str, str]] = {
    "physical_visits": (
        N_("Physical visits in the year"),
        N_(
            "People who came in, once per day and site: a member once however many rooms, "
            "guests and groups by their headcount"
        ),
    ),
    "room_visits": (
        N_("Room visits in the year"),
        N_("Every room a person entered, groups by their headcount"),
    ),
    "opening_days": (
        N_("Opening days"),
        N_("Days with at least one visit recorded at any site"),
    ),
    "visits_per_opening_day": (
        N_("Visits per opening day"),
        N_("Physical visits divided by opening days (Satu Data: visits per day)"),
    ),
    "members_registered": (
        N_("Members registered"),
        N_("Members registered by 31 December whose membership had not ended before the year"),
    ),
    "members_new": (
        N_("New members"),
        N_("Members registered during the year"),
    ),
    "members_active": (
        N_("Active members"),
        N_("Members with at least one visit in the year"),
    ),
    "activity_participants": (
        N_("People in library activities"),
        N_("Headcount of group visits, and guests who came for an event"),
    ),
    "visits_per_capita": (
        N_("Physical visits per inhabitant"),
        N_("Physical visits divided by the population given with --population"),
    ),
    "members_per_population": (
        N_("Members per 100 inhabitants"),
        N_("Members registered per 100 of the population given with --population"),
    ),
}


@dataclass
class IplmReport:
    year: int
    figures: dict[str, float | int | None]  # code -> value (None: needs --population)
    per_site: dict[str, int] = field(default_factory=dict)  # site -> physical visits
    population: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "population": self.population,
            "figures": [
                {"code": code, "name": FIGURES[code][0], "value": value,
                 "definition": FIGURES[code][1]}
                for code, value in self.figures.items()
            ],
            "per_site": self.per_site,
        }  # fmt: skip


def iplm_figures(
    year: int,
    physical: int,
    room_visits: int,
    opening_days: int,
    registered: int,
    new: int,
    active: int,
    participants: int,
    per_site: dict[str, int],
    population: int | None = None,
) -> IplmReport:
    """The figures from the counts; ratios rounded to two decimals."""
    figures: dict[str, float | int | None] = {
        "physical_visits": physical,
        "room_visits": room_visits,
        "opening_days": opening_days,
        "visits_per_opening_day": round(physical / opening_days, 2) if opening_days else 0.0,
        "members_registered": registered,
        "members_new": new,
        "members_active": active,
        "activity_participants": participants,
        "visits_per_capita": round(physical / population, 4) if population else None,
        "members_per_population": round(100 * registered / population, 2) if population else None,
    }
    return IplmReport(year, figures, dict(sorted(per_site.items())), population)
