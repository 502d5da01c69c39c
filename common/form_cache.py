"""A filter form's HTML, cached per school, language, day and query.

Filter forms drawn with crispy-forms cost 1.5–2 ms a field, a fifth to a third
of a list page. Their HTML depends only on the query (the values shown), the
language, and the school's classes, subjects and concerns they offer as
choices; saving or deleting any of those bumps the school's report version
(common.report_version, reports.signals), which is part of the key. A GET form
holds no CSRF token and nothing of the user's beyond the query. A form with
errors is drawn afresh. settings.REPORT_CACHE_SECONDS is how long an entry
lives (0: not cached).
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from common import report_version

logger = logging.getLogger(__name__)


def cached_form_html(*, school_id, kind, data, render, ignore=(), cacheable=True):
    """render()'s HTML for the form bound to ``data`` (a QueryDict), from the
    cache when the school's data it offers has not changed. Parameters in
    ``ignore`` (page numbers) do not change the form."""
    seconds = settings.REPORT_CACHE_SECONDS
    version = report_version.current(school_id) if seconds > 0 and cacheable and school_id is not None else None
    if version is None:
        return render()
    query = "&".join(f"{k}={v}" for k, v in sorted((k, v) for k, vs in data.lists() for v in vs if k not in ignore))
    parts = [str(school_id), str(version), translation.get_language() or "", str(timezone.localdate()), query]
    key = f"form:{kind}:{school_id}:{hashlib.sha256('|'.join(parts).encode()).hexdigest()}"
    try:
        html = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is down: draw the form
        logger.warning("form cache: could not read", exc_info=True)
        html = None
    if html is None:
        html = str(render())
        try:
            cache.set(key, html, seconds)
        except Exception:  # noqa: BLE001 - the cache is down: the form was drawn anyway
            logger.warning("form cache: could not store", exc_info=True)
    return mark_safe(html)  # noqa: S308 - HTML rendered here from a template
