"""Illustrated product cards for the demo catalogue.

The demo loader needs a picture for every sample product (razor clams from
Changjie, Tiepi dendrobium, Lei bamboo shoots, ...).  Shipping JPEGs would bloat
the repository with binary blobs that nobody can review, so the art is drawn
on the fly from Pillow primitives instead: a soft gradient backdrop, a
recognisable vector-style motif with shadows and grain, and a text band with
the product name, e.g.::

    jpeg = render_product_image(motif="razor_clam", title="长街蛭子",
                                subtitle="宁海长街 · 当日鲜捕")

Output is deterministic for identical arguments (all randomness comes from
``random.Random(seed)``), so re-running the loader does not churn media files.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import random
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

__all__ = ["MOTIFS", "render_product_image", "render_product_image_cached"]

Color = tuple[int, int, int, int]
Point = tuple[float, float]

# Drawing happens at twice the output size and is downscaled with LANCZOS:
# Pillow's polygons and ellipses are not anti-aliased, this is the cheap fix.
_SUPERSAMPLE = 2
# Shadows and glows are blurred on a coarse mask; blurring a full-size layer
# would cost more than the whole rest of the drawing.
_SOFT_DOWNSAMPLE = 8
_JPEG_QUALITY = 85
_BAND_RATIO = 0.24  # share of the height used by the title band
_GRAIN_STRENGTH = 9  # peak-to-peak grain in 8-bit levels; subtle on purpose

_FONT_DIRS = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/noto-cjk",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
)
_FONT_FILES = {
    "bold": ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf", "NotoSansSC-Bold.otf"),
    "regular": (
        "NotoSansCJK-Regular.ttc",
        "NotoSansCJKsc-Regular.otf",
        "NotoSansSC-Regular.otf",
    ),
}


# --------------------------------------------------------------------------
# Colour and geometry helpers
# --------------------------------------------------------------------------


def _rgba(value: str | Sequence[int], alpha: int | None = None) -> Color:
    """Accept '#rrggbb' or an RGB(A) tuple so palettes can be written tersely."""
    if isinstance(value, str):
        text = value.lstrip("#")
        if len(text) == 3:
            text = "".join(ch * 2 for ch in text)
        if len(text) != 6:
            raise ValueError(f"Not a hex colour: {value!r}")
        r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
        a = 255
    else:
        r, g, b = value[0], value[1], value[2]
        a = value[3] if len(value) > 3 else 255
    return (r, g, b, a if alpha is None else alpha)


def _mix(a: str | Color, b: str | Color, t: float, alpha: int | None = None) -> Color:
    ca, cb = _rgba(a), _rgba(b)
    mixed = tuple(round(ca[i] + (cb[i] - ca[i]) * t) for i in range(4))
    return _rgba(mixed, alpha)


def _lighter(c: str | Color, t: float, alpha: int | None = None) -> Color:
    return _mix(c, "#ffffff", t, alpha)


def _darker(c: str | Color, t: float, alpha: int | None = None) -> Color:
    return _mix(c, "#000000", t, alpha)


def _luminance(c: Color) -> float:
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in c[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rotate(points: Sequence[Point], angle_deg: float, origin: Point = (0.0, 0.0)) -> list[Point]:
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    ox, oy = origin
    return [(ox + x * ca - y * sa, oy + x * sa + y * ca) for x, y in points]


def _place(points: Sequence[Point], at: Point, angle_deg: float = 0.0, scale: float = 1.0) -> list[Point]:
    """Map shape-local coordinates (designed around 0,0) into the scene."""
    return _rotate([(x * scale, y * scale) for x, y in points], angle_deg, at)


def _ellipse_points(cx: float, cy: float, rx: float, ry: float, angle_deg: float = 0.0, n: int = 40) -> list[Point]:
    pts = [(rx * math.cos(2 * math.pi * i / n), ry * math.sin(2 * math.pi * i / n)) for i in range(n)]
    return _rotate(pts, angle_deg, (cx, cy))


def _arc_points(
    cx: float, cy: float, rx: float, ry: float, start_deg: float, end_deg: float, n: int = 16
) -> list[Point]:
    out = []
    for i in range(n + 1):
        a = math.radians(start_deg + (end_deg - start_deg) * i / n)
        out.append((cx + rx * math.cos(a), cy + ry * math.sin(a)))
    return out


def _rounded_rect_points(w: float, h: float, r: float, n: int = 6) -> list[Point]:
    """A rounded rectangle centred on the origin, as a polygon (rotatable)."""
    r = min(r, w / 2, h / 2)
    corners = (
        (w / 2 - r, h / 2 - r, 0),
        (-w / 2 + r, h / 2 - r, 90),
        (-w / 2 + r, -h / 2 + r, 180),
        (w / 2 - r, -h / 2 + r, 270),
    )
    pts: list[Point] = []
    for cx, cy, start in corners:
        pts.extend(_arc_points(cx, cy, r, r, start, start + 90, n))
    return pts


def _star_points(cx: float, cy: float, r_out: float, r_in: float, tips: int, rot_deg: float = -90) -> list[Point]:
    pts = []
    for i in range(tips * 2):
        r = r_out if i % 2 == 0 else r_in
        a = math.radians(rot_deg + 180 * i / tips)
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def _hexagon(cx: float, cy: float, r: float) -> list[Point]:
    angles = [math.radians(60 * i + 30) for i in range(6)]
    return [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in angles]


def _quad(p0: Point, p1: Point, p2: Point, n: int = 16) -> list[Point]:
    out = []
    for i in range(n + 1):
        t = i / n
        u = 1 - t
        a, b, c = u * u, 2 * u * t, t * t
        out.append((a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]))
    return out


def _cubic(p0: Point, p1: Point, p2: Point, p3: Point, n: int = 24) -> list[Point]:
    out = []
    for i in range(n + 1):
        t = i / n
        u = 1 - t
        a, b, c, d = u**3, 3 * u * u * t, 3 * u * t * t, t**3
        out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def _along(path: Sequence[Point], t: float) -> tuple[Point, Point]:
    """Point and unit tangent at fraction t of a polyline's vertex list."""
    t = min(max(t, 0.0), 1.0)
    f = t * (len(path) - 1)
    i = min(int(f), len(path) - 2)
    k = f - i
    (x0, y0), (x1, y1) = path[i], path[i + 1]
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    return (x0 + (x1 - x0) * k, y0 + (y1 - y0) * k), ((x1 - x0) / length, (y1 - y0) / length)


def _ribbon(path: Sequence[Point], width_at: Callable[[float], float]) -> list[Point]:
    """Outline of a stroke of varying width along a path (tapering stems, roads)."""
    left, right = [], []
    n = len(path)
    for i in range(n):
        t = i / (n - 1)
        (x, y), (dx, dy) = _along(path, t)
        w = width_at(t) / 2
        left.append((x - dy * w, y + dx * w))
        right.append((x + dy * w, y - dx * w))
    return left + right[::-1]


def _leaf_points(base: Point, tip: Point, width: float, bend: float = 0.0, n: int = 14) -> list[Point]:
    """A pointed leaf between base and tip; bend curls it sideways."""
    bx, by = base
    tx, ty = tip
    dx, dy = tx - bx, ty - by
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length
    mx, my = bx + dx * 0.45 + nx * bend, by + dy * 0.45 + ny * bend
    side_a = _quad(base, (mx + nx * width, my + ny * width), tip, n)
    side_b = _quad(tip, (mx - nx * width, my - ny * width), base, n)
    return side_a + side_b[1:]


def _wave_line(
    x0: float, x1: float, y: float, amp: float, wavelength: float, phase: float, step: float = 1.5
) -> list[Point]:
    n = max(2, int((x1 - x0) / step))
    xs = [x0 + (x1 - x0) * i / n for i in range(n + 1)]
    return [(x, y + amp * math.sin(2 * math.pi * x / wavelength + phase)) for x in xs]


# --------------------------------------------------------------------------
# Drawing surface
# --------------------------------------------------------------------------


class _Pen:
    """Draws in motif units (a 100x100 box) onto a pixel surface.

    In ``mono`` mode every colour becomes full coverage, so the very same motif
    code can paint a silhouette into a shadow or clip mask.
    """

    def __init__(self, draw: ImageDraw.ImageDraw, unit: float, origin: Point, mono: bool = False) -> None:
        self.draw = draw
        self.unit = unit
        self.ox, self.oy = origin
        self.mono = mono

    def zoomed(self, factor: float, anchor: Point) -> _Pen:
        """Same surface, scaled about anchor, so a drawing can be resized whole."""
        ax, ay = self._p(*anchor)
        unit = self.unit * factor
        return _Pen(self.draw, unit, (ax - anchor[0] * unit, ay - anchor[1] * unit), self.mono)

    def _p(self, x: float, y: float) -> Point:
        return (self.ox + x * self.unit, self.oy + y * self.unit)

    def _w(self, width: float) -> int:
        return max(1, round(width * self.unit))

    def _c(self, color: str | Color | None) -> Color | int | None:
        if color is None:
            return None
        return 255 if self.mono else _rgba(color)

    def polygon(
        self,
        pts: Sequence[Point],
        fill: str | Color | None = None,
        outline: str | Color | None = None,
        width: float = 0.0,
    ) -> None:
        if len(pts) < 3:
            return
        xy = [self._p(x, y) for x, y in pts]
        if fill is not None:
            self.draw.polygon(xy, fill=self._c(fill))
        if outline is not None and width > 0:
            self.draw.line(xy + [xy[0]], fill=self._c(outline), width=self._w(width), joint="curve")

    def ellipse(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        fill: str | Color | None = None,
        outline: str | Color | None = None,
        width: float = 0.0,
    ) -> None:
        x0, y0 = self._p(cx - rx, cy - ry)
        x1, y1 = self._p(cx + rx, cy + ry)
        if x1 - x0 < 1 or y1 - y0 < 1:
            return
        self.draw.ellipse(
            (x0, y0, x1, y1),
            fill=self._c(fill),
            outline=self._c(outline) if width > 0 else None,
            width=self._w(width) if width > 0 else 0,
        )

    def circle(
        self,
        cx: float,
        cy: float,
        r: float,
        fill: str | Color | None = None,
        outline: str | Color | None = None,
        width: float = 0.0,
    ) -> None:
        self.ellipse(cx, cy, r, r, fill, outline, width)

    def line(self, pts: Sequence[Point], color: str | Color, width: float, round_caps: bool = False) -> None:
        if len(pts) < 2:
            return
        xy = [self._p(x, y) for x, y in pts]
        self.draw.line(xy, fill=self._c(color), width=self._w(width), joint="curve")
        if round_caps:
            # Pillow lines end square; a dot at each end reads as a brush stroke.
            for x, y in (pts[0], pts[-1]):
                self.circle(x, y, width / 2, fill=color)

    def rect(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: str | Color | None = None,
        radius: float = 0.0,
        outline: str | Color | None = None,
        width: float = 0.0,
    ) -> None:
        box = (self._p(x0, y0), self._p(x1, y1))
        stroke = self._c(outline) if width > 0 else None
        stroke_w = self._w(width) if width > 0 else 0
        if radius > 0:
            self.draw.rounded_rectangle(
                box, radius=radius * self.unit, fill=self._c(fill), outline=stroke, width=stroke_w
            )
        else:
            self.draw.rectangle(box, fill=self._c(fill), outline=stroke, width=stroke_w)


