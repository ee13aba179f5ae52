"""Keep the reader's index of published articles in step with the live revisions."""

from html import unescape

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.utils.html import strip_tags

from articles.rendering import render_inline
from editorial.models import ArticleWorkflow
from reader import cache
from reader.models import PublishedArticle


def plain_text(markdown: str) -> str:
    """The words of an inline-Markdown text, without markup."""
    return unescape(strip_tags(render_inline(markdown)))


def document_text(content: dict) -> str:
    """All the words readers read in a revision, as one plain text for search."""
    parts = []
    for section in content["sections"]:
        parts += [section["heading"], plain_text(section["intro"])]
        for claim in section["claims"]:
            parts += [claim["lead_in"], plain_text(claim["text"]), plain_text(claim["plain_text"])]
    return "\n".join(part for part in parts if part)


def published_article_refresh(article_id: int) -> PublishedArticle | None:
    """Index the article's live revision, or remove it from the index if it has none.

    Runs inside the workflow's transaction; the page caches are purged once it commits.
    """
    workflow = ArticleWorkflow.objects.select_related("article", "live_revision").filter(article_id=article_id).first()
    slug = workflow.article.slug if workflow else None
    if workflow is None or workflow.live_revision is None:
        PublishedArticle.objects.filter(article_id=article_id).delete()
        published = None
    else:
        revision = workflow.live_revision
        content = revision.content
        published, _ = PublishedArticle.objects.update_or_create(
            article_id=article_id,
            defaults={
                "revision": revision,
                "slug": content["slug"],
                "question": content["question"],
                "title": content["title"],
                "lede": plain_text(content["lede"]),
                "plain_lede": plain_text(content["plain_lede"]),
                "specialty": content["specialty"],
                "body": document_text(content),
                "content_updated_at": revision.created_at,
                "reviewed_at": workflow.approved_at,
            },
        )
        if connection.vendor == "postgresql":
            PublishedArticle.objects.filter(pk=published.pk).update(search_vector=SEARCH_VECTOR)
    if slug:
        transaction.on_commit(lambda: cache.article_purge(slug))
    return published


# Weighted: the question and title count most, then the ledes, then the claims.
SEARCH_VECTOR = (
    SearchVector("question", "title", weight="A", config="english")
    + SearchVector("lede", "plain_lede", "specialty", weight="B", config="english")
    + SearchVector("body", weight="C", config="english")
)
