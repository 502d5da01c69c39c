from accounts.policy import actor_for
from notifications import selectors


def unread_count(request):
    """The bell's number: one COUNT per request, only for signed-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = getattr(request, "_unread_notifications_count", None)
    if count is None:
        count = request._unread_notifications_count = selectors.unread_count(
            user=user, school=actor_for(request).school
        )
    return {"unread_notifications_count": count}
