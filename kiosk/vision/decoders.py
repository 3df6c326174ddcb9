"""Barcode decoders: zxing-cpp (default) and ZBar through pyzbar (selectable).

zxing-cpp is the default: on this kiosk's hardware it decodes a 1280x720 frame in a few
milliseconds and reads more of the tilted, blurred cards than ZBar (tools/bench_scan.py
measures both side by side). pyzbar needs the system library libzbar0; when it is missing,
asking for that engine raises `DecoderUnavailable` with the reason and the default still works.

Every frame goes through `as_grey()` first, so a wrong frame (None, empty, float, 4 channels)
is refused with a logged reason instead of crashing the camera loop.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np

log = logging.getLogger(__name__)

ENGINES = ("zxing", "pyzbar")
DEFAULT_ENGINE = "zxing"
QR = "QR_CODE"
Outline = tuple[tuple[float, float], ...]  # 4 corners in frame pixels
CODE128 = "CODE_128"
MAX_TEXT = 512  # card payloads are ~30 characters; anything longer is not a card


class DecoderUnavailable(RuntimeError):
    """The chosen engine cannot run here; the message says why and what to install."""


class BadFrame(ValueError):
    """A frame the decoders cannot use (None, empty, wrong shape or type)."""


@dataclass(frozen=True)
class Code:
    """One decoded symbol. `corners` are 4 [x, y] points in frame pixels (tl, tr, br, bl)."""

    text: str
    format: str
    corners: tuple[tuple[int, int], ...]
    binary: bool = False  # the payload was not text (not valid UTF-8 / binary content)
    oversized: bool = False  # the text was cut to MAX_TEXT characters

    @property
    def card_like(self) -> bool:
        """Could this be a member card? Binary and oversized payloads never are."""
        return not (self.binary or self.oversized) and bool(self.text)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "format": self.format,
            "corners": [list(p) for p in self.corners],
        }
        if self.binary:
            out["binary"] = True
        if self.oversized:
            out["oversized"] = True
        return out


def bounded_text(data: bytes | str, max_len: int = MAX_TEXT) -> tuple[str, bool, bool]:
    """(text, binary, oversized): decode bytes as UTF-8 if they are, cut to `max_len`."""
    binary = False
    if isinstance(data, bytes):
        head = data[: max_len * 4 + 4]  # enough bytes for max_len characters
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A cut in the middle of a character at the end is still text.
            if exc.start >= len(head) - 3 and len(data) > len(head):
                text = head[: exc.start].decode("utf-8")
            else:
                text = head.decode("utf-8", errors="replace")
                binary = True
        oversized = len(data) > len(head) or len(text) > max_len
    else:
        text = data
        oversized = len(text) > max_len
    if any(c in text for c in "\x00\ufffd"):
        binary = True
    return text[:max_len], binary, oversized


def as_grey(frame: Any) -> np.ndarray:
    """A contiguous 2-D uint8 view of `frame`, or raise BadFrame saying what is wrong."""
    if frame is None:
        raise BadFrame("no frame (None)")
    if not isinstance(frame, np.ndarray):
        raise BadFrame(f"not an image array: {type(frame).__name__}")
    if frame.size == 0 or frame.ndim not in (2, 3) or min(frame.shape[:2]) < 8:
        raise BadFrame(f"unusable frame shape {frame.shape}")
    if frame.dtype != np.uint8:
        if frame.dtype == np.bool_ or not np.issubdtype(frame.dtype, np.number):
            raise BadFrame(f"unusable frame type {frame.dtype}")
        f = np.nan_to_num(frame.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        top = float(f.max()) if f.size else 0.0
        # Floats from image libraries are 0..1; 16-bit sensors give 0..65535.
        scale = 255.0 if top <= 1.0 else 255.0 / top if top > 255 else 1.0
        frame = np.clip(f * scale, 0, 255).astype(np.uint8)
    if frame.ndim == 3:
        channels = frame.shape[2]
        if channels == 1:
            frame = frame[:, :, 0]
        elif channels == 3:
            frame = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        elif channels == 4:
            frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
        else:
            raise BadFrame(f"unusable channel count {channels}")
    return np.ascontiguousarray(frame)


def ordered_corners(points: Sequence[Sequence[float]]) -> tuple[tuple[int, int], ...]:
    """4 corners clockwise from the top-left-most, whatever the engine's own order."""
    pts = np.asarray(points, dtype=np.float32).reshape(-1, 2)
    if len(pts) != 4:
        box = cv2.boxPoints(cv2.minAreaRect(pts)) if len(pts) >= 1 else np.zeros((4, 2))
        pts = np.asarray(box, dtype=np.float32)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise in image coordinates (y down)
    start = int(np.argmin(pts.sum(axis=1)))
    pts = np.roll(pts, -start, axis=0)
    return tuple((int(round(x)), int(round(y))) for x, y in pts)


