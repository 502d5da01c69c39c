from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.policy import actor_for, resolved
from notifications import channels, selectors, services, subjects
from notifications.forms import PreferenceForm
from notifications.models import Notification

PAGE_SIZE = 20


def _get_own_notification(request, notification_id):
    """The signed-in user's own notification at their school; anyone else's is 404."""
    return resolved(request, "own") or get_object_or_404(
        Notification, pk=notification_id, recipient=request.user, school=actor_for(request).school
    )


def notification_list(request):
    actor = actor_for(request)
    inbox = selectors.inbox_for(user=request.user, school=actor.school)
    page = Paginator(inbox, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = subjects.with_student_names(page.object_list, actor=actor)
    return render(request, "notifications/list.html", {"page": page})


def notification_read(request, notification_id):
    """Mark read and open the record it is about."""
    notification = _get_own_notification(request, notification_id)
    services.notification_mark_read(notification=notification)
    url = notification.url
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(url)
    return redirect("notifications:list")


def notification_read_all(request):
    count = services.notifications_mark_all_read(user=request.user, school=actor_for(request).school)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


def notification_settings(request):
    preference = services.preference_for(user=request.user)
    whatsapp_enabled = channels.whatsapp_enabled()
    data = request.POST if request.method == "POST" else None
    form = PreferenceForm(data, instance=preference, whatsapp_enabled=whatsapp_enabled)
    if request.method == "POST" and form.is_valid():
        services.preference_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notifications:settings")
    context = {"form": form, "whatsapp_enabled": whatsapp_enabled}
    return render(request, "notifications/settings.html", context)
