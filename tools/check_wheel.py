#!/usr/bin/env python3
"""The kiosk as a library installs it: build the wheel, install it into a throw-away
virtualenv away from the checkout, and run the everyday commands from an empty folder.

    .venv/bin/python tools/check_wheel.py [--keep]

The kiosk package comes from the wheel only; its dependencies (Kivy, OpenCV...) are borrowed
from the project's .venv through a .pth file so that the check takes seconds, not minutes.
Each command runs with a clean environment (no PYTHONPATH, no KIOSK_* settings, HOME in the
temporary folder), so a file read from the checkout instead of the package shows up here.
Prints one JSON line; exits 1 with the failing step on stderr.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
# What the wheel must carry besides Python modules (paths inside the installed package).
SHIPPED = [
    "migrations/env.py",
    "migrations/script.py.mako",
    "assets/layouts/lubuklinggau.toml",
    "assets/locale/id/LC_MESSAGES/kiosk.po",
    "assets/locale/en/LC_MESSAGES/kiosk.po",
    "assets/sounds/welcome.wav",
    "assets/ui/card.png",
    "assets/rooms/room.png",
    "assets/data/wilayah_kabkota.csv",
    "ui/shell.kv",
    "web/templates/base.html",
    "web/templates/today.html",
    "web/static/dashboard.css",
    "web/static/today.js",
]
# The dashboard's login page and its stylesheet, served by the installed package's own app.
FETCH_LOGIN = """
import sys
from starlette.testclient import TestClient
from kiosk.config import load_settings
from kiosk.server.app import create_app
with TestClient(create_app(load_settings())) as c:
    page, css = c.get("/login"), c.get("/static/dashboard.css")
ok = page.status_code == 200 and "Masuk" in page.text and css.status_code == 200
print(page.status_code, css.status_code)
sys.exit(0 if ok else 1)
"""
# Build output lines that are not problems (the environment turns byte-compiling off).
HARMLESS = re.compile(r"byte-compiling is disabled")


class CheckFailed(Exception):
    pass


def run(cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None, both: bool = False) -> str:
    """What the command printed (stdout, with `both` stderr too); a failure stops the check."""
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise CheckFailed(
            f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}{done.stderr}".rstrip()
        )
    return done.stdout + done.stderr if both else done.stdout


def build(out: Path) -> Path:
    """`python -m build`: the sdist, then the wheel built from that sdist (as PyPI users get)."""
    log = run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(CHECKOUT)],
        cwd=CHECKOUT,
        both=True,
    )
    warnings = [
        line.strip()
        for line in log.splitlines()
        if "warning" in line.lower() and not HARMLESS.search(line)
    ]
    if warnings:
        raise CheckFailed("the build warns:\n" + "\n".join(warnings))
    [wheel] = out.glob("kiosk-*.whl")
    return wheel


def make_venv(root: Path, wheel: Path) -> Path:
    """A fresh virtualenv holding the kiosk from `wheel`; dependencies through a .pth file."""
    base = getattr(sys, "_base_executable", sys.executable)
    run([base, "-m", "venv", "--without-pip", str(root)], cwd=root.parent)
    python = root / "bin" / "python"
    purelib = Path(
        run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=root,
        ).strip()
    )
    # Every site-packages the project's venv sees (its own and the one it borrows from).
    ours = [p for p in sys.path if p.endswith("site-packages")]
    (purelib / "00-kiosk-dependencies.pth").write_text("\n".join(ours) + "\n")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        cwd=root,
    )
    return python


def clean_env(tmp: Path, venv: Path) -> dict[str, str]:
    home = tmp / "home"
    home.mkdir()
    return {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "KIVY_NO_ARGS": "1",
        "KIVY_HOME": str(home / "kivy"),
    }


def kiosk(work: Path, env: dict[str, str], *args: str) -> dict:
    out = run(["kiosk", *args, "--json"], cwd=work, env=env)
    return json.loads(out.splitlines()[-1])


def check(tmp: Path) -> dict:
    started = time.monotonic()
    wheel = build(tmp / "dist")
    built = time.monotonic()
    venv = tmp / "venv"
    python = make_venv(venv, wheel)
    env = clean_env(tmp, venv)
    work = tmp / "work"
    work.mkdir()

    where = run(
        [str(python), "-c", "import kiosk, sys; print(kiosk.__file__)"], cwd=work, env=env
    ).strip()
    package = Path(where).parent
    if not package.is_relative_to(venv):
        raise CheckFailed(f"kiosk was imported from {package}, not from the wheel")
    # Every migration of the checkout, so that `kiosk init` reaches the same head.
    versions = [
        f"migrations/versions/{p.name}" for p in (CHECKOUT / "db" / "versions").glob("*.py")
    ]
    missing = [p for p in [*SHIPPED, *versions] if not (package / p).is_file()]
    if missing:
        raise CheckFailed("the installed package lacks: " + ", ".join(missing))

    init = kiosk(work, env, "init")
    if not init["schema"] or not Path(init["database"].split("///")[-1]).is_relative_to(tmp):
        raise CheckFailed(f"kiosk init: {init}")
    kiosk(work, env, "members", "add", "A0001", "Siti Rahma", "--gender", "P", "--category", "Umum")
    cards = kiosk(work, env, "cards", "--format", "png", "--out", "cards", "--mkdir")
    pdf = kiosk(work, env, "cards", "--out", "cards.pdf")
    if pdf["cards"] != 1 or not (work / "cards.pdf").read_bytes().startswith(b"%PDF"):
        raise CheckFailed(f"kiosk cards: {pdf}")
    # The printed card, read back by the decoder the kiosk uses, is the text checked in.
    read = (
        "import sys, cv2, zxingcpp; print(zxingcpp.read_barcodes(cv2.imread(sys.argv[1]))[0].text)"
    )
    text = run([str(python), "-c", read, cards["files"][0]], cwd=work, env=env).strip()
    visit = kiosk(work, env, "checkin", text, "--room", "REF")
    if visit["decision"] != "welcome" or visit["member"] != "A0001":
        raise CheckFailed(f"kiosk checkin: {visit}")
    day = visit["local_time"][:10]
    report = kiosk(work, env, "report", "visits", "--from", day, "--to", day)
    if report["total"]["member"] != 1:
        raise CheckFailed(f"kiosk report visits: {report}")
    kiosk(work, env, "report", "visits", "--from", day, "--to", day, "--out", "visits.pdf")
    if not (work / "visits.pdf").read_bytes().startswith(b"%PDF"):
        raise CheckFailed("kiosk report visits --out visits.pdf wrote no PDF")
    served = run([str(python), "-c", FETCH_LOGIN], cwd=work, env=env).split()
    if served != ["200", "200"]:
        raise CheckFailed(f"the dashboard's /login from the wheel: {served}")
    return {
        "wheel": wheel.name,
        "wheel_kib": round(wheel.stat().st_size / 1024),
        "build_s": round(built - started, 1),
        "total_s": round(time.monotonic() - started, 1),
        "schema": init["schema"],
        "commands": ["init", "members add", "cards", "checkin", "report visits", "GET /login"],
    }


def main() -> int:
    keep = "--keep" in sys.argv[1:]
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-wheel-"))
    try:
        print(json.dumps(check(tmp)))
        return 0
    except CheckFailed as e:
        print(f"check_wheel: {e}", file=sys.stderr)
        return 1
    finally:
        if keep:
            print(f"check_wheel: kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
