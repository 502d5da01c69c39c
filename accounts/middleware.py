from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from accounts.policy import FORBIDDEN, NOT_FOUND, PUBLIC_URLS, SIGN_IN, URL_POLICY, Actor, resolve_url_access
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


class PolicyMiddleware:
    """Enforce accounts.policy.URL_POLICY before every view: a URL that is not
    public, not the Django admin and has no entry is refused (403); a method
    the entry does not list is 405 (HEAD goes on to the view where GET is
    listed); then the entry's verdict: sign in, 404 out of scope, 403. The
    records found are left in request.policy_records for the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if not getattr(view_func, "login_required", True) or "admin" in match.namespaces:
            return None
        name = match.view_name
        if name in PUBLIC_URLS:
            return None
        rule = URL_POLICY.get(name)
        if rule is None:
            raise PermissionDenied(f"{name!r} has no entry in accounts.policy.URL_POLICY")
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.method not in rule.methods and not (request.method == "HEAD" and "GET" in rule.methods):
            return HttpResponseNotAllowed(rule.methods)
        verdict = resolve_url_access(request, name, view_kwargs)
        if verdict == SIGN_IN:
            return redirect_to_login(request.get_full_path())
        if verdict == NOT_FOUND:
            raise Http404
        if verdict == FORBIDDEN:
            raise PermissionDenied
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
