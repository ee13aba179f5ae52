"""Freezing an article into revisions, and telling what changed between them."""

import hashlib
import json
from collections.abc import Iterable

from django.db.models import Max

from articles.documents import (
    AUTHOR_STRUCTURE_KEYS,
    OPTIONAL_REFERENCE_KEYS,
    REFERENCE_KEYS,
    article_with_tree,
    author_structure,
    build_article_document,
)
from articles.models import Article, Citation, Claim, Section
from editorial.corrections import words_of
from editorial.models import CitedReference, Revision, cited_references_of, search_text_of
from references.models import Reference


def canonical_json(content: dict) -> str:
    """Serialise `content` one way only: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: dict) -> str:
    """Return the SHA-256 hex digest of the canonical JSON of `content`."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def words_hash(content: dict) -> str:
    """The hash of a document's words alone, without the classification of the change (see `editorial.corrections`).

    For a document frozen before classification existed it is its content hash.
    """
    return content_hash(words_of(content))


def working_copy_document(article: Article) -> dict:
    """Return the article's working copy as a document (four queries)."""
    return build_article_document(article_with_tree().get(pk=article.pk))


def revision_is_intact(revision: Revision) -> bool:
    """Return whether the stored content still hashes to the recorded hash."""
    return content_hash(revision.content) == revision.content_hash


def revision_create(*, article: Article, content: dict, created_by, source: str, contributors_since) -> Revision:
    """Store a new numbered revision of `content` with its contributors; call with the article's row locked.

    The contributors are written here once and never changed (the database
    refuses it): they are who may not review these words. What is derived from
    the content alone is written with it: the references it cites and its
    words as plain text for search.
    """
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
    CitedReference.objects.bulk_create(cited_references_of(revision))
    search_text_of(revision).save(force_insert=True)
    cited = [reference["id"] for reference in content["references"]]
    contributors = cycle_contributors(article, since=contributors_since, reference_ids=cited)
    revision.contributors.add(*sorted(contributors | {created_by.pk}))
    return revision


def cycle_contributors(article: Article, *, since, reference_ids: Iterable[int] = ()) -> set[int]:
    """Return the ids of everyone whose edits since `since` (all time if None) a revision would freeze.

    Read from the history of the article, its sections, claims and citations,
    including rows since deleted, and of the cited references (`reference_ids`):
    whoever changed a reference's frozen details, for whichever article, helped
    write these words.
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
    return users | reference_editors(reference_ids, since=since)


FROZEN_REFERENCE_FIELDS = (*REFERENCE_KEYS, *OPTIONAL_REFERENCE_KEYS, *AUTHOR_STRUCTURE_KEYS)


def reference_editors(reference_ids: Iterable[int], *, since) -> set[int]:
    """Return who created a reference, or changed details a revision freezes, since `since` (all time if None).

    A change to anything else (a retraction flag, say) is not a change to the
    words, so it makes nobody a contributor.
    """
    rows = (
        Reference.history.filter(id__in=list(reference_ids))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "history_user_id", "history_type", *FROZEN_REFERENCE_FIELDS)
    )
    users, previous = set(), {}
    for ref_id, when, user_id, kind, *details in rows:
        details = _as_frozen(details)
        changed = kind == "+" or previous.get(ref_id) != details
        previous[ref_id] = details
        if changed and user_id is not None and (since is None or when > since):
            users.add(user_id)
    return users


def _as_frozen(details: list) -> list:
    """A history row's frozen details as a document freezes them: the author structure only where it
    says more than the string (so a row from before the structure compares equal to one after it)."""
    count = len(AUTHOR_STRUCTURE_KEYS)
    fields, (author_list, et_al) = details[:-count], details[-count:]
    authors = fields[REFERENCE_KEYS.index("authors")]
    return [*fields, author_structure(authors, author_list, et_al)]
