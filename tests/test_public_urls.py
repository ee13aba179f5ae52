"""Public addresses come from approved words only, and a cached page never outlives the decision.

The rule lives in `reader.selectors.reader_view`: the live revision; for an
article never approved, its submitted revision under the caution policy while
it awaits the board; the withdrawal notice once an approved article is
withdrawn; otherwise nothing. Slugs are the live (or pending) revision's,
never the working copy's. Words never put live reaching no public route at
all, through a withdrawal, a schedule or an expiry: `test_reader_lifecycle`.
"""

import pytest
from django.urls import reverse

from config.history import acting_as
from editorial.experts.services import expert_link_create
from editorial.models import AuditEvent
from editorial.services import article_submit, article_withdraw, review_request_changes, review_start
from reader.index import PublicSlugTaken
from reader.models import PublicSlug
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, submitted, under_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

AUDIENCES = ("patient", "clinician", "student")
MARKER = "NEVER-APPROVED-MARKER"


def page(slug):
    return reverse("reader:article", args=[slug])


def references(slug, file_format="ris"):
    return reverse("reader:article_references", args=[slug, file_format])


def rename(article, slug, *, user):
    """Change the working copy's slug as an editor would in the admin."""
    article.slug = slug
    with acting_as(user):
        article.save()


def approve_working_copy(article, editor, managing_editor):
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    approve(revision, reviewer)
    return revision


def warm(client, slug):
    """Cache the page under `slug` for every audience, as readers' visits would."""
    for audience in AUDIENCES:
        client.cookies["audience"] = audience
        assert client.get(page(slug)).status_code == 200
    client.cookies["audience"] = "clinician"


def everything_public(client, slugs) -> str:
    """Every page, file and listing a reader or crawler can fetch about these slugs, as one text."""
    urls = [reverse("reader:home"), reverse("reader:home") + "?q=rewrite", reverse("reader:feed")]
    urls += [reverse("reader:sitemap_section", args=["articles"])]
    for slug in slugs:
        urls += [page(slug)] + [references(slug, file_format) for file_format in ("ris", "bibtex", "medline")]
        urls += [references(slug, "csl-json")]
    return "".join(client.get(url).content.decode() for url in urls)


# Renaming


def test_a_renamed_slug_answers_nothing_until_the_revision_carrying_it_is_approved(client, editor, managing_editor):
    article = citable_article(slug="old-address")
    approved(article, editor, managing_editor)

    rename(article, "new-address", user=editor)
    before_submission = client.get(page("new-address")).status_code
    submitted(article, editor, managing_editor)

    assert (before_submission, client.get(page("new-address")).status_code) == (404, 404)
    assert client.get(page("old-address")).status_code == 200


