"""Synthetic camera scenes: member cards held up to a kiosk camera.

Used by the demo feed (tools/make_feed.py), the scan benchmark (tools/bench_scan.py) and the
vision tests, so all three see the same degradations: perspective tilt, motion blur, sensor
noise, light changes, glare and webcam JPEG compression.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import qrcode
import qrcode.constants

from kiosk.adapters.render.cards import CardFace, render_card

# ID-1 card face, 85.6 x 54 mm.
CARD_MM = (85.6, 54.0)


def qr_array(text: str, box: int = 8, border: int = 4) -> np.ndarray:
    """A QR code (error correction M, like the printed cards) as a grey uint8 array."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box, border=border
    )
    qr.add_data(text)
    qr.make(fit=True)
    return np.array(qr.make_image().convert("L"), dtype=np.uint8)


def card_face(text: str, name: str = "", number: str = "", px_per_mm: float = 8.0) -> np.ndarray:
    """The member card as the kiosk prints it (kiosk.adapters.render.cards), as a BGR array."""
    parts = text.split(":")
    shown = number or (parts[2] if len(parts) > 2 else text[:16])  # LK1:K1:<number>:...
    face = CardFace(number=shown, name=name or "Anggota Perpustakaan", payload=text)
    image = render_card(face, "Perpustakaan Kota Lubuklinggau", dpi=round(px_per_mm * 25.4))
    return cv2.cvtColor(np.array(image), cv2.COLOR_RGB2BGR)


