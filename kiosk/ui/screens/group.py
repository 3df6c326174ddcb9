"""School groups: scan the group QR or pick today's group, confirm the headcount. No names."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from kiosk.services.groups import LEVELS, GroupInfo
from kiosk.ui import widgets as W
from kiosk.ui.i18n import tr
from kiosk.ui.screens import KioskScreen, load_kv

load_kv("group")


class GroupScreen(KioskScreen):
    accepts = "group"
    chosen = BooleanProperty(False)
    institution = StringProperty("")
    level = StringProperty("")
    problem = StringProperty("")
    sending = BooleanProperty(False)  # confirmed: a second tap must not record the group twice

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.group: GroupInfo | None = None
        self.today: list[GroupInfo] = []

    def enter(self, code: str = "") -> None:
        """Today's groups to pick from; `code`: a group QR scanned on the home screen."""
        self.reset()
        self.app.call(self.service.groups_today, then=self._listed)
        if code:
            self.open_code(code)

    def reset(self) -> None:
        self.sending = False
        self.group = None
        self.chosen = False
        self.problem = ""
        self.institution = self.level = ""

    def _listed(self, groups: list[GroupInfo]) -> None:
        self.today = groups
        self.render_list()

    def on_language(self) -> None:
        self.render_list()
        if self.group is not None:
            self.level = tr._(LEVELS.get(self.group.level, self.group.level))

    def render_list(self) -> None:
        box = self.ids.today
        box.clear_widgets()
        for g in self.today:
            tile = W.TileButton(
                icon=W.asset("ui", "group.png"),
                orientation="horizontal",
                text=g.institution,
                subtext=tr._("{level}  \u2022  {children} children, {adults} adults").format(
                    level=tr._(LEVELS.get(g.level, g.level)),
                    children=g.expected_children,
                    adults=g.expected_adults,
                ),
                value=g.code,
                font_size="26sp",
                size_hint_y=None,
                height="110dp",
            )
            tile.bind(on_release=lambda t: self.pick(t.value))
            box.add_widget(tile)

    def pick(self, code: str) -> None:
        found = next((g for g in self.today if g.code == code), None)
        if found is not None:
            self.use(found)

    def open_code(self, text: str) -> None:
        """A group QR was scanned (here or on the home screen)."""
        self.problem = ""
        self.app.call(self.service.group, text, then=self._found)

    def on_card(self, text: str, source: str = "scan") -> None:
        self.open_code(text)

    def _found(self, group: GroupInfo | None) -> None:
        if group is None:
            self.problem = "unknown"
            return
        self.use(group)

    def use(self, group: GroupInfo) -> None:
        self.group = group
        self.institution = group.institution
        self.level = tr._(LEVELS.get(group.level, group.level))
        self.ids.children.value = group.expected_children
        self.ids.adults.value = group.expected_adults
        self.chosen = True

    def confirm(self) -> None:
        if self.group is None or self.sending:
            return
        children, adults = int(self.ids.children.value), int(self.ids.adults.value)
        if children + adults < 1:
            return
        self.sending = True
        self.app.group_done(self.group.code, self.group.institution, children, adults)