def test_approving_a_renamed_slug_moves_the_page_and_the_old_slug_redirects_for_good(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article(slug="old-address")
    approved(article, editor, managing_editor)
    warm(client, "old-address")
    rename(article, "new-address", user=editor)

    with django_capture_on_commit_callbacks(execute=True):
        approve_working_copy(article, editor, managing_editor)

    old, new = client.get(page("old-address")), client.get(page("new-address"))
    assert (old.status_code, old["Location"]) == (301, page("new-address"))
    assert new.status_code == 200
    moved = client.get(references("old-address", "bibtex"))
    assert (moved.status_code, moved["Location"]) == (301, references("new-address", "bibtex"))


def test_the_working_copy_slug_alone_never_makes_an_address_answer(client, editor):
    article = citable_article(slug="only-in-the-working-copy")

    assert client.get(page(article.slug)).status_code == 404
    assert client.get(references(article.slug)).status_code == 404


def test_a_pending_article_renamed_before_approval_moves_its_cautioned_page(client, editor, managing_editor, settings):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article(slug="first-draft-address")
    submitted(article, editor, managing_editor)
    rename(article, "second-draft-address", user=editor)
    assert client.get(page("second-draft-address")).status_code == 404

    article_submit(article=article, user=editor)

    moved = client.get(page("first-draft-address"))
    assert (moved.status_code, moved["Location"]) == (301, page("second-draft-address"))
    assert "Pending review." in client.get(page("second-draft-address")).content.decode()


def test_a_slug_once_public_for_one_article_is_refused_to_another(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    first = citable_article(slug="shared-address")
    approved(first, editor, managing_editor)
    rename(first, "first-new-address", user=editor)
    approve_working_copy(first, editor, managing_editor)
    second = citable_article(slug="shared-address")  # free in the working copies, not in public

    with pytest.raises(PublicSlugTaken, match="“shared-address” was public for another answer"):
        article_submit(article=second, user=editor)

    moved = client.get(page("shared-address"))
    assert (moved.status_code, moved["Location"]) == (301, page("first-new-address"))
    assert list(PublicSlug.objects.filter(slug="shared-address").values_list("article", flat=True)) == [first.pk]


# Withdrawal


def test_a_withdrawal_answers_410_on_every_public_slug_at_the_next_request_despite_a_warm_cache(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article(slug="first-address")
    approved(article, editor, managing_editor)
    rename(article, "second-address", user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        approve_working_copy(article, editor, managing_editor)
    warm(client, "second-address")
    rename(article, "third-address-never-approved", user=editor)  # the purge must not follow the working copy

    with django_capture_on_commit_callbacks(execute=True):
        article_withdraw(
            article=article,
            user=managing_editor,
            reason="Safety notice.",
            public_reason="We are checking this answer against new evidence.",
        )

    statuses = {
        (slug, audience): (client.cookies.load({"audience": audience}), client.get(page(slug)).status_code)[1]
        for slug in ("first-address", "second-address")
        for audience in AUDIENCES
    }
    assert set(statuses.values()) == {410}
    assert client.get(references("first-address")).status_code == 410
    assert client.get(references("second-address")).status_code == 410


def test_a_withdrawn_article_takes_no_follow_up_questions(client, editor, managing_editor):
    article = citable_article(slug="withdrawn-address")
    approved(article, editor, managing_editor)
    article_withdraw(
        article=article,
        user=managing_editor,
        reason="Safety notice.",
        public_reason="We are checking this answer against new evidence.",
    )

    response = client.post(reverse("reader:ask", args=["withdrawn-address"]), {"question": "Is it still safe?"})

    assert response.status_code == 410
    assert article.follow_up_questions.count() == 0


def test_an_article_approved_again_after_a_withdrawal_is_public_again(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article(slug="back-address")
    approved(article, editor, managing_editor)
    article_withdraw(
        article=article,
        user=managing_editor,
        reason="Safety notice.",
        public_reason="We are checking this answer against new evidence.",
    )
    edit_claim(article, "The corrected wording.", user=editor)

    with django_capture_on_commit_callbacks(execute=True):
        approve_working_copy(article, editor, managing_editor)

    assert "The corrected wording." in client.get(page("back-address")).content.decode()


# The caution policy


def test_a_revision_sent_back_for_changes_is_never_shown_under_the_caution(client, editor, managing_editor, settings):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article(slug="sent-back-address")
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    assert client.get(page("sent-back-address")).status_code == 200

    review_request_changes(
        revision=revision,
        user=reviewer.user,
        content_hash=revision.content_hash,
        conflict="none",
        comment="Check the dose.",
    )

    assert client.get(page("sent-back-address")).status_code == 404
    assert client.get(references("sent-back-address")).status_code == 404


def test_a_pending_page_shows_its_true_step(client, editor, managing_editor, settings):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article(slug="in-review-address")
    _, (reviewer,) = submitted(article, editor, managing_editor)
    review_start(article=article, user=reviewer.user)

    html = client.get(page("in-review-address")).content.decode()

    assert 'aria-current="step"' in html
    current = html[html.index('aria-current="step"') :]
    assert current.index("Under review") < current.index("(current step)")


# Cost


def test_an_old_slug_redirects_in_two_queries(client, editor, managing_editor, django_assert_max_num_queries):
    article = citable_article(slug="old-address")
    approved(article, editor, managing_editor)
    rename(article, "new-address", user=editor)
    approve_working_copy(article, editor, managing_editor)

    with django_assert_max_num_queries(2):  # no live page stored under it, the workflow by public slug
        assert client.get(page("old-address")).status_code == 301


def test_a_withdrawal_notice_costs_two_queries(client, editor, managing_editor, django_assert_max_num_queries):
    article = citable_article(slug="withdrawn-address")
    approved(article, editor, managing_editor)
    article_withdraw(
        article=article,
        user=managing_editor,
        reason="Safety notice.",
        public_reason="We are checking this answer against new evidence.",
    )

    with django_assert_max_num_queries(2):  # no live page stored under it, the workflow by public slug
        assert client.get(page("withdrawn-address")).status_code == 410


def test_the_public_record_of_a_rename_is_exact(editor, managing_editor):
    article = citable_article(slug="old-address")
    approved(article, editor, managing_editor)
    rename(article, "new-address", user=editor)
    approve_working_copy(article, editor, managing_editor)

    assert list(PublicSlug.objects.filter(article=article).values_list("slug", flat=True)) == [
        "old-address",
        "new-address",
    ]
    assert list(AuditEvent.objects.filter(article=article).values_list("action", "to_state")) == [
        ("editorial.submit", "submitted"),
        ("editorial.assign", "submitted"),
        ("editorial.start_review", "under_review"),
        ("editorial.approve", "approved"),
        ("editorial.submit", "submitted"),
        ("editorial.assign", "submitted"),
        ("editorial.start_review", "under_review"),
        ("editorial.approve", "approved"),
    ]


def test_a_pending_page_costs_three_queries(client, editor, managing_editor, settings, django_assert_max_num_queries):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article(slug="pending-address")
    submitted(article, editor, managing_editor)

    with django_assert_max_num_queries(3):  # no live page stored, the workflow with its revisions, the disclaimer
        assert client.get(page("pending-address")).status_code == 200


# Outside experts' links


def test_words_an_outside_expert_reads_reach_no_public_address(client, editor, managing_editor, settings):
    settings.READER_PENDING_POLICY = "hide"
    article = citable_article(slug="expert-only-address")
    edit_claim(article, MARKER, user=editor)
    revision, _ = under_review(article, editor, managing_editor)
    _, token = expert_link_create(
        revision=revision,
        user=managing_editor,
        name="Dr Outside",
        credentials="MD",
        email="outside@example.org",
        conflict_statement="None declared.",
    )
    expert_page = reverse("experts:review", args=["expert-only-address", revision.number, token])
    assert MARKER in client.get(expert_page).content.decode()  # the expert reads them

    public = everything_public(client, ["expert-only-address"])
    with_the_token = [page("expert-only-address") + f"?token={token}", reverse("reader:home") + f"?q={token}"]

    assert MARKER not in public
    assert [MARKER in client.get(url).content.decode() for url in with_the_token] == [False, False]
    assert "Disallow: /expert-review/" in client.get(reverse("reader:robots")).content.decode()
