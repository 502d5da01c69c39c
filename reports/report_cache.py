"""The report page's indicators and charts, cached per school and filters.

What is cached is the computed Report (counts, charts, the workload), never the
page's HTML (it carries the user's CSRF token and the paged lists). The key
holds the school's report version (common.report_version), which the writes a
report reads bump, so a new referral or evaluation entry shows on the next
report at once; the filters, the user's language, today's date (overdue
follow-ups count from it) and whose scope the report covers. Entries expire
after settings.REPORT_CACHE_SECONDS (0 turns the cache off), which also bounds
what no write announces: a meeting whose time passes becomes "held", a
counselor renames themselves.
"""

import dataclasses
import hashlib
import io
import logging
import pickle

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.functional import Promise

from common import report_version
from common.form_cache import cached_form_html
from reports.indicators import build_report

logger = logging.getLogger(__name__)

# Query parameters that page the lists and leave the filter form as it is.
PAGE_PARAMS = ("page", "referrals_page")


def _scope(actor):
    """Users who see the school's referrals and cases share one report; anyone
    else's is their own."""
    if actor.may("referral", "view_all") and actor.may("case", "view_all"):
        return "school"
    return f"user-{actor.user.pk}"


def _key(school_id, version, today, *parts, kind="report"):
    parts = [str(school_id), str(version), translation.get_language() or "", str(today), *parts]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"{kind}:{school_id}:{digest}"


def _params(params):
    return "&".join(f"{k}={v}" for k, v in sorted(params))


class _Pickler(pickle.Pickler):
    """Lazy translations stored as the plain strings they are in the key's
    language: unpickling a lazy string builds a new proxy class each time
    (about 0.3 ms apiece, and a report holds dozens)."""

    def reducer_override(self, obj):
        if isinstance(obj, Promise):
            return str, (str(obj),)
        return NotImplemented


def _dumps(report):
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(report)
    return buffer.getvalue()


def cached_report(*, actor, filters, categories, calendar=None):
    """build_report() for the filters, from the cache when nothing it reads
    has changed since it was computed."""
    seconds = settings.REPORT_CACHE_SECONDS
    version = report_version.current(filters.school.pk) if seconds > 0 else None
    if version is None:
        return build_report(actor=actor, filters=filters, categories=categories, calendar=calendar)
    key = _key(filters.school.pk, version, timezone.localdate(), _scope(actor), _params(filters.as_params().items()))
    try:
        stored = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is down: compute the report
        logger.warning("report cache: could not read", exc_info=True)
        stored = None
    if stored is not None:
        # Our own pickle of what this code stored under a key only it writes.
        report = pickle.loads(stored)  # noqa: S301
        # The form's own filters and categories, not copies from the cache.
        return dataclasses.replace(report, filters=filters, categories=categories)
    report = build_report(actor=actor, filters=filters, categories=categories, calendar=calendar)
    try:
        cache.set(key, _dumps(dataclasses.replace(report, filters=None, categories=None)), seconds)
    except Exception:  # noqa: BLE001 - the cache is down: the report was computed anyway
        logger.warning("report cache: could not store", exc_info=True)
    return report


def cached_filter_form(*, school_id, data, render):
    """The report's filter form (common.form_cache): the same GET data gives
    the same form; its choices are the school's classes, subjects and
    concerns and its default period the current term, all of which bump the
    report version. Drawing its eight fields costs about as much as the rest
    of the page's markup."""
    return cached_form_html(school_id=school_id, kind="report-filters", data=data, render=render, ignore=PAGE_PARAMS)
