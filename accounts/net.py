"""The client's IP address, the same for sign-in lockouts (django-axes) and the
audit trail.

Behind a reverse proxy REMOTE_ADDR is the proxy. Set TRUSTED_PROXY_COUNT to the
number of proxies in front of the app: the address that many entries from the
right of X-Forwarded-For is the client (proxies append, so entries further left
can be forged by the client). With the default 0 the header is ignored.
"""

import ipaddress

from django.conf import settings


def _valid(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request):
    if request is None:
        return None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            ip = _valid(forwarded[-count])
            if ip:
                return ip
    return _valid(request.META.get("REMOTE_ADDR", "") or "")
