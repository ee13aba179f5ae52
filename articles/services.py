"""Writes to an article's working copy that come from data rather than the admin."""

import uuid

from django.db import transaction
from django.db.models import F

from articles.models import Article, Citation, Claim, Section
from articles.ordering import park, park_moving_rows
from config.history import save_if_changed

ARTICLE_FIELDS = ("question", "title", "lede", "plain_lede", "specialty")
# A claim's own fields as data carries them; each is "" when absent (a grade is optional).
CLAIM_FIELDS = ("lead_in", "text", "plain_text", "certainty", "strength")


def article_version_bump(*, article: Article, by: int = 1, updated_at=None) -> None:
    """Count a save of `article` as a new version: add `by` to `version`, and set `updated_at` if given.

    The one write to a tracked model that writes no history row, on purpose: `version` is
    left out of the article's history (it counts saves so that a stale page cannot save over
    a newer one; it is not content), and `updated_at` is a stamp that every history row
    already carries as its own date. The content of the save has written its history rows
    before this runs. One UPDATE, so that two saves at once both count.
    """
    values = {"version": F("version") + by} | ({"updated_at": updated_at} if updated_at else {})
    Article.objects.filter(pk=article.pk).update(**values)
    article.version += by
    if updated_at:
        article.updated_at = updated_at


@transaction.atomic
def article_sync(*, data: dict, references: dict) -> Article:
    """Make the working copy of the article `data["slug"]` match `data`.

    `data` has the article's fields and `sections`, each with `claims`, each
    citing reference keys in `cites`; `references` maps those keys to saved
    references. Sections and claims are reused by position and saved only
    where something differs, so syncing the same data twice writes nothing the
    second time. Claims that carry a `uid` (a revision's document) are matched
    by it instead, wherever they sit now, and keep it even if they were deleted since.
    """
    article = Article.objects.filter(slug=data["slug"]).first() or Article(slug=data["slug"])
    save_if_changed(article, {field: data.get(field, "") for field in ARTICLE_FIELDS})
    sections = _sync_by_position(
        parent={"article": article},
        existing=list(article.sections.all()),
        wanted=[
            {"heading": s["heading"], "level": s.get("level", Section.Level.H2), "intro": s.get("intro", "")}
            for s in data["sections"]
        ],
        model=Section,
    )
    if all("uid" in claim for section_data in data["sections"] for claim in section_data["claims"]):
        _sync_claims_by_uid(article, sections, data["sections"], references)
        return article
    for section, section_data in zip(sections, data["sections"], strict=True):
        claims = _sync_by_position(
            parent={"section": section},
            existing=list(section.claims.all()),
            wanted=[_claim_values(c) for c in section_data["claims"]],
            model=Claim,
        )
        for claim, claim_data in zip(claims, section_data["claims"], strict=True):
            _sync_citations(claim, [references[key] for key in claim_data.get("cites", [])])
    return article


def _claim_values(claim_data: dict) -> dict:
    return {key: claim_data.get(key, "") for key in CLAIM_FIELDS}


def _sync_by_position(*, parent: dict, existing: list, wanted: list[dict], model) -> list:
    """Reuse existing children by position, add what is missing, delete the rest."""
    for extra in existing[len(wanted) :]:
        extra.delete()
    children = [existing[i] if i < len(existing) else model(**parent) for i in range(len(wanted))]
    park_moving_rows([(child, position) for position, child in enumerate(children)])
    for position, (child, values) in enumerate(zip(children, wanted, strict=True)):
        save_if_changed(child, {**values, "order": position})
    return children


def _sync_claims_by_uid(article: Article, sections: list, sections_data: list, references: dict) -> None:
    """Put each claim at its place by `uid`, moving it between sections if need be; delete the claims not wanted.

    A claim deleted since (or removed with its section) is made again under the same uid.
    """
    wanted = [
        (section, position, claim_data)
        for section, section_data in zip(sections, sections_data, strict=True)
        for position, claim_data in enumerate(section_data["claims"])
    ]
    existing = {claim.uid: claim for claim in Claim.objects.filter(section__article=article)}
    uids = [uuid.UUID(str(claim_data["uid"])) for _, _, claim_data in wanted]
    for uid, claim in existing.items():
        if uid not in uids:
            claim.delete()
    claims = [existing.get(uid) or Claim(uid=uid) for uid in uids]
    park(
        Claim,
        [
            claim.pk
            for claim, (section, position, _) in zip(claims, wanted, strict=True)
            if claim.pk and (claim.section_id, claim.order) != (section.pk, position)
        ],
    )
    for claim, (section, position, claim_data) in zip(claims, wanted, strict=True):
        save_if_changed(claim, {"section_id": section.pk, "order": position, **_claim_values(claim_data)})
        _sync_citations(claim, [references[key] for key in claim_data.get("cites", [])])


def _sync_citations(claim: Claim, references: list) -> None:
    """Make the claim cite exactly `references`, in that order."""
    current = list(claim.citations.all())
    if [c.reference_id for c in current] == [r.pk for r in references]:
        return
    for citation in current:
        citation.delete()
    for position, reference in enumerate(references):
        save_if_changed(Citation(claim=claim), {"reference": reference, "order": position})
