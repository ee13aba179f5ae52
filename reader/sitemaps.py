"""The sitemaps crawlers read, by the protocol: an index naming files of at most `ARTICLES_PER_FILE` addresses.

Each file is rendered once and its bytes cached (see `reader.cache.sitemap_get`);
a move that changes what readers see purges them with the article's pages.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from editorial.models import Reviewer
from reader.models import PublishedArticle

# Below the protocol's 50,000, so that a file rendered cold also stays quick to build.
ARTICLES_PER_FILE = 10_000
_SLUG_PLACEHOLDER = "slug-placeholder"


class ArticleSitemap(Sitemap):
    """Live articles under their public slugs, from the index `reader.index` keeps by `reader_view`.

    In slug order, which the slug's unique index serves, and with the two
    columns a file needs: a file is one range of that index.
    """

    changefreq = "monthly"
    priority = 0.8
    limit = ARTICLES_PER_FILE

    def items(self):
        return PublishedArticle.objects.order_by("slug").only("slug", "reviewed_at")

    def location(self, item):
        # One reverse() per file, not per address: 10,000 reverses would cost more than the query.
        if not hasattr(self, "_article_url"):
            self._article_url = reverse("reader:article", args=[_SLUG_PLACEHOLDER])
        return self._article_url.replace(_SLUG_PLACEHOLDER, item.slug)

    def lastmod(self, item):
        return item.reviewed_at

    def get_latest_lastmod(self):
        """The newest review date, from the index on it (Django's default would load every article)."""
        return PublishedArticle.objects.aggregate(latest=Max("reviewed_at"))["latest"]


class PageSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.3

    def items(self):
        return ["reader:home", "reader:board", "reader:editorial_policy"]

    def location(self, item):
        return reverse(item)


class BoardSitemap(Sitemap):
    changefreq = "yearly"
    priority = 0.3

    def items(self):
        return Reviewer.objects.filter(is_active=True).order_by("slug").only("slug")

    def location(self, item):
        return reverse("reader:board_member", args=[item.slug])


SITEMAPS = {"articles": ArticleSitemap, "pages": PageSitemap, "board": BoardSitemap}
