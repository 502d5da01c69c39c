"""Decision rules on a goal's progress: plain values in, a reading out.

No ORM and no translation here, so that casework, the coordination forum and
the school-data import can all call the same rules, and the tests call them
with numbers. The thresholds are settings (``DECISION_RULE_POINTS``,
``DECISION_RULE_FIDELITY``); ``Rules.from_settings()`` reads them.

The aim line runs from the baseline (on the day the goal was set) to the
target (on the target date). The last ``points`` measurements since the
latest phase line are read against it:

- the latest measurement reached the target: the goal is met (fade or close);
- fewer than ``points`` measurements: keep collecting (continue);
- the last ``points`` all behind the line: change or intensify the plan, but
  first check that the plan was carried out when fewer than ``fidelity`` of
  the planned sessions were held;
- the last ``points`` all ahead of the line: the goal may be met early, or
  support reduced (fade);
- otherwise continue.

"Behind" means below the line for a goal that should go up (a score) and
above it for one that should go down (days absent). A point exactly on the
line is neither and breaks a run. The trend is the least-squares slope of
the same measurements, compared with the slope of the aim line.
"""

import dataclasses
import enum

# What the rules suggest.


class Suggestion(enum.StrEnum):
    NO_AIM_LINE = "no_aim_line"  # no baseline, target or target date: nothing to read against
    COLLECTING = "collecting"  # fewer measurements than the rule needs
    CONTINUE = "continue"
    CHECK_FIDELITY = "check_fidelity"  # behind, but the plan was not carried out as planned
    CHANGE = "change"  # behind the aim line: change or intensify the plan
    FADE = "fade"  # ahead of the aim line: may be met early, support could be reduced
    MET = "met"  # the target is reached


# The suggestions that ask the counselor to decide something.
NEEDS_DECISION = frozenset({Suggestion.CHECK_FIDELITY, Suggestion.CHANGE, Suggestion.FADE, Suggestion.MET})


class Trend(enum.StrEnum):
    ON_TRACK = "on_track"  # the slope reaches the target on time
    TOO_SLOW = "too_slow"  # moving the right way, too slowly
    WRONG_WAY = "wrong_way"  # flat, or moving away from the target


@dataclasses.dataclass(frozen=True)
class Rules:
    points: int = 4
    fidelity: float = 0.8

    @classmethod
    def from_settings(cls):
        from django.conf import settings

        return cls(
            points=getattr(settings, "DECISION_RULE_POINTS", cls.points),
            fidelity=getattr(settings, "DECISION_RULE_FIDELITY", cls.fidelity),
        )


@dataclasses.dataclass(frozen=True)
class Reading:
    suggestion: Suggestion
    run: int = 0  # how many of the last measurements are in the run that decided
    points: int = 0  # measurements read (since the latest phase line)
    slope: float | None = None  # per day, least squares
    needed_slope: float | None = None  # per day, the aim line's
    trend: Trend | None = None
    fidelity: float | None = None
    rising: bool = True  # the goal should go up

    @property
    def needs_decision(self):
        return self.suggestion in NEEDS_DECISION


def _days(day, start):
    return (day - start).days


def aim_value(*, baseline, target, start, target_date, day):
    """The aim line's value on ``day``."""
    span = _days(target_date, start)
    if span <= 0:
        return float(target)
    return float(baseline) + (float(target) - float(baseline)) * _days(day, start) / span


def least_squares_slope(points):
    """The slope (per day) of the least-squares line through (date, value)
    points; None with fewer than two distinct dates."""
    if len(points) < 2:
        return None
    origin = points[0][0]
    xs = [_days(d, origin) for d, _v in points]
    ys = [float(v) for _d, v in points]
    n = len(points)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx


def expected_sessions(*, per_week, starts_on, until):
    """Sessions planned from ``starts_on`` up to and including ``until`` at
    ``per_week`` sessions a week (whole sessions only)."""
    if not per_week or starts_on is None or until is None or until < starts_on:
        return 0
    days = _days(until, starts_on) + 1
    return int(days * per_week // 7)


def fidelity_ratio(*, expected, held):
    """The share of planned sessions that were held, at most 1; None when
    nothing was planned yet."""
    if not expected:
        return None
    return min(1.0, held / expected)


def read_progress(*, baseline, target, start, target_date, points, phase_start=None, fidelity=None, rules=None):
    """The reading of one goal.

    ``points`` are (date, value) pairs; ``start`` is the day the baseline
    stands for; ``phase_start`` the date of the latest phase line (only later
    measurements count); ``fidelity`` the share of planned sessions held
    (None: unknown, not checked)."""
    rules = rules or Rules()
    if baseline is None or target is None or target_date is None or float(baseline) == float(target):
        return Reading(Suggestion.NO_AIM_LINE, fidelity=fidelity)
    rising = float(target) > float(baseline)
    points = sorted(points, key=lambda p: p[0])
    if phase_start is not None:
        points = [p for p in points if p[0] > phase_start]
    slope = least_squares_slope(points)
    span = _days(target_date, start)
    needed = (float(target) - float(baseline)) / span if span > 0 else None
    trend = None
    if slope is not None:
        gain = slope if rising else -slope
        if gain <= 0:
            trend = Trend.WRONG_WAY
        elif needed is None or gain >= abs(needed):
            trend = Trend.ON_TRACK
        else:
            trend = Trend.TOO_SLOW
    common = {"points": len(points), "slope": slope, "needed_slope": needed, "trend": trend}
    common |= {"fidelity": fidelity, "rising": rising}

    if points:
        latest = float(points[-1][1])
        if (latest >= float(target)) if rising else (latest <= float(target)):
            return Reading(Suggestion.MET, run=1, **common)
    if len(points) < rules.points:
        return Reading(Suggestion.COLLECTING, **common)

    def side(point):
        """+1 ahead of the aim line, -1 behind it, 0 on it."""
        day, value = point
        gap = float(value) - aim_value(baseline=baseline, target=target, start=start, target_date=target_date, day=day)
        if abs(gap) < 1e-9:
            return 0
        ahead = gap > 0 if rising else gap < 0
        return 1 if ahead else -1

    last = [side(p) for p in points[-rules.points :]]
    if all(s < 0 for s in last):
        if fidelity is not None and fidelity < rules.fidelity:
            return Reading(Suggestion.CHECK_FIDELITY, run=rules.points, **common)
        return Reading(Suggestion.CHANGE, run=rules.points, **common)
    if all(s > 0 for s in last):
        return Reading(Suggestion.FADE, run=rules.points, **common)
    return Reading(Suggestion.CONTINUE, **common)


def latest_phase(decisions):
    """The date of the latest phase line among (date, draws_phase_line) pairs."""
    dates = [day for day, phase in decisions if phase]
    return max(dates) if dates else None


__all__ = [
    "NEEDS_DECISION",
    "Reading",
    "Rules",
    "Suggestion",
    "Trend",
    "aim_value",
    "expected_sessions",
    "fidelity_ratio",
    "latest_phase",
    "least_squares_slope",
    "read_progress",
]