class Decoder(Protocol):
    name: str
    legacy: bool

    def decode(self, frame: Any) -> list[Code]:
        """Codes in `frame` (raises BadFrame for an unusable frame)."""


class _Base:
    """Shared preprocessing: grey, downscale big frames, retry the centre at full size.

    A card at arm's length fills a good part of the frame, so a half-size 1280x720 frame still
    has 3+ pixels per QR module and decodes faster; when that finds nothing, the centre region at
    full resolution gets a second try (a small, far card). tools/bench_scan.py measures this
    against decoding the full frame once: for ZBar it is 3x faster and reads more hard frames;
    zxing-cpp does its own downscaling, so it gets the full frame (scale_to=0).
    """

    name = "base"

    def __init__(self, legacy: bool = False, scale_to: int = 640, retry_centre: bool = True):
        self.legacy = legacy
        self.scale_to = scale_to  # longest side after scaling; 0 keeps the frame's size
        self.retry_centre = retry_centre

    def _read(self, grey: np.ndarray, binarizer: str = "local") -> list[Code]:  # pragma: no cover
        raise NotImplementedError

    def read(self, grey: np.ndarray, binarizer: str = "local") -> list[Code]:
        """One engine pass over a prepared grey image, as it is (no scaling, no retry)."""
        return self._read(grey, binarizer)

    def decode(self, frame: Any) -> list[Code]:
        grey = as_grey(frame)
        h, w = grey.shape
        longest = max(h, w)
        scale = 1.0
        small = grey
        if self.scale_to and longest > self.scale_to * 1.25:
            scale = self.scale_to / longest
            small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        codes = self._read(small)
        if scale != 1.0 and codes:
            codes = [rescaled(c, 1 / scale, 0, 0) for c in codes]
        if not codes and self.retry_centre and scale != 1.0:
            y0, x0 = h // 6, w // 6
            region = np.ascontiguousarray(grey[y0 : h - y0, x0 : w - x0])
            codes = [rescaled(c, 1.0, x0, y0) for c in self._read(region)]
        return codes


def rescaled(code: Code, factor: float, dx: int, dy: int) -> Code:
    corners = tuple(
        (int(round(x * factor)) + dx, int(round(y * factor)) + dy) for x, y in code.corners
    )
    return Code(code.text, code.format, corners, code.binary, code.oversized)


class ZxingDecoder(_Base):
    """zxing-cpp on the whole grey frame: it already searches a downscaled pyramid itself, and
    our own half-size pass lost hard reads for 0.3 ms saved (tools/bench_scan.py)."""

    name = "zxing"

    def __init__(self, legacy: bool = False, scale_to: int = 0, retry_centre: bool = True):
        super().__init__(legacy, scale_to, retry_centre)
        import zxingcpp

        self._zx = zxingcpp
        f = zxingcpp.BarcodeFormat
        # zxing-cpp 3's QRCode is the whole family (Micro QR and rMQR too): a Micro QR "found"
        # in a card's module pattern once gave a wrong text. Ask for plain QR only (Model 2;
        # zxing-cpp 2 has no such name and its QRCode is plain QR) and keep only the formats
        # named below, whatever a binding version reports.
        plain = getattr(f, "QRCodeModel2", f.QRCode)
        self._names = {f.QRCode: QR, plain: QR}
        fmts = [plain]
        if legacy:
            fmts.append(f.Code128)
            self._names[f.Code128] = CODE128
        self._formats = tuple(fmts)

    def _read(self, grey: np.ndarray, binarizer: str = "local") -> list[Code]:
        """`binarizer`: "local" (zxing's default, local averages), "global" (one histogram
        threshold: better for soft, blurred edges) or "fixed" (the image is already black and
        white)."""
        return self._codes(self._search(grey, binarizer, errors=False))

    def read_seen(self, grey: np.ndarray) -> tuple[list[Code], list[Outline]]:
        """One pass over `grey` as it is: the codes read, and the outlines of the symbols zxing
        located (finder patterns found) but could not decode. A frame with neither holds no
        code a slower engine could read (tools/bench_scan.py measures it)."""
        found = self._search(grey, "local", errors=True)
        return self._codes(b for b in found if b.valid), [
            _outline(b) for b in found if not b.valid and b.format in self._names
        ]

    def _search(self, grey: np.ndarray, binarizer: str, errors: bool) -> list[Any]:
        zx = self._zx
        kind = {
            "local": zx.Binarizer.LocalAverage,
            "global": zx.Binarizer.GlobalHistogram,
            "fixed": zx.Binarizer.FixedThreshold,
        }[binarizer]
        # Inverted (light-on-dark) codes are not printed on our cards: skip that pass.
        return zx.read_barcodes(
            grey, formats=self._formats, try_invert=False, binarizer=kind, return_errors=errors
        )

    def _codes(self, found: Iterable[Any]) -> list[Code]:
        zx = self._zx
        out = []
        for b in found:
            fmt = self._names.get(b.format)
            if fmt is None:  # Micro QR, rMQR (or Code 128 without legacy cards): not ours
                continue
            if b.content_type in (zx.ContentType.Text, zx.ContentType.GS1):
                text, binary, oversized = bounded_text(b.text)
            else:
                text, binary, oversized = bounded_text(bytes(b.bytes))
                binary = binary or b.content_type == zx.ContentType.Binary
            out.append(Code(text, fmt, ordered_corners(_outline(b)), binary, oversized))
        return out


