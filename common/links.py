from django.conf import settings


def absolute_url(url):
    """SITE_URL + the app's path; links stay inside Sinergi."""
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + (url if url.startswith("/") else "/" + url)
