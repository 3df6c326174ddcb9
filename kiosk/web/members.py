"""Members and Groups: search, add, renew, suspend, revoke a card and print cards; schedule,
correct and cancel school groups and print their letters. The rules are the CLI's
(kiosk.services.front_desk over kiosk.services.members and groups); why members are
library-wide and groups per site is said there.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response

from kiosk.adapters.render.cards import write_pdf
from kiosk.adapters.render.letters import write_letter
from kiosk.adapters.render.prints import card_faces, group_letter
from kiosk.domain.clock import local_day, utcnow
from kiosk.domain.dates import parse_date
from kiosk.domain.fields import FieldError
from kiosk.domain.groups import LEVELS
from kiosk.domain.members import GENDERS
from kiosk.domain.vocab import N_
from kiosk.services.front_desk import FrontDesk, NotYourSite
from kiosk.web.downloads import _file as send_file
from kiosk.web.pages import Ctx, Refused, page

# What a finished change says above the page (?done=...), in both languages.
DONE = {
    "added": N_("Member added."),
    "renewed": N_("Membership renewed."),
    "suspended": N_("Member suspended: their card is refused until unsuspended."),
    "unsuspended": N_("Member active again."),
    "revoked": N_("New card number issued: earlier cards no longer work. Print the new card."),
    "scheduled": N_("Group scheduled. Print its letter for the school."),
    "edited": N_("Group corrected."),
    "cancelled": N_("Group cancelled: its QR no longer checks in."),
}
NOT_SAVED = N_("Not saved:")


def _desk(ctx: Ctx) -> FrontDesk:
    return FrontDesk(ctx.dash)


def _date(ctx: Ctx, name: str, field: str) -> date | None:
    text = ctx.value(name)
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError as e:
        raise FieldError(str(e), field) from None


def _int(ctx: Ctx, name: str, default: int | None = None) -> int | None:
    text = ctx.value(name)
    if not text:
        return default
    if not text.isdigit():
        raise FieldError(f"{name}: {text!r} is not a whole number", name)
    return int(text)


def _back(path: str, **query: str) -> Response:
    return RedirectResponse(f"{path}?{urlencode(query)}", status_code=303)


# --- members ---------------------------------------------------------------------------------


def _members(ctx: Ctx, status: int = 200, error: str = "", form: dict | None = None) -> Response:
    query = ctx.request.query_params.get("q", "").strip()
    found, matching = _desk(ctx).search(ctx.account, query) if query else (None, 0)
    return ctx.render(
        "members.html",
        status,
        query=query,
        found=found,
        matching=matching,
        today=local_day(utcnow()),
        genders=GENDERS,
        categories=[c.code for c in ctx.dash.settings.categories.categories],
        done=DONE.get(ctx.request.query_params.get("done", "")),
        error=error,
        form=form or {},
    )


@page("/members", nav=N_("Members"))
def members_page(ctx: Ctx) -> Response:
    return _members(ctx)


@page("/members/add", methods=("POST",))
def add(ctx: Ctx) -> Response:
    try:
        info = _desk(ctx).add(
            ctx.value("number"),
            ctx.value("name"),
            ctx.value("gender") or None,
            ctx.value("category") or None,
            _date(ctx, "expires", "expires"),
        )
    except (ValueError, LookupError) as e:
        return _members(ctx, 400, str(e), ctx.form)  # the form keeps what was typed
    return _back("/members", q=info.number, done="added")


@page("/members/renew", methods=("POST",))
def renew(ctx: Ctx) -> Response:
    number = ctx.value("number")
    try:
        until = _date(ctx, "until", "until")
        _desk(ctx).renew(number, until, None if until else _int(ctx, "months", 12))
    except (ValueError, LookupError) as e:
        return _members(ctx, 400, str(e))
    return _back("/members", q=number, done="renewed")


@page("/members/suspend", methods=("POST",))
def suspend(ctx: Ctx) -> Response:
    number, suspended = ctx.value("number"), ctx.value("suspended") == "1"
    try:
        _desk(ctx).set_suspended(number, suspended)
    except LookupError as e:
        return _members(ctx, 404, str(e))
    return _back("/members", q=number, done="suspended" if suspended else "unsuspended")


@page("/members/revoke", methods=("POST",))
def revoke(ctx: Ctx) -> Response:
    number = ctx.value("number")
    try:
        _desk(ctx).revoke_card(number)
    except LookupError as e:
        return _members(ctx, 404, str(e))
    return _back("/members", q=number, done="revoked")


@page("/members/cards", methods=("POST",))
def cards(ctx: Ctx) -> Response:
    """The cards of the numbers given (one or many, separated by spaces or commas)."""
    numbers = ctx.value("numbers").replace(",", " ").split()
    name = f"kartu-{numbers[0]}.pdf" if len(numbers) == 1 else "kartu-anggota.pdf"
    library = ctx.dash.settings.library_name
    return send_file(
        name,
        lambda path: write_pdf(card_faces(_desk(ctx).cards(ctx.account, numbers)), library, path),
    )


# --- groups (per site) -----------------------------------------------------------------------


def _groups(ctx: Ctx, status: int = 200, error: str = "", form: dict | None = None) -> Response:
    site, desk = ctx.site(), _desk(ctx)
    edit = None
    if code := ctx.request.query_params.get("edit", ""):
        edit = _group(ctx, code)
    return ctx.render(
        "groups.html",
        status,
        site=site,
        groups=desk.groups(ctx.account, site, local_day(utcnow())),
        levels=LEVELS,
        today=local_day(utcnow()),
        edit=edit,
        done=DONE.get(ctx.request.query_params.get("done", "")),
        error=error,
        form=form or {},
    )


def _group(ctx: Ctx, code: str):  # noqa: ANN202 - GroupInfo
    """A group as this account may see it: staff get 403 for another site's group."""
    try:
        return _desk(ctx).group_at(code, ctx.site())
    except NotYourSite:
        raise Refused(403, N_("Staff see only their own site."), code) from None
    except LookupError as e:
        raise Refused(404, N_("No such group."), str(e)) from None


