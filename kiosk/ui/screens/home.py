"""Home: the live camera with a card guide, and big buttons for everyone without a card."""

from __future__ import annotations

from kivy.graphics.texture import Texture

from kiosk.ui.screens import KioskScreen, load_kv

load_kv("home")


class HomeScreen(KioskScreen):
    accepts = "member"

    def set_texture(self, texture: Texture) -> None:
        """Called once per camera (not per frame): the preview shows this texture from now on."""
        self.ids.preview.texture = texture
