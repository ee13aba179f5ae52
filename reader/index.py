"""Keep the reader's derived data in step with the workflow: public slugs, the search index, cached pages."""

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce

from articles.search import weighted_search_vector
from editorial.errors import WorkflowError
from editorial.models import ArticleWorkflow, RevisionSearchText, search_text_of
from editorial.workflow import NOTICE_STATES, State
from reader import cache
from reader.models import PublicSlug, PublishedArticle
from reader.prerendered import pages_changed
from reader.selectors import reader_view
from reader.tasks import prerender_article_pages


class PublicSlugTaken(WorkflowError):
    """The revision's slug was public for another article; public addresses are never reused."""


# What reader_view reads, and the live revision's words as plain text, frozen with it.
WORKFLOW_RELATIONS = ("article", "live_revision__search_text", "current_revision")


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
    workflow = ArticleWorkflow.objects.select_related(*WORKFLOW_RELATIONS).filter(article_id=article_id).first()
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

    Nothing is read out of Markdown and no search vector computed: each
    revision's words were, when it was frozen (`RevisionSearchText`). Each
    revision's content is decoded once (the live one's; the current one's
    only where nothing is live, the one case `reader_view` reads it), and
    each index row is written twice: inserted or updated with its words,
    then its new page generation and the vector in one statement.
    """
    workflows = list(
        ArticleWorkflow.objects.select_for_update(of=("self",))
        .select_related("article", "live_revision__search_text")
        .filter(article_id__in=article_ids)
        .order_by("article_id")
    )
    prefetch_related_objects([workflow for workflow in workflows if workflow.live_revision is None], "current_revision")
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
    pages_changed(PublishedArticle.objects.filter(article_id__in=live), **_search_vector())
    slugs = list(PublicSlug.objects.filter(article_id__in=article_ids).values_list("slug", flat=True))
    transaction.on_commit(lambda: cache.article_purge(slugs), robust=True)
    return len(live), refused


def _indexed_row(workflow, page) -> PublishedArticle:
    """The index row for a live page (unsaved): what it lists, and its words as plain text for search."""
    revision = page.revision
    content, words = revision.content, _search_text(revision)
    return PublishedArticle(
        article_id=workflow.article_id,
        revision=revision,
        slug=page.slug,
        question=content["question"],
        title=content["title"],
        lede=words.lede,
        plain_lede=words.plain_lede,
        specialty=content["specialty"],
        body=words.body,
        content_updated_at=revision.created_at,
        reviewed_at=workflow.approved_at,
    )


def _search_text(revision) -> RevisionSearchText:
    """The revision's words as plain text, as frozen with it; read out of its content if none were stored.

    Every revision `revision_create` froze has them; reading them out again
    (the Markdown pass over every claim) is only for one made some other way.
    """
    try:
        return revision.search_text
    except RevisionSearchText.DoesNotExist:
        return search_text_of(revision)


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
    row = _indexed_row(workflow, page)
    published, _ = PublishedArticle.objects.update_or_create(
        article_id=row.article_id, defaults={field: getattr(row, field) for field in INDEXED_FIELDS}
    )
    pages_changed(PublishedArticle.objects.filter(pk=published.pk), **_search_vector())
    return published


SEARCH_VECTOR = weighted_search_vector("question", "title", "lede", "plain_lede", "specialty", "body")
# The index row's revision's vector, computed once when it was frozen; computed from the row for one without.
FROZEN_SEARCH_VECTOR = Coalesce(
    Subquery(RevisionSearchText.objects.filter(revision=OuterRef("revision")).values("search_vector")),
    SEARCH_VECTOR,
)


def _search_vector() -> dict:
    """The search vector to write with an index row's new generation: PostgreSQL's full-text search only."""
    return {"search_vector": FROZEN_SEARCH_VECTOR} if connection.vendor == "postgresql" else {}
