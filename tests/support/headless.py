"""Kivy without a screen: tests, screenshots, the demo tour and the UI benchmark.

Kivy reads these variables when it is first imported, so call `use_offscreen()` before that.
This module imports nothing of Kivy itself.
"""

from __future__ import annotations

import os
import tempfile


def use_offscreen(keep_display: bool = False) -> None:
    """Render through Mesa offscreen, no sound device, no Kivy argument parsing or log files.

    `keep_display`: use a real display when one exists (the benchmark may run on one).
    """
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if not (keep_display and has_display):
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    os.environ["SDL_AUDIODRIVER"] = "dummy"
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_USE_DEFAULTCONFIG"] = "1"
    os.environ["KIVY_NO_FILELOG"] = "1"
    os.environ["KIVY_NO_CONSOLELOG"] = "1"
    # Kivy's own log mode sends sys.stderr into its logger, which has no console here: a
    # traceback would vanish and a run end with rc=1 and no word. Plain Python logging keeps
    # stderr as it is and lets the caller decide where log records go.
    os.environ["KIVY_LOG_MODE"] = "PYTHON"
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
