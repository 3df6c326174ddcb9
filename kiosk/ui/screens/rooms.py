"""Room choice at an entrance kiosk: rooms grouped by floor, with pictures; nothing pre-selected.

A default room would bias the statistics, so the visitor must tap one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.metrics import dp
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.ui import widgets as W
from kiosk.ui.i18n import tr
from kiosk.ui.screens import KioskScreen, load_kv

load_kv("rooms")


def room_picture(picture: str | None) -> str:
    """The room's picture from the layout (relative to assets/), else a plain door."""
    if picture:
        path = W.asset(picture)
        if Path(path).exists():
            return path
        if Path(picture).is_absolute() and Path(picture).exists():
            return picture
    return W.asset("rooms", "room.png")


class RoomsScreen(KioskScreen):
    greeting = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pending: Any = None

    def enter(self, pending: Any = None) -> None:
        """`pending`: who is choosing (a member by first name, a group, a guest)."""
        self._pending = pending
        self.build_rooms()

    def reset(self) -> None:
        self._pending = None

    def on_language(self) -> None:
        self.build_rooms()

    def build_rooms(self) -> None:
        p = self._pending
        if p is not None and p.kind == "member" and p.name:
            self.greeting = tr._("Hello, {name}!").format(name=p.name)
        elif p is not None and p.kind == "group" and p.name:
            self.greeting = p.name
        else:
            self.greeting = tr._("Hello!")
        box = self.ids.floors
        box.clear_widgets()
        floors = self.service.site.floors
        for floor in floors:
            row = BoxLayout(spacing="18dp", size_hint_y=None, height=self.row_height())
            row.add_widget(
                Label(
                    text=tr._("Floor {number}").format(number=floor.number),
                    font_size="26sp",
                    bold=True,
                    color=W.GREEN,
                    size_hint_x=None,
                    width="150dp",
                    halign="left",
                    valign="middle",
                    text_size=(dp(150), None),
                )
            )
            for room in floor.rooms:
                tile = W.TileButton(
                    icon=room_picture(room.picture),
                    text=self.app.room_name(room),
                    orientation="horizontal",
                    font_size="24sp",
                    value=room.code,
                    size_hint_x=None,
                    width="360dp",
                    padding="10dp",
                )
                tile.bind(on_release=lambda t: self.choose(t.value))
                row.add_widget(tile)
            row.add_widget(Label())  # keep tiles at the left, the same size on every floor
            box.add_widget(row)

    def row_height(self) -> float:
        """Every floor in view at once when they fit (no scrolling), never below 110 dp."""
        floors = len(self.service.site.floors)
        space = self.ids.scroll.height - dp(12) - dp(16) * (floors - 1)
        return max(dp(110), min(dp(180), space / max(1, floors)))

    def on_size(self, *_: Any) -> None:
        for row in self.ids.floors.children:
            row.height = self.row_height()

    def choose(self, room: str) -> None:
        self.app.room_chosen(room)
