"""Signals for what accounts does that the audit trail records (audit.receivers
listens), so that accounts imports no app above it."""

from django.dispatch import Signal

# A user's own two-step sign-in event: sent with request, user and event
# ("enabled", "disabled", "failed" or "recovery_codes").
two_factor_event = Signal()

# An admin reset someone's two-step sign-in (lost phone): request, user.
two_factor_reset = Signal()