def background(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A cluttered room-like scene without any code: gradients, shapes, lines and text."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    base = rng.uniform(60, 170, 3).astype(np.float32)
    slope = rng.uniform(-60, 60, 3).astype(np.float32)
    img = base + slope * (xs / width)[..., None] + (ys / height * 30)[..., None]
    img = np.clip(img, 0, 255).astype(np.uint8)
    for _ in range(12):
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1, y1 = x0 + int(rng.integers(20, width // 3)), y0 + int(rng.integers(20, height // 3))
        if rng.random() < 0.5:
            cv2.rectangle(img, (x0, y0), (x1, y1), colour, -1)
        else:
            cv2.line(img, (x0, y0), (x1, y1), colour, int(rng.integers(1, 6)))
    for _ in range(4):  # shelf labels and posters: text and stripes that are not codes
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        org = (int(rng.integers(0, width - 100)), int(rng.integers(20, height)))
        cv2.putText(img, "BACA BUKU 2016", org, cv2.FONT_HERSHEY_SIMPLEX, 0.8, colour, 2)
    return img


@dataclass
class Pose:
    """Where the card is: centre (fraction of frame), width (fraction of frame width), angles."""

    cx: float = 0.5
    cy: float = 0.5
    width: float = 0.45
    roll: float = 0.0  # degrees, in the image plane
    tilt_x: float = 0.0  # degrees, top edge away from / towards the camera
    tilt_y: float = 0.0  # degrees, left/right edge away


@dataclass
class Look:
    """Image degradations applied after the card is placed."""

    blur: float = 0.0  # motion blur length in pixels
    blur_angle: float = 0.0
    noise: float = 3.0  # sensor noise sigma (grey levels)
    gain: float = 1.0  # overall light level
    light_slope: float = 0.0  # left-to-right light change, fraction of gain
    glare: float = 0.0  # peak brightness added by a specular highlight (0..255)
    glare_at: tuple[float, float] = (0.5, 0.5)  # glare centre on the card (fractions)
    jpeg: int = 0  # webcam JPEG quality, 0 = none
    defocus: float = 0.0  # out-of-focus blur sigma in pixels (card held too close)
    shadow: float = 0.0  # darkening of the shadowed part of the card (0..1), e.g. a hand
    shadow_at: float = 0.5  # where the shadow's edge crosses the card (fraction of its width)


def card_corners(pose: Pose, frame_w: int, frame_h: int, card_aspect: float) -> np.ndarray:
    """Project the card's 4 corners (tl, tr, br, bl) with a pinhole camera."""
    f = frame_w * 1.1
    half_w = 0.5
    half_h = 0.5 / card_aspect
    pts = np.array(
        [[-half_w, -half_h, 0], [half_w, -half_h, 0], [half_w, half_h, 0], [-half_w, half_h, 0]],
        dtype=np.float64,
    )
    ax, ay, az = (math.radians(a) for a in (pose.tilt_x, pose.tilt_y, pose.roll))
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    pts = pts @ (rz @ ry @ rx).T
    # Distance that makes the untilted card `pose.width` of the frame wide.
    dist = f / (pose.width * frame_w)
    pts[:, 2] += dist
    u = pts[:, 0] / pts[:, 2] * f + pose.cx * frame_w
    v = pts[:, 1] / pts[:, 2] * f + pose.cy * frame_h
    return np.stack([u, v], axis=1).astype(np.float32)


def _motion_kernel(length: float, angle: float) -> np.ndarray:
    n = max(1, int(round(length)))
    k = np.zeros((n, n), np.float32)
    k[n // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D(((n - 1) / 2, (n - 1) / 2), angle, 1.0)
    k = cv2.warpAffine(k, rot, (n, n))
    return k / max(k.sum(), 1e-6)


_NOISE_BANK: dict[tuple[int, int], list[np.ndarray]] = {}


def _unit_noise(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-sigma sensor noise; a few fields per size are reused (fresh noise is slow to draw)."""
    bank = _NOISE_BANK.setdefault((h, w), [])
    if len(bank) < 4:
        field_ = np.empty((h, w, 3), np.float32)
        cv2.randn(field_, 0.0, 1.0)
        bank.append(field_)
        return field_
    return bank[int(rng.integers(0, len(bank)))]


def compose(
    scene: np.ndarray,
    card: np.ndarray | None,
    pose: Pose,
    look: Look,
    rng: np.random.Generator,
) -> np.ndarray:
    """Place `card` in `scene` at `pose` and apply `look`. Returns a new BGR uint8 frame."""
    h, w = scene.shape[:2]
    frame = scene.copy()
    if card is not None:
        ch, cw = card.shape[:2]
        dst = card_corners(pose, w, h, cw / ch)
        pad = int(look.blur) + 2
        x0 = max(0, int(dst[:, 0].min()) - pad)
        y0 = max(0, int(dst[:, 1].min()) - pad)
        x1 = min(w, int(dst[:, 0].max()) + pad + 1)
        y1 = min(h, int(dst[:, 1].max()) + pad + 1)
        if x1 - x0 > 2 and y1 - y0 > 2:
            # Only the card's bounding box is warped, lit and blurred: much faster at 1280x720.
            src = np.array([[0, 0], [cw - 1, 0], [cw - 1, ch - 1], [0, ch - 1]], np.float32)
            m = cv2.getPerspectiveTransform(src, dst - np.array([x0, y0], np.float32))
            size = (x1 - x0, y1 - y0)
            alpha = card[:, :, 3] / 255.0 if card.shape[2] == 4 else np.ones((ch, cw))
            card = card[:, :, :3]
            warped = cv2.warpPerspective(card, m, size, flags=cv2.INTER_LINEAR).astype(np.float32)
            mask = cv2.warpPerspective(alpha.astype(np.float32), m, size)[..., None]
            if look.glare > 0:
                gx, gy = look.glare_at
                pt = np.array([[[gx * cw, gy * ch]]], np.float32)
                centre = cv2.perspectiveTransform(pt, m)[0, 0]
                radius = max(4.0, float(np.linalg.norm(dst[1] - dst[0])) * 0.18)
                ys, xs = np.ogrid[0 : size[1], 0 : size[0]]
                d2 = ((xs - centre[0]) ** 2 + (ys - centre[1]) ** 2).astype(np.float32)
                warped += (look.glare * np.exp(-d2 / (2 * radius * radius)))[..., None] * mask
            if look.shadow > 0:
                # A soft-edged shadow over part of the card (a hand, the visitor's head).
                edge = np.array([[[look.shadow_at * cw, 0.0], [look.shadow_at * cw + 1, ch]]])
                (ex0, ey0), (ex1, ey1) = cv2.perspectiveTransform(edge.astype(np.float32), m)[0]
                ys, xs = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
                side = (xs - ex0) * (ey1 - ey0) - (ys - ey0) * (ex1 - ex0)
                soft = max(2.0, float(np.linalg.norm(dst[1] - dst[0])) * 0.03)
                scale = np.hypot(ex1 - ex0, ey1 - ey0) * soft
                dark = 1 / (1 + np.exp(-side / max(scale, 1e-3)))
                warped *= (1 - look.shadow * dark)[..., None]
            roi = frame[y0:y1, x0:x1].astype(np.float32)
            roi = roi * (1 - mask) + warped * mask
            if look.defocus > 0.3:
                roi = cv2.GaussianBlur(roi, (0, 0), look.defocus)
            if look.blur >= 2:
                roi = cv2.filter2D(roi, -1, _motion_kernel(look.blur, look.blur_angle))
            frame[y0:y1, x0:x1] = np.clip(roi, 0, 255).astype(np.uint8)
    out = frame.astype(np.float32)
    if look.gain != 1.0 or look.light_slope:
        ramp = look.gain * (1 + look.light_slope * (np.arange(w, dtype=np.float32) / w - 0.5))
        out *= ramp[None, :, None]
    if look.noise > 0:
        out += _unit_noise(h, w, rng) * np.float32(look.noise)
    frame = np.clip(out, 0, 255).astype(np.uint8)
    if look.jpeg:
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(look.jpeg)])
        if ok:
            frame = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return frame


def ordinary_look(rng: np.random.Generator) -> Look:
    """A visitor holding a card still-ish under the entrance's lights."""
    return Look(
        blur=float(rng.uniform(0, 5)),
        blur_angle=float(rng.uniform(0, 180)),
        noise=float(rng.uniform(2, 6)),
        gain=float(rng.uniform(0.6, 1.15)),
        light_slope=float(rng.uniform(-0.4, 0.4)),
        glare=float(rng.uniform(0, 90)) if rng.random() < 0.3 else 0.0,
        glare_at=(float(rng.uniform(0.1, 0.9)), float(rng.uniform(0.1, 0.9))),
        jpeg=int(rng.integers(70, 95)),
    )


def ordinary_pose(rng: np.random.Generator) -> Pose:
    return Pose(
        cx=float(rng.uniform(0.35, 0.65)),
        cy=float(rng.uniform(0.35, 0.65)),
        width=float(rng.uniform(0.35, 0.7)),
        roll=float(rng.uniform(-25, 25)),
        tilt_x=float(rng.uniform(-30, 30)),
        tilt_y=float(rng.uniform(-30, 30)),
    )


def hard_look(rng: np.random.Generator) -> Look:
    """Fast hands, dim light, strong glare: some of these frames are unreadable by design."""
    return Look(
        blur=float(rng.uniform(4, 16)),
        blur_angle=float(rng.uniform(0, 180)),
        noise=float(rng.uniform(5, 14)),
        gain=float(rng.uniform(0.3, 1.3)),
        light_slope=float(rng.uniform(-0.8, 0.8)),
        glare=float(rng.uniform(80, 200)),
        glare_at=(float(rng.uniform(0.55, 0.95)), float(rng.uniform(0.3, 0.8))),
        jpeg=int(rng.integers(40, 80)),
    )


def hard_pose(rng: np.random.Generator) -> Pose:
    return Pose(
        cx=float(rng.uniform(0.25, 0.75)),
        cy=float(rng.uniform(0.25, 0.75)),
        width=float(rng.uniform(0.22, 0.85)),
        roll=float(rng.uniform(-180, 180)),
        tilt_x=float(rng.uniform(-50, 50)),
        tilt_y=float(rng.uniform(-50, 50)),
    )


@dataclass
class FeedFrame:
    image: np.ndarray
    card: str | None  # the text of the card in view, None for an empty scene
    phase: str  # empty | approach | tilt | hold | leave
    presentation: int  # which presentation (0-based), -1 between cards


@dataclass
class Presentation:
    """One visitor presenting one card: approach, tilt, hold, leave."""

    text: str
    face: np.ndarray
    approach: int = 10
    tilt: int = 10
    hold: int = 15
    leave: int = 8
    gap: int = 12  # empty frames after the card left
    extras: dict = field(default_factory=dict)


def _lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def presentation_frames(
    p: Presentation,
    index: int,
    scene: np.ndarray,
    rng: np.random.Generator,
    look_fn=ordinary_look,
    pose_fn=None,
) -> Iterator[FeedFrame]:
    """Frames of one presentation over `scene`, with realistic motion between the phases."""
    base_look = look_fn(rng)
    side = rng.choice([-1.0, 1.0])
    start = Pose(
        cx=0.5 + side * 0.75,
        cy=float(rng.uniform(0.6, 1.0)),
        width=0.25,
        roll=float(rng.uniform(-40, 40)),
        tilt_x=float(rng.uniform(-45, 45)),
        tilt_y=float(rng.uniform(-45, 45)),
    )
    held = (pose_fn or ordinary_pose)(rng)
    end_cx = 0.5 - side * 0.8 if rng.random() < 0.5 else 0.5 + side * 0.8

    def pose_between(a: Pose, b: Pose, t: float) -> Pose:
        return Pose(
            *(
                _lerp(getattr(a, k), getattr(b, k), t)
                for k in ("cx", "cy", "width", "roll", "tilt_x", "tilt_y")
            )
        )

    def look_with(blur: float, angle: float) -> Look:
        lk = Look(**{**base_look.__dict__})
        lk.blur = max(base_look.blur, blur)
        lk.blur_angle = angle
        lk.gain = base_look.gain * float(rng.uniform(0.95, 1.05))  # auto-exposure flicker
        return lk

    steps: list[tuple[str, Pose, Look]] = []
    for i in range(p.approach):
        t = (i + 1) / p.approach
        speed = (1 - t) * 40  # fast at first, slowing down
        steps.append(("approach", pose_between(start, held, t), look_with(speed, 0)))
    wobble = (float(rng.uniform(8, 20)), float(rng.uniform(8, 20)))
    for i in range(p.tilt):
        ph = 2 * math.pi * i / max(1, p.tilt)
        pose = Pose(
            held.cx,
            held.cy,
            held.width,
            held.roll,
            held.tilt_x + wobble[0] * math.sin(ph),
            held.tilt_y + wobble[1] * math.cos(ph),
        )
        steps.append(("tilt", pose, look_with(3, 90)))
    for _ in range(p.hold):
        pose = Pose(
            held.cx + float(rng.normal(0, 0.004)),
            held.cy + float(rng.normal(0, 0.004)),
            held.width,
            held.roll,
            held.tilt_x,
            held.tilt_y,
        )
        steps.append(("hold", pose, look_with(0, 0)))
    gone = Pose(end_cx, held.cy + 0.3, held.width * 0.8, held.roll + 30, held.tilt_x, held.tilt_y)
    for i in range(p.leave):
        t = (i + 1) / p.leave
        steps.append(("leave", pose_between(held, gone, t), look_with(10 + 30 * t, 0)))
    for phase, pose, look in steps:
        yield FeedFrame(compose(scene, p.face, pose, look, rng), p.text, phase, index)
    for _ in range(p.gap):
        yield FeedFrame(compose(scene, None, Pose(), base_look, rng), None, "empty", -1)


FOURCC_BY_SUFFIX = {".avi": "MJPG", ".mp4": "mp4v", ".mkv": "MJPG"}


def demo_payload(i: int) -> str:
    """A card-shaped payload for demo cards (not signed with any library key)."""
    return f"LK1:K1:M2016{i:03d}:1:DEMO{i:06d}"[:32]


def load_card_faces(paths: list[str], px_per_mm: float = 8.0) -> list[tuple[str, np.ndarray]]:
    """Card face PNGs (e.g. from `kiosk cards --format png`) with the QR text each one holds."""
    import zxingcpp

    faces = []
    width = round(CARD_MM[0] * px_per_mm)
    for path in paths:
        img = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError(f"not a readable image: {path}")
        found = zxingcpp.read_barcodes(img, formats=(zxingcpp.BarcodeFormat.QRCode,))
        if not found:
            raise ValueError(f"no QR code found on card image {path}")
        if img.shape[1] > width:
            img = cv2.resize(
                img,
                (width, round(img.shape[0] * width / img.shape[1])),
                interpolation=cv2.INTER_AREA,
            )
        faces.append((found[0].text, img))
    return faces


def write_feed(
    faces: list[tuple[str, np.ndarray]],
    out: str,
    size: tuple[int, int] = (1280, 720),
    fps: float = 30.0,
    seed: int = 1,
    repeat_first: bool = True,
    hard_every: int = 0,
) -> list[dict]:
    """Render visitors presenting `faces` to a camera into a video; returns per-frame truth.

    MJPG in .avi and mp4v in .mp4 both write and read back with opencv-python-headless (its
    FFmpeg has no H.264 encoder). With `repeat_first` the first card is shown again at the end,
    so a feed exercises "same card again after it left" as well.
    """
    suffix = Path(out).suffix.lower()
    fourcc = FOURCC_BY_SUFFIX.get(suffix)
    if fourcc is None:
        raise ValueError(f"use a .avi, .mp4 or .mkv file name, not {out!r}")
    rng = np.random.default_rng(seed)
    w, h = size
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*fourcc), fps, (w, h))
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write {out} with {fourcc}")
    truth: list[dict] = []
    order = list(faces) + ([faces[0]] if repeat_first and faces else [])
    try:
        scene = background(w, h, rng)
        for _ in range(int(fps // 2)):  # an empty entrance before the first visitor
            writer.write(compose(scene, None, Pose(), ordinary_look(rng), rng))
            truth.append({"card": None, "phase": "empty", "presentation": -1})
        for i, (text, face) in enumerate(order):
            if i and i % 5 == 0:
                scene = background(w, h, rng)  # light and people behind change over the day
            look = hard_look if hard_every and i % hard_every == hard_every - 1 else ordinary_look
            p = Presentation(
                text,
                face,
                approach=int(rng.integers(6, 12)),
                tilt=int(rng.integers(6, 12)),
                hold=int(rng.integers(8, 20)),
                leave=int(rng.integers(5, 10)),
                gap=int(rng.integers(10, 20)),
            )
            for ff in presentation_frames(p, i, scene, rng, look_fn=look):
                writer.write(ff.image)
                truth.append({"card": ff.card, "phase": ff.phase, "presentation": ff.presentation})
    finally:
        writer.release()
    return truth


# --- the hard set ------------------------------------------------------------------------------
# What real cameras meet at a library entrance, one condition at a time, each on top of ordinary
# noise and JPEG: the cascade of preprocessing variants (kiosk.vision.variants) is tuned on these
# and on plain QR codes of other versions, never on one layout alone.


def plain_qr(text: str, ec: str = "M", box: int = 8) -> np.ndarray:
    """A QR code of any version on a white label (4-module quiet zone), as a BGR array."""
    levels = {
        "L": qrcode.constants.ERROR_CORRECT_L,
        "M": qrcode.constants.ERROR_CORRECT_M,
        "Q": qrcode.constants.ERROR_CORRECT_Q,
        "H": qrcode.constants.ERROR_CORRECT_H,
    }
    qr = qrcode.QRCode(error_correction=levels[ec], box_size=box, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    grey = np.array(qr.make_image().convert("L"), dtype=np.uint8)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)


def other_payload(rng: np.random.Generator) -> str:
    """Text for a plain QR code of another version: URLs, numbers, longer notes."""
    words = ["perpustakaan", "buku", "baca", "lubuklinggau", "anak", "koleksi", "ruang", "kota"]
    kind = int(rng.integers(0, 4))
    if kind == 0:
        return "https://perpustakaan.example.id/" + "/".join(rng.choice(words, 2))
    if kind == 1:
        return "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(8, 40))))
    n = int(rng.integers(3, 30)) if kind == 2 else int(rng.integers(30, 60))
    return " ".join(str(w) for w in rng.choice(words, n)).capitalize() + "."


def bent(face: np.ndarray, amount: float) -> np.ndarray:
    """The face of a card bent around a vertical axis (held between fingers): its columns
    foreshorten towards the edges and its rows sag; `amount` is the sag, fraction of height."""
    h, w = face.shape[:2]
    pad = int(h * abs(amount)) + 2
    out_h = h + pad
    u = np.linspace(-1, 1, w, dtype=np.float32)
    src_x = (np.arcsin(u * 0.6) / np.arcsin(0.6) + 1) * (w - 1) / 2
    sag = amount * h * (1 - u * u)
    ys = np.arange(out_h, dtype=np.float32)[:, None] - sag[None, :] - (pad if amount < 0 else 0)
    map_x = np.broadcast_to(src_x[None, :], (out_h, w)).astype(np.float32)
    shade = (0.75 + 0.25 * np.cos(u * np.pi / 2.2))[None, :, None]  # the sides turn from the light
    out = cv2.remap(face, map_x, ys.astype(np.float32), cv2.INTER_LINEAR)
    inside = ((ys >= 0) & (ys <= h - 1)).astype(np.uint8) * 255  # alpha: the scene shows outside
    return np.dstack([np.clip(out * shade, 0, 255).astype(np.uint8), inside])


def worn(face: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A card carried for years: faded print, scratches, a crease and a stain."""
    h, w = face.shape[:2]
    out = face.astype(np.float32)
    fade = float(rng.uniform(0.45, 0.7))
    out = 255 - (255 - out) * fade
    for _ in range(int(rng.integers(6, 16))):  # scratches through the print
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        angle = float(rng.uniform(0, np.pi))
        length = float(rng.uniform(0.1, 0.5)) * w
        x1, y1 = int(x0 + length * np.cos(angle)), int(y0 + length * np.sin(angle))
        cv2.line(out, (x0, y0), (x1, y1), (235, 235, 235), int(rng.integers(1, 3)))
    # A crease: a bright ridge next to a dark fold line, across the whole card.
    x = int(rng.uniform(0.3, 0.8) * w)
    tilt = int(rng.uniform(-0.2, 0.2) * h)
    cv2.line(out, (x - tilt, 0), (x + tilt, h), (70, 70, 70), 2)
    cv2.line(out, (x - tilt + 3, 0), (x + tilt + 3, h), (255, 255, 255), 2)
    stain = np.zeros((h, w), np.float32)
    cv2.circle(stain, (int(rng.integers(0, w)), int(rng.integers(0, h))), int(0.12 * h), 1.0, -1)
    stain = cv2.GaussianBlur(stain, (0, 0), 0.05 * h)
    out *= (1 - 0.35 * stain)[..., None] * np.array([0.9, 0.95, 1.0], np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def _mild(rng: np.random.Generator, **changes: float) -> Look:
    look = Look(
        noise=float(rng.uniform(2, 5)),
        gain=float(rng.uniform(0.8, 1.1)),
        jpeg=int(rng.integers(70, 92)),
        blur=float(rng.uniform(0, 2)),
        blur_angle=float(rng.uniform(0, 180)),
    )
    for k, v in changes.items():
        setattr(look, k, v)
    return look


def _steep_pose(rng: np.random.Generator) -> Pose:
    pose = ordinary_pose(rng)
    pose.tilt_x = float(rng.choice([-1, 1]) * rng.uniform(40, 60))
    pose.tilt_y = float(rng.choice([-1, 1]) * rng.uniform(30, 55))
    pose.roll = float(rng.uniform(-180, 180))
    return pose


def _any_roll_pose(rng: np.random.Generator) -> Pose:
    pose = ordinary_pose(rng)
    pose.roll = float(rng.uniform(-180, 180))
    return pose


@dataclass(frozen=True)
class Condition:
    """One hard condition: how the card is held, how it looks, what years did to it."""

    name: str
    pose: object  # Callable[[Generator], Pose]
    look: object  # Callable[[Generator], Look]
    face: object = None  # Callable[[ndarray, Generator], ndarray] or None


HARD_CONDITIONS = (
    Condition(
        "glare",
        _any_roll_pose,
        lambda r: _mild(
            r,
            glare=float(r.uniform(170, 260)),
            glare_at=(float(r.uniform(0.55, 0.95)), float(r.uniform(0.3, 0.8))),
        ),
    ),  # fmt: skip
    Condition(
        "motion_blur", _any_roll_pose, lambda r: _mild(r, blur=float(r.uniform(7, 16)))
    ),  # fmt: skip
    Condition("defocus", _any_roll_pose, lambda r: _mild(r, defocus=float(r.uniform(2.0, 4.0)))),
    Condition("perspective", _steep_pose, _mild),
    Condition(
        "curved",
        _any_roll_pose,
        _mild,
        lambda f, r: bent(f, float(r.choice([-1, 1]) * r.uniform(0.05, 0.14))),
    ),  # fmt: skip
    Condition(
        "low_light",
        _any_roll_pose,
        lambda r: _mild(r, gain=float(r.uniform(0.12, 0.25)), noise=float(r.uniform(4, 8))),
    ),  # fmt: skip
    Condition(
        "uneven_light",
        _any_roll_pose,
        lambda r: _mild(
            r,
            shadow=float(r.uniform(0.6, 0.85)),
            shadow_at=float(r.uniform(0.55, 0.85)),
            light_slope=float(r.uniform(-0.9, 0.9)),
        ),
    ),  # fmt: skip
    Condition(
        "noise_jpeg",
        _any_roll_pose,
        lambda r: _mild(r, noise=float(r.uniform(14, 24)), jpeg=int(r.integers(20, 40))),
    ),  # fmt: skip
    Condition("worn", _any_roll_pose, _mild, worn),
)


@dataclass
class HardStill:
    condition: str
    subject: str  # card | qr
    text: str | None  # None: an empty scene (no code at all)
    image: np.ndarray


def hard_stills(
    per_condition: int, seed: int = 13, size: tuple[int, int] = (1280, 720), empty: int = 0
) -> Iterator[HardStill]:
    """The hard still set: every condition on the library's cards and on plain QR codes of
    other versions (half each), plus `empty` scenes without a code for false reads."""
    rng = np.random.default_rng(seed)
    w, h = size
    scenes = [background(w, h, rng) for _ in range(6)]
    faces: dict[str, np.ndarray] = {}
    for cond in HARD_CONDITIONS:
        for i in range(per_condition):
            if i % 2 == 0:
                text, subject = demo_payload(int(rng.integers(1, 25))), "card"
                if text not in faces:
                    faces[text] = card_face(text)
                face = faces[text]
            else:
                text, subject = other_payload(rng), "qr"
                face = plain_qr(text, str(rng.choice(list("LMQH"))), box=int(rng.integers(5, 9)))
            if cond.face is not None:
                face = cond.face(face, rng)
            pose = cond.pose(rng)
            if subject == "qr":
                pose.width = min(pose.width, 0.45)  # a square label: as tall as a wide card
            image = compose(scenes[i % len(scenes)], face, pose, cond.look(rng), rng)
            yield HardStill(cond.name, subject, text, image)
    for i in range(empty):
        look = ordinary_look(rng) if i % 2 else hard_look(rng)
        image = compose(scenes[i % len(scenes)], None, Pose(), look, rng)
        yield HardStill("empty", "none", None, image)
