"""Extra views for tests, on top of the project's URLs."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import Context, Template
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
@login_not_required
def boom(request):
    raise RuntimeError("secret detail about Andi Pratama")


@login_not_required
def nonce(request):
    from django.template.context_processors import csp

    template = Template('<script nonce="{{ csp_nonce }}" src="/static/js/x.js"></script>')
    return HttpResponse(template.render(Context(csp(request))))


urlpatterns = [
    path("test-boom/", boom),
    path("test-nonce/", nonce),
    path("", include("config.urls")),
]