@dataclass
class _Scene:
    """Canvas plus the unit grid that motifs draw on."""

    image: Image.Image
    pen: _Pen
    rng: random.Random
    # Extent of the whole canvas in motif units: backdrops (sea, hills) use it
    # to run edge to edge whatever the aspect ratio.
    x0: float
    x1: float
    y0: float
    y1: float

    @contextmanager
    def soft(self, color: str | Color, opacity: float, blur: float, offset: Point = (0.0, 0.0)) -> Iterator[_Pen]:
        """Yield a silhouette pen; what it draws lands blurred (shadow or glow)."""
        f = _SOFT_DOWNSAMPLE
        w, h = self.image.size
        small = Image.new("L", (math.ceil(w / f), math.ceil(h / f)), 0)
        unit = self.pen.unit
        origin = ((self.pen.ox + offset[0] * unit) / f, (self.pen.oy + offset[1] * unit) / f)
        yield _Pen(ImageDraw.Draw(small), unit / f, origin, mono=True)
        small = small.filter(ImageFilter.GaussianBlur(max(0.5, blur * unit / f)))
        bbox = small.getbbox()
        if bbox is None:
            return
        left, top = bbox[0] * f, bbox[1] * f
        right, bottom = min(bbox[2] * f, w), min(bbox[3] * f, h)
        if right <= left or bottom <= top:
            return
        mask = small.crop(bbox).resize(((bbox[2] - bbox[0]) * f, (bbox[3] - bbox[1]) * f), Image.Resampling.BILINEAR)
        mask = mask.crop((0, 0, right - left, bottom - top))
        if opacity < 1:
            mask = mask.point([round(v * opacity) for v in range(256)])
        self.image.paste(_rgba(color)[:3], (left, top, right, bottom), mask)

    @contextmanager
    def clipped(self, box: tuple[float, float, float, float]) -> Iterator[tuple[_Pen, _Pen]]:
        """Yield (paint, mask) pens; paint only shows where mask was drawn.

        Used for textures that must stay inside a shape (pod pits, fish scales,
        honey in a jar) since Pillow has no clipping paths.
        """
        unit = self.pen.unit
        w, h = self.image.size
        left = max(0, math.floor(self.pen.ox + box[0] * unit))
        top = max(0, math.floor(self.pen.oy + box[1] * unit))
        right = min(w, math.ceil(self.pen.ox + box[2] * unit))
        bottom = min(h, math.ceil(self.pen.oy + box[3] * unit))
        if right <= left or bottom <= top:
            dummy = Image.new("L", (1, 1))
            yield _Pen(ImageDraw.Draw(dummy), unit, (0, 0), True), _Pen(ImageDraw.Draw(dummy), unit, (0, 0), True)
            return
        size = (right - left, bottom - top)
        origin = (self.pen.ox - left, self.pen.oy - top)
        # Paint on a copy of the canvas, not a transparent layer: Pillow's
        # RGBA-on-RGBA drawing would punch holes where translucent fills land.
        layer = self.image.crop((left, top, right, bottom))
        mask = Image.new("L", size, 0)
        yield _Pen(ImageDraw.Draw(layer, "RGBA"), unit, origin), _Pen(ImageDraw.Draw(mask), unit, origin, mono=True)
        self.image.paste(layer, (left, top), mask)


# --------------------------------------------------------------------------
# Shared scenery
# --------------------------------------------------------------------------


def _glow(scene: _Scene, cx: float, cy: float, rx: float, ry: float, opacity: float = 0.55) -> None:
    """A pale halo behind the subject lifts it off the backdrop."""
    with scene.soft("#ffffff", opacity, blur=9) as p:
        p.ellipse(cx, cy, rx, ry, fill="#fff")


def _hill_band(
    scene: _Scene, base_y: float, amp: float, wavelength: float, phase: float, fill: str | Color
) -> list[Point]:
    top = _wave_line(scene.x0 - 2, scene.x1 + 2, base_y, amp, wavelength, phase, step=2.0)
    scene.pen.polygon(top + [(scene.x1 + 2, scene.y1 + 2), (scene.x0 - 2, scene.y1 + 2)], fill=fill)
    return top


def _cloud(pen: _Pen, cx: float, cy: float, s: float, color: str | Color = "#ffffff") -> None:
    for dx, dy, r in ((-7, 1.5, 4.5), (-2, -2, 6), (4.5, -0.5, 5), (9, 2, 3.5)):
        pen.circle(cx + dx * s, cy + dy * s, r * s, fill=color)
    pen.rect(cx - 7 * s, cy + 1.5 * s, cx + 9 * s, cy + 5.5 * s, fill=color, radius=2 * s)


def _sparkles(scene: _Scene, color: str | Color, count: int, box: tuple[float, float, float, float]) -> None:
    """Tiny four-point glints; placement comes from the seeded rng."""
    for _ in range(count):
        x = scene.rng.uniform(box[0], box[2])
        y = scene.rng.uniform(box[1], box[3])
        r = scene.rng.uniform(0.9, 1.8)
        scene.pen.polygon(_star_points(x, y, r, r * 0.3, 4), fill=color)


# --------------------------------------------------------------------------
# Motifs
# --------------------------------------------------------------------------


def _draw_razor_clam_shell(pen: _Pen, at: Point, length: float, width: float, angle: float) -> None:
    rim = "#7d6a35"
    along = (math.cos(math.radians(angle)), math.sin(math.radians(angle)))
    # Siphon at one end and foot at the other: the flesh poking out of both
    # ends is what says "razor clam" rather than "bean pod".
    for end, w, h, col in ((0.5, 0.95, 0.5, "#f2dcc6"), (-0.5, 0.55, 0.62, "#f6e6d2")):
        blob = _place(_rounded_rect_points(width * w, width * h, width * h / 2), at, angle)
        shift = (along[0] * length * end, along[1] * length * end)
        pen.polygon([(x + shift[0], y + shift[1]) for x, y in blob], fill=col, outline="#bf977a", width=0.35)
    outline = _rounded_rect_points(length, width, width * 0.34, 8)
    # Lower valve peeking out below the upper one: the shell is a hinged pair.
    pen.polygon(_place([(x * 0.99, y + width * 0.16) for x, y in outline], at, angle), fill="#8e7a3f")
    # Growth bands are scaled copies of the outline about the hinge (umbo),
    # which sits on the upper edge about a third from the front.
    umbo = (-length * 0.22, -width * 0.5)
    bands = 7
    for i in range(bands):
        f = 1 - i / bands * 0.9
        col = _mix("#c2a85e", "#efe0aa", i / (bands - 1)) if i % 2 == 0 else _mix("#ae9450", "#e4cf92", i / (bands - 1))
        ring = [(umbo[0] + (x - umbo[0]) * f, umbo[1] + (y - umbo[1]) * f) for x, y in outline]
        pen.polygon(_place(ring, at, angle), fill=col)
    # Worn, pale patch at the umbo and a glossy streak along the back.
    worn = _ellipse_points(umbo[0], umbo[1] + width * 0.2, width * 0.5, width * 0.22, 0, 18)
    pen.polygon(_place(worn, at, angle), fill=_rgba("#fbf3dc", 150))
    gloss = [(x * 0.8 + length * 0.04, y * 0.14 - width * 0.3) for x, y in outline]
    pen.polygon(_place(gloss, at, angle), fill=_rgba("#ffffff", 120))
    # The oblique groove that gives the constricted razor clam (缢蛏) its name.
    ux, uy = umbo
    groove = _quad((ux + width * 0.1, uy + width * 0.1), (ux + width * 0.45, 0), (ux + width * 0.95, width * 0.46), 8)
    pen.line(_place(groove, at, angle), _rgba("#6d5a27", 110), 0.45)
    pen.polygon(_place(outline, at, angle), outline=rim, width=0.45)


def _motif_razor_clam(scene: _Scene) -> None:
    p = scene.pen
    _glow(scene, 50, 38, 55, 30, 0.5)
    for i in range(7):
        x, y, r = scene.rng.uniform(0, 100), scene.rng.uniform(4, 30), scene.rng.uniform(0.8, 2.2)
        p.circle(x, y, r, outline=_rgba("#ffffff", 170), width=0.35)
    blues = ("#9fd3e0", "#7cc0d6", "#5aa7c6", "#3f8db3")
    for i, col in enumerate(blues):
        top = _hill_band(scene, 62 + i * 9, 2.2, 34 - i * 3, i * 1.7 + scene.rng.uniform(0, 1), col)
        p.line(top, _rgba("#ffffff", 150 - i * 25), 0.7)
    clams = (((46, 42), 76, 12.5, -13), ((55, 58), 80, 13.5, -3), ((47, 74), 70, 12, 7))
    with scene.soft("#123447", 0.38, blur=2.0, offset=(1.4, 2.6)) as sp:
        for at, length, width, angle in clams:
            _draw_razor_clam_shell(sp, at, length, width, angle)
    for at, length, width, angle in clams:
        _draw_razor_clam_shell(p, at, length, width, angle)
    _sparkles(scene, _rgba("#ffffff", 220), 5, (5, 8, 95, 34))


def _orchid_flower(pen: _Pen, cx: float, cy: float, s: float, angle: float) -> None:
    petal = "#f4f1cf"
    # Three sepals then two broader petals: (direction, length, half-width).
    parts = ((-90, 6.5, 1.8), (-20, 6.0, 1.6), (200, 6.0, 1.6), (30, 5.6, 2.1), (150, 5.6, 2.1))
    for k, (a, length, w) in enumerate(parts):
        rad = math.radians(a + angle)
        ex, ey = cx + math.cos(rad) * length * s * 0.55, cy + math.sin(rad) * length * s * 0.55
        col = petal if k < 3 else "#eef3c4"
        petal_pts = _ellipse_points(ex, ey, length * s * 0.55, w * s, a + angle, 20)
        pen.polygon(petal_pts, fill=col, outline=_rgba("#c9c48e", 200), width=0.25)
    # A purple-flecked lip: the colour cue shoppers know from Tiepi flowers.
    rad = math.radians(90 + angle)
    lx, ly = cx + math.cos(rad) * 3.3 * s, cy + math.sin(rad) * 3.3 * s
    lip = _ellipse_points(lx, ly, 3.4 * s, 2.6 * s, 90 + angle, 20)
    pen.polygon(lip, fill="#fbf7e6", outline=_rgba("#c9b7c4", 220), width=0.25)
    pen.ellipse(lx, ly, 1.7 * s, 1.4 * s, fill="#9b3f86")
    pen.circle(cx, cy, 1.0 * s, fill="#e6c24a")


