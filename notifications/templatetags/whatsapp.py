"""WhatsApp click-to-chat links to colleagues.

    {% load whatsapp %}
    {% whatsapp_link person url label=case.number as wa_href %}
    {% if wa_href %}<a href="{{ wa_href }}">…</a>{% endif %}

gives https://wa.me/<digits>?text=<a neutral sentence and the absolute link>,
or "" when the person has no WhatsApp number or is the signed-in user. The
text is in the language of the page (the sender's).
"""

from django import template

from notifications import messages

register = template.Library()


@register.simple_tag(takes_context=True)
def whatsapp_link(context, person, url, label=""):
    if person is None or not getattr(person, "whatsapp", ""):
        return ""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    if viewer is not None and viewer.is_authenticated and viewer.pk == person.pk:
        return ""
    text = messages.click_to_chat_text(name=person.get_full_name(), url=str(url), about=str(label or ""))
    return messages.click_to_chat_url(number=person.whatsapp, text=text)
