from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from reader.models import PublishedArticle
from reader.selectors import LISTED_FIELDS


class ApprovedArticlesFeed(Feed):
    """The newest approved articles, as Atom, under their public slugs.

    Read from the index, which holds exactly the articles `reader.selectors.reader_view` shows live.
    """

    feed_type = Atom1Feed
    title = "Medically reviewed answers"
    subtitle = "Answers approved by our medical advisory board, newest review first."
    link = reverse_lazy("reader:home")
    # RFC 4287 requires an author for the feed and each entry: the editors write every answer.
    author_name = "The editors of Medically reviewed answers"

    def item_author_name(self, item):
        return self.author_name

    def items(self):
        return PublishedArticle.objects.only(*LISTED_FIELDS).order_by("-reviewed_at", "title")[:20]

    def item_title(self, item):
        return item.question

    def item_description(self, item):
        return item.lede

    def item_link(self, item):
        return reverse("reader:article", args=[item.slug])

    def item_updateddate(self, item):
        return item.reviewed_at

    def item_pubdate(self, item):
        return item.content_updated_at