def _motif_dendrobium(scene: _Scene) -> None:
    p = scene.pen
    _glow(scene, 50, 42, 46, 38, 0.6)
    # Mossy rock the stems cling to, as Tiepi is grown on stone and bark.
    rock = [(22, 92), (24, 82), (32, 76), (46, 74), (60, 75), (72, 79), (80, 86), (80, 94), (22, 96)]
    with scene.soft("#243022", 0.35, blur=2.5, offset=(1.0, 2.0)) as sp:
        sp.polygon(rock, fill="#000")
    p.polygon(rock, fill="#8d8b80")
    p.polygon([(26, 84), (34, 79), (46, 77), (44, 81), (30, 86)], fill="#a8a69b")
    for x, y, r in ((28, 81, 5), (36, 77, 6), (48, 75.5, 6.5), (60, 77, 5.5), (70, 80, 5), (76, 85, 3.5)):
        p.ellipse(x, y, r, r * 0.55, fill="#6f9a44")
        p.ellipse(x - r * 0.25, y - r * 0.15, r * 0.5, r * 0.25, fill="#8fbb5a")

    stems = (
        ((38, 78), (32, 58), (30, 40), (26, 24)),
        ((46, 77), (44, 56), (46, 34), (42, 14)),
        ((53, 77), (56, 58), (58, 38), (62, 20)),
        ((60, 78), (66, 62), (72, 48), (76, 34)),
        ((43, 78), (40, 64), (38, 54), (34, 44)),
    )
    flower_spots: list[tuple[Point, float]] = []
    for idx, ctrl in enumerate(stems):
        path = _cubic(*ctrl, n=30)
        width = 3.0 if idx < 4 else 2.4
        p.polygon(_ribbon(path, lambda t, w=width: w * (1 - 0.35 * t)), fill="#6e8a47")
        # Purple cast on one side of the stem: the "iron skin" of 铁皮石斛.
        p.line([(x - 0.5, y) for x, y in path[:-3]], _rgba("#7a4c73", 150), width * 0.35)
        nodes = 6 if idx < 4 else 4
        for k in range(1, nodes + 1):
            (x, y), (dx, dy) = _along(path, k / (nodes + 1))
            w = width * (1 - 0.35 * k / (nodes + 1)) * 0.62
            p.line([(x - dy * w, y + dx * w), (x + dy * w, y - dx * w)], "#d9d6c4", 0.8)
            p.line([(x - dy * w, y + dx * w + 0.6), (x + dy * w, y - dx * w + 0.6)], _rgba("#4e5a33", 150), 0.35)
            if k >= nodes - 2:
                side = 1 if (k + idx) % 2 else -1
                tip = (x + side * 9 - dy * 2, y - 4 + side * 1.5)
                p.polygon(_leaf_points((x, y), tip, 2.1, bend=side * 0.8), fill="#5f9a3e")
                p.line(_quad((x, y), ((x + tip[0]) / 2, (y + tip[1]) / 2 - 0.4), tip, 6), _rgba("#3f7228", 160), 0.3)
        if idx < 4:
            flower_spots.append((path[-1], idx * 37.0))
    for (x, y), turn in flower_spots:
        _orchid_flower(p, x + 3, y - 1, 0.95, turn - 10)
        _orchid_flower(p, x - 4, y + 5, 0.8, turn + 40)


def _shoot_outline(
    base: Point, tip: Point, width: float, n: int = 28
) -> tuple[list[Point], Callable[[float], tuple[Point, float]]]:
    bx, by = base
    tx, ty = tip

    def at(t: float) -> tuple[Point, float]:
        # Bulging cone: fat near the bottom, then a long taper to the point.
        w = width * (1 - t) ** 0.75 * (1 + 0.22 * math.sin(math.pi * min(t * 1.6, 1)))
        lean = 4 * math.sin(math.pi * t * 0.8)
        return (bx + (tx - bx) * t + lean, by + (ty - by) * t), w

    left, right = [], []
    for i in range(n + 1):
        t = i / n
        (x, y), w = at(t)
        left.append((x - w / 2, y))
        right.append((x + w / 2, y))
    return left + right[::-1], at


def _draw_bamboo_shoot(pen: _Pen, base: Point, tip: Point, width: float, layers: int) -> None:
    outline, at = _shoot_outline(base, tip, width)
    pen.polygon(outline, fill="#8a5a2b")
    # Sheaths are drawn innermost (top) first so the lower, outer ones overlap.
    for i in reversed(range(layers)):
        t0 = 0.06 + i * 0.82 / layers
        t1 = min(1.0, t0 + 0.42)
        (x0, y0), w0 = at(t0)
        (x1, y1), w1 = at(t1)
        side = 1 if i % 2 else -1
        tipx = x1 + side * w1 * 0.25
        shade = i / max(1, layers - 1)
        col = _mix("#b98344", "#c9c46a", shade**2 * 0.9)
        left_edge = _quad((x0 - w0 / 2, y0), (x0 - w0 * 0.45, (y0 + y1) / 2), (tipx, y1), 10)
        right_edge = _quad((tipx, y1), (x0 + w0 * 0.45, (y0 + y1) / 2), (x0 + w0 / 2, y0), 10)
        bottom = _quad((x0 + w0 / 2, y0), (x0, y0 + w0 * 0.12), (x0 - w0 / 2, y0), 8)
        sheath = left_edge + right_edge[1:] + bottom[1:]
        pen.polygon(sheath, fill=col, outline=_darker(col, 0.35), width=0.4)
        # Dark speckled veins running up the sheath (the Lei shoot's stripes).
        for k in range(1, 6):
            f = k / 6
            sx = x0 - w0 / 2 + w0 * f
            mid = (x0 + (sx - x0) * 0.7, (y0 + y1) / 2)
            vein = _quad((sx, y0 - 0.5), mid, (tipx + (sx - x0) * 0.08, y1 + (y0 - y1) * 0.2), 8)
            pen.line(vein, _darker(col, 0.32, 140), 0.35)
        pen.line(left_edge[2:-2], _lighter(col, 0.45, 170), 0.45)
    # Fresh-cut base with the ring of purple root buds.
    (bx, by), bw = at(0.0)
    pen.ellipse(bx, by, bw / 2, bw * 0.1, fill="#efe1b8", outline="#b8965c", width=0.4)
    for k in range(11):
        a = math.pi * (0.08 + 0.84 * k / 10)
        pen.circle(bx + math.cos(a) * bw * 0.43, by - 1.2 + math.sin(a) * bw * 0.06 + 0.8, 0.6, fill="#8c3d4a")


def _motif_bamboo_shoot(scene: _Scene) -> None:
    p = scene.pen
    # Pale bamboo grove behind gives context without competing for attention.
    for x, w in ((6, 5.0), (20, 4.0), (84, 5.5), (98, 4.0)):
        p.rect(x - w / 2, scene.y0 - 2, x + w / 2, 100, fill=_rgba("#9cbf79", 120))
        for y in range(8, 96, 17):
            p.line([(x - w / 2, y + x % 7), (x + w / 2, y + x % 7)], _rgba("#6f9850", 140), 0.6)
    grove_leaves = (
        ((20, 25), (4, 18)),
        ((20, 40), (36, 34)),
        ((84, 20), (70, 12)),
        ((84, 32), (99, 27)),
        ((98, 50), (86, 46)),
    )
    for base, tip in grove_leaves:
        p.polygon(_leaf_points(base, tip, 2.4, 0.8), fill=_rgba("#7fae5a", 150))
    _glow(scene, 50, 52, 40, 36, 0.5)
    soil = _wave_line(scene.x0 - 2, scene.x1 + 2, 86, 1.4, 40, 0.6)
    p.polygon(soil + [(scene.x1 + 2, scene.y1 + 2), (scene.x0 - 2, scene.y1 + 2)], fill="#9b7a55")
    for _ in range(40):
        x, y = scene.rng.uniform(scene.x0, scene.x1), scene.rng.uniform(88, 100)
        p.ellipse(x, y, scene.rng.uniform(0.3, 0.9), 0.35, fill=_rgba("#6f5235", 180))
    with scene.soft("#2b2012", 0.35, blur=2.2, offset=(2.0, 1.5)) as sp:
        _draw_bamboo_shoot(sp, (58, 86), (66, 10), 34, 7)
        _draw_bamboo_shoot(sp, (30, 88), (22, 46), 18, 5)
    _draw_bamboo_shoot(p, (30, 88), (22, 46), 18, 5)
    _draw_bamboo_shoot(p, (58, 86), (66, 10), 34, 7)
    p.polygon(_leaf_points((76, 88), (90, 82), 2.5, -1), fill="#6fa34c")


def _draw_blueberry(pen: _Pen, cx: float, cy: float, r: float, crown: Point | None) -> None:
    # Stacked off-centre discs fake a radial gradient: cheap and still flat.
    steps = 6
    for i in range(steps):
        t = i / (steps - 1)
        rr = r * (1 - 0.55 * t)
        col = _mix("#27306a", "#5d6cb4", t)
        pen.circle(cx - r * 0.22 * t, cy - r * 0.25 * t, rr, fill=col)
    pen.circle(cx, cy, r, outline=_rgba("#1b2150", 200), width=0.4)
    # Waxy bloom that makes blueberries look dusty-blue, not black.
    pen.ellipse(cx - r * 0.1, cy - r * 0.05, r * 0.8, r * 0.7, fill=_rgba("#a9b6e6", 45))
    pen.ellipse(cx - r * 0.38, cy - r * 0.42, r * 0.28, r * 0.17, fill=_rgba("#ffffff", 175))
    if crown is not None:
        kx, ky = cx + crown[0] * r, cy + crown[1] * r
        cr = r * 0.3
        calyx = _star_points(kx, ky, cr, cr * 0.62, 5, -90 + crown[0] * 20)
        pen.polygon(calyx, fill="#4a4a86", outline="#2a2450", width=0.25)
        pen.circle(kx, ky, cr * 0.55, fill="#1c1638")
        pen.circle(kx + cr * 0.12, ky + cr * 0.12, cr * 0.3, fill="#0e0a20")


def _motif_blueberry(scene: _Scene) -> None:
    p = scene.pen
    _glow(scene, 50, 50, 50, 40, 0.6)
    twig = _cubic((14, 22), (30, 26), (40, 30), (54, 40), 20)
    leaves = (((30, 26), (8, 36), 7.5, 2.0), ((36, 28), (52, 8), 7.0, -2.0), ((62, 34), (88, 26), 7.5, 2.5))
    berries = ((44, 55, 13), (66, 52, 12), (56, 72, 14), (32, 72, 11.5), (78, 70, 11), (54, 44, 10), (68, 84, 9))
    # Where each berry's crown faces (relative to its radius); None = turned away.
    crowns: tuple[Point | None, ...] = (
        (0.05, -0.35),
        (0.2, -0.3),
        (-0.15, -0.05),
        None,
        (0.25, -0.4),
        (0.1, -0.5),
        (-0.1, -0.2),
    )

    with scene.soft("#1a1a3a", 0.32, blur=2.6, offset=(1.2, 3.0)) as sp:
        for cx, cy, r in berries:
            sp.circle(cx, cy, r, fill="#000")
        for base, tip, w, bend in leaves:
            sp.polygon(_leaf_points(base, tip, w, bend), fill="#000")
    p.line(twig, "#7a5a3c", 1.4)
    for base, tip, w, bend in leaves:
        p.polygon(_leaf_points(base, tip, w, bend), fill="#4f9a58")
        p.polygon(_leaf_points(base, tip, w * 0.5, bend * 0.6), fill=_rgba("#77bd6f", 160))
        p.line(_quad(base, ((base[0] + tip[0]) / 2 + bend * 0.3, (base[1] + tip[1]) / 2), tip, 10), "#2f6e3a", 0.5)
    for (x0, y0) in ((54, 40), (60, 42), (48, 46)):
        p.line([(x0, y0), (x0 + 0.4, y0 + 4)], "#6c5a3f", 0.6)
    for (cx, cy, r), crown in sorted(zip(berries, crowns), key=lambda item: item[0][1]):
        _draw_blueberry(p, cx, cy, r, crown)


