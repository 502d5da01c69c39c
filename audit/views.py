from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.policy import actor_for
from audit.filters import AuditEventFilter
from audit.selectors import visible_audit_events

PAGE_SIZE = 50


def event_list(request):
    """The audit trail a counselor, the vice principal or the school admin may read."""
    actor = actor_for(request)
    events = visible_audit_events(actor).select_related("student")
    filterset = AuditEventFilter(request.GET or None, queryset=events)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    return render(request, "audit/event_list.html", context)
