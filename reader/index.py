"""Keep the reader's derived data in step with the workflow: public slugs, the search index, cached pages."""

import re
from html import unescape

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.utils.html import strip_tags

from articles.rendering import render_inline
from editorial.errors import WorkflowError
from editorial.models import ArticleWorkflow
from editorial.workflow import NOTICE_STATES, State
from reader import cache
from reader.models import PublicSlug, PublishedArticle
from reader.prerendered import pages_changed
from reader.selectors import reader_view
from reader.tasks import prerender_article_pages


class PublicSlugTaken(WorkflowError):
    """The revision's slug was public for another article; public addresses are never reused."""


# What inline Markdown can act on (`articles.rendering`: emphasis, links and escapes; markdown-it also normalises
# line ends and NULs). A text with none of these is its own plain text.
MARKUP_CHARACTERS = re.compile(r"[*_\[\\\r\0]")


def plain_text(markdown: str) -> str:
    """The words of an inline-Markdown text, without markup.

    Most claims have no markup at all: they skip the Markdown pass, which
    was most of the time `reindex_published` spent (a test holds the
    shortcut to the full pass's answer for any text).
    """
    if not MARKUP_CHARACTERS.search(markdown):
        return markdown
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
    """Bring the reader's derived data in step with what readers may now see of the article.

    Runs inside the workflow's transaction, with the article's row locked:
    records the public slug of what readers now see (refusing a slug another
    article made public), indexes the article while it is live and removes it
    otherwise, and purges the cached pages of every slug it was ever public
    under once the transaction commits. A live article's pages count a new
    generation (see `reader.prerendered`) and are rendered again on the task
    queue.
    """
    workflow = (
        ArticleWorkflow.objects.select_related("article", "live_revision", "current_revision")
        .filter(article_id=article_id)
        .first()
    )
    page = reader_view(workflow) if workflow is not None else None
    if workflow is not None:
        _refuse_slug_of_another_article(workflow, page)
    if page is not None and not page.is_notice:
        PublicSlug.objects.get_or_create(slug=page.slug, defaults={"article_id": article_id})
    published = _index(workflow, page) if page is not None and page.is_live else None
    if published is None:
        PublishedArticle.objects.filter(article_id=article_id).delete()
    slugs = list(PublicSlug.objects.filter(article_id=article_id).values_list("slug", flat=True))
    transaction.on_commit(lambda: cache.article_purge(slugs), robust=True)
    if published is not None:
        transaction.on_commit(lambda: prerender_article_pages.enqueue(article_id), robust=True)
    return published


INDEXED_FIELDS = (
    "revision",
    "slug",
    "question",
    "title",
    "lede",
    "plain_lede",
    "specialty",
    "body",
    "content_updated_at",
    "reviewed_at",
)


def published_articles_reindex(article_ids: list[int]) -> tuple[int, list[str]]:
    """Bring the reader's index in step with the workflow for a batch of articles, in a few queries for all of them.

    What `published_article_refresh` does for one article, for many: run it
    inside a transaction. The batch's workflows are locked, so no move
    interleaves; an article whose slug another article made public is left
    as it was and named in the answer (the workflow refuses such a move, so
    it means the data was changed by hand). Returns how many are live, and
    those refused.
    """
    workflows = list(
        ArticleWorkflow.objects.select_for_update(of=("self",))
        .select_related("article", "live_revision", "current_revision")
        .filter(article_id__in=article_ids)
        .order_by("article_id")
    )
    pages = {workflow.article_id: reader_view(workflow) for workflow in workflows}
    wanted = {article_id: page.slug for article_id, page in pages.items() if page is not None and not page.is_notice}
    owners = dict(PublicSlug.objects.filter(slug__in=wanted.values()).values_list("slug", "article_id"))
    refused = [slug for article_id, slug in wanted.items() if owners.get(slug, article_id) != article_id]
    PublicSlug.objects.bulk_create(
        [PublicSlug(slug=slug, article_id=article_id) for article_id, slug in wanted.items() if slug not in owners]
    )
    live = {
        workflow.article_id: _indexed_row(workflow, pages[workflow.article_id])
        for workflow in workflows
        if pages[workflow.article_id] is not None
        and pages[workflow.article_id].is_live
        and pages[workflow.article_id].slug not in refused
    }
    kept = set(live) | {article_id for article_id, slug in wanted.items() if slug in refused}
    PublishedArticle.objects.filter(article_id__in=article_ids).exclude(article_id__in=kept).delete()
    PublishedArticle.objects.bulk_create(
        live.values(), update_conflicts=True, unique_fields=["article"], update_fields=INDEXED_FIELDS
    )
    pages_changed(PublishedArticle.objects.filter(article_id__in=live))
    if connection.vendor == "postgresql" and live:
        PublishedArticle.objects.filter(article_id__in=live).update(search_vector=SEARCH_VECTOR)
    slugs = list(PublicSlug.objects.filter(article_id__in=article_ids).values_list("slug", flat=True))
    transaction.on_commit(lambda: cache.article_purge(slugs), robust=True)
    return len(live), refused


def _indexed_row(workflow, page) -> PublishedArticle:
    content = page.revision.content
    return PublishedArticle(
        article_id=workflow.article_id,
        revision=page.revision,
        slug=page.slug,
        question=content["question"],
        title=content["title"],
        lede=plain_text(content["lede"]),
        plain_lede=plain_text(content["plain_lede"]),
        specialty=content["specialty"],
        body=document_text(content),
        content_updated_at=page.revision.created_at,
        reviewed_at=workflow.approved_at,
    )


def _refuse_slug_of_another_article(workflow, page) -> None:
    """A slug once public for another article is never served for this one: refuse the move that would."""
    if workflow.state in NOTICE_STATES:
        return  # a withdrawal or a hold makes nothing public and is never refused
    wanted = {page.slug} if page is not None and not page.is_notice else set()
    if workflow.state == State.SUBMITTED and workflow.current_revision is not None:
        wanted.add(workflow.current_revision.content["slug"])  # tell the editors now, not at approval
    taken = PublicSlug.objects.filter(slug__in=wanted).exclude(article_id=workflow.article_id).first()
    if taken is not None:
        raise PublicSlugTaken(
            f"The address “{taken.slug}” was public for another answer, and addresses are never reused. "
            "Change this article's slug and submit it again."
        )


def _index(workflow, page) -> PublishedArticle:
    revision = page.revision
    content = revision.content
    published, _ = PublishedArticle.objects.update_or_create(
        article_id=workflow.article_id,
        defaults={
            "revision": revision,
            "slug": page.slug,
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
    pages_changed(PublishedArticle.objects.filter(pk=published.pk))
    if connection.vendor == "postgresql":
        PublishedArticle.objects.filter(pk=published.pk).update(search_vector=SEARCH_VECTOR)
    return published


# Weighted: the question and title count most, then the ledes, then the claims.
SEARCH_VECTOR = (
    SearchVector("question", "title", weight="A", config="english")
    + SearchVector("lede", "plain_lede", "specialty", weight="B", config="english")
    + SearchVector("body", weight="C", config="english")
)
