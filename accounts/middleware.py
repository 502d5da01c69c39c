from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from accounts.policy import Actor
from accounts.sessions import expiry_message, session_expired
from accounts.two_factor import next_step_url, two_factor_pending


class ActorMiddleware:
    """Attach request.actor and apply the user's preferred language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = Actor(request.user)
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Sign out after 30 minutes idle or 10 hours in all (accounts.sessions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = session_expired(request)
            if reason:
                path = request.get_full_path()
                request.logout_reason = reason  # for the audit row
                logout(request)
                messages.info(request, expiry_message(reason))
                return redirect_to_login(path)
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Until a user who needs two-step sign-in has given a code, every page
    except the public ones and those marked two_factor_exempt (the two-step
    pages, sign-out, language) sends them to give it. This covers /admin/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True) or getattr(view_func, "two_factor_exempt", False):
            return None
        if two_factor_pending(request):
            return redirect(next_step_url(request, request.get_full_path()))
        return None


class NoStoreMiddleware:
    """Pages for signed-in users carry student data: browsers and proxies must
    not keep them (Cache-Control: no-store), also not for the back button."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
