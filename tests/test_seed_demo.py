"""`seed_demo` loads a complete demo, and running it again changes nothing."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

import editorial.demo
from articles.models import Article, Citation, Claim, Section
from config.history import acting_as
from editorial.demo import demo_seed
from editorial.models import ArticleWorkflow, AuditEvent, ReviewAssignment, Reviewer, Revision, SignOff
from editorial.roles import ADVISORY_BOARD, EDITORS, MANAGING_EDITORS
from editorial.workflow import EXPIRED_PUBLIC_REASON, Action, State
from references.formats.reading import read_entries
from references.imports import import_apply
from references.models import Reference

pytestmark = pytest.mark.django_db
TRACKED = (Article, Section, Claim, Citation, Reference, Reviewer, ArticleWorkflow, ReviewAssignment, SignOff)
APPEND_ONLY = (Revision, AuditEvent)
DEMO_FILES = Path(editorial.demo.__file__).parent


def snapshot():
    """Every tracked row and every history row, as comparable values."""
    rows = {
        model.__name__: (sorted(map(tuple, model.objects.values_list())), model.history.count()) for model in TRACKED
    }
    return rows | {model.__name__: model.objects.count() for model in APPEND_ONLY}


def test_seed_demo_is_idempotent():
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    passwords = dict(get_user_model().objects.values_list("username", "password"))
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first
    assert dict(get_user_model().objects.values_list("username", "password")) == passwords


def test_seed_demo_loads_the_ldn_article_in_full():
    demo_seed()
    article = Article.objects.get(slug="low-dose-naltrexone-chronic-pain")
    claims = Claim.objects.filter(section__article=article)
    cited = Reference.objects.filter(citations__claim__section__article=article).distinct()
    assert article.sections.filter(level=2).count() >= 4
    assert 18 <= claims.count() <= 24
    assert cited.count() >= 8
    assert not claims.filter(citations__isnull=True).exists()


def test_seed_demo_loads_other_articles_and_a_board():
    demo_seed()
    assert Article.objects.count() >= 4
    assert Reviewer.objects.filter(is_active=True).count() >= 3
    assert all(reviewer.credentials and reviewer.specialty for reviewer in Reviewer.objects.all())


def test_seed_demo_creates_an_account_for_every_role():
    demo_seed(password="a-test-password")
    User = get_user_model()
    for role in (EDITORS, ADVISORY_BOARD, MANAGING_EDITORS):
        assert User.objects.filter(groups__name=role, is_staff=True).exists(), role
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("a-test-password")


def test_seed_demo_records_who_wrote_the_demo_content():
    demo_seed()
    article = Article.objects.get(slug="low-dose-naltrexone-chronic-pain")
    assert article.history.get().history_user.username == "editor"


def test_seed_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "from-the-environment")
    call_command("seed_demo", verbosity=0)
    assert get_user_model().objects.get(username="editor").check_password("from-the-environment")


def test_seed_demo_holds_an_article_in_every_state():
    demo_seed()
    states = set(ArticleWorkflow.objects.values_list("state", flat=True)) | {State.DRAFT}
    assert states == set(State.values)
    assert Article.objects.filter(workflow__isnull=True).exists()  # a draft never submitted


def test_seed_demo_has_an_approved_article_with_a_newer_revision_in_review():
    demo_seed()
    workflow = ArticleWorkflow.objects.get(article__slug="low-dose-naltrexone-chronic-pain")
    assert workflow.state == State.UNDER_REVIEW
    assert (workflow.live_revision.number, workflow.current_revision.number) == (1, 2)
    assert workflow.live_revision.sign_offs.filter(decision="approve").count() == 2


def test_seed_demo_scheduled_article_is_not_public_before_its_go_live_time(client):
    demo_seed()
    workflow = ArticleWorkflow.objects.get(article__slug="neuropathic-pain-first-line-medicines")

    response = client.get("/articles/neuropathic-pain-first-line-medicines/")

    assert workflow.state == State.SCHEDULED
    assert workflow.go_live_at > timezone.now()
    assert workflow.live_revision is None
    assert response.status_code == 404


def test_seed_demo_overdue_article_is_live_with_its_review_date_passed():
    demo_seed()
    today = timezone.localdate()
    workflow = ArticleWorkflow.objects.get(article__slug="opioids-chronic-primary-pain")

    assert (workflow.state, workflow.is_live, workflow.review_overdue_on(today)) == (State.APPROVED, True, True)
    assert workflow.next_review_due == workflow.review_due_after(workflow.approved_at)
    assert list(ArticleWorkflow.objects.review_overdue(today).values_list("article__slug", flat=True)) == [
        "opioids-chronic-primary-pain"
    ]


def test_seed_demo_recertified_article_was_reviewed_again_after_its_last_update():
    demo_seed()
    workflow = ArticleWorkflow.objects.get(article__slug="metformin-lactic-acidosis-kidney-function")
    certifying = SignOff.objects.certifying(workflow).order_by("signed_by__username")

    assert (workflow.state, workflow.certified_round, workflow.live_revision.number) == (State.APPROVED, 2, 1)
    assert workflow.approved_at > workflow.live_revision.created_at
    assert [(s.round, s.signed_by.username) for s in certifying] == [(2, "dr.lindqvist"), (2, "dr.okafor")]


def test_seed_demo_has_a_live_article_set_to_expire():
    demo_seed()
    workflow = ArticleWorkflow.objects.get(article__slug="antibiotic-duration-uncomplicated-cystitis-women")

    assert (workflow.state, workflow.is_live, workflow.scheduled_by.username) == (State.APPROVED, True, "managing")
    assert workflow.expires_at > timezone.now()
    assert list(ArticleWorkflow.objects.live().filter(expires_at__isnull=False)) == [workflow]


def test_seed_demo_expired_article_was_withdrawn_by_its_schedule():
    demo_seed()
    workflow = ArticleWorkflow.objects.get(article__slug="fosfomycin-single-dose-cystitis")
    expiry = AuditEvent.objects.get(article=workflow.article, action=Action.EXPIRE)

    assert (workflow.state, workflow.live_revision, workflow.public_reason) == (
        State.WITHDRAWN,
        None,
        EXPIRED_PUBLIC_REASON,
    )
    assert (expiry.actor.username, expiry.data["by_schedule"]) == ("managing", True)


def test_seed_demo_sends_no_email(mailoutbox):
    call_command("seed_demo", verbosity=0)
    assert mailoutbox == []


@pytest.mark.parametrize("file_name", ["ldn-references.ris", "ldn-references.nbib"])
def test_the_demo_reference_files_hold_exactly_the_ldn_articles_references(file_name):
    """The files an editor can try the import with: against the seeded library they change nothing."""
    demo_seed()
    editor = get_user_model().objects.get(username="editor")
    article = Article.objects.get(slug="low-dose-naltrexone-chronic-pain")
    cited = set(Reference.objects.filter(citations__claim__section__article=article).values_list("pk", flat=True))

    file_format, entries = read_entries((DEMO_FILES / file_name).read_bytes(), filename=file_name)

    with acting_as(editor):
        plan = import_apply(entries, format=file_format)

    assert plan.counts == {"new": 0, "update": 0, "unchanged": len(cited), "error": 0}
    assert {entry.reference.pk for entry in plan.entries} == cited
