"""Members and school groups as the dashboard changes them: the CLI's own rules
(kiosk.services.members, kiosk.services.groups) on the central database, one transaction per
call, and every listing or print of names written to the access log first.

Scope: members are library-wide. One card admits its holder at every branch and van, a member
renews or reports a lost card at whichever desk is nearest, and the members table has no site:
so staff of any site look after any member. Groups belong to the site they visit: staff
schedule and change their own site's groups only (`group_at` refuses the others).
"""

from __future__ import annotations

from datetime import date

from kiosk.domain.cards import Keyring, make_payload
from kiosk.domain.clock import local_day, utcnow
from kiosk.domain.fields import FieldError
from kiosk.domain.members import CardChoice
from kiosk.services import groups, members
from kiosk.services.dashboard import Dashboard
from kiosk.services.groups import GroupInfo
from kiosk.services.members import MemberInfo
from kiosk.services.web_accounts import Account

SHOWN = 100  # members listed for a search: a page of 8,000 names helps nobody
MAX_CARDS = 200  # one download; the whole library's cards are printed with `kiosk cards`


class NotYourSite(LookupError):
    """A group of another site asked for by a staff account."""


class FrontDesk:
    """The dashboard's member and group work on the central database."""

    def __init__(self, dash: Dashboard) -> None:
        self.dash = dash
        self.db = dash.db

    def _log(
        self, who: Account, action: str, what: str, rows: int, site: str | None = None
    ) -> None:
        self.dash.log_export(who, site, what, rows, action=action)

    # --- members (library-wide) ----------------------------------------------------------------

    def search(self, who: Account, text: str) -> tuple[list[MemberInfo], int]:
        """The first SHOWN members whose number or name holds `text`, and how many hold it;
        names shown are logged (who, what, rows)."""
        with self.db.sessions() as s:
            found = members.list_members(s, text, limit=SHOWN)
            matching = len(found) if len(found) < SHOWN else members.count_members(s, text)
        self._log(who, "list", f"members --search {text}", len(found))
        return found, matching

    def add(
        self,
        number: str,
        name: str,
        gender: str | None,
        category: str | None,
        expires: date | None,
    ) -> MemberInfo:
        with self.db.sessions() as s, s.begin():
            return MemberInfo.of(members.add_member(s, number, name, gender, category, expires))

    def renew(self, number: str, until: date | None, months: int | None) -> MemberInfo:
        with self.db.sessions() as s, s.begin():
            return members.renew_member(s, number, local_day(utcnow()), until, months)

    def set_suspended(self, number: str, suspended: bool) -> None:
        with self.db.sessions() as s, s.begin():
            members.set_suspended(s, number, suspended)

    def revoke_card(self, number: str) -> int:
        with self.db.sessions() as s, s.begin():
            return members.revoke_card(s, number)

    def cards(self, who: Account, numbers: list[str]) -> list[tuple[MemberInfo, str]]:
        """The named members (whatever their state: staff asked for them by number) with
        their current card's QR payload, as `kiosk cards --members ...`; logged first."""
        if not numbers:
            raise FieldError("give at least one member number", "numbers")
        if len(numbers) > MAX_CARDS:
            raise FieldError(f"at most {MAX_CARDS} cards at once (use `kiosk cards`)", "numbers")
        keyring = Keyring.load(self.dash.settings.key_file)
        with self.db.sessions() as s:
            infos = members.cards_for(s, CardChoice(), local_day(utcnow()), numbers)
        self._log(who, "print", f"cards (pdf) {' '.join(numbers)}", len(infos))
        return [(i, make_payload(i.number, i.card_seq, keyring)) for i in infos]

    # --- groups (per site) -------------------------------------------------------------------

    def groups(self, who: Account, site: str | None, since: date) -> list[GroupInfo]:
        """Groups visiting on or after `since` at `site` (None: every site); leader names are
        personal data, so the listing is logged."""
        today = local_day(utcnow())
        with self.db.sessions() as s:
            found = groups.groups_on(s, None, site, today, since=since)
        self._log(who, "list", f"groups from {since} (leader names)", len(found), site)
        return found

    def group_at(self, code: str, site: str | None) -> GroupInfo:
        """One group; NotYourSite when `site` is given and the group visits another site."""
        with self.db.sessions() as s:
            if groups.find_group(s, code) is None:
                raise LookupError(code)
            info = groups.group_info(s, code, local_day(utcnow()))
        if site is not None and info.site != site:
            raise NotYourSite(info.code)
        return info

    def add_group(self, site: str, visit_date: date, **fields: object) -> GroupInfo:
        today = local_day(utcnow())
        with self.db.sessions() as s, s.begin():
            g = groups.add_group(s, site, visit_date, **fields)  # type: ignore[arg-type]
            s.flush()
            return groups.group_info(s, g.code, today)

    def edit_group(self, code: str, site: str | None, **changes: object) -> GroupInfo:
        self.group_at(code, site)
        with self.db.sessions() as s, s.begin():
            return groups.edit_group(s, code, local_day(utcnow()), **changes)

    def cancel_group(self, code: str, site: str | None) -> GroupInfo:
        self.group_at(code, site)
        with self.db.sessions() as s, s.begin():
            return groups.cancel_group(s, code, utcnow())
