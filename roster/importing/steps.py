"""The web steps every import shares, after the preview: cancel, confirm once
(a resent confirm lands on the first import's message), and the example
files. The roster import and the school-data import (schooldata, above
roster) differ only in how they read the waiting rows and commit them."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.once import TOKEN_FIELD, landed, submit_once
from audit.models import AuditAction, ObjectType
from audit.services import audit_record
from roster.importing import pending


class _NothingImported(Exception):
    """The confirm imported nothing (the answer is in ``response``): the form token stays unspent."""

    def __init__(self, response):
        self.response = response


def import_cancel(request, *, session_key, url_name):
    pending.discard_pending(request.session.pop(session_key, None))
    messages.info(request, _("The import was cancelled: nothing was changed."))
    return redirect(url_name)


def import_confirm(request, *, session_key, url_name, load, commit, not_committed):
    """Import the rows waiting under the session's token, once.

    ``load(token)`` gives the waiting table or None, ``commit(table)`` imports
    it and gives the result, ``not_committed(result)`` the page to show when
    nothing could be imported."""
    if (earlier := landed(request)) is not None:
        messages.success(request, earlier.message)
        return redirect(earlier.url)
    notes = []

    def create():
        token = request.session.pop(session_key, None)
        table = load(token)
        pending.discard_pending(token)
        if table is None:
            messages.warning(request, _("There is no import waiting to be confirmed. Please upload the file again."))
            raise _NothingImported(redirect(url_name))
        result = commit(table)
        if not result.committed:
            raise _NothingImported(not_committed(result))
        audit_record(
            request=request,
            action=AuditAction.CHANGE,
            object_type=ObjectType.ROSTER,
            detail={"import": result.kind, **result.counts},
        )
        notes.extend(getattr(result, "notes", ()))
        return result

    def done(result):
        counts = result.counts
        message = _("%(kind)s imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.") % {
            "kind": result.kind_label,
            "created": counts["created"],
            "updated": counts["updated"],
            "unchanged": counts["unchanged"],
        }
        return reverse(url_name), message

    try:
        landing = submit_once(request, token=request.POST.get(TOKEN_FIELD), create=create, done=done)
    except _NothingImported as nothing:
        return nothing.response
    messages.success(request, landing.message)
    for note in notes:
        messages.info(request, note)
    return redirect(landing.url)


def example_download(name, *, examples, folder):
    """One of the example files (``examples``: name → content type) as a download."""
    if name not in examples or not (folder / name).is_file():
        raise Http404
    return FileResponse(
        open(folder / name, "rb"),  # noqa: SIM115 — FileResponse closes it
        as_attachment=True,
        filename=name,
        content_type=examples[name],
    )
