from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.http.request import validate_host

from references.citation_styles import STYLES


@register(deploy=True)
def shared_page_cache(app_configs, **kwargs):
    """Warn when cached pages live in each worker's memory, where a withdrawal cannot reach them all."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        return [
            Warning(
                "The page cache is kept in each worker's memory.",
                hint="Set REDIS_URL so that approving or withdrawing an article clears the cached page in every "
                "worker at once; with local memory, other workers serve their copy until it expires.",
                id="reader.W001",
            )
        ]
    return []


@register
def citation_style(app_configs, **kwargs):
    """Refuse a citation style the reader site cannot format, before any article page fails on it."""
    style = settings.READER_CITATION_STYLE
    if style not in STYLES:
        return [
            Error(
                f"READER_CITATION_STYLE is {style!r}, which is not a citation style this site knows.",
                hint=f"Set READER_CITATION_STYLE to one of: {', '.join(STYLES)}.",
                id="reader.E002",
            )
        ]
    return []


@register(deploy=True)
def site_address_is_served(app_configs, **kwargs):
    """Refuse a SITE_URL this site does not answer to: article pages are pre-rendered at that address.

    The task that renders a page when its revision goes live asks for it at
    SITE_URL (see `reader.prerendered`); Django refuses a host outside
    ALLOWED_HOSTS, so every pre-render would fail.
    """
    host = urlsplit(settings.SITE_URL).hostname or ""
    if not validate_host(host, settings.ALLOWED_HOSTS):
        return [
            Error(
                f"SITE_URL names the host {host!r}, which is not in ALLOWED_HOSTS.",
                hint="Set SITE_URL to the public address readers use, and list its host in ALLOWED_HOSTS.",
                id="reader.E003",
            )
        ]
    return []
