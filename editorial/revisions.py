"""Freezing an article into revisions, and telling what changed between them."""

import hashlib
import json

from django.db.models import Max

from articles.documents import article_with_tree, build_article_document
from articles.models import Article, Citation, Claim, Section
from editorial.models import Revision


def canonical_json(content: dict) -> str:
    """Serialise `content` one way only: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: dict) -> str:
    """Return the SHA-256 hex digest of the canonical JSON of `content`."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def working_copy_document(article: Article) -> dict:
    """Return the article's working copy as a document (four queries)."""
    return build_article_document(article_with_tree().get(pk=article.pk))


def revision_is_intact(revision: Revision) -> bool:
    """Return whether the stored content still hashes to the recorded hash."""
    return content_hash(revision.content) == revision.content_hash


def revision_create(*, article: Article, content: dict, created_by, source: str, contributors_since) -> Revision:
    """Store a new numbered revision of `content`; call with the article's row locked."""
    latest = Revision.objects.filter(article=article).aggregate(latest=Max("number"))["latest"] or 0
    revision = Revision(
        article=article,
        number=latest + 1,
        content=content,
        content_hash=content_hash(content),
        source=source,
        created_by=created_by,
    )
    revision.full_clean()
    revision.save()
    revision.contributors.set(cycle_contributors(article, since=contributors_since) | {created_by.pk})
    return revision


def cycle_contributors(article: Article, *, since) -> set[int]:
    """Return the ids of everyone who changed the article's words since `since` (all time if None).

    Read from the history of the article, its sections, claims and citations,
    including rows since deleted.
    """
    section_ids = Section.history.filter(article_id=article.pk).values("id")
    claim_ids = Claim.history.filter(section_id__in=section_ids).values("id")
    histories = (
        Article.history.filter(id=article.pk),
        Section.history.filter(article_id=article.pk),
        Claim.history.filter(section_id__in=section_ids),
        Citation.history.filter(claim_id__in=claim_ids),
    )
    users = set()
    for rows in histories:
        if since is not None:
            rows = rows.filter(history_date__gt=since)
        users.update(rows.exclude(history_user=None).values_list("history_user_id", flat=True).distinct())
    return users