def _outline(barcode: Any) -> Outline:
    """zxing's corners in the symbol's own order (top-left of the code first, whatever its
    turn in the frame)."""
    p = barcode.position
    return tuple(
        (float(q.x), float(q.y)) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
    )


class PyzbarDecoder(_Base):
    name = "pyzbar"

    def __init__(self, legacy: bool = False, scale_to: int = 640, retry_centre: bool = True):
        super().__init__(legacy, scale_to, retry_centre)
        try:
            from pyzbar import pyzbar
        except ImportError as exc:  # pyzbar raises ImportError when libzbar0 is missing
            raise DecoderUnavailable(
                f"the pyzbar engine needs the ZBar library (install the system package "
                f"libzbar0, e.g. `apt install libzbar0`); use --engine zxing instead ({exc})"
            ) from exc
        except OSError as exc:
            raise DecoderUnavailable(f"the ZBar library could not be loaded: {exc}") from exc
        self._zbar = pyzbar
        syms = [pyzbar.ZBarSymbol.QRCODE]
        if legacy:
            syms.append(pyzbar.ZBarSymbol.CODE128)
        self._symbols = syms
        self._names = {"QRCODE": QR, "CODE128": CODE128}

    def _read(self, grey: np.ndarray, binarizer: str = "local") -> list[Code]:
        out = []  # ZBar has one binarizer of its own
        for d in self._zbar.decode(grey, symbols=self._symbols):
            text, binary, oversized = bounded_text(d.data)
            pts = [(p.x, p.y) for p in d.polygon] or [
                (d.rect.left, d.rect.top),
                (d.rect.left + d.rect.width, d.rect.top + d.rect.height),
            ]
            out.append(
                Code(text, self._names.get(d.type, d.type), ordered_corners(pts), binary, oversized)
            )
        return out


def make_decoder(engine: str = DEFAULT_ENGINE, legacy: bool = False, **options: Any) -> Decoder:
    """The decoder for `engine` ("zxing" or "pyzbar"); DecoderUnavailable says why not."""
    if engine == "zxing":
        try:
            return ZxingDecoder(legacy=legacy, **options)
        except ImportError as exc:
            raise DecoderUnavailable(
                f"the zxing engine needs the zxing-cpp package: {exc}"
            ) from exc
    if engine == "pyzbar":
        return PyzbarDecoder(legacy=legacy, **options)
    raise DecoderUnavailable(
        f"unknown decoder engine {engine!r}; choose one of {', '.join(ENGINES)}"
    )


def engine_status() -> dict[str, str | None]:
    """For the staff screen: each engine and why it can't run (None when it can)."""
    status: dict[str, str | None] = {}
    for engine in ENGINES:
        try:
            make_decoder(engine)
            status[engine] = None
        except DecoderUnavailable as exc:
            status[engine] = str(exc)
    return status


def safe_decode(decoder: Decoder, frame: Any) -> list[Code]:
    """Decode, logging and skipping a bad frame or an engine error instead of raising."""
    try:
        return decoder.decode(frame)
    except BadFrame as exc:
        log.warning("skipped a camera frame: %s", exc)
    except Exception:  # an engine bug on one odd frame must not stop the kiosk's camera loop
        log.exception("the %s decoder failed on a frame", getattr(decoder, "name", "?"))
    return []
