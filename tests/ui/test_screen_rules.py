"""Screens talk to the app's navigation API and the service, never to each other."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import kiosk.ui.screens as screens

SCREENS = Path(screens.__file__).parent


def imported(path: Path) -> set[str]:
    """Every module a file imports, deferred imports inside functions included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_no_screen_imports_the_app_or_another_screen() -> None:
    for path in SCREENS.glob("*.py"):
        own = f"kiosk.ui.screens.{path.stem}"
        for name in imported(path):
            assert not name.startswith("kiosk.ui.app"), (path.name, name)
            if name.startswith("kiosk.ui.screens."):
                assert name == own or name.split(".")[3] in ("KioskScreen", "load_kv"), (
                    path.name,
                    name,
                )


def test_no_screen_reaches_into_the_app_or_another_screen() -> None:
    # app.screen("x") starts another screen; app.worker / app.camera are the app's own parts
    reaching = re.compile(r"app\.(screen\(|worker\b|camera\b|sm\b|survey_)")
    for path in [*SCREENS.glob("*.py"), *SCREENS.glob("*.kv"), SCREENS.parent / "shell.kv"]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not reaching.search(line), f"{path.name}:{number}: {line.strip()}"


def test_no_inline_language_choices() -> None:
    """Words come from the catalogues (`tr._`); only kiosk.ui.i18n knows which language is on."""
    choosing = re.compile(r"""lang\s*[!=]=|\bif ind\b|tr\.word\(""")
    ui = SCREENS.parent
    for path in [*ui.rglob("*.py"), *ui.rglob("*.kv")]:
        if path.name == "i18n.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not choosing.search(line), f"{path.name}:{number}: {line.strip()}"
