"""Create forms that a resend cannot double (issue #12).

A create form carries a one-time token in a hidden field (``OnceForm``).
``submit_once`` spends it in the same transaction as the insert, through the
unique constraint on FormSubmission.token: of two requests with one token the
second waits for the first to commit, then lands where the first one did, with
its message and no error. A missing or malformed token, or one taken with other
data (Back, change a field, submit again), is a fresh submit: the form still
works for a page cached before tokens or a client that drops hidden fields.
"""

import dataclasses
import datetime
import hashlib
import re
import secrets
from collections.abc import Callable

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.models import FormSubmission
from accounts.policy import actor_for

TOKEN_FIELD = "form_token"
TOKEN = re.compile(r"[0-9a-f]{32}")
# A resend comes within minutes; a day-old page makes a new record after this.
KEEP = datetime.timedelta(days=7)
_NOT_POSTED = {"csrfmiddlewaretoken", TOKEN_FIELD}


def new_token():
    return secrets.token_hex(16)


class TokenField(forms.CharField):
    """The hidden one-time token; anything that is not one cleans to ""."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return value if TOKEN.fullmatch(value) else ""


class OnceForm:
    """Mixin for a create form: adds the hidden token, a fresh one per unbound
    form. A subclass that edits sets ``once = False``."""

    once = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.once:
            self.fields[TOKEN_FIELD] = TokenField(initial=new_token)


def token_from(data):
    """The token of a cleaned form or a POST, or "" when it is not one."""
    value = data.get(TOKEN_FIELD) or ""
    return value if isinstance(value, str) and TOKEN.fullmatch(value) else ""


def digest(request):
    """A hash of what was posted (fields and uploaded files), without the tokens."""
    parts = [(k, v) for k, values in sorted(request.POST.lists()) if k not in _NOT_POSTED for v in values]
    parts += [(k, f"{f.name}:{f.size}") for k, files in sorted(request.FILES.lists()) for f in files]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class Landing:
    """Where the user goes and what they are told; ``repeated`` when an earlier
    request with the same token made the record."""

    url: str
    message: str
    repeated: bool = False


def _mine(request, token):
    return {"token": token, "school": actor_for(request).school, "user": request.user, "digest": digest(request)}


def landed(request):
    """Where an earlier request with this POST's token and data landed, or None.
    Asked before the form is validated: after the first save the form may no
    longer accept the same data (the person is on the team now)."""
    token = token_from(request.POST) if request.method == "POST" else ""
    if not token:
        return None
    earlier = FormSubmission.objects.filter(**_mine(request, token)).exclude(url="").first()
    return Landing(earlier.url, earlier.message, repeated=True) if earlier else None


def submit_once(request, *, token, create: Callable, done: Callable) -> Landing:
    """``create()`` once per token (it may raise; the token is then not spent);
    ``done(obj)`` gives the (url, message) of the result, kept for a resend."""
    token = token if isinstance(token, str) and TOKEN.fullmatch(token) else ""
    with transaction.atomic():
        claim = None
        if token:
            mine = _mine(request, token)
            try:
                with transaction.atomic():
                    claim = FormSubmission.objects.create(**mine)
            except IntegrityError:
                # The first request has committed (the insert waited for it).
                earlier = FormSubmission.objects.filter(**mine).exclude(url="").first()
                if earlier is not None:
                    return Landing(earlier.url, earlier.message, repeated=True)
        obj = create()
        url, message = done(obj)
        message = str(message)
        if claim is not None:
            if isinstance(obj, models.Model) and obj.pk is not None:
                claim.content_type, claim.object_id = ContentType.objects.get_for_model(obj), obj.pk
            claim.url, claim.message = str(url), message
            claim.save(update_fields=["content_type", "object_id", "url", "message"])
    return Landing(str(url), message)


def form_submissions_purge(*, now=None):
    """Remove tokens older than KEEP; returns how many were removed."""
    cutoff = (now or timezone.now()) - KEEP
    return FormSubmission.objects.filter(created_at__lt=cutoff).delete()[0]
