"""The Atom feed: the newest approved answers, and each correction or clinical update as an entry of its own.

A correction is announced as a new entry (its own id and link, the change
history's anchor for that revision) rather than by updating the answer's
entry: feed readers show a new entry to everyone, while most never show an
entry again once read, whatever its `updated` says. Editorial changes are not
announced.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from reader.models import PublishedArticle
from reader.selectors import LISTED_FIELDS, announced_changes

FEED_ENTRIES = 20


@dataclass(frozen=True)
class FeedEntry:
    title: str
    description: str
    link: str
    updated: datetime
    published: datetime
    is_change: bool = False


class ApprovedArticlesFeed(Feed):
    """The newest approved articles and announced changes, as Atom, under their public slugs.

    Read from the index, which holds exactly the articles `reader.selectors.reader_view`
    shows live, and from the approvals that put their corrections live (three queries).
    """

    feed_type = Atom1Feed
    title = "Medically reviewed answers"
    subtitle = "Answers approved by our medical advisory board, newest review first, and their corrections."
    link = reverse_lazy("reader:home")
    # RFC 4287 requires an author for the feed and each entry: the editors write every answer.
    author_name = "The editors of Medically reviewed answers"

    def item_author_name(self, item):
        return self.author_name

    def items(self):
        articles = PublishedArticle.objects.only(*LISTED_FIELDS).order_by("-reviewed_at", "title")[:FEED_ENTRIES]
        entries = [
            FeedEntry(
                title=article.question,
                description=article.lede,
                link=reverse("reader:article", args=[article.slug]),
                updated=article.reviewed_at,
                published=article.content_updated_at,
            )
            for article in articles
        ]
        changes = announced_changes(FEED_ENTRIES)
        ids = {change.article_id for change in changes}
        live = {
            article.article_id: article
            for article in PublishedArticle.objects.only("article_id", "slug", "question").filter(article_id__in=ids)
        }
        for change in changes:
            article = live.get(change.article_id)
            if article is None:  # withdrawn between the two reads
                continue
            link = reverse("reader:article_changes", args=[article.slug]) + f"#{change.anchor}"
            title = f"{change.label}: {article.question}"
            entries.append(FeedEntry(title, change.summary, link, change.went_live_at, change.went_live_at, True))
        # Newest first; a change announced at the moment its answer was approved comes before the answer.
        return sorted(entries, key=lambda entry: (entry.updated, entry.is_change), reverse=True)[:FEED_ENTRIES]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return item.link

    def item_updateddate(self, item):
        return item.updated

    def item_pubdate(self, item):
        return item.published
