"""The project's URLs plus one page that has no entry in URL_POLICY."""

from django.http import HttpResponse
from django.urls import include, path


def unlisted(request):
    return HttpResponse("should never be served")


urlpatterns = [
    path("unlisted/", unlisted, name="unlisted"),
    path("unlisted/<int:pk>/", unlisted),  # unnamed, too
    path("", include("config.urls")),
]
