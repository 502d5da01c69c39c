from django.shortcuts import render

from accounts.policy import actor_for
from audit.filters import AuditEventFilter
from audit.selectors import visible_audit_events
from common.paging import countless_page

PAGE_SIZE = 50


def event_list(request):
    """The audit trail a counselor, the vice principal or the school admin may read."""
    actor = actor_for(request)
    events = visible_audit_events(actor).select_related("student")
    filterset = AuditEventFilter(request.GET or None, queryset=events)
    # No count: the trail grows with every page view, and numbering its pages
    # would read all of the school's rows on each visit (common.paging).
    page = countless_page(filterset.qs, request.GET.get("page"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    return render(request, "audit/event_list.html", context)