_POD_LOBES = ((-0.23, 0.28, 0.205), (0.24, 0.27, 0.19))  # (centre, rx, ry) as fractions of length


def _pod_half_height(x: float) -> float:
    """Half-thickness of a unit-length peanut pod at local x (the waist dips)."""
    best = 0.0
    for cx, rx, ry in _POD_LOBES:
        u = (x - cx) / rx
        if abs(u) < 1:
            best = max(best, ry * math.sqrt(1 - u * u))
    return best


def _pod_outline(n: int = 48) -> list[Point]:
    xs = [-0.51 + 1.02 * i / n for i in range(n + 1)]
    top = [(x, -_pod_half_height(x)) for x in xs]
    return top + [(x, -y) for x, y in reversed(top)]


def _peanut_pod(scene: _Scene, at: Point, length: float, angle: float) -> None:
    outline = [(x * length, y * length) for x, y in _pod_outline()]
    span = length * 0.6
    box = (at[0] - span, at[1] - span, at[0] + span, at[1] + span)
    with scene.clipped(box) as (paint, mask):
        mask.polygon(_place(outline, at, angle), fill="#000")
        paint.rect(*box, fill="#b5854c")
        # Lit from the top left: progressively lighter, smaller copies.
        body = [(x * 0.97 - length * 0.01, y * 0.9 - length * 0.025) for x, y in outline]
        paint.polygon(_place(body, at, angle), fill="#d4a86d")
        sheen = [(x * 0.85 - length * 0.02, y * 0.55 - length * 0.06) for x, y in outline]
        paint.polygon(_place(sheen, at, angle), fill=_rgba("#e9c992", 170))
        # Reticulated shell: ridges that follow the pod's contour, cross-linked
        # into little pits, as on a real peanut husk.
        rows = (-0.8, -0.5, -0.2, 0.1, 0.4, 0.7)
        xs = [-0.5 + i / 40 for i in range(41)]
        for k in rows:
            ridge = [(x * length, k * _pod_half_height(x) * length) for x in xs if _pod_half_height(x) > 0.02]
            paint.line(_place(ridge, at, angle), _rgba("#f3dcae", 150), 0.45)
        for j, (k0, k1) in enumerate(zip(rows, rows[1:])):
            for i in range(14):
                x = -0.44 + i * 0.068 + (j % 2) * 0.034
                h = _pod_half_height(x)
                if h < 0.05:
                    continue
                y0, y1 = k0 * h * length, k1 * h * length
                paint.line(_place([(x * length, y0), (x * length, y1)], at, angle), _rgba("#f3dcae", 120), 0.35)
                cx, cy = (x + 0.034) * length, (y0 + y1) / 2
                pit = _ellipse_points(cx, cy, length * 0.022, abs(y1 - y0) * 0.3, 0, 10)
                paint.polygon(_place(pit, at, angle), fill=_rgba("#8f6232", 70))
        waist_h = _pod_half_height(0.005) * length
        waist = [(length * 0.005, -waist_h), (length * 0.02, 0), (length * 0.005, waist_h)]
        paint.line(_place(waist, at, angle), _rgba("#8f6232", 110), 0.6)
    pen = scene.pen
    pen.polygon(_place(outline, at, angle), outline=_rgba("#94693a", 200), width=0.35)
    # Little beak at the tip of the pod.
    beak = [(length * 0.47, -length * 0.06), (length * 0.54, length * 0.02), (length * 0.47, length * 0.05)]
    pen.polygon(_place(beak, at, angle), fill="#c49660")


def _motif_peanut(scene: _Scene) -> None:
    p = scene.pen
    # Woven bamboo tray the pods sit on.
    with scene.soft("#3b2a15", 0.3, blur=2.5, offset=(0, 2.5)) as sp:
        sp.ellipse(50, 60, 56, 30, fill="#000")
    p.ellipse(50, 60, 56, 30, fill="#b98d52")
    p.ellipse(50, 59, 52, 27, fill="#d9b67a")
    # Coiled bamboo strips, alternating tone, read as a woven tray.
    for k in range(12, 0, -1):
        f = k / 12
        p.ellipse(50, 59 + (1 - f) * 1.5, 52 * f, 27 * f, fill="#d3ae70" if k % 2 else "#dfbe86")
    for k in range(60):
        a = 2 * math.pi * k / 60
        ca, sa = math.cos(a), math.sin(a)
        p.line([(50 + ca * 49, 59 + sa * 25), (50 + ca * 52, 59 + sa * 27)], _rgba("#a47a42", 150), 0.4)
    p.ellipse(50, 60, 56, 30, outline="#9a713d", width=1.0)

    pods = (((32, 50), 34, -24), ((63, 44), 36, 10), ((50, 67), 35, -6), ((76, 66), 30, 36), ((24, 69), 28, 16))
    with scene.soft("#3b2a15", 0.4, blur=1.4, offset=(0.8, 1.6)) as sp:
        for at, length, angle in pods:
            sp.polygon(_place([(x * length, y * length) for x, y in _pod_outline(24)], at, angle), fill="#000")
    for at, length, angle in pods:
        _peanut_pod(scene, at, length, angle)
    # A few shelled kernels in their red skins, so it reads as peanuts even at
    # thumbnail size.
    for x, y, a in ((88, 47, 20), (93, 54, -30), (12, 52, 70)):
        with scene.soft("#3b2a15", 0.35, blur=1.0, offset=(0.5, 1.0)) as sp:
            sp.polygon(_ellipse_points(x, y, 4.2, 2.9, a, 24), fill="#000")
        p.polygon(_ellipse_points(x, y, 4.2, 2.9, a, 24), fill="#a8463a")
        p.polygon(_ellipse_points(x - 0.6, y - 0.7, 2.6, 1.5, a, 18), fill=_rgba("#d9786a", 170))
        p.circle(x - 1.4, y - 1.2, 0.6, fill=_rgba("#ffffff", 170))


def _satin_petal(
    pen: _Pen, cx: float, cy: float, angle: float, length: float, width: float, outer: str, inner: str
) -> None:
    """Long-and-short stitch: fan of threads from the flower centre to the rim."""
    outline = _ellipse_points(length / 2, 0, length / 2, width, 0, 28)
    edge = _place(outline, (cx, cy), angle)
    pen.polygon(edge, fill=_lighter(outer, 0.35))
    base = _place([(length * 0.06, 0)], (cx, cy), angle)[0]
    for i, (x, y) in enumerate(edge):
        if abs(outline[i][0]) < length * 0.08:
            continue
        pen.line([base, (x, y)], outer, 0.55)
    for i, (lx, ly) in enumerate(outline[::2]):
        if lx < length * 0.12:
            continue
        x, y = _place([(lx * 0.55, ly * 0.55)], (cx, cy), angle)[0]
        pen.line([base, (x, y)], inner, 0.55)


def _motif_embroidery(scene: _Scene) -> None:
    p = scene.pen
    cx, cy, r = 50, 52, 38
    with scene.soft("#4a2430", 0.35, blur=2.6, offset=(1.5, 3)) as sp:
        sp.circle(cx, cy, r + 3, fill="#000")
        sp.rect(cx - 4, cy - r - 8, cx + 4, cy - r, fill="#000")
    with scene.clipped((cx - r, cy - r, cx + r, cy + r)) as (paint, mask):
        mask.circle(cx, cy, r, fill="#000")
        paint.rect(cx - r, cy - r, cx + r, cy + r, fill="#f8f2e4")
        # Linen weave: faint crossing threads.
        for k in range(-40, 41):
            paint.line([(cx + k, cy - r), (cx + k, cy + r)], _rgba("#e3d9c4", 60), 0.18)
            paint.line([(cx - r, cy + k), (cx + r, cy + k)], _rgba("#e3d9c4", 60), 0.18)
        paint.ellipse(cx - 14, cy - 16, 22, 14, fill=_rgba("#ffffff", 60))
        # Stem and leaves first so the bloom sits on top, as it would be stitched.
        stem = _cubic((50, 52), (47, 66), (56, 74), (50, 88), 30)
        # Stem stitch: short overlapping slanted stitches along the line.
        for i in range(0, len(stem) - 2):
            (x0, y0), (x1, y1) = stem[i], stem[i + 2]
            paint.line([(x0 - 0.35, y0 + 0.2), (x1 + 0.35, y1 - 0.2)], "#3f7d4d" if i % 2 else "#4f9160", 0.6)
        for base, tip, bend in (((51, 72), (66, 64), -1.5), ((50, 80), (35, 73), 1.5)):
            leaf = _leaf_points(base, tip, 4.2, bend)
            paint.polygon(leaf, fill="#86b985")
            mid = _quad(base, ((base[0] + tip[0]) / 2, (base[1] + tip[1]) / 2 + bend * 0.4), tip, 10)
            n = len(leaf) // 2
            for k in range(1, 10):
                m = mid[k]
                paint.line([m, leaf[k + 2 if k + 2 < n else n - 1]], "#4d8f5a", 0.5)
                paint.line([m, leaf[-(k + 2)]], "#5b9d68", 0.5)
        for k in range(8):
            angle = -90 + k * 45 + 12
            _satin_petal(paint, 50, 42, angle, 16, 4.8, "#c8324f", "#f07a8f")
        for k in range(8):
            angle = -90 + k * 45 + 34
            _satin_petal(paint, 50, 42, angle, 9.5, 3.2, "#e9577a", "#ffb0c0")
        for i in range(22):
            a, d = scene.rng.uniform(0, 2 * math.pi), scene.rng.uniform(0, 4.0)
            x, y = 50 + math.cos(a) * d, 42 + math.sin(a) * d
            paint.circle(x, y, 0.95, fill="#e2a92c")
            paint.circle(x - 0.3, y - 0.3, 0.35, fill=_rgba("#fff2b0", 220))
        # Small sprigs of running stitch round the rim.
        for k in range(36):
            a0 = 2 * math.pi * k / 36
            pts = _arc_points(cx, cy, r - 5, r - 5, math.degrees(a0), math.degrees(a0) + 5, 3)
            paint.line(pts, "#d99a3a", 0.5)
    # Hoop: two nested wooden rings and the brass screw clamp on top.
    p.circle(cx, cy, r + 1.6, outline="#b0804a", width=3.6)
    p.circle(cx, cy, r + 2.6, outline=_rgba("#e5bf86", 220), width=0.6)
    p.circle(cx, cy, r + 0.2, outline="#8a5e31", width=0.8)
    p.rect(cx - 3.6, cy - r - 8, cx + 3.6, cy - r + 1, fill="#b0804a", radius=1)
    p.rect(cx - 3.2, cy - r - 7.5, cx - 1.6, cy - r + 0.5, fill=_rgba("#e5bf86", 200), radius=0.6)
    p.rect(cx - 6.5, cy - r - 6, cx + 6.5, cy - r - 4, fill="#c9a453", radius=1)
    p.circle(cx + 7.5, cy - r - 5, 2.0, fill="#d8b766", outline="#9c7a33", width=0.4)
    # Needle and trailing thread outside the hoop.
    needle = [(80, 84), (98, 96)]
    p.line(needle, "#b9c0c8", 0.9)
    p.line([(80.3, 84.2), (96, 94.8)], _rgba("#ffffff", 200), 0.3)
    p.ellipse(81.3, 84.9, 1.2, 0.55, outline="#7b848d", width=0.3)
    p.line(_cubic((81, 85), (74, 90), (70, 80), (62, 89), 20), "#c8324f", 0.55)


