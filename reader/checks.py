from django.conf import settings
from django.core.checks import Warning, register


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
