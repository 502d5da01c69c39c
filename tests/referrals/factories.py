"""Referral factories. Referrals built here skip the services (no events or
notifications); tests of behaviour file them through HTTP or the services."""

import factory

from referrals.models import ConcernCategory, Referral, Since
from referrals.services import ensure_default_categories
from tests.factories import StudentFactory, UserFactory


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral
        skip_postgeneration_save = True

    student = factory.SubFactory(StudentFactory)
    school = factory.SelfAttribute("student.school")
    referred_by = factory.SubFactory(UserFactory)
    observation = "Often stops working after ten minutes and does not finish the exercises."
    observed_since = Since.WEEKS

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            ensure_default_categories(self.school)
            extracted = [ConcernCategory.objects.get(school=self.school, code="low_achievement")]
        self.categories.set(extracted)


def category(school, code="low_achievement"):
    ensure_default_categories(school)
    return ConcernCategory.objects.get(school=school, code=code)
