"""Form widgets shared by the apps."""

from django import forms
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext


class CountedTextarea(forms.Textarea):
    """A textarea with the field's character limit shown below it; with
    JavaScript (static/js/char-counter.js) the line counts as the user types."""

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        limit = self.attrs.get("maxlength")
        field_id = (attrs or {}).get("id") or self.attrs.get("id")
        if not limit or not field_id:
            return html
        limit = int(limit)
        return html + format_html(
            '<div class="form-text char-counter" id="{}_count" data-counter-for="{}" data-limit="{}" data-template="{}">'
            "{}</div>",
            field_id,
            field_id,
            limit,
            gettext("%(count)s / %(limit)s characters")
            % {"count": "{count}", "limit": number_format(limit, force_grouping=True)},
            gettext("Up to %(limit)s characters.") % {"limit": number_format(limit, force_grouping=True)},
        )
