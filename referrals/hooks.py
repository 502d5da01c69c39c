"""What the referral pages need from casework, which sits above referrals and
fills this in its AppConfig.ready(): the student's open case."""

_lookups = {}


def register_open_case_lookup(lookup):
    """``lookup(student)`` returns the student's open case or None."""
    _lookups["open_case"] = lookup


def open_case_for(student):
    return _lookups["open_case"](student)
