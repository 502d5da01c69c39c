from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.forms import ProfileForm, SignInForm
from accounts.policy import actor_for


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

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


# The first page each role works from, in order of precedence for people who
# hold several roles. Pages of apps not installed yet are skipped.
HOME_PAGES = [
    ("is_counselor", "casework:caseload"),
    ("is_vice_principal", "reports:index"),
    ("is_teacher", "referrals:list"),
    ("is_school_admin", "roster:overview"),
]


def home_url_for(actor):
    for flag, url_name in HOME_PAGES:
        if getattr(actor, flag):
            try:
                return reverse(url_name)
            except NoReverseMatch:
                continue
    return reverse("roster:overview")


@login_not_required
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
