"""Build articles in every workflow state through the real services."""

from editorial.document_changes import claims_to_attest
from editorial.models import ArticleWorkflow, SignOff
from editorial.services import article_submit, review_approve, review_assign, review_start
from tests.factories import CitationFactory, ClaimFactory, ReviewerFactory, SectionFactory

FULL_CHECKLIST = {item: True for item in SignOff.CHECKLIST}


def citable_article(**article_fields):
    """An article with one section and two cited claims, ready to submit."""
    section = SectionFactory(order=0, **{f"article__{k}": v for k, v in article_fields.items()})
    for position in range(2):
        CitationFactory(claim=ClaimFactory(section=section, order=position))
    return section.article


def edit_claim(article, text, *, user=None):
    """Change the first claim's wording as `user` would in the admin."""
    from config.history import acting_as

    claim = article.sections.first().claims.first()
    claim.text = text
    with acting_as(user):
        claim.save()
    return claim


def approve(revision, reviewer, **overrides):
    """Approve as a careful reviewer does: full checklist, no conflict, each changed claim attested."""
    values = {
        "revision": revision,
        "user": reviewer.user,
        "content_hash": revision.content_hash,
        "checklist": FULL_CHECKLIST,
        "conflict": SignOff.Conflict.NONE,
        "attested_claims": changed_claims(revision),
    }
    return review_approve(**(values | overrides))


def changed_claims(revision) -> list[str]:
    """The uids of the claims of `revision` changed since the words readers see now (to attest one by one)."""
    workflow = ArticleWorkflow.objects.filter(article_id=revision.article_id).first()
    live = workflow.live_revision if workflow else None
    return list(claims_to_attest(revision.content, live.content if live else None))


def submitted(article, editor, managing_editor, *, reviewers=1, quorum=None):
    """Submit `article` and assign fresh board members; return (revision, reviewers)."""
    revision = article_submit(article=article, user=editor)
    board = [ReviewerFactory() for _ in range(reviewers)]
    review_assign(article=article, assigned_by=managing_editor, reviewers=board, quorum=quorum)
    return revision, board


def under_review(article, editor, managing_editor, **kwargs):
    revision, board = submitted(article, editor, managing_editor, **kwargs)
    review_start(article=article, user=board[0].user)
    return revision, board


def approved(article, editor, managing_editor):
    revision, board = under_review(article, editor, managing_editor)
    approve(revision, board[0])
    return revision, board


def rereview_opened(article, managing_editor, members, *, quorum=None):
    """Open a re-review of the live revision, assign `members` and have the first start it; return the revision."""
    from editorial.services import article_rereview

    live = article_rereview(article=article, user=managing_editor)
    review_assign(article=article, assigned_by=managing_editor, reviewers=members, quorum=quorum)
    review_start(article=article, user=members[0].user)
    return live


def schedule(article, managing_editor, *, go_live_at=None, expires_at=None, months=None, note=""):
    """Set the article's whole schedule as a managing editor does on the desk."""
    from editorial.services import article_schedule

    return article_schedule(
        article=article,
        user=managing_editor,
        go_live_at=go_live_at,
        expires_at=expires_at,
        review_interval_months=months,
        note=note,
    )
