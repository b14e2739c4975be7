"""A procedure's internal process drawn as a swimlane diagram, on the server.

One lane per role, the steps left to right as boxes in their role's lane, an arrow from each step
to the next, and the branches (supplement needed, refused) as dashed arrows to end boxes below the
lanes. `svg` gives the drawing for the procedure's page, `png` the same drawing for the Word file of
the process document (python-docx takes raster pictures only). Both draw one layout, computed once
as shapes in pixels, so the page and the document never show two different drawings. Text is
measured with Liberation Serif, which has the metrics of Times New Roman: the lines wrapped here fit
their boxes in a browser that shows Times New Roman too, whatever the fonts of the server.
"""

from __future__ import annotations

import collections
import functools
import io
import math
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from qms.processes.maps import HOURS_PER_DAY, ProcessMap

FONTS = Path(__file__).parents[1] / "static" / "fonts"
FONT_FAMILY = "Times New Roman, Liberation Serif, serif"

# The words on the diagram, in Vietnamese: the product is Vietnamese-first.
TITLE = "{name} (mã thủ tục {code})"
LIMITS = "Thời hạn giải quyết: {limit} · Tổng thời gian các bước: {total}"
SAME_DAY = "trong ngày"
SAME_DAY_CUTOFF = "trong ngày (tiếp nhận trước {cutoff})"
STEP = "Bước {}"
HOURS = "{} giờ làm việc"
DAYS = "{} ngày làm việc"
DAYS_HOURS = "{} ngày {} giờ làm việc"
BRANCH_LABELS = {"supplement": "Yêu cầu bổ sung hồ sơ", "refused": "Từ chối giải quyết"}
RETURN_LABEL = "Công dân bổ sung"
LEGEND = {
    "start": "Bắt đầu",
    "end": "Kết thúc",
    "flow": "Chuyển bước tiếp theo",
    "supplement": "Nhánh yêu cầu bổ sung hồ sơ",
    "refused": "Nhánh từ chối giải quyết",
}

INK, MUTED, FLOW, GRID = "#1f2933", "#4a5561", "#37474f", "#9fb0c2"
STEP_FILL, STEP_INK = "#e8f1fb", "#2f5d8a"
LANE_FILLS, HEADER_FILL = ("#ffffff", "#f3f6f9"), "#dde6f0"
# stroke, fill and text colour of each branch: amber for "come back", red for "stop"
BRANCH_COLOURS = {"supplement": ("#b7791f", "#fff4dc", "#7a4f00"), "refused": ("#c0392b", "#fde8e6", "#9b2c1f")}

# Pixels at 100 % zoom. The box width gives way between its bounds so that 4 to 8 steps fit a
# screen: wide boxes for few steps (fewer lines), narrow ones for many.
MARGIN, HEADER_W, START_W, END_W, TAIL = 20, 160, 44, 50, 16
BOX_MIN_W, BOX_MAX_W, GAP, TARGET_W = 150, 200, 34, 1400
BOX_PAD, TEXT_PAD, LANE_PAD, LANE_MIN, CHANNEL, RADIUS = 10, 12, 16, 84, 34, 8
HEAD, HEAD_HALF, DASH = 9, 4.5, (6, 4)
TITLE_SIZE, BODY, SMALL, LEADING = 18, 15, 13, 1.3


# The layout's shapes, in pixels at 100 % zoom; colours are "#rrggbb", None for none.
Rect = collections.namedtuple("Rect", "x y w h fill stroke width radius", defaults=(1, 0))
Line = collections.namedtuple("Line", "points stroke width dashed")  # a polyline: ((x, y), ...)
Poly = collections.namedtuple("Poly", "points fill")
Circle = collections.namedtuple("Circle", "x y r fill stroke width", defaults=(None, 1.5))
# lines: ((baseline y, text), ...); anchor: "middle" or "start" (of x)
Text = collections.namedtuple("Text", "x lines size fill bold anchor", defaults=(False, "middle"))
Group = collections.namedtuple("Group", "cls attrs shapes")  # attrs: ((name, value), ...) for the SVG
Layout = collections.namedtuple("Layout", "width height title groups")


