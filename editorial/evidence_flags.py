"""Keep `LiveEvidenceFlag` in step: one row per live article whose live revision cites flagged evidence.

A row is computed from the citation index (`CitedReference`, the ids the
live revision froze), mapped through `MergedReference` to the references as
the library holds them now. It is rewritten, inside the transaction that
changes what it depends on:

- the article's live revision: every move that changes it goes through
  `editorial.services.moves._transition`, which calls `evidence_flags_refresh`;
- a reference's standing or notice date, a merge, a deletion: the receivers
  in `editorial.receivers` call `evidence_flags_refresh_citing`, bounded by
  the live articles citing the reference (a few queries per thousand of them);
- the article's title (the list's order): `evidence_flag_retitle`.

Bulk writes (`QuerySet.update()`, `bulk_create`) send no signals: whoever
makes them calls these functions (the bench does). `evidence_flags_rebuild`
recomputes every row; `evidence_flags_differences` is what the audit checks.
"""

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from editorial.evidence import flagged_references, reference_rank
from editorial.models import ArticleWorkflow, CitedReference, LiveEvidenceFlag, Revision
from references.models import MergedReference, Reference

BATCH = 1_000  # articles recomputed per round of queries


def evidence_flags_refresh(*, article_ids: Iterable[int]) -> None:
    """Recompute the flags of these articles from their live revisions (at most eight queries a batch of `BATCH`).

    Only the references these articles cite are read, so a move costs the
    same however many references the library has flagged.
    """
    article_ids = sorted(set(article_ids))
    if not article_ids:
        return
    with transaction.atomic():
        for start in range(0, len(article_ids), BATCH):
            batch = article_ids[start : start + BATCH]
            rows = _flag_rows(batch, _flagged_references_cited_by(batch))
            LiveEvidenceFlag.objects.filter(article_id__in=batch).delete()
            LiveEvidenceFlag.objects.bulk_create(rows)


def evidence_flags_refresh_citing(*, reference_ids: Iterable[int]) -> None:
    """Recompute the flags of the live articles citing these references, or ids merged into them."""
    ids = set(reference_ids)
    if not ids:
        return
    ids |= set(MergedReference.objects.filter(reference_id__in=ids).values_list("merged_id", flat=True))
    citing = ArticleWorkflow.objects.filter(live_revision__cited_references__reference_id__in=ids)
    evidence_flags_refresh(article_ids=citing.values_list("article_id", flat=True).distinct())


def evidence_flag_retitle(*, article_id: int, title: str) -> None:
    """Keep the flag's title key with the article's title (one query, writing only if it changed)."""
    LiveEvidenceFlag.objects.filter(article_id=article_id).exclude(title_key=title.lower()).update(
        title_key=title.lower()
    )


def evidence_flags_rebuild() -> int:
    """Recompute every live article's flag, in batches; return how many articles are flagged."""
    with transaction.atomic():
        LiveEvidenceFlag.objects.exclude(article_id__in=ArticleWorkflow.objects.live().values("article_id")).delete()
        evidence_flags_refresh(article_ids=ArticleWorkflow.objects.live().values_list("article_id", flat=True))
    return LiveEvidenceFlag.objects.count()


def evidence_flags_differences(*, article_ids: Iterable[int] | None = None, flagged=None) -> list[int]:
    """The articles whose stored flag differs from one computed from scratch: none when the rows are in step.

    With `article_ids`, those articles only (a batch of the audit, which
    passes `flagged`, the library's flagged references, read once); without,
    every live article and every stored flag.
    """
    flagged = flagged_references(None) if flagged is None else flagged
    stored_rows = LiveEvidenceFlag.objects.all()
    if article_ids is None:
        article_ids = list(ArticleWorkflow.objects.live().values_list("article_id", flat=True))
    else:
        article_ids = list(article_ids)
        stored_rows = stored_rows.filter(article_id__in=article_ids)
    stored = {flag.article_id: _comparable(flag) for flag in stored_rows}
    computed = {}
    for start in range(0, len(article_ids), BATCH):
        batch = article_ids[start : start + BATCH]
        computed |= {flag.article_id: _comparable(flag) for flag in _flag_rows(batch, flagged)}
    return sorted(key for key in stored.keys() | computed.keys() if stored.get(key) != computed.get(key))


def _flagged_references_cited_by(article_ids: list[int]) -> dict[int, Reference]:
    """`flagged_references` for what these articles' live revisions cite: the ids they froze, and where those merged."""
    live_revisions = ArticleWorkflow.objects.live().filter(article_id__in=article_ids).values("live_revision")
    cited = set(
        CitedReference.objects.filter(revision__in=live_revisions).values_list("reference_id", flat=True).distinct()
    )
    if not cited:
        return {}
    merged_into = MergedReference.objects.filter(merged_id__in=cited).values_list("reference_id", flat=True)
    return flagged_references(cited | set(merged_into))


def _flag_rows(article_ids: list[int], flagged: dict[int, Reference]) -> list[LiveEvidenceFlag]:
    """The flags of these articles, unsaved: one per live article whose live revision cites flagged ids (3 queries)."""
    if not flagged:
        return []
    live = {
        revision_id: (article_id, title)
        for article_id, revision_id, title in ArticleWorkflow.objects.live()
        .filter(article_id__in=article_ids)
        .values_list("article_id", "live_revision_id", "article__title")
    }
    cited: dict[int, list[int]] = {}
    for revision_id, reference_id in (
        CitedReference.objects.filter(revision_id__in=list(live), reference_id__in=list(flagged))
        .order_by("revision_id", "reference_id")
        .values_list("revision_id", "reference_id")
    ):
        cited.setdefault(revision_id, []).append(reference_id)
    numbers = (
        {
            revision_id: {reference["id"]: reference["number"] for reference in references or ()}
            for revision_id, references in Revision.objects.filter(pk__in=list(cited)).values_list(
                "pk", "content__references"
            )
        }
        if cited
        else {}
    )
    rows = []
    for revision_id, reference_ids in cited.items():
        article_id, title = live[revision_id]
        standings = {flagged[reference_id].retraction_status for reference_id in reference_ids}
        worst = min((flagged[reference_id] for reference_id in reference_ids), key=reference_rank)
        rows.append(
            LiveEvidenceFlag(
                article_id=article_id,
                revision_id=revision_id,
                rank=LiveEvidenceFlag.Rank.RETRACTED
                if worst.retraction_status == Reference.Retraction.RETRACTED
                else LiveEvidenceFlag.Rank.EXPRESSION_OF_CONCERN,
                cites_concern=Reference.Retraction.EXPRESSION_OF_CONCERN in standings,
                notice_order=worst.retraction_date or date.min,
                title_key=title.lower(),
                cited=[
                    [reference_id, flagged[reference_id].pk, numbers[revision_id].get(reference_id)]
                    for reference_id in reference_ids
                ],
            )
        )
    return rows


def _comparable(flag: LiveEvidenceFlag) -> tuple:
    return (
        flag.revision_id,
        flag.rank,
        flag.cites_concern,
        flag.notice_order,
        flag.title_key,
        sorted(map(tuple, flag.cited)),
    )
