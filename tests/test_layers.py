"""The layers' import rules and no import cycles, read from the source with `ast`.

Every import counts: at the top of a module, inside a function (deferred), under
TYPE_CHECKING, and `importlib.import_module` / `__import__` with a literal name. The rules
(README, "How the code is laid out"):

- domain imports only the standard library (and kiosk.domain);
- services import no toolkit, camera or renderer, and no entry point or vision code;
- vision imports neither Kivy nor the database nor the services;
- ui, cli and server never reach the database directly (they call the services);
- the renderers (adapters.render) take plain domain values, never services or the database;
- nothing in kiosk/ imports tests or tools.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import kiosk

PACKAGE = Path(kiosk.__file__).parent
ENTRY_POINTS = ("kiosk.ui", "kiosk.cli", "kiosk.server", "kiosk.web")

# (layer, imported names it must not use). A name covers its submodules.
FORBIDDEN: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (
        ("kiosk.services",),
        (
            "kivy",
            "cv2",
            "reportlab",
            "openpyxl",
            "matplotlib",
            "PIL",
            "qrcode",
            "kiosk.adapters.render",  # the renderers: the entry points write what services return
            "kiosk.ui",
            "kiosk.cli",
            "kiosk.server",
            "kiosk.vision",
        ),
    ),
    (("kiosk.vision",), ("kivy", "sqlalchemy", "kiosk.adapters.db", "kiosk.services")),
    (ENTRY_POINTS, ("kiosk.adapters.db", "sqlalchemy")),
    # the renderers draw plain values (kiosk.domain.counts), never query
    (("kiosk.adapters.render",), ("kiosk.services", "kiosk.adapters.db", "sqlalchemy")),
    (("kiosk",), ("tests", "tools")),
]


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = modules()


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def imports_of(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import in the file, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if _is_package(name) else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target == "__future__":
                continue
            yield target, node.lineno
            for alias in node.names:  # `from kiosk.services import checkin` imports a module
                if f"{target}.{alias.name}" in MODULES:
                    yield f"{target}.{alias.name}", node.lineno
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            )
        ):
            yield node.args[0].value, node.lineno


IMPORTS = {name: sorted(set(imports_of(name, path))) for name, path in MODULES.items()}


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations() -> set[tuple[str, str]]:
    found = set()
    stdlib = sys.stdlib_module_names
    for importer, imported in IMPORTS.items():
        for target, _line in imported:
            if within(importer, "kiosk.domain"):
                top = target.partition(".")[0]
                if top not in stdlib and not within(target, "kiosk.domain"):
                    found.add((importer, target))
            for layers, banned in FORBIDDEN:
                if any(within(importer, layer) for layer in layers) and any(
                    within(target, b) for b in banned
                ):
                    found.add((importer, target))
    return found


def graph() -> dict[str, set[str]]:
    """Edges between kiosk modules: the module imported, and the packages Python runs first
    to reach it (their __init__), except the importer's own packages."""
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for importer, imported in IMPORTS.items():
        for target, _line in imported:
            parts = target.split(".")
            for n in range(1, len(parts) + 1):
                step = ".".join(parts[:n])
                if step in MODULES and step != importer and not within(importer, step):
                    edges[importer].add(step)
    return edges


def cycles(edges: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[tuple[str, ...]] = set()
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.add(tuple(sorted(group)))
    return found


def where(importer: str, target: str) -> str:
    lines = [line for t, line in IMPORTS[importer] if t == target]
    return f"{MODULES[importer].relative_to(PACKAGE.parent)}:{lines[0]}: imports {target}"


def test_every_layer_keeps_its_import_rules() -> None:
    found = violations()
    assert not found, "import rules broken:\n" + "\n".join(where(*v) for v in sorted(found))


def test_no_import_cycles() -> None:
    found = cycles(graph())
    assert not found, f"import cycles: {sorted(found)}"


def test_the_reader_sees_deferred_and_relative_imports(tmp_path: Path) -> None:
    """The checks above are only as good as the import reader: it must see every form."""
    source = tmp_path / "probe.py"
    source.write_text(
        "import os.path\n"
        "from . import sibling\n"
        "from ..domain import vocab\n"
        "def later():\n"
        "    import kivy.app\n"
        "    from cv2 import imread\n"
        "    __import__('qrcode')\n"
        "    importlib.import_module('reportlab.pdfgen')\n"
    )
    seen = {target for target, _line in imports_of("kiosk.services.probe", source)}
    assert seen >= {
        "os.path",
        "kiosk.services",
        "kiosk.domain",
        "kiosk.domain.vocab",
        "kivy.app",
        "cv2",
        "qrcode",
        "reportlab.pdfgen",
    }
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {("a", "b", "c")}
