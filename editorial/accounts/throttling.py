"""The client address that django-axes counts failed logins against."""

from django.conf import settings


def client_ip(request) -> str:
    """Return the address of the client, not of the proxy in front of the site.

    Behind TRUSTED_PROXY_COUNT proxies, each appending to X-Forwarded-For, the client is
    that many entries from the right; entries further left are whatever the client sent
    and are ignored. Without this, every visitor would share the proxy's address and ten
    wrong passwords from anyone would lock everyone out.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
