"""Files a notification's email carries, made by the app that owns the record.

A notification stores a reference such as "meeting:12"; the app of that record
registers in its AppConfig.ready() how to turn it into (file name, content,
MIME type), so notifications imports none of the apps that use it.
"""

from django.utils import translation

from notifications import messages

_makers = {}


def register(kind, maker):
    """``maker(notification, pk)`` returns (file name, content, MIME type) or None."""
    _makers[kind] = maker


def reference(kind, pk):
    return f"{kind}:{pk}"


def attachment_for(notification):
    """The file for the notification's email, in the recipient's language, or None."""
    if not notification.attachment:
        return None
    kind, _, pk = notification.attachment.partition(":")
    with translation.override(messages.language_of(notification.recipient)):
        return _makers[kind](notification, int(pk))
