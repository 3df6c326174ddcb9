#!/usr/bin/env python3
"""Keep the kiosk's catalogues (the words of both languages) in step with the code.

    .venv/bin/python tools/i18n.py update   # add new texts to assets/locale/*/kiosk.po
    .venv/bin/python tools/i18n.py check    # JSON: texts without a Bahasa Indonesia translation

Texts are found where the code marks them, anywhere in the kiosk package: `tr._("...")`,
`_("...")`, `N_("...")` and `gettext("...", lang)` in kiosk/**/*.py, `tr._("...")` in
kiosk/**/*.kv, and `_("...")` in the dashboard's Jinja templates (kiosk/**/*.html).
Existing translations are kept; English entries translate to themselves; texts no longer
used are dropped.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}

PACKAGE = ROOT / "kiosk"
KV_CALL = re.compile(r'tr\._\(\s*("(?:[^"\\]|\\.)*")\s*\)')
HTML_CALL = re.compile(r"""(?<![\w.])_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\)""")
MARKERS = {"_", "N_", "gettext"}


def texts_in_py(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        f = node.func
        marked = (isinstance(f, ast.Name) and f.id in MARKERS) or (
            isinstance(f, ast.Attribute) and f.attr == "_"
        )
        arg = node.args[0]
        if marked and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            found.append(arg.value)
    return found


def texts_in_kv(path: Path) -> list[str]:
    return [ast.literal_eval(m) for m in KV_CALL.findall(path.read_text(encoding="utf-8"))]


def texts_in_html(path: Path) -> list[str]:
    return [ast.literal_eval(m) for m in HTML_CALL.findall(path.read_text(encoding="utf-8"))]


def all_texts() -> list[str]:
    seen: dict[str, None] = {}
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix == ".py":
            found = texts_in_py(path)
        elif path.suffix == ".kv":
            found = texts_in_kv(path)
        elif path.suffix == ".html":
            found = texts_in_html(path)
        else:
            continue
        for text in found:
            seen.setdefault(text, None)
    return list(seen)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_po(path: Path, lang: str, entries: list[tuple[str, str]]) -> None:
    head = [
        f"# Kiosk texts ({LANGUAGE_NAMES[lang]}).",
        "# Updated by tools/i18n.py; edit the msgstr lines.",
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        f'"Language: {lang}\\n"',
        "",
    ]
    body = []
    for msgid, msgstr in entries:
        body += [f"msgid {quote(msgid)}", f"msgstr {quote(msgstr)}", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(head + body), encoding="utf-8")


def main(argv: list[str]) -> int:
    from kiosk.i18n import po_path, read_po

    command = argv[0] if argv else "check"
    texts = all_texts()
    if command == "update":
        ids = read_po(po_path("id"))
        write_po(po_path("id"), "id", [(t, ids.get(t, "")) for t in texts])
        write_po(po_path("en"), "en", [(t, t) for t in texts])
    missing = [t for t in texts if t not in read_po(po_path("id"))]
    print(json.dumps({"texts": len(texts), "missing_id": missing}, ensure_ascii=False, indent=1))
    return 1 if command == "check" and missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
