"""``{% load policy %}``: ask the ``may`` object about one record.

``{% if may.download_meeting|of:meeting %}`` is accounts.policy.may_download_meeting(actor, meeting).
"""

from django import template

register = template.Library()


@register.filter
def of(grant, record):
    """The bound grant's decision for ``record`` (False for anything else)."""
    return bool(callable(grant) and grant(record))
