"""Sign-ins, sign-outs, failed sign-ins and two-step sign-in events land in
the audit trail.

django-axes counts failures for the lockout; these rows are the school's own
record. A failed sign-in names the account only when it exists: a mistyped
username (often a password typed in the wrong box) is never stored.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.signals import two_factor_event, two_factor_reset
from audit.models import AuditAction
from audit.services import audit_record, audit_sign_in_event, user_for_username

TWO_FACTOR_ACTIONS = {
    "enabled": AuditAction.TWO_FACTOR_ENABLED,
    "disabled": AuditAction.TWO_FACTOR_DISABLED,
    "failed": AuditAction.TWO_FACTOR_FAILED,
    "recovery_codes": AuditAction.RECOVERY_CODES,
}


@receiver(user_logged_in, dispatch_uid="audit_logged_in")
def record_login(sender, request, user, **kwargs):
    audit_sign_in_event(request=request, action=AuditAction.LOGIN, user=user)


@receiver(user_logged_out, dispatch_uid="audit_logged_out")
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "logout_reason", None)
        detail = {"reason": reason} if reason else None
        audit_sign_in_event(request=request, action=AuditAction.LOGOUT, user=user, detail=detail)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    account = user_for_username(credentials.get("username"))
    detail = {"known_account": account is not None}
    if request is not None and getattr(request, "axes_locked_out", False):
        detail["locked_out"] = True
    audit_sign_in_event(request=request, action=AuditAction.LOGIN_FAILED, account=account, detail=detail)


@receiver(two_factor_event, dispatch_uid="audit_two_factor_event")
def record_two_factor_event(sender, request, user, event, **kwargs):
    audit_sign_in_event(request=request, action=TWO_FACTOR_ACTIONS[event], user=user)


@receiver(two_factor_reset, dispatch_uid="audit_two_factor_reset")
def record_two_factor_reset(sender, request, user, **kwargs):
    audit_record(request=request, action=AuditAction.TWO_FACTOR_RESET, obj=user)
