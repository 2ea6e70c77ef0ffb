"""Charts drawn on the server as SVG: horizontal bars, no JavaScript, no CDN, readable right to left.

Two kinds are drawn by one function (``bar_chart``): *paid vs committed per call* (the reference is the
full track, the value the part filled) and *indicator progress* (progress toward the target, the track
being 100 %). A chart never stands alone: the page shows the same figures in a table beside it (the
``chart`` macro of ``grants/_chart.html`` does both), and the SVG itself carries ``role="img"``, a
``<title>`` and a ``<desc>`` listing every figure, so a screen reader reads it without the picture.

Right to left (Arabic): the whole drawing is mirrored -- labels on the right, bars growing leftwards --
and texts are written with ``direction="rtl"``. Lengths are computed in ``Decimal`` from the figures
given (cents or shares), rounded only when written as SVG coordinates.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import count

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 200
FIGURE_WIDTH = 110
ROW_HEIGHT = 30
BAR_HEIGHT = 16
TOP = 8
_ids = count(1)
#: Presentation attributes, not inline styles (the Content-Security-Policy refuses ``style``): the chart
#: reads the same in a page, a PDF and a file saved alone. Contrast ≥ 4.5:1 for the value on white.
PAINT = {"chart-reference": 'fill="#d5dde6"', "chart-value": 'fill="#1d4f7a"', "chart-flagged": 'fill="#a4231a"',
         "text": 'fill="#1b1b1b" font-size="13" font-family="sans-serif"'}


@dataclass(frozen=True)
class Bar:
    """One row: ``value`` drawn against ``reference`` (the full track; None: the chart's largest value).

    ``figure`` is the text written at the end of the row (e.g. "12 000 € / 40 000 €" or "45 %").
    """

    label: str
    value: Decimal
    reference: Decimal | None = None
    figure: str = ""
    flagged: bool = False


@dataclass(frozen=True)
class Chart:
    """What a page needs to show a chart and its table: the SVG and the rows it was drawn from."""

    title: str
    bars: tuple[Bar, ...]
    svg: Markup


def _coord(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _scale(bars: Sequence[Bar], scale_max: Decimal | None) -> Decimal:
    if scale_max is not None and scale_max > 0:
        return scale_max
    biggest = max([b.value for b in bars] + [b.reference for b in bars if b.reference is not None] + [Decimal(0)])
    return biggest if biggest > 0 else Decimal(1)


def bar_chart(title: str, bars: Sequence[Bar], *, rtl: bool = False, scale_max: Decimal | None = None,
              value_label: str = "", reference_label: str = "") -> Chart:
    """A horizontal bar chart as inline SVG.

    ``scale_max`` fixes the length of a full bar (1 for shares: 100 %); otherwise the largest value or
    reference fills the drawing. A value beyond the scale is drawn to the end (never outside the picture);
    a negative one draws nothing. ``value_label``/``reference_label`` name the two shades in the legend.
    """
    uid = f"chart-{next(_ids)}"
    bars = tuple(bars)
    scale = _scale(bars, scale_max)
    track = Decimal(WIDTH - LABEL_WIDTH - FIGURE_WIDTH - 16)
    legend = 22 if (value_label or reference_label) else 0
    height = TOP + legend + ROW_HEIGHT * max(len(bars), 1) + 4

    def x_of(left: Decimal, width: Decimal) -> Decimal:
        """Left edge of a rectangle drawn from ``left`` (LTR) -- mirrored for RTL."""
        return Decimal(WIDTH) - left - width if rtl else left

    def text(x: Decimal, y: Decimal, body: str, *, anchor: str, cls: str) -> str:
        if rtl:  # mirrored; "start"/"end" follow the text's direction, so the anchor needs no swap
            x = Decimal(WIDTH) - x
        direction = ' direction="rtl"' if rtl else ""
        return (f'<text x="{_coord(x)}" y="{_coord(y)}" text-anchor="{anchor}" class="{cls}" {PAINT["text"]}{direction}>'
                f"{escape(body)}</text>")

    def length(amount: Decimal) -> Decimal:
        if amount <= 0:
            return Decimal(0)
        return min(amount / scale, Decimal(1)) * track

    parts: list[str] = []
    origin = Decimal(LABEL_WIDTH + 8)
    if legend:
        y = Decimal(TOP + 4)
        cursor = origin
        for label, cls in ((reference_label, "chart-reference"), (value_label, "chart-value")):
            if not label:
                continue
            parts.append(f'<rect x="{_coord(x_of(cursor, Decimal(12)))}" y="{_coord(y)}" width="12" height="12" '
                         f'class="{cls}" {PAINT[cls]}/>')
            parts.append(text(cursor + 16, y + 10, label, anchor="start", cls="chart-legend"))
            cursor += Decimal(16 + 8 * len(label) + 20)
    for index, bar in enumerate(bars):
        y = Decimal(TOP + legend + index * ROW_HEIGHT)
        bar_y = y + Decimal(ROW_HEIGHT - BAR_HEIGHT) / 2
        parts.append(text(Decimal(LABEL_WIDTH), bar_y + 12, _short(bar.label), anchor="end", cls="chart-label"))
        reference = bar.reference if bar.reference is not None else (scale if scale_max is not None else None)
        if reference is not None:
            w = length(reference)
            parts.append(f'<rect x="{_coord(x_of(origin, w))}" y="{_coord(bar_y)}" width="{_coord(w)}" '
                         f'height="{BAR_HEIGHT}" class="chart-reference" {PAINT["chart-reference"]}/>')
        w = length(bar.value)
        cls = "chart-flagged" if bar.flagged else "chart-value"
        parts.append(f'<rect x="{_coord(x_of(origin, w))}" y="{_coord(bar_y + 3)}" width="{_coord(w)}" '
                     f'height="{BAR_HEIGHT - 6}" class="chart-value {cls}" {PAINT[cls]}/>')
        parts.append(text(origin + track + 6, bar_y + 12, bar.figure, anchor="start", cls="chart-figure"))
    description = "; ".join(f"{b.label}: {b.figure}" for b in bars)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
           f'width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="{uid}-title {uid}-desc">'
           f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{escape(description)}</desc>'
           f'{"".join(parts)}</svg>')
    return Chart(title=title, bars=bars, svg=Markup(svg))


def _short(label: str, limit: int = 28) -> str:
    """A label cut to fit beside the bar (the table beside the chart has it whole)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"
