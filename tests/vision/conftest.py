"""Fixtures for the vision tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from vision_helpers import TEXTS

from tests.support import synth


@pytest.fixture(scope="session")
def feed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """A 640x480 MJPG video of three cards presented, then the first card again."""
    out = tmp_path_factory.mktemp("feed") / "feed.avi"
    faces = [(t, synth.card_face(t)) for t in TEXTS]
    truth = synth.write_feed(faces, str(out), size=(640, 480), fps=30, seed=7)
    return out, truth
