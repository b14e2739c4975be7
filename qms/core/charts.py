"""Charts drawn on the server as SVG (no script, nothing the Content-Security-Policy forbids: shapes
with presentation attributes, no style attribute). This module lays a chart out; the template macro
in templates/_macros/charts.html writes it, with its <title> and <desc>, role="img" and the data
table screen readers read beside it.

A Pareto chart: bars from the largest, the cumulative percentage as a line over them (right-hand
scale), a dashed line at 80 %. Bars beyond `max_bars` are gathered into one last bar ("Other").

A target chart: one bar per period (the months of a year) with a dashed line at the target; the bars
that miss it are drawn in another colour and hatched, so that colour is not the only sign.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 360
LEFT, RIGHT, TOP, BOTTOM = 52, 56, 24, 84
LABEL_LINES = 3
CHAR_WIDTH = 6.4  # about one character of the axis labels' 12-unit font


@dataclass(frozen=True)
class Bar:
    label: str  # in full (the bar's tooltip)
    lines: list[str]  # the label wrapped under the bar
    count: int
    cumulative: float
    x: float
    y: float
    width: float
    height: float
    centre: float
    line_y: float  # where the cumulative line passes over the bar


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class ParetoChart:
    width: int
    height: int
    left: int
    right: float  # x of the right-hand axis
    top: int
    bottom: float  # y of the horizontal axis
    bars: list[Bar]
    count_ticks: list[Tick]
    percent_ticks: list[Tick]
    line_points: str  # the polyline's points
    eighty_y: float


def _step(largest: int) -> int:
    """A whole-number step giving at most five ticks up to `largest`."""
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        step = candidate
        if math.ceil(largest / candidate) <= 5:
            break
    else:
        step = 10 ** math.ceil(math.log10(max(largest, 1) / 5))
    return step


def wrap(text: str, width: int, lines: int = LABEL_LINES) -> list[str]:
    """`text` in at most `lines` lines of at most `width` characters; what does not fit ends in "…"."""
    out, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        out.append(current)
    out = [line if len(line) <= width else line[: width - 1] + "…" for line in out]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return out


def pareto_chart(items, *, max_bars=8, other_label="Other") -> ParetoChart:
    """Lay out a Pareto chart of `items`, each with .short (the axis label), .label, .count and
    .cumulative (as qms.nonconformities.analysis.ParetoItem), largest first."""
    items = list(items)
    rows = [(i.short, i.label, i.count, i.cumulative) for i in items[:max_bars]]
    if len(items) > max_bars:
        rest = items[max_bars:]
        text = f"{other_label} ({len(rest)})"
        rows.append((text, text, sum(i.count for i in rest), 100.0))
    bottom = HEIGHT - BOTTOM
    right = WIDTH - RIGHT
    plot_height = bottom - TOP
    largest = max((count for _s, _l, count, _c in rows), default=0)
    step = _step(largest)
    top_value = max(step * math.ceil(largest / step), step)
    slot = (right - LEFT) / max(len(rows), 1)
    bar_width = slot * 0.62
    chars = max(int(slot / CHAR_WIDTH), 4)
    bars = []
    for index, (short, label, count, cumulative) in enumerate(rows):
        centre = LEFT + slot * (index + 0.5)
        height = plot_height * count / top_value
        bars.append(
            Bar(
                label=label,
                lines=wrap(short, chars),
                count=count,
                cumulative=cumulative,
                x=round(centre - bar_width / 2, 1),
                y=round(bottom - height, 1),
                width=round(bar_width, 1),
                height=round(height, 1),
                centre=round(centre, 1),
                line_y=round(bottom - plot_height * cumulative / 100, 1),
            )
        )
    count_ticks = [
        Tick(round(bottom - plot_height * value / top_value, 1), str(value)) for value in range(0, top_value + 1, step)
    ]
    percent_ticks = [Tick(round(bottom - plot_height * p / 100, 1), f"{p} %") for p in (0, 25, 50, 75, 100)]
    return ParetoChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=right,
        top=TOP,
        bottom=bottom,
        bars=bars,
        count_ticks=count_ticks,
        percent_ticks=percent_ticks,
        line_points=" ".join(f"{b.centre},{b.line_y}" for b in bars),
        eighty_y=round(bottom - plot_height * 0.8, 1),
    )


# --- a value per period beside its target ------------------------------------------------------------

TARGET_HEIGHT = 270
TARGET_TOP = 40  # the target's legend above the plot
TARGET_BOTTOM = 40


@dataclass(frozen=True)
class TargetBar:
    label: str  # under the bar (a month: "03")
    title: str  # the bar's tooltip, in full
    text: str  # the value as written over the bar ("" without a value)
    misses: bool  # the value falls short of the target
    x: float
    y: float
    width: float
    height: float
    centre: float


@dataclass(frozen=True)
class TargetChart:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    bars: list[TargetBar]
    ticks: list[Tick]
    target_y: float | None  # where the dashed target line runs (None: no target)
    target_text: str


def target_chart(points, *, target=None, top_value=None, fmt=str, target_text="") -> TargetChart:
    """Lay out one bar per period: `points` [(label, title, value or None, misses)], on a scale from
    0 to `top_value` (by default the largest value or target, rounded up), with a dashed line at
    `target`; `fmt` writes a value ("87,5 %")."""
    points = list(points)
    bottom = TARGET_HEIGHT - TARGET_BOTTOM
    right = WIDTH - RIGHT
    plot_height = bottom - TARGET_TOP
    if top_value is None:
        largest = max([v for _l, _t, v, _m in points if v is not None] + [target or 0, 1])
        step = _step(math.ceil(largest))
        top_value = step * math.ceil(largest / step)
    else:
        step = _step(int(top_value))
    left = LEFT + 16  # room for "100 %"
    slot = (right - left) / max(len(points), 1)
    bar_width = slot * 0.62
    bars = []
    for index, (label, title, value, miss) in enumerate(points):
        centre = left + slot * (index + 0.5)
        height = plot_height * min(value, top_value) / top_value if value else 0
        bars.append(
            TargetBar(
                label=label,
                title=title,
                text=fmt(value) if value is not None else "",
                misses=miss,
                x=round(centre - bar_width / 2, 1),
                y=round(bottom - height, 1),
                width=round(bar_width, 1),
                height=round(height, 1),
                centre=round(centre, 1),
            )
        )
    ticks = []
    tick = 0
    while tick <= top_value:
        ticks.append(Tick(round(bottom - plot_height * tick / top_value, 1), fmt(tick)))
        tick += step
    target_y = round(bottom - plot_height * min(target, top_value) / top_value, 1) if target is not None else None
    return TargetChart(
        width=WIDTH,
        height=TARGET_HEIGHT,
        left=left,
        right=right,
        top=TARGET_TOP,
        bottom=bottom,
        bars=bars,
        ticks=ticks,
        target_y=target_y,
        target_text=target_text,
    )