def _motif_tea(scene: _Scene) -> None:
    p = scene.pen
    _glow(scene, 50, 44, 44, 36, 0.6)
    # Bamboo tea mat as the table surface.
    mat_top = 74
    p.rect(scene.x0 - 2, mat_top, scene.x1 + 2, scene.y1 + 2, fill="#c9a776")
    for k in range(14):
        y = mat_top + k * 2.4
        p.line([(scene.x0 - 2, y), (scene.x1 + 2, y)], _rgba("#a9895a", 150), 0.4)
    # Saucer, cup body and rim.
    with scene.soft("#2b3320", 0.35, blur=2.2, offset=(1.5, 1.5)) as sp:
        sp.ellipse(50, 80, 32, 7, fill="#000")
    p.ellipse(50, 80, 31, 6.5, fill="#dfe9dc", outline="#aebfa8", width=0.5)
    p.ellipse(50, 79, 24, 4.6, fill="#ecf2e8")
    body = _quad((24, 46), (26, 76), (50, 78), 16) + _quad((50, 78), (74, 76), (76, 46), 16)[1:]
    p.polygon(body, fill="#e7f0e3")
    shade = _quad((58, 48), (70, 72), (50, 76.5), 14) + _quad((50, 76.5), (72, 74), (74, 48), 14)[1:]
    p.polygon(shade, fill=_rgba("#b8ccb0", 140))
    p.polygon(_quad((28, 50), (29, 68), (38, 74), 10) + [(33, 60)], fill=_rgba("#ffffff", 150))
    # Celadon band with a simple cloud scroll near the foot.
    band = _quad((31, 68), (50, 75), (69, 68), 16)
    p.line(band, "#6fa38f", 1.0)
    for x in range(36, 66, 6):
        p.line(_arc_points(x, 66.5 + 0.04 * (x - 50) ** 2 * 0.5, 1.6, 1.2, 180, 360, 8), "#6fa38f", 0.45)
    p.ellipse(50, 46, 26, 6.5, fill="#f6faf3", outline="#b7c8b1", width=0.5)
    p.ellipse(50, 47, 23, 5.0, fill="#bfb64c")
    p.ellipse(46, 46.4, 12, 2.2, fill=_rgba("#e6df8a", 170))
    # Steam rises in three S-curves that fade out as they climb.
    for dx, phase in ((-8, 0.0), (1, 1.3), (10, 2.4)):
        pts = [(50 + dx + 2.6 * math.sin(phase + t * 0.45), 40 - t) for t in range(0, 26)]
        for i in range(len(pts) - 1):
            alpha = int(200 * (1 - i / len(pts)) ** 1.2)
            p.line([pts[i], pts[i + 1]], _rgba("#ffffff", alpha), 1.2)
    # A fresh two-leaves-and-a-bud sprig, the classic Chinese tea picking.
    sprig = _quad((86, 78), (90, 62), (84, 50), 12)
    p.line(sprig, "#6a8a3a", 0.8)
    for base, tip, w, bend in (((88, 66), (100, 56), 3.6, -1), ((87, 72), (74, 62), 3.4, 1)):
        leaf = _leaf_points(base, tip, w, bend, 16)
        p.polygon(leaf, fill="#4f8f3a")
        p.polygon(_leaf_points(base, tip, w * 0.45, bend), fill=_rgba("#7fb860", 150))
        p.line(_quad(base, ((base[0] + tip[0]) / 2, (base[1] + tip[1]) / 2 + bend * 0.3), tip, 8), "#2f5f24", 0.35)
    p.polygon(_leaf_points((84, 52), (83, 42), 1.8, 0.4), fill="#9ccf6a")
    # Loose dried leaves scattered on the mat.
    for x, y, a in ((12, 84, 20), (20, 90, -35), (6, 92, 60), (94, 90, 10)):
        tip = (x + 6 * math.cos(math.radians(a)), y + 6 * math.sin(math.radians(a)))
        p.polygon(_leaf_points((x, y), tip, 1.4, 0.6), fill="#3e5a2a")


def _rice_ear(pen: _Pen, base: Point, ctrl: Point, tip: Point) -> None:
    path = _quad(base, ctrl, tip, 30)
    pen.line(path, "#b89a45", 0.7)
    for k in range(8, 30):
        (x, y), (dx, dy) = _along(path, k / 30)
        side = 1 if k % 2 else -1
        nx, ny = -dy * side, dx * side
        gx, gy = x + nx * 1.6 + dx * 0.8, y + ny * 1.6 + dy * 0.8
        angle = math.degrees(math.atan2(ny + dy * 1.2, nx + dx * 1.2))
        pen.polygon(_ellipse_points(gx, gy, 1.6, 0.8, angle, 12), fill="#e0b64a", outline="#b08a2a", width=0.2)


def _motif_rice(scene: _Scene) -> None:
    p = scene.pen
    _glow(scene, 50, 46, 48, 36, 0.6)
    ears = (
        ((22, 70), (14, 30), (30, 16)),
        ((30, 70), (30, 24), (48, 12)),
        ((78, 70), (86, 30), (70, 16)),
        ((70, 70), (68, 28), (56, 14)),
    )
    for base, ctrl, tip in ears:
        _rice_ear(p, base, ctrl, tip)
    for base, tip in (((26, 70), (10, 46)), ((74, 70), (92, 44))):
        p.polygon(_leaf_points(base, tip, 1.6, 2), fill="#9cae57")
    with scene.soft("#3a2a10", 0.35, blur=2.4, offset=(1.5, 2.0)) as sp:
        sp.ellipse(50, 86, 28, 5.5, fill="#000")
        sp.ellipse(50, 62, 34, 22, fill="#000")
    # Rice mound: a dome packed with individual grains.
    with scene.clipped((10, 36, 90, 62)) as (paint, mask):
        mask.ellipse(50, 59, 31, 19, fill="#000")
        paint.rect(10, 36, 90, 62, fill="#e9e6e0")
        paint.ellipse(47, 57, 30, 17, fill="#f7f6f2")
        for _ in range(240):
            x, y = scene.rng.uniform(18, 82), scene.rng.uniform(39, 61)
            a = scene.rng.uniform(0, 180)
            shade = _mix("#ffffff", "#ebe7de", (y - 39) / 22)
            grain = _ellipse_points(x, y, 1.5, 0.75, a, 10)
            paint.polygon(grain, fill=shade, outline=_rgba("#c9c0ae", 190), width=0.15)
        paint.ellipse(42, 46, 12, 4.5, fill=_rgba("#ffffff", 110))
    p.line(_arc_points(50, 59, 31, 19, 180, 360, 30), _rgba("#c9bfa8", 200), 0.4)
    # Blue-and-white bowl.
    bowl = _quad((16, 58), (20, 84), (50, 85), 18) + _quad((50, 85), (80, 84), (84, 58), 18)[1:]
    p.polygon(bowl, fill="#f7f8fb")
    shade = _quad((62, 60), (78, 80), (50, 84.5), 12) + _quad((50, 84.5), (80, 82), (82, 60), 12)[1:]
    p.polygon(shade, fill=_rgba("#c7d0e0", 140))
    p.line(_quad((17.5, 62), (50, 68), (82.5, 62), 24), "#2c5aa0", 1.0)
    p.line(_quad((21, 74), (50, 80), (79, 74), 24), "#2c5aa0", 0.6)
    for k in range(8):
        x = 24 + k * 7.4
        y = 67.5 + 0.0045 * (x - 50) ** 2 * -1 + 2.6
        p.polygon(_star_points(x, y, 2.2, 0.9, 4, -90), fill="#3f6fb8")
        p.circle(x, y, 0.6, fill="#f7f8fb")
    # Only the front lip of the rim: the back half is hidden by the rice.
    p.line(_arc_points(50, 58, 34, 4.2, 0, 180, 30), "#dfe3ec", 0.8)
    p.rect(38, 84, 62, 88, fill="#e6e9f0", radius=1.5)
    p.line([(38.5, 86), (61.5, 86)], "#2c5aa0", 0.4)
    # Chopsticks resting across the rim.
    with scene.soft("#3a2a10", 0.35, blur=0.8, offset=(0.6, 1.4)) as sp:
        sp.line([(58, 53), (98, 43)], "#000", 1.8)
        sp.line([(60, 56), (100, 47)], "#000", 1.8)
    for (x0, y0), (x1, y1), col in (((58, 53), (98, 43), "#8b4f2c"), ((60, 56), (100, 47), "#9d5d34")):
        p.polygon(_ribbon([(x0, y0), (x1, y1)], lambda t: 1.0 + 0.9 * t), fill=col)
        p.line([(x1 - 8 * (x1 - x0) / 40, y1 - 8 * (y1 - y0) / 40), (x1, y1)], _rgba("#d9a441", 230), 1.5)


