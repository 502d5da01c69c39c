"""The case's form pages: one helper for GET/POST, rule errors, stale edits and
the redirect with its message and audit row (casework.views declares the pages)."""

import dataclasses
from collections.abc import Callable

from django.contrib import messages
from django.forms import HiddenInput
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.once import TOKEN_FIELD, landed, submit_once
from audit.models import AuditAction
from audit.services import audit_record
from casework.services import StaleEdit
from common.rules import RuleError


def detail_url(case, anchor=""):
    return case.get_absolute_url() + (f"#{anchor}" if anchor else "")


def audit_change(request, obj):
    """One audit row per saved change, named by the page that made it."""
    audit_record(request=request, action=AuditAction.CHANGE, obj=obj, detail={"step": request.resolver_match.url_name})


def next_or(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def submitted(form):
    """(label, value) of what a user typed, to show back when their save was refused."""
    rows = []
    for name, field in form.fields.items():
        if isinstance(field.widget, HiddenInput):
            continue
        value = form.cleaned_data.get(name)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif hasattr(field, "choices") and not hasattr(value, "pk") and value not in (None, ""):
            value = dict(field.choices).get(value, value)
        rows.append((field.label, value if value not in (None, "") else "—"))
    return rows


@dataclasses.dataclass(frozen=True)
class FormPage:
    """A form page of a case. Calling it with the request, the case, the (bound on
    POST) form and ``save`` answers the request: GET shows the form; a valid POST
    calls ``save(**cleaned_data)`` (a service with its fixed arguments; once per
    token for an accounts.once.OnceForm, a resend lands where the first did), writes the audit row, says ``success`` (a text,
    or a function of the cleaned data, called after the save) and redirects to
    ``done_url`` or the case at ``anchor`` (a safe ``?next=`` first when
    ``follow_next``). A GET with ``?fragment=1`` answers the form alone (the case
    page and the caseload fetch it when the user opens it). A RuleError becomes a form error next to its field or at the
    top; a StaleEdit answers 409 with what the user typed above ``fresh(current)``."""

    title: str
    submit: str
    success: str | Callable
    anchor: str = ""
    intro: str = ""
    follow_next: bool = False
    done_url: str = ""
    back: str = ""

    def but(self, **changes):
        """The same page with some texts changed (a title that names the item, say)."""
        return dataclasses.replace(self, **changes)

    def done(self, request, case, data):
        """Where a saved form lands and what it says (kept for a resend of a create form)."""
        target = str(self.done_url) or detail_url(case, self.anchor)
        message = self.success(data) if callable(self.success) else self.success
        return next_or(request, target) if self.follow_next else target, message

    def __call__(self, request, case, form, save, *, fresh=None):
        conflict = None
        if (earlier := landed(request)) is not None:
            messages.success(request, earlier.message)
            return redirect(earlier.url)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            token = data.pop(TOKEN_FIELD, "")
            try:
                landing = submit_once(
                    request, token=token, create=lambda: save(**data), done=lambda _obj: self.done(request, case, data)
                )
            except StaleEdit as e:
                conflict = submitted(form)
                messages.error(request, str(e))
                form = fresh(e.current)
            except RuleError as e:
                form.add_error(e.field if e.field in form.fields else None, str(e))
            else:
                if not landing.repeated:
                    audit_change(request, case)
                messages.success(request, landing.message)
                return redirect(landing.url)
        context = {
            "case": case,
            "form": form,
            "title": self.title,
            "submit": self.submit,
            "action": request.path,
            "back": self.back or detail_url(case),
            "conflict": conflict,
            "intro": self.intro,
            "next": request.POST.get("next") or request.GET.get("next") or "",
        }
        if request.method == "GET" and request.GET.get("fragment") == "1":
            # The form alone, fetched by a page that draws it only when opened.
            context["fragment"] = True
            # Ids of its own: several fetched forms may sit on one page.
            form.auto_id = f"id_{request.resolver_match.url_name}_%s"
            response = render(request, "casework/partials/form_page_form.html", context)
            # What the page's script checks: anything else (a sign-in page after a
            # redirect, an error page) is not put into the page.
            response["X-Sinergi-Fragment"] = "form"
            return response
        return render(request, "casework/form_page.html", context, status=409 if conflict else 200)
