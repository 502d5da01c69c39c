from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts import two_factor
from accounts.forms import ProfileForm, SignInForm, TwoFactorCodeForm
from accounts.policy import HOME_PAGES, actor_for
from accounts.signals import two_factor_event


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        if two_factor.two_factor_pending(self.request):
            return two_factor.next_step_url(self.request, url)
        return url

    def form_valid(self, form):
        response = super().form_valid(form)
        # The user's own language from now on, also on the next sign-in page.
        from django.conf import settings

        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.get_user().language, samesite="Lax")
        return response


def home(request):
    """Send each user to the home page of their role."""
    actor = actor_for(request)
    if actor.school is None:
        if request.user.is_superuser:
            return redirect("admin:index")
        return render(request, "accounts/no_school.html", status=403)
    return redirect(home_url_for(actor))


def home_url_for(actor):
    """The first page of the actor's roles (accounts.policy.HOME_PAGES)."""
    for may_open, url_name in HOME_PAGES:
        if may_open(actor):
            return reverse(url_name)
    return reverse("roster:overview")


@login_not_required
@two_factor.two_factor_exempt
@require_POST
def set_language(request):
    """Django's set_language, which also remembers the choice on the user."""
    language = request.POST.get("language")
    user = request.user
    from django.conf import settings

    if user.is_authenticated and language in dict(settings.LANGUAGES):
        user.language = language
        user.save(update_fields=["language"])
    return django_set_language(request)


def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


# Two-step sign-in (accounts.two_factor). The set-up and verify pages are
# reachable before the second step; the others need a verified session.


def _next(request):
    return two_factor.safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _with_next(url_name, request):
    return f"{reverse(url_name)}?{urlencode({'next': _next(request)})}"


@two_factor.two_factor_exempt
def two_factor_setup(request):
    """Turn on two-step sign-in, or, once on, manage it."""
    user = request.user
    confirmed = two_factor.confirmed_totp_device(user)
    verified = two_factor.is_verified(user)
    if confirmed is not None and not verified:
        # Someone with only the password must not add their own app.
        return redirect(two_factor.next_step_url(request, _next(request)))
    if confirmed is not None:
        required = two_factor.role_requires_two_factor(user, actor_for(request))
        context = {"required": required, "codes_left": two_factor.recovery_codes_left(user)}
        return render(request, "accounts/two_factor_manage.html", context)

    device = two_factor.pending_totp_device(user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _unused = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", _("Too many wrong codes. Wait a minute, then type the newest code."))
        elif device.verify_token(form.cleaned_data["code"]):
            codes = two_factor.confirm_totp_device(user=user, device=device)
            django_otp.login(request, device)
            request.session[two_factor.ENROLLED_SESSION_KEY] = True
            request.session[two_factor.NEW_CODES_SESSION_KEY] = codes
            two_factor_event.send(sender=type(user), request=request, user=user, event="enabled")
            messages.success(request, _("Two-step sign-in is on."))
            return redirect(_with_next("two_factor_recovery_codes", request))
        else:
            form.add_error(
                "code",
                _("That code is not right. Check that the time on your phone is correct and type the newest code."),
            )
    context = {
        "form": form,
        "qr_code": two_factor.qr_data_uri(device),
        "secret": two_factor.secret_for_display(device),
        "required": two_factor.role_requires_two_factor(user, actor_for(request)),
        "next": _next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@two_factor.two_factor_exempt
def two_factor_verify(request):
    """The second step of signing in: a code from the app or a recovery code."""
    user = request.user
    if two_factor.is_verified(user):
        return redirect(_next(request))
    if two_factor.confirmed_totp_device(user) is None and not two_factor.recovery_codes_left(user):
        return redirect(_with_next("two_factor_setup", request))
    form = TwoFactorCodeForm(request.POST or None, allow_recovery_code=True)
    if request.method == "POST" and form.is_valid():
        device, throttled = two_factor.match_code(user, form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code. %(count)d is left: make new ones on the two-step sign-in page.",
                        "You used a recovery code. %(count)d are left: make new ones on the two-step sign-in page.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(_next(request))
        two_factor_event.send(sender=type(user), request=request, user=user, event="failed")
        if throttled:
            form.add_error("code", _("Too many wrong codes. Wait a minute, then type the newest code."))
        else:
            form.add_error("code", _("That code is not right. Type the newest code from your app, or a recovery code."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)})


def _require_verified(request):
    if not two_factor.is_verified(request.user):
        raise PermissionDenied


def two_factor_recovery_codes(request):
    """GET: new recovery codes, shown once. POST: replace them with new ones."""
    _require_verified(request)
    if request.method == "POST":
        codes = two_factor.issue_recovery_codes(user=request.user)
        request.session[two_factor.NEW_CODES_SESSION_KEY] = codes
        two_factor_event.send(sender=type(request.user), request=request, user=request.user, event="recovery_codes")
        return redirect("two_factor_recovery_codes")
    codes = request.session.pop(two_factor.NEW_CODES_SESSION_KEY, None)
    return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": _next(request)})


@require_POST
def two_factor_disable(request):
    _require_verified(request)
    if two_factor.role_requires_two_factor(request.user, actor_for(request)):
        raise PermissionDenied
    two_factor.remove_devices(user=request.user)
    request.session[two_factor.ENROLLED_SESSION_KEY] = False
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    two_factor_event.send(sender=type(request.user), request=request, user=request.user, event="disabled")
    messages.success(request, _("Two-step sign-in is off."))
    return redirect("profile")
