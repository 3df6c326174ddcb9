"""`kiosk` run in-process against a fresh data directory (a real SQLite file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main


@pytest.fixture
def kiosk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """Run `kiosk ARGS`; returns (exit code, parsed JSON or text, stderr).

    With --json, one line is returned as an object and several lines as a list. Surveys are
    off so that check-ins queue nothing unless a test asks.
    """
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KIOSK_SURVEY_CHANCE", "0")
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.delenv("KIOSK_DB_URL", raising=False)

    def run(*args: str) -> tuple[int, object, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        if "--json" in args and out.strip():
            lines = [json.loads(line) for line in out.strip().splitlines()]
            return code, lines[0] if len(lines) == 1 else lines, err
        return code, out, err

    assert run("init")[0] == 0
    return run