@functools.lru_cache(maxsize=32)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    # The basic layout (no text shaping) rounds each glyph's advance to whole pixels as browsers do
    # on Linux: the widest of the usual renderings, so lines measured with it fit everywhere; and
    # the PNG does not change with whether Pillow was built with libraqm.
    name = FONTS / f"LiberationSerif-{'Bold' if bold else 'Regular'}.ttf"
    return ImageFont.truetype(str(name), size, layout_engine=ImageFont.Layout.BASIC)


def _wrap(text, size, bold, width):
    """`text` in lines no wider than `width`; a word wider than a line is broken, never cut."""
    font, lines, line = _font(size, bold), [], ""
    # composed characters: the basic layout draws a base letter and its combining accent apart
    for word in unicodedata.normalize("NFC", text).split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while len(word) > 1 and font.getlength(word) > width:
            cut = len(word) - 1
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    return [*lines, line] if line else lines


def _height(paragraphs):
    return sum(len(lines) * round(size * LEADING) for lines, size, _, _ in paragraphs)


def _texts(x, top, paragraphs, anchor="middle"):
    """Paragraphs of (lines, size, bold, colour) set one under the other from `top`."""
    texts = []
    for lines, size, bold, fill in paragraphs:
        step = round(size * LEADING)
        # the baseline sits about one font size below the line's top (Times' ascent is 0.89 em)
        texts.append(Text(x, tuple((top + i * step + size, s) for i, s in enumerate(lines)), size, fill, bold, anchor))
        top += len(lines) * step
    return texts


def _arrow(points, colour, dashed=False):
    """A polyline ending in an arrowhead; the line stops at the head so dashes never poke through."""
    (x1, y1), (x2, y2) = points[-2], points[-1]
    length = math.hypot(x2 - x1, y2 - y1)
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    bx, by = x2 - ux * HEAD, y2 - uy * HEAD
    head = ((x2, y2), (bx - uy * HEAD_HALF, by + ux * HEAD_HALF), (bx + uy * HEAD_HALF, by - ux * HEAD_HALF))
    return [Line((*points[:-1], (bx, by)), colour, 1.5, dashed), Poly(head, colour)]


def _end_marker(x, y):
    return [Circle(x, y, 9, "#ffffff", FLOW), Circle(x, y, 5, FLOW)]


def _duration(hours):
    if hours <= HOURS_PER_DAY:
        return HOURS.format(hours)
    days, rest = divmod(hours, HOURS_PER_DAY)
    return DAYS_HOURS.format(days, rest) if rest else DAYS.format(days)


def _limit(process):
    if process.working_days:
        return DAYS.format(process.working_days)
    return SAME_DAY_CUTOFF.format(cutoff=process.cutoff) if process.cutoff else SAME_DAY


