"""Referral pages: filing, my referrals, one referral, triage, colleagues' input.

Lookups start from Referral.objects.visible_to(actor): a referral out of
the user's scope is 404; a wrong role is 403. Changes go through
referrals.services; a change the current state no longer allows comes back as
a message on the referral page, which then shows the current state.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from accounts.once import landed, submit_once
from accounts.policy import actor_for, may_triage, resolved
from audit.models import AuditAction
from audit.services import audit_record
from common.form_cache import cached_form_html
from common.rules import RuleError
from referrals import selectors, services
from referrals.filters import TriageFilter
from referrals.forms import (
    AcceptForm,
    AskInfoForm,
    DeclineForm,
    InputAnswerForm,
    InputRequestForm,
    ReferralForm,
    ResubmitForm,
    StudentSearchForm,
)
from referrals.hooks import open_case_for, with_case_progress
from referrals.models import InputRequest, Referral, ReferralAttachment
from roster.models import Classroom

LIST_PAGE_SIZE = 25
QUEUE_PAGE_SIZE = 50


def _referral_or_404(request, pk):
    """The actor and the referral, if the actor may see it (else 404)."""
    actor = actor_for(request)
    try:
        referral = resolved(request, "referral") or selectors.referral_for_page(Referral.objects.visible_to(actor), pk)
    except Referral.DoesNotExist:
        raise Http404 from None
    return actor, referral


def _to_referral(referral):
    return redirect("referrals:detail", pk=referral.pk)


def _filed(referral):
    message = _("Your referral was filed. A counselor will respond within 3 school days; you can follow it here.")
    return referral.get_absolute_url(), message


def _search_query(search):
    """The ?q= the search form accepted; none when it is too long or holds
    characters no query may carry (NUL), and the form then says why."""
    return search.cleaned_data["q"].strip() if search.is_valid() else ""


# Filing.


PREFILL_SESSION_KEY = "referral_prefill"
PREFILL_FIELDS = ("observation", "subject", "latest_score", "absences_30_days")


def new(request):
    actor = actor_for(request)
    school = actor.school
    services.ensure_default_categories(school)
    search = StudentSearchForm(request.GET or None)
    q = _search_query(search)
    student = None
    student_error = None

    if (earlier := landed(request)) is not None:
        messages.success(request, earlier.message)
        return redirect(earlier.url)
    if request.method == "POST":
        form = ReferralForm(request.POST, request.FILES, school=school)
        if form.is_valid():
            data = form.cleaned_data

            def submit():
                referral = services.referral_submit(
                    school=school,
                    actor=actor,
                    student=data["student"],
                    categories=data["categories"],
                    observation=data["observation"],
                    observed_since=data["observed_since"],
                    subject=data["subject"],
                    latest_score=data["latest_score"],
                    absences_30_days=data["absences_30_days"],
                    already_tried=data["already_tried"],
                    teacher_view=data["teacher_view"],
                    urgency=data["urgency"],
                    contact_preference=data["contact_preference"],
                    parents_informed=data["parents_informed"],
                    files=data["attachments"],
                )
                audit_record(request=request, action=AuditAction.CREATE, obj=referral)
                return referral

            landing = submit_once(request, token=data["form_token"], create=submit, done=_filed)
            messages.success(request, landing.message)
            return redirect(landing.url)
        if "student" not in form.errors:
            student = form.cleaned_data.get("student")
    else:
        student_id = request.GET.get("student", "")
        if student_id:
            if student_id.isascii() and student_id.isdigit():
                student = selectors.students_for_form(school).filter(pk=student_id).first()
            if student is None:
                student_error = _("Choose a student of your school from the search.")
        initial = {}
        if student is not None:
            initial = {
                "student": student.pk,
                "subject": selectors.subject_taught(teacher=request.user, student=student),
            }
            # Referred from another page (schooldata's early-warning list): what
            # it observed, with the figures, kept in the session, never in the URL.
            prefill = request.session.pop(PREFILL_SESSION_KEY, None)
            if isinstance(prefill, dict) and prefill.get("student") == student.pk:
                initial.update({k: prefill[k] for k in PREFILL_FIELDS if prefill.get(k) not in (None, "")})
        form = ReferralForm(initial=initial, school=school)

    context = {
        "form": form,
        "student": student,
        "student_error": student_error,
        "open_case": open_case_for(student) if student is not None else None,
        "search": search,
        "q": q,
        "results": selectors.student_search(school=school, teacher=request.user, q=q) if student is None else [],
        "min_search_length": selectors.MIN_SEARCH_LENGTH,
    }
    return render(request, "referrals/new.html", context)


def student_search(request):
    """Students matching ?q=, the teacher's own classes first. A full page
    without JavaScript; with ?partial=1 only the result list (live search)."""
    actor = actor_for(request)
    search = StudentSearchForm(request.GET or None)
    q = _search_query(search)
    context = {
        "search": search,
        "q": q,
        "results": selectors.student_search(school=actor.school, teacher=request.user, q=q),
        "min_search_length": selectors.MIN_SEARCH_LENGTH,
    }
    if request.GET.get("partial"):
        return render(request, "referrals/student_search.html#results", context)
    return render(request, "referrals/student_search.html", context)


# The teacher's referrals.


def referral_list(request):
    actor = actor_for(request)
    referrals = selectors.teacher_referrals(teacher=request.user, school=actor.school)
    page = Paginator(referrals, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_case_progress(page.object_list, actor=actor)
    context = {
        "page": page,
        "pending_inputs": list(selectors.pending_input_requests(user=request.user, school=actor.school)),
    }
    return render(request, "referrals/list.html", context)


# One referral.


def _detail_context(request, actor, referral, **forms):
    user = request.user
    is_referrer = referral.referred_by_id == user.pk
    can_triage = may_triage(actor)
    calendar = selectors.calendar_for(referral.school)
    with_case_progress([referral], actor=actor)
    context = {
        "referral": referral,
        "is_referrer": is_referrer,
        "can_triage": can_triage,
        "events": list(selectors.timeline(referral)),
        "attachments": list(selectors.attachments(referral)),
        "input_requests": list(selectors.input_requests(referral)),
        "categories": list(referral.categories.all()),
        "age": selectors.age_in_school_days(referral, calendar),
        "overdue": selectors.is_overdue(referral, calendar),
        "due_on": selectors.triage_due_on(referral, calendar),
        "contacts": selectors.referral_contacts(referral, viewer=user),
    }
    if is_referrer and referral.allows("resubmit"):
        context["resubmit_form"] = forms.get("resubmit_form") or ResubmitForm()
    if can_triage and referral.is_open:
        open_case = open_case_for(referral.student)
        context["open_case"] = open_case
        if referral.allows("accept"):
            context["accept_form"] = forms.get("accept_form") or AcceptForm(
                school=referral.school, joins_case=open_case is not None, initial={"lead_counselor": user.pk}
            )
            context["ask_form"] = forms.get("ask_form") or AskInfoForm()
            context["decline_form"] = forms.get("decline_form") or DeclineForm()
        asked = {r.requested_from_id for r in context["input_requests"]}
        candidates = [c for c in selectors.input_candidates(referral) if c[0].pk not in asked]
        if candidates:
            context["input_form"] = forms.get("input_form") or InputRequestForm(candidates=candidates)
    return context


def detail(request, pk):
    actor, referral = _referral_or_404(request, pk)
    audit_record(request=request, action=AuditAction.VIEW, obj=referral)
    return render(request, "referrals/detail.html", _detail_context(request, actor, referral))


def _rerender(request, actor, referral, **forms):
    return render(request, "referrals/detail.html", _detail_context(request, actor, referral, **forms))


def _state_allows(request, referral, action):
    """False (with the reason as a message) when the referral moved on."""
    if referral.allows(action):
        return True
    messages.error(request, referral.state_message())
    return False


def _run(request, referral, action, success):
    """Call a service; a state conflict becomes a message on the referral page."""
    try:
        action()
    except RuleError as error:
        messages.error(request, str(error))
    else:
        audit_record(
            request=request, action=AuditAction.CHANGE, obj=referral, detail={"step": request.resolver_match.url_name}
        )
        messages.success(request, success)
    return _to_referral(referral)


def _referrer_only(request, referral):
    if referral.referred_by_id != request.user.pk:
        raise PermissionDenied


def withdraw(request, pk):
    actor, referral = _referral_or_404(request, pk)
    _referrer_only(request, referral)
    if not _state_allows(request, referral, "withdraw"):
        return _to_referral(referral)
    return _run(
        request,
        referral,
        lambda: services.referral_withdraw(referral=referral, actor=actor),
        _("You withdrew the referral."),
    )


def resubmit(request, pk):
    actor, referral = _referral_or_404(request, pk)
    _referrer_only(request, referral)
    if not _state_allows(request, referral, "resubmit"):
        return _to_referral(referral)
    form = ResubmitForm(request.POST)
    if not form.is_valid():
        return _rerender(request, actor, referral, resubmit_form=form)
    return _run(
        request,
        referral,
        lambda: services.referral_resubmit(referral=referral, actor=actor, message=form.cleaned_data["message"]),
        _("Your answer was sent and the referral is back in the counselors' queue."),
    )


def ask(request, pk):
    actor, referral = _referral_or_404(request, pk)
    if not _state_allows(request, referral, "ask"):
        return _to_referral(referral)
    form = AskInfoForm(request.POST)
    if not form.is_valid():
        return _rerender(request, actor, referral, ask_form=form)
    return _run(
        request,
        referral,
        lambda: services.referral_ask_info(referral=referral, actor=actor, message=form.cleaned_data["message"]),
        _("Your question was sent to the teacher."),
    )


def decline(request, pk):
    actor, referral = _referral_or_404(request, pk)
    if not _state_allows(request, referral, "decline"):
        return _to_referral(referral)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _rerender(request, actor, referral, decline_form=form)
    return _run(
        request,
        referral,
        lambda: services.referral_decline(referral=referral, actor=actor, reason=form.cleaned_data["reason"]),
        _("The referral was declined. The teacher sees your reason."),
    )


def request_input(request, pk):
    actor, referral = _referral_or_404(request, pk)
    if not _state_allows(request, referral, "request_input"):
        return _to_referral(referral)
    asked = set(referral.input_requests.values_list("requested_from_id", flat=True))
    candidates = [c for c in selectors.input_candidates(referral) if c[0].pk not in asked]
    form = InputRequestForm(request.POST, candidates=candidates)
    if not form.is_valid():
        return _rerender(request, actor, referral, input_form=form)
    return _run(
        request,
        referral,
        lambda: services.referral_request_input(
            referral=referral, actor=actor, colleagues=form.cleaned_data["colleagues"]
        ),
        _("Your colleagues were asked for their view."),
    )


def attachment(request, pk, attachment_id):
    """An attachment as a download, only for those who may see the referral."""
    actor = actor_for(request)
    referral = resolved(request, "referral") or get_object_or_404(Referral.objects.visible_to(actor), pk=pk)
    item = get_object_or_404(ReferralAttachment, pk=attachment_id, referral=referral)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_record(request=request, action=AuditAction.DOWNLOAD, obj=item)
    response = FileResponse(handle, as_attachment=True, filename=item.original_name, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# Colleagues' input.


def input_answer(request, pk):
    """A colleague's short note on the student. They see the student's name,
    class and the question, not the referral itself."""
    actor = actor_for(request)
    item = get_object_or_404(
        InputRequest.objects.select_related("referral__student__classroom", "requested_by"),
        pk=pk,
        requested_from=request.user,
        referral__school=actor.school,
    )
    if (earlier := landed(request)) is not None:
        messages.success(request, earlier.message)
        return redirect(earlier.url)
    form = None
    if item.answered_at is None:
        form = InputAnswerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data

            def answer():
                services.input_answer(input_request=item, actor=actor, rating=data["rating"], note=data["note"])
                audit_record(request=request, action=AuditAction.CHANGE, obj=item.referral, detail={"step": "input"})
                return item

            done = lambda _item: (request.path, _("Thank you. The counselor can see your answer."))  # noqa: E731
            try:
                landing = submit_once(request, token=data["form_token"], create=answer, done=done)
            except RuleError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, landing.message)
            return redirect("referrals:input", pk=item.pk)
    return render(request, "referrals/input.html", {"item": item, "form": form})


# Triage.


def triage(request):
    actor = actor_for(request)
    school = actor.school
    covers_classes = Classroom.objects.for_school(school).filter(counselor=request.user).exists()
    params = TriageFilter.param_names()
    if any(name in request.GET for name in params):
        data = request.GET
    else:
        data = QueryDict(mutable=True)
        data.update(TriageFilter.DEFAULTS)
        if covers_classes:
            data["mine"] = "on"
    # Read once: the grade choices and the class choices of both filters.
    classrooms = list(Classroom.objects.for_school(school).order_by("grade", "name"))
    filterset = TriageFilter(
        data, queryset=selectors.triage_queue(school=school), school=school, user=request.user, classrooms=classrooms
    )
    page = Paginator(filterset.qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    calendar = selectors.calendar_for(school)
    rows = selectors.with_ages(page.object_list, calendar)

    # Counts per status over the same filters, whatever the status filter.
    without_status = data.copy()
    without_status.pop("status", None)
    counting = TriageFilter(
        without_status,
        queryset=selectors.triage_queue(school=school),
        school=school,
        user=request.user,
        classrooms=classrooms,
    )
    counts = selectors.status_counts(counting.qs.order_by())

    # Links that keep the other filters: the status counts and the pages.
    base = data.copy()
    base.pop("page", None)
    status_links = []
    for status, count in counts:
        link = base.copy()
        link["status"] = status.value
        status_links.append((status, count, link.urlencode(), data.get("status") == status.value))
    context = {
        "filter": filterset,
        # The filter's fields: cached per school data version and query (common.form_cache).
        "filter_fields": cached_form_html(
            school_id=school.pk,
            kind="triage-filter",
            data=data,
            ignore=("page",),
            cacheable=not filterset.form.errors,
            render=lambda: render_to_string("referrals/partials/triage_filter_fields.html", {"filter": filterset}),
        ),
        "page": page,
        "rows": rows,
        "status_links": status_links,
        "covers_classes": covers_classes,
    }
    return render(request, "referrals/triage.html", context)
