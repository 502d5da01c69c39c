"""Saving or deleting a row the report reads makes the school's cached reports
stale (common.report_version). Writes that send no signals (update(),
bulk_create(), bulk_update()) bump the version in their services instead."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from common import report_version

# Rows that carry their school.
SCHOOL_MODELS = [
    "referrals.Referral",
    "referrals.ConcernCategory",
    "casework.Case",
    "accounts.Membership",
    "roster.Student",
    "roster.Classroom",
    "roster.Subject",
    "roster.Holiday",
    "roster.Term",
]
# Rows that hang off a case or a referral: (model, the field naming it).
PARENT_FIELD = {
    "casework.EvaluationEntry": "case",
    "casework.Goal": "case",
    "casework.Meeting": "case",
    "referrals.ReferralEvent": "referral",
}


def _school_changed(sender, instance, **kwargs):
    report_version.bump(instance.school_id)


def _child_changed(sender, instance, **kwargs):
    field = instance._meta.get_field(PARENT_FIELD[sender._meta.label])
    if field.is_cached(instance):
        parent = getattr(instance, field.name)
        report_version.bump(parent.school_id if parent is not None else None)
        return
    parent_id = getattr(instance, field.attname)
    if parent_id is not None:
        report_version.bump(
            field.related_model.objects.filter(pk=parent_id).values_list("school_id", flat=True).first()
        )


def _concerns_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        # instance is the referral, or a concern when the link is changed from its side.
        report_version.bump(instance.school_id)


def connect():
    from django.apps import apps

    for label in SCHOOL_MODELS:
        model = apps.get_model(label)
        post_save.connect(_school_changed, sender=model, dispatch_uid=f"report-version-{label}-save")
        post_delete.connect(_school_changed, sender=model, dispatch_uid=f"report-version-{label}-delete")
    for label in PARENT_FIELD:
        model = apps.get_model(label)
        post_save.connect(_child_changed, sender=model, dispatch_uid=f"report-version-{label}-save")
        post_delete.connect(_child_changed, sender=model, dispatch_uid=f"report-version-{label}-delete")
    referral = apps.get_model("referrals.Referral")
    m2m_changed.connect(_concerns_changed, sender=referral.categories.through, dispatch_uid="report-version-concerns")
