"""Who the client is, behind the site's proxies, and how often they came: the counts behind every rate limit."""

import hashlib

from django.conf import settings
from django.core.cache import cache


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


def hashed_client(request) -> str:
    """The client's address (see `client_ip`), hashed with the site's secret: counted, never stored."""
    return hashlib.sha256((settings.SECRET_KEY + client_ip(request)).encode()).hexdigest()[:32]


def counted(key: str, window_seconds: int) -> int:
    """Count one more request under `key` in its window (which starts with the first); return the count.

    Without Redis the count starts again at 1 (the cache backend logs the
    outage): the site stays usable, unlimited, rather than refusing everyone.
    """
    cache.add(key, 0, window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr, or Redis cannot be reached
        cache.set(key, 1, window_seconds)
        return 1
