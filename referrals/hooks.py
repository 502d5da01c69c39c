"""What the referral pages need from casework, which sits above referrals and
fills this in its AppConfig.ready(): the student's open case."""

_lookups = {}


def register_open_case_lookup(lookup):
    """``lookup(student)`` returns the student's open case or None."""
    _lookups["open_case"] = lookup


def open_case_for(student):
    return _lookups["open_case"](student)


def register_case_progress(lookup):
    """``lookup(referrals, actor=...)`` sets ``case_progress`` on each referral
    that has a case: what the referring teacher sees of the case."""
    _lookups["case_progress"] = lookup


def with_case_progress(referrals, *, actor):
    referrals = list(referrals)
    if any(r.case_id for r in referrals):
        _lookups["case_progress"](referrals, actor=actor)
    return referrals
