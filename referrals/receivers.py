"""A new school starts with the default concern categories.

Seeded when the School row is created rather than when a teacher first opens
the referral form, so the school admin's list and the triage filter are never
empty, and a category the admin adds first comes on top of the defaults
instead of replacing them.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from referrals.services import ensure_default_categories
from roster.models import School


@receiver(post_save, sender=School, dispatch_uid="referrals_default_categories")
def seed_default_categories(sender, instance, created, raw=False, **kwargs):
    # raw: loaddata restores a school's own categories from the fixture.
    if created and not raw:
        ensure_default_categories(instance)