def _motif_homestay(scene: _Scene) -> None:
    p = scene.pen
    p.circle(80, 20, 7.5, fill=_rgba("#ffd98a", 230))
    with scene.soft("#fff1c4", 0.6, blur=5) as sp:
        sp.circle(80, 20, 10, fill="#fff")
    _cloud(p, 22, 16, 0.9, _rgba("#ffffff", 220))
    _hill_band(scene, 48, 5, 70, 0.8, "#b7d3b0")
    _hill_band(scene, 60, 4, 46, 2.4, "#8fbf86")
    _hill_band(scene, 74, 2.5, 60, 4.0, "#6fa869")
    # Winding stone path from the door to the viewer.
    path = _cubic((52, 78), (54, 86), (40, 92), (44, scene.y1), 20)
    p.polygon(_ribbon(path, lambda t: 6 + 16 * t), fill="#e8dcc2")
    # Tree on the left.
    p.rect(6.5, 56, 9.5, 78, fill="#7a5534")
    for x, y, r, c in ((8, 50, 10, "#4f8f45"), (2, 56, 7, "#5a9c4e"), (14, 56, 7.5, "#5a9c4e"), (6, 46, 5, "#6fb25e")):
        p.circle(x, y, r, fill=c)
    # The house is designed on a small grid and enlarged as one piece.
    house_zoom, house_anchor = 1.22, (52.0, 79.0)
    with scene.soft("#1f2a1a", 0.35, blur=2.0, offset=(1.5, 1.0)) as sp:
        shadow = sp.zoomed(house_zoom, house_anchor)
        shadow.rect(26, 44, 78, 80, fill="#000")
        shadow.polygon([(29, 50), (75, 50), (70, 35), (34, 35)], fill="#000")
    h = p.zoomed(house_zoom, house_anchor)
    # Whitewashed walls framed by stepped "horse-head" gables, the signature
    # of Zhejiang village houses.
    h.rect(30, 48, 74, 79, fill="#f4f0e6")
    h.rect(30, 76, 74, 79, fill="#c9c2b1")
    for side in (-1, 1):
        outer, inner = 52 + side * 26, 52 + side * 20
        steps = ((outer, outer - side * 3.5, 44), (outer - side * 3.5, inner, 37))
        for x0, x1, top in steps:
            a, b = min(x0, x1), max(x0, x1)
            h.rect(a, top, b, 79, fill="#ece7da")
        for x0, x1, top in steps:
            a, b = min(x0, x1), max(x0, x1)
            h.rect(a - 0.8, top - 2.2, b + 0.8, top, fill="#4d5561")
            tip = a - 0.8 if side < 0 else b + 0.8
            curl = _quad((tip, top - 1.1), (tip + side * 1.4, top - 1.2), (tip + side * 2.0, top - 3.2), 6)
            h.line(curl, "#4d5561", 0.9)
    roof = [(29, 50), (75, 50), (70, 36), (34, 36)]
    h.polygon(roof, fill="#545d6a")
    for k in range(18):
        t = k / 17
        h.line([(34.5 + 35 * t, 36), (29.5 + 45 * t, 50)], _rgba("#333a44", 200), 0.45)
    h.line([(33, 35.6), (71, 35.6)], "#3a4049", 1.4)
    for k in range(24):
        h.circle(29.6 + k * 1.95, 50.2, 0.85, fill="#3d444e")
    # Door, lattice windows and red lanterns.
    h.rect(47, 60, 57, 79, fill="#7a4a2a", radius=0.6)
    h.line([(52, 60), (52, 79)], "#5a341c", 0.4)
    h.circle(51, 70, 0.4, fill="#e0b54a")
    h.circle(53, 70, 0.4, fill="#e0b54a")
    for x in (34, 62):
        h.rect(x, 56, x + 8, 66, fill="#8a5a36")
        h.rect(x + 0.8, 56.8, x + 7.2, 65.2, fill="#f5d88a")
        for k in range(1, 4):
            h.line([(x + 2 * k, 56.8), (x + 2 * k, 65.2)], "#8a5a36", 0.4)
            h.line([(x + 0.8, 56.8 + 2.1 * k), (x + 7.2, 56.8 + 2.1 * k)], "#8a5a36", 0.4)
    for x in (44, 60):
        h.line([(x, 51), (x, 54)], "#3a3a3a", 0.3)
        h.ellipse(x, 57, 2.2, 2.8, fill="#d8352a")
        h.ellipse(x - 0.6, 56.4, 0.7, 1.4, fill=_rgba("#ff8a6a", 200))
        h.rect(x - 1, 53.8, x + 1, 54.6, fill="#e0b54a")
        h.line([(x, 59.8), (x, 62)], "#e0b54a", 0.4)


def _motif_study_tour(scene: _Scene) -> None:
    p = scene.pen
    _cloud(p, 18, 14, 1.0, _rgba("#ffffff", 235))
    _cloud(p, 74, 10, 0.7, _rgba("#ffffff", 210))
    _hill_band(scene, 44, 6, 90, 1.1, "#bcd7c6")
    far = _hill_band(scene, 54, 7, 64, 3.0, "#93c09a")
    _hill_band(scene, 70, 4, 52, 0.4, "#6ea672")
    # Summit flag on the far ridge: the goal of the walk.
    peak_x = 66
    peak_y = min(far, key=lambda pt: abs(pt[0] - peak_x))[1]
    # Path winds from the foreground up to the flag; width shrinks with distance.
    path = _cubic((40, scene.y1 + 2), (80, 88), (30, 70), (peak_x, peak_y + 2), 36)
    p.polygon(_ribbon(path, lambda t: 26 * (1 - t) ** 1.4 + 0.8), fill="#efe2c4")
    p.line([(x - 0.2, y) for x, y in path[:-2]], _rgba("#d6c29a", 140), 0.4)
    for k in range(8):
        (x, y), (dx, dy) = _along(path, 0.1 + k * 0.11)
        w = 26 * (1 - (0.1 + k * 0.11)) ** 1.4
        p.ellipse(x + dy * w * 0.2, y, w * 0.08 + 0.3, w * 0.04 + 0.2, fill=_rgba("#cdb88f", 200))
    pole_top = peak_y - 22
    p.line([(peak_x, peak_y + 1), (peak_x, pole_top)], "#6b4f36", 0.9)
    p.circle(peak_x, pole_top, 0.9, fill="#e0b54a")
    fx, fy = peak_x, pole_top
    flag = _cubic((fx + 0.4, fy + 1), (fx + 8, fy - 2), (fx + 10, fy + 5), (fx + 17, fy + 3), 16)
    flag += _cubic((fx + 17, fy + 3), (fx + 11, fy + 9), (fx + 8, fy + 8), (fx + 0.4, fy + 10), 16)[1:]
    with scene.soft("#1f2a1a", 0.3, blur=1.0, offset=(0.8, 1.2)) as sp:
        sp.polygon(flag, fill="#000")
    p.polygon(flag, fill="#f08a3c")
    band = _cubic((fx + 0.4, fy + 4), (fx + 8, fy + 1.5), (fx + 10, fy + 7), (fx + 15, fy + 4.5), 16)
    p.line(band, "#fff3dc", 1.3)
    # Trees dotted along the way, nearer ones larger.
    trees = ((18, 70, 1.3), (26, 66, 1.0), (84, 72, 1.4), (92, 68, 1.0), (52, 58, 0.7), (80, 56, 0.6), (8, 76, 1.6))
    for x, y, s in trees:
        p.rect(x - 0.5 * s, y, x + 0.5 * s, y + 4 * s, fill="#6b4f36")
        p.polygon([(x, y - 9 * s), (x + 4 * s, y + 0.5 * s), (x - 4 * s, y + 0.5 * s)], fill="#3f7f4a")
        p.polygon([(x, y - 9 * s), (x + 4 * s, y + 0.5 * s), (x, y + 0.5 * s)], fill=_rgba("#2f6a3b", 200))
    # Wooden signpost at the trail head.
    p.rect(29.5, 80, 31, 94, fill="#7a5534")
    p.polygon([(22, 79), (34, 79), (36.5, 81.5), (34, 84), (22, 84)], fill="#a8794a")
    p.line([(23.5, 81.5), (32, 81.5)], _rgba("#f5e6c8", 200), 0.5)


def _fish_body(length: float) -> tuple[list[Point], list[Point]]:
    """Croaker profile along +x (head at +x); returns (body, tail)."""
    h = length * 0.2
    L = length
    top = _cubic((L * 0.5, 0), (L * 0.42, -h * 1.1), (-L * 0.1, -h * 1.25), (-L * 0.38, -h * 0.3), 20)
    bottom = _cubic((-L * 0.38, h * 0.3), (-L * 0.1, h * 1.05), (L * 0.38, h * 1.0), (L * 0.5, 0), 20)
    body = top + bottom
    tail = [(-L * 0.36, -h * 0.25), (-L * 0.56, -h * 0.95), (-L * 0.5, 0), (-L * 0.56, h * 0.95), (-L * 0.36, h * 0.25)]
    return body, tail


def _draw_dried_fish(scene: _Scene, at: Point, length: float, angle: float) -> None:
    p = scene.pen
    body, tail = _fish_body(length)
    h = length * 0.2
    # Saw-tooth dorsal fin running most of the back.
    spines = [(length * (0.2 - 0.06 * k), -h * (1.22 if k % 2 == 0 else 1.05)) for k in range(1, 10)]
    dorsal = [(length * 0.22, -h * 0.95), *spines, (-length * 0.34, -h * 0.4)]
    p.polygon(_place(tail, at, angle), fill="#c98a2e", outline="#8c5a1c", width=0.3)
    for k in range(5):
        y = (k - 2) * h * 0.35
        p.line(_place([(-length * 0.38, y * 0.3), (-length * 0.54, y)], at, angle), _rgba("#8c5a1c", 140), 0.25)
    p.polygon(_place(dorsal, at, angle), fill="#c98a2e")
    pelvic = [(length * 0.12, h * 0.9), (length * 0.02, h * 1.35), (-length * 0.02, h * 0.9)]
    p.polygon(_place(pelvic, at, angle), fill="#d59a3a")
    box_r = length * 0.6
    with scene.clipped((at[0] - box_r, at[1] - box_r, at[0] + box_r, at[1] + box_r)) as (paint, mask):
        mask.polygon(_place(body, at, angle), fill="#000")
        paint.rect(at[0] - box_r, at[1] - box_r, at[0] + box_r, at[1] + box_r, fill="#d99a35")
        # Golden belly is what gives 黄鱼 its name; keep it bright.
        paint.polygon(_place([(x, max(y, h * 0.2)) for x, y in body], at, angle), fill="#f2c760")
        paint.polygon(_place([(x, max(y, h * 0.55)) for x, y in body], at, angle), fill="#f8dc8c")
        paint.polygon(_place([(x, min(y, -h * 0.55)) for x, y in body], at, angle), fill=_rgba("#a8691f", 140))
        for row in range(-3, 4):
            for col in range(-7, 6):
                sx = col * length * 0.07 + (row % 2) * length * 0.035
                sy = row * h * 0.32
                arc = _arc_points(sx, sy, length * 0.045, h * 0.2, -70, 70, 6)
                paint.line(_place(arc, at, angle), _rgba("#8c5a1c", 80), 0.28)
        lateral = _quad((length * 0.32, -h * 0.2), (0, -h * 0.35), (-length * 0.38, 0), 14)
        paint.line(_place(lateral, at, angle), _rgba("#7d4d16", 140), 0.35)
        # Gill cover and head.
        gill = _arc_points(length * 0.34, 0, h * 0.28, h * 0.8, 110, 250, 12)
        paint.line(_place(gill, at, angle), _rgba("#7d4d16", 190), 0.5)
        head = _ellipse_points(length * 0.42, -h * 0.05, length * 0.1, h * 0.75)
        paint.polygon(_place(head, at, angle), fill=_rgba("#e9b24c", 120))
    p.polygon(_place(body, at, angle), outline="#8c5a1c", width=0.35)
    ex, ey = _place([(length * 0.4, -h * 0.25)], at, angle)[0]
    p.circle(ex, ey, h * 0.2, fill="#fff4d8", outline="#6b3f10", width=0.3)
    p.circle(ex, ey, h * 0.1, fill="#1a1208")
    p.circle(ex - h * 0.04, ey - h * 0.05, h * 0.04, fill="#ffffff")
    mx, my = _place([(length * 0.5, h * 0.08)], at, angle)[0]
    nx, ny = _place([(length * 0.44, h * 0.16)], at, angle)[0]
    p.line([(mx, my), (nx, ny)], "#6b3f10", 0.4)