def layout(process: ProcessMap) -> Layout:
    """Where everything goes, in pixels at 100 % zoom: what both renderers draw."""
    steps, branches = process.steps, process.branches
    used = list(dict.fromkeys(step.role for step in steps))
    lanes = used + [role for role in process.roles if role not in used]
    fixed = 2 * MARGIN + HEADER_W + START_W + END_W + TAIL - GAP
    box_w = max(BOX_MIN_W, min(BOX_MAX_W, (TARGET_W - fixed) // len(steps) - GAP))
    left = MARGIN + HEADER_W
    xs = [left + START_W + i * (box_w + GAP) for i in range(len(steps))]
    inner = box_w - 2 * TEXT_PAD
    contents = [  # each box's paragraphs: number, name, allowance, the form it produces
        [([STEP.format(number)], SMALL + 1, True, STEP_INK), (_wrap(step.name, BODY, False, inner), BODY, False, INK)]
        + [([HOURS.format(step.hours) if step.days is None else DAYS.format(step.days)], SMALL + 1, False, MUTED)]
        + ([(_wrap(step.produces, SMALL, False, inner), SMALL, False, STEP_INK)] if step.produces else [])
        for number, step in enumerate(steps, 1)
    ]
    heights = [_height(paragraphs) + 2 * BOX_PAD for paragraphs in contents]

    index = {step.id: i for i, step in enumerate(steps)}
    # the steps both branches leave
    both = {b.after for b in branches if b.kind == "supplement"} & {b.after for b in branches if b.kind == "refused"}
    placed = []  # (branch, its step's index, box x, its paragraphs)
    for branch in branches:
        # when both branches leave one step, the refusal moves one column right to keep its own box
        shift = box_w + GAP if branch.kind == "refused" and branch.after in both else 0
        text = BRANCH_COLOURS[branch.kind][2]
        paragraphs = [(_wrap(BRANCH_LABELS[branch.kind], SMALL, True, inner), SMALL, True, text)]
        paragraphs += [(_wrap(branch.produces, SMALL, False, inner), SMALL, False, text)] if branch.produces else []
        placed.append((branch, index[branch.after], xs[index[branch.after]] + shift, paragraphs))
    entries, x = [], MARGIN  # the legend's: (key, where its sample begins, the sample's width)
    for key in ("start", "end", "flow", *(b.kind for b in branches)):
        sample = {"start": 14, "end": 18}.get(key, 36)
        entries.append((key, x, sample))
        x += sample + 6 + math.ceil(_font(SMALL, False).getlength(LEGEND[key])) + 28
    right = max([xs[-1] + box_w + END_W + TAIL, x - 28] + [bx + box_w + TAIL for _, _, bx, _ in placed])
    width = right + MARGIN

    limits = LIMITS.format(limit=_limit(process), total=_duration(process.allowance_hours))
    title = TITLE.format(name=process.name, code=process.code)
    heading = [
        (_wrap(title, TITLE_SIZE, True, width - 2 * MARGIN), TITLE_SIZE, True, INK),
        (_wrap(limits, BODY, False, width - 2 * MARGIN), BODY, False, MUTED),
    ]
    groups = [Group("title", (), tuple(_texts(MARGIN, MARGIN, heading, "start")))]

    top = MARGIN + _height(heading) + 14
    centre = {}
    for number, role in enumerate(lanes):
        label = [(_wrap(process.roles[role], BODY, True, HEADER_W - 2 * TEXT_PAD), BODY, True, INK)]
        own = [h for h, step in zip(heights, steps) if step.role == role]
        h = max(LANE_MIN, max(own + [_height(label)]) + 2 * LANE_PAD)
        centre[role] = top + h // 2
        shapes = (
            Rect(MARGIN, top, right - MARGIN, h, LANE_FILLS[number % 2], GRID),
            Rect(MARGIN, top, HEADER_W, h, HEADER_FILL, GRID),
            *_texts(MARGIN + HEADER_W // 2, top + (h - _height(label)) // 2, label),
        )
        groups.append(Group("lane", (("data-role", role),), shapes))
        top += h
    band = top  # the lanes end here; the branches' end boxes lie below, outside the main flow
    ys = [centre[step.role] - h // 2 for step, h in zip(steps, heights)]

    first = centre[steps[0].role]
    flow = [Circle(left + 18, first, 7, FLOW), *_arrow(((left + 25, first), (xs[0], first)), FLOW)]
    for i in range(len(steps) - 1):
        x1, x2, y1, y2 = xs[i] + box_w, xs[i + 1], centre[steps[i].role], centre[steps[i + 1].role]
        middle = x1 + GAP // 2
        flow += _arrow(((x1, y1), (x2, y2)) if y1 == y2 else ((x1, y1), (middle, y1), (middle, y2), (x2, y2)), FLOW)
    end_x, end_y = xs[-1] + box_w, centre[steps[-1].role]
    flow += [*_arrow(((end_x, end_y), (end_x + 25, end_y)), FLOW), *_end_marker(end_x + 34, end_y)]
    groups.append(Group("flow", (), tuple(flow)))

    bottom = band
    for branch, i, x, paragraphs in placed:
        stroke, fill, text = BRANCH_COLOURS[branch.kind]
        box_top, step_bottom = band + CHANNEL, ys[i] + heights[i]
        box_h = _height(paragraphs) + 2 * BOX_PAD
        shapes = [Rect(x, box_top, box_w, box_h, fill, stroke, 1.5, RADIUS)]
        if branch.kind == "supplement":
            down = xs[i] + box_w - (24 if branch.after in both else 10)
            shapes += _arrow(((down, step_bottom), (down, box_top)), stroke, True)
            shapes += _arrow(((xs[i] + 10, box_top), (xs[i] + 10, step_bottom)), stroke, True)
            shapes.append(Text(xs[i] + 15, ((band + 22, RETURN_LABEL),), SMALL, text, anchor="start"))
        elif x != xs[i]:
            # beside the supplement's box: along the top of the band, right of its return label
            down, channel = xs[i] + box_w - 10, band + 10
            points = ((down, step_bottom), (down, channel), (x + box_w // 2, channel), (x + box_w // 2, box_top))
            shapes += _arrow(points, stroke, True)
        else:
            shapes += _arrow(((x + box_w // 2, step_bottom), (x + box_w // 2, box_top)), stroke, True)
        shapes += _texts(x + box_w // 2, box_top + BOX_PAD, paragraphs)
        groups.append(Group(f"branch {branch.kind}", (), tuple(shapes)))
        bottom = max(bottom, box_top + box_h)

    for step, x, y, h, paragraphs in zip(steps, xs, ys, heights, contents):
        box = Rect(x, y, box_w, h, STEP_FILL, STEP_INK, 1.5, RADIUS)
        groups.append(Group("step", (("data-step", step.id),), (box, *_texts(x + box_w // 2, y + BOX_PAD, paragraphs))))

    y = bottom + 32  # the middle of the legend's row
    legend = []
    for key, x, sample in entries:
        if key == "start":
            legend.append(Circle(x + 7, y, 7, FLOW))
        elif key == "end":
            legend += _end_marker(x + 9, y)
        else:
            colour = FLOW if key == "flow" else BRANCH_COLOURS[key][0]
            legend += _arrow(((x, y), (x + sample, y)), colour, key != "flow")
        legend.append(Text(x + sample + 6, ((y + 5, LEGEND[key]),), SMALL, INK, anchor="start"))
    groups.append(Group("legend", (), tuple(legend)))
    return Layout(width, y + 10 + MARGIN, title, tuple(groups))


# --- SVG ------------------------------------------------------------------------------------------


def _n(value):
    return f"{round(value, 2):g}"


def _attr(value):
    return escape(str(value), {'"': "&quot;"})


def _points(points):
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _svg_shape(shape):
    if isinstance(shape, Rect):
        return (
            f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.w)}" height="{_n(shape.h)}" '
            f'rx="{_n(shape.radius)}" fill="{shape.fill}" stroke="{shape.stroke}" stroke-width="{_n(shape.width)}"/>'
        )
    if isinstance(shape, Line):
        dash = f' stroke-dasharray="{DASH[0]} {DASH[1]}"' if shape.dashed else ""
        return (
            f'<polyline points="{_points(shape.points)}" fill="none" stroke="{shape.stroke}" '
            f'stroke-width="{_n(shape.width)}"{dash}/>'
        )
    if isinstance(shape, Poly):
        return f'<polygon points="{_points(shape.points)}" fill="{shape.fill}"/>'
    if isinstance(shape, Circle):
        stroke = f' stroke="{shape.stroke}" stroke-width="{_n(shape.width)}"' if shape.stroke else ""
        return f'<circle cx="{_n(shape.x)}" cy="{_n(shape.y)}" r="{_n(shape.r)}" fill="{shape.fill}"{stroke}/>'
    weight = ' font-weight="bold"' if shape.bold else ""
    lines = "".join(f'<tspan x="{_n(shape.x)}" y="{_n(y)}">{escape(text)}</tspan>' for y, text in shape.lines)
    return f'<text font-size="{shape.size}"{weight} fill="{shape.fill}" text-anchor="{shape.anchor}">{lines}</text>'


def svg(process: ProcessMap) -> str:
    """The diagram as a standalone SVG document."""
    drawing = layout(process)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{drawing.width}" height="{drawing.height}" '
        f'viewBox="0 0 {drawing.width} {drawing.height}" font-family="{_attr(FONT_FAMILY)}">',
        f"<title>{escape(drawing.title)}</title>",
        f'<rect width="{drawing.width}" height="{drawing.height}" fill="#ffffff"/>',
    ]
    for group in drawing.groups:
        attrs = "".join(f' {name}="{_attr(value)}"' for name, value in group.attrs)
        out += [f'<g class="{_attr(group.cls)}"{attrs}>', *map(_svg_shape, group.shapes), "</g>"]
    out.append("</svg>")
    return "\n".join(out) + "\n"


# --- PNG ------------------------------------------------------------------------------------------


def _dashes(points):
    """The dashes of a dashed polyline, the pattern running on across its corners as SVG's does."""
    on, period = DASH[0], sum(DASH)
    dashes, run = [], 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:]):
        length, done = math.hypot(x2 - x1, y2 - y1), 0.0
        while done < length:
            phase = run % period
            step = min((on - phase) if phase < on else (period - phase), length - done)
            if phase < on:
                a, b = done / length, (done + step) / length
                dashes.append(((x1 + (x2 - x1) * a, y1 + (y2 - y1) * a), (x1 + (x2 - x1) * b, y1 + (y2 - y1) * b)))
            done, run = done + step, run + step
    return dashes


def png(process: ProcessMap, scale: float = 2) -> bytes:
    """The diagram as a PNG, `scale` pixels per pixel of the SVG (2: sharp in print at its width on
    a landscape A4 page); its DPI says so, for Word to size it as the SVG would be shown."""
    drawing = layout(process)
    image = Image.new("RGB", (math.ceil(drawing.width * scale), math.ceil(drawing.height * scale)), "#ffffff")
    draw = ImageDraw.Draw(image)

    def at(points):
        return [(x * scale, y * scale) for x, y in points]

    for shape in (shape for group in drawing.groups for shape in group.shapes):
        width = max(1, round(getattr(shape, "width", 1) * scale))
        if isinstance(shape, Rect):
            box = at(((shape.x, shape.y), (shape.x + shape.w, shape.y + shape.h)))
            draw.rounded_rectangle(box, shape.radius * scale, fill=shape.fill, outline=shape.stroke, width=width)
        elif isinstance(shape, Line):
            for part in _dashes(shape.points) if shape.dashed else [shape.points]:
                draw.line(at(part), fill=shape.stroke, width=width, joint="curve")
        elif isinstance(shape, Poly):
            draw.polygon(at(shape.points), fill=shape.fill)
        elif isinstance(shape, Circle):
            box = at(((shape.x - shape.r, shape.y - shape.r), (shape.x + shape.r, shape.y + shape.r)))
            draw.ellipse(box, fill=shape.fill, outline=shape.stroke, width=width)
        else:
            font = _font(round(shape.size * scale), shape.bold)
            anchor = "ms" if shape.anchor == "middle" else "ls"
            for y, text in shape.lines:
                draw.text((shape.x * scale, y * scale), text, font=font, fill=shape.fill, anchor=anchor)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(96 * scale, 96 * scale))
    return out.getvalue()
