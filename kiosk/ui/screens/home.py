"""Home: the live camera with a card guide, and big buttons for everyone without a card."""

from __future__ import annotations

from kiosk.ui.screens import KioskScreen, load_kv

load_kv("home")


class HomeScreen(KioskScreen):
    accepts = "member"
