"""A goal's progress as numbers for a server-rendered SVG chart.

The template draws what this module measures: baseline, every measured value
by date, and the target as a line. No JavaScript is involved.
"""

import datetime
import math
from decimal import Decimal

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 20, 32


def _num(value):
    """A Decimal for labels; templates format it for the reader's language (floatformat)."""
    return Decimal(str(round(float(value), 6))).normalize()


def _nice(span):
    """A round step (1, 2 or 5 times a power of ten) of at least ``span``."""
    power = 10 ** math.floor(math.log10(span))
    for factor in (1, 2, 5, 10):
        if span <= factor * power:
            return factor * power
    return 10 * power


# Points on the same day sit this far apart, so none hides another.
SAME_DAY_GAP = 12
# A value label closer than this to the baseline's label goes below its point.
LABEL_CLEARANCE_X, LABEL_CLEARANCE_Y = 36, 18


def progress_chart(*, baseline, target, points, start, target_date=None, phases=()):
    """Coordinates for a chart of one goal.

    ``points`` is a list of (date, value) in date order; ``start`` is the date
    the baseline stands for (when the goal was set); the x-axis runs to
    ``target_date`` when the goal has one. With a baseline, a target and a
    target date it has the aim line between them; ``phases`` are the dates of
    phase lines (a decision that changed the plan). Returns None when there is
    nothing to draw.
    """
    values = [v for _d, v in points]
    known = values + [v for v in (baseline, target) if v is not None]
    if not values and baseline is None:
        return None
    low, high = float(min(known)), float(max(known))
    if low == high:
        low, high = low - 1, high + 1
    step = _nice((high - low) / 4)
    floor = math.floor(low / step) * step
    if floor == low and low != 0:
        floor -= step  # keep the lowest point off the axis
    if floor < 0 <= low:
        floor = 0
    low, high = floor, math.ceil(high / step) * step

    dates = [d for d, _v in points]
    first = min([start, *dates]) if dates else start
    last = max([*dates, *phases, *([target_date] if target_date else [])], default=start)
    if last <= first:
        last = first + datetime.timedelta(days=1)
    span_days = (last - first).days
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day):
        return round(LEFT + plot_w * (day - first).days / span_days, 1)

    def y(value):
        return round(TOP + plot_h * (high - float(value)) / (high - low), 1)

    series = []
    if baseline is not None:
        bx, by = x(first), y(baseline)
        series.append(
            {"x": bx, "y": by, "value": _num(baseline), "date": first, "baseline": True, "bx": bx - 5, "by": by - 5}
        )
    on_day = {first: 1} if baseline is not None else {}
    for day, value in points:
        nth = on_day.get(day, 0)
        on_day[day] = nth + 1
        px = x(day) + nth * SAME_DAY_GAP
        if px > WIDTH - RIGHT:  # no room on the right: spread to the left
            px = x(day) - nth * SAME_DAY_GAP
        series.append({"x": round(px, 1), "y": y(value), "value": _num(value), "date": day, "baseline": False})
    for p in series:
        p["label_dy"] = -10
    if baseline is not None:
        base = series[0]
        for p in series[1:]:
            if abs(p["x"] - base["x"]) < LABEL_CLEARANCE_X and abs(p["y"] - base["y"]) < LABEL_CLEARANCE_Y:
                p["label_dy"] = 20
    aim = None
    if baseline is not None and target is not None and target_date is not None and target_date > start:
        aim = {"x1": x(start), "y1": y(baseline), "x2": x(target_date), "y2": y(target)}
    phase_lines = [{"x": x(day), "date": day} for day in phases if first <= day <= last]
    ticks = []
    value = low
    while value <= high + step / 2:
        ticks.append({"y": y(value), "label": _num(value)})
        value += step
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "tick_x": LEFT - 8,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "series": series,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in series),
        "target_y": y(target) if target is not None else None,
        "target": _num(target) if target is not None else None,
        "ticks": ticks,
        "aim": aim,
        "phases": phase_lines,
        "first": first,
        "last": last,
    }
