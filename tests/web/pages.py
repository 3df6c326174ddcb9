"""Reading the dashboard's pages in tests: a table's cells by its id, the CLI's JSON answer."""

from __future__ import annotations

import contextlib
import io
import json
from html.parser import HTMLParser
from typing import Any

from kiosk.cli import main as kiosk_main


class _Tables(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.depth = table_id, False, 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tbody":
            self.in_body = True
        elif self.inside and self.in_body and tag == "tr":
            self.rows.append([])
        elif self.inside and self.in_body and tag == "td":
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if self.inside and tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif self.inside and tag == "table":
            self.inside = self.in_body = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table(html: str, table_id: str) -> list[list[str]]:
    """The body rows of the table with this id, each cell's text with spaces tidied."""
    parser = _Tables(table_id)
    parser.feed(html)
    assert parser.rows or f'id="{table_id}"' in html, f"no table {table_id} on the page"
    return parser.rows


def cli_json(database_url: str, *args: str) -> Any:
    """`kiosk --db URL ARGS --json`: the command's JSON answer."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = kiosk_main(["--db", database_url, *args, "--json"])
    assert code == 0, out.getvalue()
    return json.loads(out.getvalue().strip().splitlines()[-1])
