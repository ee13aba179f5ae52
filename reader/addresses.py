"""The article page's address around its slug: one `reverse()` for thousands of addresses."""

from django.urls import reverse

_PLACEHOLDER = "slug-placeholder"


def article_path_around_slug() -> tuple[str, str]:
    """The article page's path before and after its slug, as the URLconf (and the script prefix) now make it.

    A sitemap file writes 10,000 addresses and the early page middleware
    recognises one on every request: reversing each would cost more than the
    rest of their work, and a pattern copied here would drift from the URLconf.
    """
    before, after = reverse("reader:article", args=[_PLACEHOLDER]).split(_PLACEHOLDER)
    return before, after
