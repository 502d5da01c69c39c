"""A number per school that changes whenever data a report reads changes.

The report page caches its computed indicators under a key that includes this
number (reports.cache); a write that changes what a report counts calls
bump(school_id), so the next report is computed afresh. Model signals bump it
(reports.apps); services that write with update() or bulk_create(), which
send no signals, bump it themselves.

The number lives in the cache (Redis in production), next to the reports it
keys. When it is missing (first use, evicted, Redis restarted) it starts from
the clock in nanoseconds, so a reset never returns to a number an older cached
report was stored under. A cache that is down costs nothing but the cache:
current() returns None (the report is computed, not cached) and bump() does
nothing, so a write never fails because Redis is away.
"""

import logging
import time

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


def _key(school_id):
    return f"report-version:{school_id}"


def current(school_id):
    """The school's report version, or None when the cache cannot be reached."""
    key = _key(school_id)
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, time.time_ns(), timeout=None)
            version = cache.get(key)
    except Exception:  # noqa: BLE001 - any cache error: compute the report without the cache
        logger.warning("report version: the cache is unavailable", exc_info=True)
        return None
    return version


def bump(school_id):
    """Make every cached report of the school stale: now, and again once the
    transaction commits, since a report computed between the two read the
    data from before the write and must not stay cached."""
    if school_id is None:
        return
    _bump(school_id)
    transaction.on_commit(lambda: _bump(school_id))


def _bump(school_id):
    key = _key(school_id)
    try:
        try:
            cache.incr(key)
        except ValueError:  # not in the cache (yet, or any more)
            cache.set(key, time.time_ns(), timeout=None)
    except Exception:  # noqa: BLE001 - a write must not fail because the cache is down
        logger.warning("report version: could not bump school %s", school_id, exc_info=True)
