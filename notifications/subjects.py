"""Which student a notification is about, named in the app's own list for
people who may see that student. Outside channels (messages.py) never call
this: emails and WhatsApp texts stay neutral.

A notification stores only a label and a link; the domain apps register, per
URL name of such links, how to find the student's name among the records the
actor may see: ``finder(actor, pks) -> {pk: name}`` (one query per URL name
found on the page).
"""

from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

_finders = {}


def register(url_name, finder):
    _finders[url_name] = finder


def with_student_names(notifications, *, actor):
    """Set ``student_name`` on each notification ("" when the actor may not
    see the student, or the link names no student)."""
    notifications = list(notifications)
    wanted = {}
    for notification in notifications:
        notification.student_name = ""
        try:
            match = resolve(urlsplit(notification.url).path)
        except Resolver404:
            continue
        pk = match.kwargs.get("pk")
        if pk is not None and match.view_name in _finders:
            wanted.setdefault(match.view_name, []).append((notification, pk))
    for url_name, items in wanted.items():
        names = _finders[url_name](actor, {pk for _, pk in items})
        for notification, pk in items:
            notification.student_name = names.get(pk, "")
    return notifications
