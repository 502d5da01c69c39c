"""A goal's reading in words a teacher understands: casework.progress reads
the numbers, this module says what it means and whether the counselor still
has to decide. No queries: callers pass the rows they loaded."""

from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.progress import (
    Rules,
    Suggestion,
    Trend,
    expected_sessions,
    fidelity_ratio,
    latest_phase,
    read_progress,
)


def suggestion_text(reading, rules):
    n = rules.points
    below = _("below") if reading.rising else _("above")
    above = _("above") if reading.rising else _("below")
    s = reading.suggestion
    if s == Suggestion.CHANGE:
        return _(
            "The last %(n)s measurements are %(side)s the aim line: consider changing or intensifying the plan."
        ) % {
            "n": n,
            "side": below,
        }
    if s == Suggestion.CHECK_FIDELITY:
        return _(
            "The last %(n)s measurements are %(side)s the aim line, but only %(held)s%% of the planned sessions "
            "were held: first check that the plan was carried out, then consider changing it."
        ) % {"n": n, "side": below, "held": round(100 * reading.fidelity)}
    if s == Suggestion.FADE:
        return _(
            "The last %(n)s measurements are %(side)s the aim line: the goal may be met early, "
            "or the support could be reduced."
        ) % {"n": n, "side": above}
    if s == Suggestion.MET:
        return _("The latest measurement reached the target: consider fading the support or closing the goal.")
    if s == Suggestion.CONTINUE:
        return _("The measurements are on both sides of the aim line: continue the plan.")
    if s == Suggestion.COLLECTING:
        return ngettext(
            "%(count)s measurement since the plan started or changed; %(n)s are needed before a suggestion: "
            "keep measuring.",
            "%(count)s measurements since the plan started or changed; %(n)s are needed before a suggestion: "
            "keep measuring.",
            reading.points,
        ) % {"count": reading.points, "n": n}
    return _("Give the goal a baseline, a target and a target date to get a suggestion.")


def trend_text(reading):
    if reading.trend is None:
        return ""
    return {
        Trend.ON_TRACK: _("The trend reaches the target on time."),
        Trend.TOO_SLOW: _("The trend goes the right way, but too slowly to reach the target on time."),
        Trend.WRONG_WAY: _("The trend is flat or goes away from the target."),
    }[reading.trend]


def goal_advice(goal, *, measurements, decisions, fidelity=None, rules=None):
    """The reading of ``goal`` from its measurements (objects with ``date`` and
    ``measured_value``, in date order) and its decisions (with ``decided_on``
    and ``draws_phase_line``): the suggestion in words, the phase lines, and
    whether it needs a decision (one the rules suggest, and none recorded
    since the latest measurement was entered)."""
    rules = rules or Rules.from_settings()
    phases = [d.decided_on for d in decisions if d.draws_phase_line]
    reading = read_progress(
        baseline=goal.baseline,
        target=goal.target,
        start=timezone.localdate(goal.created_at),
        target_date=goal.target_date,
        points=[(e.date, e.measured_value) for e in measurements],
        phase_start=latest_phase([(d.decided_on, d.draws_phase_line) for d in decisions]),
        fidelity=fidelity,
        rules=rules,
    )
    # Recorded after the latest measurement was entered (a decision answers
    # the data it was made on; a new measurement asks again).
    last_point = max((e.created_at for e in measurements), default=None)
    last_decision = max((d.created_at for d in decisions), default=None)
    decided = last_decision is not None and last_point is not None and last_decision >= last_point
    return SimpleNamespace(
        reading=reading,
        text=suggestion_text(reading, rules),
        trend=trend_text(reading),
        needs_decision=reading.needs_decision and not decided,
        decided=decided,
        phases=phases,
        decisions=list(decisions),
    )


def action_fidelity(action, *, held, not_held, today):
    """Planned vs held for an action with sessions a week: sets ``expected``,
    ``held``, ``not_held`` and ``fidelity`` (a share, or None) on it. Planned
    from its start (or the day it was added) to today or its end."""
    start = action.starts_on or timezone.localdate(action.created_at)
    until = min(today, action.ends_on) if action.ends_on else today
    action.expected = expected_sessions(per_week=action.sessions_per_week, starts_on=start, until=until)
    action.held, action.not_held = held, not_held
    action.fidelity = fidelity_ratio(expected=action.expected, held=held) if action.sessions_per_week else None
    action.fidelity_percent = round(100 * action.fidelity) if action.fidelity is not None else None
    return action


def goal_fidelity(actions):
    """The share of planned sessions held over a goal's actions that plan
    sessions (after action_fidelity); None when none does or none is due yet."""
    planned = [a for a in actions if getattr(a, "fidelity", None) is not None and a.status != "cancelled"]
    if not planned:
        return None
    return fidelity_ratio(expected=sum(a.expected for a in planned), held=sum(a.held for a in planned))