def _motif_fish(scene: _Scene) -> None:
    p = scene.pen
    _glow(scene, 50, 52, 50, 40, 0.45)
    # Distant sea and a fishing boat sail set the Xiangshan-harbour mood.
    _hill_band(scene, 84, 1.2, 30, 0.0, "#9cc7cf")
    _hill_band(scene, 89, 1.0, 24, 1.6, "#7fb3bf")
    p.polygon([(86, 82), (96, 82), (94, 85), (88, 85)], fill="#6a5a4a")
    p.polygon([(91, 82), (91, 68), (97, 81)], fill=_rgba("#f4ead4", 230))
    # Bamboo drying pole with the fish hanging tail-up on strings.
    pole_y = 12
    with scene.soft("#1e3038", 0.32, blur=2.0, offset=(1.6, 2.4)) as sp:
        sp.rect(scene.x0, pole_y - 1.5, scene.x1, pole_y + 1.5, fill="#000")
        for x, y, length in ((30, 46, 40), (52, 52, 46), (74, 46, 40)):
            body, tail = _fish_body(length)
            sp.polygon(_place(body, (x, y), 90), fill="#000")
            sp.polygon(_place(tail, (x, y), 90), fill="#000")
    p.rect(scene.x0 - 2, pole_y - 1.5, scene.x1 + 2, pole_y + 1.5, fill="#b89558")
    p.rect(scene.x0 - 2, pole_y - 1.5, scene.x1 + 2, pole_y - 0.6, fill=_rgba("#e3c98e", 220))
    for x in range(-30, 140, 16):
        p.line([(x, pole_y - 1.5), (x, pole_y + 1.5)], "#8a6a34", 0.6)
    for x, y, length in ((30, 46, 40), (52, 52, 46), (74, 46, 40)):
        tail_end = y - length * 0.56
        p.line([(x, pole_y + 1.2), (x, tail_end + 1.5)], "#6d5a3e", 0.4)
        p.line(_arc_points(x, pole_y, 1.6, 1.8, -180, 0, 8), "#6d5a3e", 0.45)
        _draw_dried_fish(scene, (x, y), length, 90)


def _motif_honey(scene: _Scene) -> None:
    p = scene.pen
    # Honeycomb drifting in from the corners.
    r = 6.0
    dx, dy = r * math.sqrt(3), r * 1.5
    for row in range(-2, 14):
        for col in range(-5, 14):
            x = col * dx + (row % 2) * dx / 2 - 20
            y = row * dy
            corner = min(math.hypot(x - 110, y - 0), math.hypot(x + 10, y - 100))
            if corner > 38:
                continue
            filled = scene.rng.random() < 0.45
            cell_fill = _rgba("#f0b43a", 150) if filled else _rgba("#ffffff", 70)
            p.polygon(_hexagon(x, y, r - 0.6), fill=cell_fill, outline=_rgba("#d08f1c", 170), width=0.5)
    _glow(scene, 48, 52, 38, 38, 0.55)
    jar_w, top, bottom = 40, 34, 88
    cx = 46
    with scene.soft("#4a2e05", 0.4, blur=2.5, offset=(1.8, 2.0)) as sp:
        sp.rect(cx - jar_w / 2, top, cx + jar_w / 2, bottom, fill="#000", radius=8)
        sp.ellipse(cx, bottom, 26, 3.5, fill="#000")
    with scene.clipped((cx - jar_w / 2, top, cx + jar_w / 2, bottom)) as (paint, mask):
        mask.rect(cx - jar_w / 2, top, cx + jar_w / 2, bottom, fill="#000", radius=8)
        paint.rect(cx - jar_w / 2, top, cx + jar_w / 2, bottom, fill=_rgba("#f3f0e6", 255))
        # Honey level with a darker base, like light through amber.
        for k in range(10):
            t = k / 9
            y0 = 44 + t * 44
            paint.rect(cx - jar_w / 2, y0, cx + jar_w / 2, bottom, fill=_mix("#f6b42c", "#c9760e", t))
        paint.ellipse(cx, 44, jar_w / 2, 2.2, fill="#ffd36a")
        paint.rect(cx - jar_w / 2 + 3, 46, cx - jar_w / 2 + 6.5, 84, fill=_rgba("#ffffff", 110), radius=1.5)
        paint.rect(cx + jar_w / 2 - 5, 50, cx + jar_w / 2 - 3.8, 80, fill=_rgba("#ffffff", 80), radius=0.6)
        for _ in range(9):
            bx, by = scene.rng.uniform(cx - 14, cx + 14), scene.rng.uniform(50, 84)
            paint.circle(bx, by, scene.rng.uniform(0.4, 0.9), fill=_rgba("#ffe7a0", 170))
    p.rect(cx - jar_w / 2, top, cx + jar_w / 2, bottom, radius=8, outline=_rgba("#b68a4a", 200), width=0.5)
    # Label with a hexagon badge.
    p.rect(cx - 13, 58, cx + 13, 74, fill="#fbf3dc", radius=2)
    p.polygon(_hexagon(cx, 66, 5), fill="#e9a21f", outline="#b06f0a", width=0.5)
    p.polygon(_hexagon(cx, 66, 2.6), fill="#fbe3a0")
    # Gingham cloth cover tied with twine: home-made, farm-shop look.
    hem = _wave_line(cx - 25, cx + 25, 38, 1.1, 5.5, 0.0, step=0.5)
    dome = _quad((cx - 25, 38), (cx - 24, 20), (cx, 21), 14) + _quad((cx, 21), (cx + 24, 20), (cx + 25, 38), 14)[1:]
    cloth = dome + hem[::-1]
    with scene.soft("#4a2e05", 0.3, blur=1.2, offset=(0.6, 1.2)) as sp:
        sp.polygon(cloth, fill="#000")
    with scene.clipped((cx - 27, 18, cx + 27, 41)) as (paint, mask):
        mask.polygon(cloth, fill="#000")
        paint.rect(cx - 27, 18, cx + 27, 41, fill="#fbf3ea")
        # Crossing translucent stripes: where they overlap the check darkens.
        for k in range(-9, 10, 2):
            x = cx + k * 3
            stripe = [(x, 18), (x + 3, 18), (x + 3 + k * 0.35, 41), (x + k * 0.35, 41)]
            paint.polygon(stripe, fill=_rgba("#d8473a", 120))
        for y in range(19, 41, 6):
            paint.rect(cx - 27, y, cx + 27, y + 3, fill=_rgba("#d8473a", 120))
        paint.ellipse(cx - 7, 25, 12, 3.5, fill=_rgba("#ffffff", 70))
    p.line(cloth, _rgba("#a8392f", 160), 0.35)
    p.line(_quad((cx - 21, 32), (cx, 34.5), (cx + 21, 32), 16), "#a5804a", 0.9)
    p.line(_quad((cx + 6, 33.5), (cx + 10, 38), (cx + 8, 42), 8), "#a5804a", 0.7)
    p.line(_quad((cx + 6, 33.5), (cx + 3, 38), (cx + 4.5, 43), 8), "#a5804a", 0.7)
    p.ellipse(cx + 6, 33.6, 1.4, 1.1, fill="#a5804a")
    # Honey dipper leaning against the jar, with a drip.
    handle = [(90, 34), (74, 74)]
    with scene.soft("#4a2e05", 0.35, blur=1.5, offset=(1.2, 1.2)) as sp:
        sp.line(handle, "#000", 2.0)
        sp.ellipse(72, 80, 4.5, 6, fill="#000")
    p.line(handle, "#b98a52", 1.8, round_caps=True)
    p.line([(89.6, 34.4), (74.8, 71.5)], _rgba("#e3bd85", 200), 0.5)
    for k in range(7):
        t = k / 6
        x, y = 74.6 - t * 4.4, 72 + t * 11
        ring_r = 4.6 - abs(t - 0.5) * 2.4
        p.polygon(_ellipse_points(x, y, ring_r, 1.5, -68, 18), fill="#c9954f", outline="#8f6330", width=0.3)
        p.polygon(_ellipse_points(x - 0.6, y - 0.3, ring_r * 0.6, 0.5, -68, 12), fill=_rgba("#f0c27a", 200))
    p.polygon([(69.0, 84.5), (71.6, 84.5), (70.9, 90), (70.3, 92), (69.6, 90)], fill="#f1a92a")
    p.circle(70.3, 91.6, 1.2, fill="#f1a92a")
    p.circle(69.9, 91.2, 0.35, fill=_rgba("#fff3c4", 220))
    # Little bee on a dotted flight path.
    bx, by = 80, 18
    for k in range(7):
        p.circle(60 + k * 3, 26 - math.sin(k * 0.9) * 3, 0.35, fill=_rgba("#8a6a30", 200))
    p.ellipse(bx - 1.5, by - 3.2, 2.2, 3.0, fill=_rgba("#ffffff", 200), outline=_rgba("#9ab0c0", 200), width=0.2)
    p.ellipse(bx + 1.2, by - 3.0, 2.0, 2.6, fill=_rgba("#ffffff", 180), outline=_rgba("#9ab0c0", 200), width=0.2)
    p.ellipse(bx, by, 4.0, 2.8, fill="#f2c230")
    for k in (-1.2, 0.8):
        p.line([(bx + k, by - 2.6), (bx + k - 0.3, by + 2.6)], "#2a2010", 0.9)
    p.circle(bx + 3.6, by - 0.3, 1.6, fill="#2a2010")
    p.polygon([(bx - 4, by), (bx - 5.6, by - 0.4), (bx - 4, by + 0.6)], fill="#2a2010")


def _motif_generic(scene: _Scene) -> None:
    p = scene.pen
    _glow(scene, 50, 50, 46, 40, 0.6)
    palette = ("#f2b33d", "#3f9a8c", "#e26a5c", "#8a7cc8", "#ffffff")
    for _ in range(26):
        x, y = scene.rng.uniform(scene.x0 + 4, scene.x1 - 4), scene.rng.uniform(4, 96)
        if 18 < x < 82 and 16 < y < 94:
            continue
        col = scene.rng.choice(palette)
        if scene.rng.random() < 0.5:
            p.circle(x, y, scene.rng.uniform(0.8, 1.6), fill=col)
        else:
            p.polygon(_place(_rounded_rect_points(3.2, 1.3, 0.3, 2), (x, y), scene.rng.uniform(0, 180)), fill=col)
    with scene.soft("#3a1a12", 0.38, blur=2.4, offset=(1.8, 2.4)) as sp:
        sp.rect(24, 46, 76, 90, fill="#000")
        sp.rect(21, 36, 79, 48, fill="#000")
    box, box_dark, ribbon, ribbon_dark = "#2f8f83", "#23736a", "#f2c14e", "#c9952a"
    p.rect(24, 46, 76, 90, fill=box, radius=1.2)
    p.rect(58, 46, 76, 90, fill=box_dark, radius=1.2)
    p.rect(24, 46, 76, 49, fill=_rgba("#0c3a35", 90))
    for k in range(6):
        for j in range(4):
            p.circle(29 + k * 8.5 + (j % 2) * 4, 55 + j * 9, 0.7, fill=_rgba("#ffffff", 70))
    p.rect(21, 36, 79, 48, fill="#39a597", radius=1.2)
    p.rect(21, 36, 79, 38, fill=_rgba("#ffffff", 60), radius=1.2)
    p.rect(45, 36, 55, 90, fill=ribbon)
    p.rect(51.5, 36, 55, 90, fill=ribbon_dark)
    p.rect(21, 39, 79, 45, fill=ribbon)
    p.rect(21, 42.8, 79, 45, fill=ribbon_dark)
    # Bow: two loops, two tails and a knot.
    for d in (-1, 1):
        tail = [(50, 36), (50 + d * 4, 36), (50 + d * 11, 53), (50 + d * 8.5, 51), (50 + d * 6.5, 54)]
        p.polygon(tail, fill=ribbon_dark)
        loop = _cubic((50, 36), (50 + d * 3, 20), (50 + d * 24, 17), (50 + d * 21, 31), 22)
        loop += _quad((50 + d * 21, 31), (50 + d * 14, 38), (50, 36), 10)[1:]
        p.polygon(loop, fill=ribbon, outline=ribbon_dark, width=0.6)
        fold = _cubic((50, 35), (50 + d * 4, 25), (50 + d * 17, 23), (50 + d * 15, 31), 14) + [(50 + d * 6, 35)]
        p.polygon(fold, fill=_rgba(ribbon_dark, 140))
    p.rect(46.5, 31.5, 53.5, 38.5, fill=ribbon, radius=2)
    p.rect(47.5, 32.5, 50, 35, fill=_rgba("#ffffff", 100), radius=1)
    _sparkles(scene, _rgba("#ffffff", 230), 6, (8, 8, 92, 30))