def _group_fields(ctx: Ctx) -> dict[str, object]:
    return {
        "institution": ctx.value("institution") or None,
        "level": ctx.value("level") or None,
        "expected_children": _int(ctx, "children"),
        "expected_adults": _int(ctx, "adults"),
        "leader_name": ctx.value("leader") or None,
        "leader_phone": ctx.value("phone") or None,
        "purpose": ctx.value("purpose") or None,
    }


@page("/groups", nav=N_("Groups"))
def groups_page(ctx: Ctx) -> Response:
    return _groups(ctx)


@page("/groups/add", methods=("POST",))
def group_add(ctx: Ctx) -> Response:
    site = ctx.site()
    if site is None:  # admins and managers say which site the group visits
        raise Refused(400, N_("Choose a site."))
    try:
        day = _date(ctx, "date", "date")
        if day is None:
            raise FieldError("give the date of the visit", "date")
        fields = _group_fields(ctx)
        fields["expected_children"] = fields["expected_children"] or 0
        fields["expected_adults"] = fields["expected_adults"] or 0
        info = _desk(ctx).add_group(site, day, **fields)  # type: ignore[arg-type]
    except (ValueError, LookupError) as e:
        return _groups(ctx, 400, str(e), ctx.form)
    return _back("/groups", done="scheduled", code=info.code)


@page("/groups/edit", methods=("POST",))
def group_edit(ctx: Ctx) -> Response:
    code = _group(ctx, ctx.value("code")).code
    try:
        changes = _group_fields(ctx) | {"visit_date": _date(ctx, "date", "date")}
        _desk(ctx).edit_group(code, ctx.site(), **changes)
    except (ValueError, LookupError) as e:
        return _groups(ctx, 400, str(e), ctx.form)
    return _back("/groups", done="edited", code=code)


@page("/groups/cancel", methods=("POST",))
def group_cancel(ctx: Ctx) -> Response:
    code = _group(ctx, ctx.value("code")).code
    try:
        _desk(ctx).cancel_group(code, ctx.site())
    except (ValueError, LookupError) as e:
        return _groups(ctx, 400, str(e))
    return _back("/groups", done="cancelled", code=code)


@page("/groups/letter", methods=("POST",))
def letter(ctx: Ctx) -> Response:
    info = _group(ctx, ctx.value("code"))
    library, today = ctx.dash.settings.library_name, local_day(utcnow())
    return send_file(
        f"rombongan-{info.code}.pdf",
        lambda path: write_letter(group_letter(info, today), library, path),  # none if cancelled
    )
