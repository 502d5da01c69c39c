import django_filters
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction, AuditEvent, ObjectType


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices, empty_label=_("All actions"))
    object_type = django_filters.ChoiceFilter(
        label=_("Record type"), choices=ObjectType.choices, empty_label=_("All records")
    )
    username = django_filters.CharFilter(
        label=_("Username"), field_name="actor_username", lookup_expr="iexact", max_length=150
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "object_type", "username"]