@dataclass(frozen=True)
class _MotifSpec:
    draw: Callable[[_Scene], None]
    palette: tuple[str, str]
    accent: str  # used for the title band so each card has its own voice


_MOTIF_SPECS: dict[str, _MotifSpec] = {
    "razor_clam": _MotifSpec(_motif_razor_clam, ("#e6f6f7", "#8cc9da"), "#1f6f8b"),
    "dendrobium": _MotifSpec(_motif_dendrobium, ("#f1f6e9", "#d9d2ea"), "#7a3f7a"),
    "bamboo_shoot": _MotifSpec(_motif_bamboo_shoot, ("#f5f3e2", "#dfe9cc"), "#7a5a2a"),
    "blueberry": _MotifSpec(_motif_blueberry, ("#f1f1fb", "#c9cdef"), "#3b4a8c"),
    "peanut": _MotifSpec(_motif_peanut, ("#fbf1df", "#ebc995"), "#8a5a2b"),
    "embroidery": _MotifSpec(_motif_embroidery, ("#fdf0f1", "#efc4cb"), "#b0304a"),
    "tea": _MotifSpec(_motif_tea, ("#f2f7ea", "#c3d9ad"), "#3f7a3a"),
    "rice": _MotifSpec(_motif_rice, ("#fdf7e7", "#efd9a6"), "#9a6a14"),
    "homestay": _MotifSpec(_motif_homestay, ("#dcecf6", "#fbeedd"), "#a0442e"),
    "study_tour": _MotifSpec(_motif_study_tour, ("#d6e9f7", "#fbf0dc"), "#2f7a4a"),
    "fish": _MotifSpec(_motif_fish, ("#e8f2f4", "#c4dde2"), "#a4661c"),
    "honey": _MotifSpec(_motif_honey, ("#fff8e2", "#f7d88d"), "#a86408"),
    "generic": _MotifSpec(_motif_generic, ("#fdf1ea", "#f4c7b6"), "#b04a3a"),
}

MOTIFS: tuple[str, ...] = tuple(_MOTIF_SPECS)


# --------------------------------------------------------------------------
# Fonts and text
# --------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _font_source(weight: str) -> tuple[str, int] | None:
    """Locate a CJK font file and the face index of its Simplified Chinese face.

    Without a CJK font Chinese titles would render as tofu boxes, which look
    worse than no text at all, so callers skip text when this returns None.
    """
    names = _FONT_FILES[weight] + _FONT_FILES["bold" if weight == "regular" else "regular"]
    for directory in _FONT_DIRS:
        for name in names:
            path = Path(directory) / name
            if path.is_file():
                return str(path), _simplified_face_index(str(path))
    return None


def _simplified_face_index(path: str) -> int:
    # Face 0 of the Noto CJK collections is the Japanese face, whose glyph
    # shapes differ from mainland Chinese forms; prefer the "SC" face.
    if not path.endswith(".ttc"):
        return 0
    for index in range(10):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        if family.endswith(" SC"):
            return index
    return 0


@lru_cache(maxsize=64)
def _font(weight: str, px: int) -> ImageFont.FreeTypeFont | None:
    source = _font_source(weight)
    if source is None:
        return None
    try:
        return ImageFont.truetype(source[0], px, index=source[1])
    except OSError:
        return None


def _fit_font(
    draw: ImageDraw.ImageDraw, text: str, weight: str, px: int, max_width: float
) -> ImageFont.FreeTypeFont | None:
    while px >= 10:
        font = _font(weight, px)
        if font is None:
            return None
        if draw.textlength(text, font=font) <= max_width:
            return font
        px = int(px * 0.92)
    return _font(weight, 10)


def _ellipsize(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, max_width: float) -> str:
    if draw.textlength(text, font=font) <= max_width:
        return text
    while text and draw.textlength(text + "…", font=font) > max_width:
        text = text[:-1]
    return text + "…"


def _draw_title_band(image: Image.Image, title: str, subtitle: str, bottom_color: str, accent: str) -> None:
    w, h = image.size
    band_h = round(h * _BAND_RATIO)
    top = h - band_h
    rule_h = max(2, h // 150)
    margin = round(w * 0.055)
    bar_w = max(4, round(w * 0.008))
    text_x = margin + bar_w * 3
    max_text = w - text_x - margin
    draw = ImageDraw.Draw(image, "RGBA")
    title, subtitle = title.strip(), subtitle.strip()
    title_font = _fit_font(draw, title, "bold", round(band_h * 0.40), max_text) if title else None
    sub_font = _font("regular", round(band_h * 0.19)) if subtitle else None
    if title_font is None and sub_font is None:
        # No text (or no CJK font): an empty band would look like a bug, so
        # the illustration simply runs to the bottom edge.
        return

    band = _mix(bottom_color, "#ffffff", 0.82, 246)
    draw.rectangle((0, top, w, h), fill=band)
    draw.rectangle((0, top, w, top + rule_h), fill=_rgba(accent, 230))
    # Guarantee readable text whatever palette the caller passes.
    ink = _darker(accent, 0.55)
    if _luminance(ink) > 0.08:
        ink = _darker(ink, 0.5)
    sub_ink = _mix(ink, band, 0.35, 255)

    lines: list[tuple[str, ImageFont.FreeTypeFont, Color]] = []
    if title_font is not None:
        lines.append((title, title_font, ink))
    if sub_font is not None:
        lines.append((_ellipsize(draw, subtitle, sub_font, max_text), sub_font, sub_ink))
    gap = round(band_h * 0.07)
    # Use the font's ascent rather than the glyph box so titles with and without
    # tall characters sit at the same height across cards.
    ascents = [f.getmetrics()[0] * 0.88 for _, f, _ in lines]
    total = sum(ascents) + gap * (len(lines) - 1)
    y = top + (band_h - total) / 2 + rule_h / 2
    draw.rounded_rectangle((margin, y, margin + bar_w, y + total), radius=bar_w // 2, fill=_rgba(accent, 255))
    for (text, font, color), ascent in zip(lines, ascents):
        y += ascent
        draw.text((text_x, y), text, font=font, fill=color, anchor="ls")
        y += gap


# --------------------------------------------------------------------------
# Compositing
# --------------------------------------------------------------------------


def _gradient(size: tuple[int, int], top: Color, bottom: Color) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", size, bottom[:3]), Image.new("RGB", size, top[:3]), mask)


def _add_grain_and_vignette(image: Image.Image, rng: random.Random) -> Image.Image:
    w, h = image.size
    # Film-like grain hides gradient banding in the JPEG and takes the
    # computer-flat edge off the vector shapes.
    noise = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    noise = noise.point([v * _GRAIN_STRENGTH // 255 for v in range(256)])
    image = ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), scale=1.0, offset=-_GRAIN_STRENGTH // 2)
    vignette = Image.radial_gradient("L").resize((w, h), Image.Resampling.BILINEAR)
    vignette = vignette.point([max(0, v - 150) * 40 // 105 for v in range(256)])
    image.paste((40, 30, 25), (0, 0, w, h), vignette)
    return image


def render_product_image(
    *,
    motif: str,
    title: str,
    subtitle: str = "",
    palette: tuple[str, str] | None = None,
    size: tuple[int, int] = (1200, 900),
    seed: int = 0,
) -> bytes:
    """Return a JPEG (quality ~85) of an illustrated product card; deterministic for the same arguments.

    ``palette`` is (background top, background bottom) as hex colours; each
    motif has its own default.  Text is left out when no CJK font is installed.
    """
    spec = _MOTIF_SPECS.get(motif)
    if spec is None:
        raise ValueError(f"Unknown motif {motif!r}; expected one of: {', '.join(MOTIFS)}")
    width, height = int(size[0]), int(size[1])
    if width < 16 or height < 16:
        raise ValueError(f"Image size too small: {size!r}")
    top_hex, bottom_hex = palette or spec.palette
    top_color, bottom_color = _rgba(top_hex), _rgba(bottom_hex)
    rng = random.Random(seed)

    ss = _SUPERSAMPLE
    canvas_size = (width * ss, height * ss)
    image = _gradient(canvas_size, top_color, bottom_color)
    # The motif's 100x100 box fills the height above the title band, centred.
    art_h = height * (1 - _BAND_RATIO)
    unit = min(width, art_h) / 100 * ss
    origin = ((width * ss - 100 * unit) / 2, (art_h * ss - 100 * unit) / 2)
    pen = _Pen(ImageDraw.Draw(image, "RGBA"), unit, origin)
    scene = _Scene(
        image=image,
        pen=pen,
        rng=rng,
        x0=-origin[0] / unit,
        x1=(width * ss - origin[0]) / unit,
        y0=-origin[1] / unit,
        y1=(height * ss - origin[1]) / unit,
    )
    spec.draw(scene)

    image = image.resize((width, height), Image.Resampling.LANCZOS)
    image = _add_grain_and_vignette(image, rng)
    _draw_title_band(image, title, subtitle, bottom_hex, spec.accent)

    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=_JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _drawing_fingerprint() -> str:
    """What, besides the arguments, decides the pixels: this module's code, Pillow and the fonts."""
    import PIL

    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(PIL.__version__.encode())
    digest.update(repr([_font_source("bold"), _font_source("regular")]).encode())
    return digest.hexdigest()


def render_product_image_cached(*, cache_dir: str | os.PathLike, **arguments) -> bytes:
    """render_product_image(**arguments), drawn once per cache_dir and read back afterwards.

    The file is named by a hash of the arguments and of _drawing_fingerprint(), so editing the
    drawing code, upgrading Pillow or installing other fonts draws afresh; the bytes returned are
    always exactly what render_product_image gives for these arguments. Writes are atomic, so
    processes loading the demo at the same time never read half a file.
    """
    key = json.dumps([_drawing_fingerprint(), sorted(arguments.items())], default=list, ensure_ascii=False)
    path = Path(cache_dir) / f"{hashlib.sha256(key.encode()).hexdigest()}.jpg"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    jpeg = render_product_image(**arguments)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as file:
        file.write(jpeg)
    os.replace(partial, path)
    return jpeg
