"""Text read by the camera, made safe to store or log: no card signature survives.

A card code is public except for its signature (10 characters of base32: A-Z, 2-7). Whatever
surrounds it (a prefix, an extra field, a byte-order mark, two codes run together), every run
of four or more base32 characters is masked, so no stored text holds more than three
consecutive characters of any signature. Member numbers with the digits 0, 1, 8 or 9 (as the
library's are) stay readable, so staff can still tell which card was refused.
"""

from __future__ import annotations

import re
import unicodedata

MASK = "*"
ELLIPSIS = "…"
_SIGNATURE_LIKE = re.compile(r"[A-Za-z2-7]{4,}")
_SCAN_LIMIT = 400  # longer input is cut before it is examined: bounded work per refusal


def _visible(text: str) -> str:
    # Fold look-alikes (full-width letters) to ASCII and drop invisible characters (BOM,
    # zero-width space) so neither can split a signature into runs that escape the mask.
    folded = unicodedata.normalize("NFKC", text[:_SCAN_LIMIT])
    return "".join(c for c in folded if unicodedata.category(c) != "Cf")


def redact(text: str, limit: int = 60) -> str:
    """A printable, bounded excerpt of `text` with every signature-like run masked."""
    shown = _visible(text).encode("unicode_escape").decode("ascii")
    masked = _SIGNATURE_LIKE.sub(MASK, shown)
    if len(masked) <= limit and len(text) <= _SCAN_LIMIT:
        return masked
    return masked[:limit] + ELLIPSIS
