"""The world the URL sweep (tests/test_admin_sweep.py) asks about: who asks, and one of everything they ask about.

Built through the real services: articles in every workflow state, references (one retracted,
two duplicates), board members assigned and not, an import waiting for confirmation, a reader's
question, an outside expert's link, and the workflow's records that result.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from django.contrib.auth.models import Group

from editorial.experts.services import expert_link_create
from editorial.models import ArticleWorkflow, AuditEvent, ReviewAssignment, Revision, SignOff
from editorial.roles import ADVISORY_BOARD, EDITORS
from editorial.services import (
    article_hold,
    article_submit,
    article_withdraw,
    review_assign,
    review_request_changes,
    review_start,
)
from reader.models import EditorialPage, FollowUpQuestion
from reader.services import problem_report_file
from references.imports import reference_file_preview
from references.models import Reference
from tests.factories import (
    CitationFactory,
    EditorFactory,
    ManagingEditorFactory,
    ReferenceFactory,
    ReviewerFactory,
    UserFactory,
)
from tests.workflow_helpers import approved, citable_article

RIS_FILE = Path(__file__).parent / "samples" / "references" / "ldn.ris"


class Role(StrEnum):
    ANONYMOUS = "anonymous visitor"
    READER = "reader account (no role)"
    EDITOR = "editor"
    MANAGING_EDITOR = "managing editor"
    BOARD_ASSIGNED = "board member assigned to an article"
    BOARD_UNASSIGNED = "board member assigned to nothing"
    EDITOR_ON_BOARD = "editor who is also on the board"
    SUPERUSER = "superuser"


@dataclass
class World:
    users: dict
    articles: dict  # by workflow state
    samples: dict  # model -> the instance its admin pages are asked about
    more_samples: dict  # URL name -> another instance to ask it about (the live article, to withdraw)
    disposable: dict  # model -> the instance its list's actions ("delete selected") are tried on
    duplicates: list
    reference_import: object
    assigned_slugs: set
    articles_with_revisions: set
    other_reviewer: object
    revisions: list = field(default_factory=list)  # (slug, number) pairs for the desk
    expert_link: object = None  # an outside expert's link to the revision under review
    expert_token: str = ""  # the token that opens it

    def sample(self, model):
        if model not in self.samples:
            self.samples[model] = model._default_manager.order_by("pk").first()
        return self.samples[model]


# The desk is asked about articles in these states (the others behave as one of them there).
DESK_STATES = ("submitted", "under-review", "live")


def build_world() -> World:
    editor = EditorFactory(username="sweep-editor")
    managing = ManagingEditorFactory(username="sweep-managing")
    assigned = ReviewerFactory(user__username="sweep-board-assigned")
    unassigned = ReviewerFactory(user__username="sweep-board-unassigned")
    both = UserFactory(username="sweep-editor-on-board", is_staff=True, roles=[EDITORS, ADVISORY_BOARD])
    ReviewerFactory(user=both)
    users = {
        Role.ANONYMOUS: None,
        Role.READER: UserFactory(username="sweep-reader"),
        Role.EDITOR: editor,
        Role.MANAGING_EDITOR: managing,
        Role.BOARD_ASSIGNED: assigned.user,
        Role.BOARD_UNASSIGNED: unassigned.user,
        Role.EDITOR_ON_BOARD: both,
        Role.SUPERUSER: UserFactory(username="sweep-admin", is_staff=True, is_superuser=True),
    }

    articles = {state: citable_article(slug=f"sweep-{state}") for state in ("draft", "submitted", "under-review")}
    for state in ("submitted", "under-review"):
        article_submit(article=articles[state], user=editor)
        review_assign(article=articles[state], assigned_by=managing, reviewers=[assigned])
    review_start(article=articles["under-review"], user=assigned.user)
    articles["live"] = citable_article(slug="sweep-live")
    approved(articles["live"], editor, managing)
    articles["changes-requested"] = citable_article(slug="sweep-changes-requested")
    revision = article_submit(article=articles["changes-requested"], user=editor)
    sender = ReviewerFactory()
    review_assign(article=articles["changes-requested"], assigned_by=managing, reviewers=[sender])
    review_start(article=articles["changes-requested"], user=sender.user)
    review_request_changes(
        revision=revision,
        user=sender.user,
        content_hash=revision.content_hash,
        conflict="none",
        comment="Cite the trial.",
    )
    articles["withdrawn"] = citable_article(slug="sweep-withdrawn")
    approved(articles["withdrawn"], editor, managing)
    article_withdraw(
        article=articles["withdrawn"],
        user=managing,
        reason="Superseded.",
        public_reason="We are checking this answer against new evidence.",
    )
    live_revision = ArticleWorkflow.objects.get(article=articles["live"]).live_revision
    problem_report_file(
        revision=live_revision,
        claim_uid=live_revision.content["sections"][0]["claims"][0]["uid"],
        problem="The dose in this claim looks ten times too high.",
    )
    articles["to-hold"] = citable_article(slug="sweep-to-hold")
    approved(articles["to-hold"], editor, managing)
    articles["to-rereview"] = citable_article(slug="sweep-to-rereview")
    approved(articles["to-rereview"], editor, managing)
    articles["held"] = citable_article(slug="sweep-held")
    held, _ = approved(articles["held"], editor, managing)
    article_hold(
        article=articles["held"], user=managing, revision=held, reason="Dose query.", public_reason="Checking a dose."
    )

    retracted = ReferenceFactory(title="A retracted trial", retraction_status=Reference.Retraction.RETRACTED)
    draft_claim = articles["draft"].sections.first().claims.first()
    citation = CitationFactory(claim=draft_claim, reference=retracted, order=1)
    duplicates = [ReferenceFactory(title="The same trial twice", year=2020, doi="", pmid="") for _ in range(2)]
    record, _ = reference_file_preview(data=RIS_FILE.read_bytes(), file_name="ldn.ris", user=editor)
    question = FollowUpQuestion.objects.create(article=articles["live"], question="Can I take it with ibuprofen?")
    under_review = articles["under-review"]
    expert_link, expert_token = expert_link_create(
        revision=under_review.workflow.current_revision,
        user=managing,
        name="Dr Sweep Outside",
        credentials="MD",
        email="outside@example.org",
        conflict_statement="None declared.",
    )

    return World(
        users=users,
        articles=articles,
        samples={
            Reference: retracted,
            type(citation): citation,
            type(draft_claim): draft_claim,
            type(draft_claim.section): draft_claim.section,
            type(under_review): articles["draft"],
            type(assigned): assigned,
            type(record): record,
            FollowUpQuestion: question,
            EditorialPage: with_a_version(EditorialPage.objects.get(slug="editorial-policy")),
            ArticleWorkflow: under_review.workflow,
            Revision: under_review.workflow.current_revision,
            ReviewAssignment: ReviewAssignment.objects.filter(reviewer=assigned).first(),
            SignOff: SignOff.objects.order_by("pk").first(),
            AuditEvent: AuditEvent.objects.order_by("pk").first(),
            Group: Group.objects.get(name=EDITORS),
            type(editor): users[Role.READER],
        },
        more_samples={
            "admin:articles_article_withdraw": articles["live"],
            "admin:articles_article_hold": articles["to-hold"],
            "admin:articles_article_release": articles["held"],
            "admin:articles_article_rereview": articles["to-rereview"],
            "admin:articles_article_schedule": articles["submitted"],
        },
        disposable={Reference: duplicates[1]},  # cited nowhere, so it can be deleted
        duplicates=duplicates,
        reference_import=record,
        assigned_slugs={articles["submitted"].slug, under_review.slug},
        articles_with_revisions={article.slug for state, article in articles.items() if state != "draft"},
        other_reviewer=unassigned,
        revisions=[
            (articles[state].slug, number)
            for state in DESK_STATES
            for number in articles[state].revisions.values_list("number", flat=True)
        ],
        expert_link=expert_link,
        expert_token=expert_token,
    )


def with_a_version(page):
    """Save once a row that a data migration wrote without history, so that it has a version to show."""
    page.save()
    return page


# Walking the URL configuration and filling in its parameters.
