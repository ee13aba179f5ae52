"""Readers see the live words through an answer's whole life: scheduled, re-reviewed, overdue, expired.

Every public route follows `reader.selectors.reader_view`: the article page
under each slug it was ever public under, its reference files, the follow-up
form, the home page and search, the feed, the sitemap and the board members'
pages. Words the board has not put live (rewritten after a withdrawal or an
expiry, or approved and waiting for their go-live time) never reach any of
them, even from a warm cache.
"""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from config.history import acting_as
from editorial.models import ArticleWorkflow, Reviewer
from editorial.services import (
    article_expire,
    article_go_live,
    article_rereview,
    article_schedule,
    article_withdraw,
    review_assign,
    review_start,
)
from editorial.workflow import EXPIRED_PUBLIC_REASON, State
from reader.selectors import ArticlePage
from tests.factories import CitationFactory, ReferenceFactory, ReviewerFactory
from tests.page_helpers import FIRST_RENDER_QUERIES
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, under_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

AUDIENCES = ("patient", "clinician", "student")
MARKER = "NEVER-SHOWN-MARKER"
SEARCH_WORD = "zebrafish"  # only in the words readers must not see; the search page echoes it, not MARKER
REFERENCE_FILE_FORMATS = ("ris", "bibtex", "medline", "csl-json")


def page(slug):
    return reverse("reader:article", args=[slug])


def text_of(response) -> str:
    return response.content.decode()


# Every public route, as the text a reader or a crawler gets from it for these slugs.


def reference_file(file_format):
    def fetch(client, slugs):
        urls = [reverse("reader:article_references", args=[slug, file_format]) for slug in slugs]
        return "".join(text_of(client.get(url)) for url in urls)

    return fetch


def follow_up_form_shown_back(client, slugs):
    """A question too short to keep: the page comes back with the form's error, rendered past the cache."""
    urls = [reverse("reader:ask", args=[slug]) for slug in slugs]
    return "".join(text_of(client.post(url, {"question": "", "audience": "patient"}, follow=True)) for url in urls)


def board_member_pages(client, slugs):
    members = Reviewer.objects.filter(is_active=True).values_list("slug", flat=True)
    return "".join(text_of(client.get(reverse("reader:board_member", args=[member]))) for member in members)


PUBLIC_ROUTES = {
    "article page": lambda client, slugs: "".join(text_of(client.get(page(slug))) for slug in slugs),
    "article page after asking": lambda client, slugs: "".join(
        text_of(client.get(page(slug) + "?asked=1")) for slug in slugs
    ),
    **{f"{file_format} reference file": reference_file(file_format) for file_format in REFERENCE_FILE_FORMATS},
    "follow-up form": follow_up_form_shown_back,
    "home page": lambda client, slugs: text_of(client.get(reverse("reader:home"))),
    "search": lambda client, slugs: text_of(client.get(reverse("reader:home"), {"q": SEARCH_WORD})),
    "feed": lambda client, slugs: text_of(client.get(reverse("reader:feed"))),
    "sitemap": lambda client, slugs: text_of(client.get(reverse("reader:sitemap_section", args=["articles"]))),
    "board member pages": board_member_pages,
}
every_public_route = pytest.mark.parametrize("route", PUBLIC_ROUTES.values(), ids=PUBLIC_ROUTES.keys())


# Building the article's life through the real services.


def warm(client, slug):
    """Cache the page under `slug` for every audience, as readers' visits would."""
    for audience in AUDIENCES:
        client.cookies["audience"] = audience
        assert client.get(page(slug)).status_code == 200
    client.cookies["audience"] = "clinician"


NEW_SLUG = f"{MARKER.lower()}-address"  # the sitemap shows addresses only


def rewrite(article, *, user):
    """Put MARKER in the working copy's question, a claim, a reference and its slug, as an editor would."""
    claim = edit_claim(article, f"{MARKER}: {SEARCH_WORD} studies changed the advice.", user=user)
    with acting_as(user):
        CitationFactory(claim=claim, reference=ReferenceFactory(title=f"The {MARKER} trial"), order=1)
    article.question = f"{MARKER} Is the advice still the same?"
    article.slug = NEW_SLUG
    with acting_as(user):
        article.save()


def shows_marker(text) -> bool:
    return MARKER.lower() in text.lower()


def live_under_two_slugs(article, editor, managing_editor, *, current):
    """Approve the article, then approve it again under `current`: its first slug now redirects there."""
    approved(article, editor, managing_editor)
    article.slug = current
    with acting_as(editor):
        article.save()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    approve(revision, reviewer)


def go_live_at():
    return timezone.now() + timedelta(days=2)


def schedule(article, managing_editor, *, go_live=None, expires=None):
    return article_schedule(
        article=article, user=managing_editor, go_live_at=go_live, expires_at=expires, review_interval_months=None
    )


def approved_and_scheduled(article, editor, managing_editor):
    """Put the working copy through review to the board's approval, waiting for a go-live time (state: Scheduled)."""
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    schedule(article, managing_editor, go_live=go_live_at())
    approve(revision, reviewer)
    return revision


def withdrawn(article, managing_editor):
    article_withdraw(
        article=article,
        user=managing_editor,
        reason="Safety notice.",
        public_reason="We are checking this answer against new evidence.",
    )


def expired(article, managing_editor):
    """Give the live article an expiry and let the schedule expire it when it comes (state: Withdrawn)."""
    workflow = schedule(article, managing_editor, expires=timezone.now() + timedelta(days=30))
    article_expire(article=article, now=workflow.expires_at)


def live_then_expired(article, editor, managing_editor):
    approved(article, editor, managing_editor)
    expired(article, managing_editor)


def rereviewed(article, managing_editor, *, members):
    """Open a re-review of the live words and have `members` certify them again; return the live revision."""
    live = article_rereview(article=article, user=managing_editor)
    review_assign(article=article, assigned_by=managing_editor, reviewers=members, quorum=len(members))
    review_start(article=article, user=members[0].user)
    for member in members:
        approve(live, member)
    return live


def structured_data(html) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


# The words readers must never see, on every public route


@every_public_route
def test_withdraw_edit_submit_never_shows_the_new_words_on_any_public_route(
    route, client, editor, managing_editor, settings, django_capture_on_commit_callbacks
):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article(slug="old-address")
    with django_capture_on_commit_callbacks(execute=True):
        live_under_two_slugs(article, editor, managing_editor, current="withdrawn-address")
    warm(client, "withdrawn-address")
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn(article, managing_editor)

    rewrite(article, user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        under_review(article, editor, managing_editor)

    assert not shows_marker(route(client, ["old-address", "withdrawn-address", NEW_SLUG]))


@every_public_route
def test_words_approved_and_waiting_to_go_live_never_show_beside_the_live_ones_on_any_public_route(
    route, client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article(slug="live-address")
    approved(article, editor, managing_editor)
    warm(client, "live-address")
    rewrite(article, user=editor)

    with django_capture_on_commit_callbacks(execute=True):
        approved_and_scheduled(article, editor, managing_editor)

    assert not shows_marker(route(client, ["live-address", NEW_SLUG]))


@every_public_route
def test_an_answer_approved_to_go_live_later_shows_nothing_before_then_on_any_public_route(
    route, client, editor, managing_editor, settings, django_capture_on_commit_callbacks
):
    settings.READER_PENDING_POLICY = "caution"  # shown with a caution while in review, never once approved to wait
    article = citable_article(slug="first-address")
    rewrite(article, user=editor)

    with django_capture_on_commit_callbacks(execute=True):
        approved_and_scheduled(article, editor, managing_editor)

    assert not shows_marker(route(client, [NEW_SLUG]))


@every_public_route
def test_expire_edit_submit_never_shows_the_new_words_on_any_public_route(
    route, client, editor, managing_editor, settings, django_capture_on_commit_callbacks
):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article(slug="old-address")
    with django_capture_on_commit_callbacks(execute=True):
        live_under_two_slugs(article, editor, managing_editor, current="expired-address")
    warm(client, "expired-address")
    with django_capture_on_commit_callbacks(execute=True):
        expired(article, managing_editor)

    rewrite(article, user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        under_review(article, editor, managing_editor)

    assert not shows_marker(route(client, ["old-address", "expired-address", NEW_SLUG]))


@pytest.mark.parametrize("taken_away", ["withdrawn", "expired"])
def test_rewritten_words_in_review_leave_the_notice_on_the_old_slugs_and_no_new_address(
    taken_away, client, editor, managing_editor, settings
):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article(slug="old-address")
    live_under_two_slugs(article, editor, managing_editor, current="current-address")
    {"withdrawn": withdrawn, "expired": expired}[taken_away](article, managing_editor)

    rewrite(article, user=editor)
    under_review(article, editor, managing_editor)

    statuses = [client.get(page(slug)).status_code for slug in ("old-address", "current-address", NEW_SLUG)]
    assert statuses == [410, 410, 404]


# Scheduled


@pytest.mark.parametrize(
    "url",
    [page("first-address"), reverse("reader:article_references", args=["first-address", "ris"])],
    ids=["page", "reference file"],
)
def test_an_answer_waiting_for_its_first_go_live_answers_404(url, client, editor, managing_editor, settings):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article(slug="first-address")
    approved_and_scheduled(article, editor, managing_editor)

    assert client.get(url).status_code == 404


def test_an_answer_waiting_for_its_first_go_live_takes_no_follow_up_questions(
    client, editor, managing_editor, settings
):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article(slug="first-address")
    approved_and_scheduled(article, editor, managing_editor)

    response = client.post(reverse("reader:ask", args=["first-address"]), {"question": "When can I read it?"})

    assert (response.status_code, article.follow_up_questions.count()) == (404, 0)


def test_a_live_answer_with_an_update_waiting_to_go_live_shows_the_live_words_and_says_so(
    client, editor, managing_editor
):
    article = citable_article(slug="live-address")
    approved(article, editor, managing_editor)
    live_words = article.sections.first().claims.first().text
    edit_claim(article, "The update the board approved for later.", user=editor)
    approved_and_scheduled(article, editor, managing_editor)

    html = text_of(client.get(page("live-address")))

    assert live_words in html
    assert "An update to this answer has been approved and goes live soon" in html
    assert "An update to this answer is being reviewed" not in html


def test_going_live_as_scheduled_shows_the_new_words_on_every_slug_despite_a_warm_cache(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article(slug="live-address")
    approved(article, editor, managing_editor)
    rewrite(article, user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        approved_and_scheduled(article, editor, managing_editor)
    warm(client, "live-address")
    workflow = ArticleWorkflow.objects.get(article=article)

    with django_capture_on_commit_callbacks(execute=True):
        article_go_live(article=article, now=workflow.go_live_at)

    moved = client.get(page("live-address"))
    assert (moved.status_code, moved["Location"]) == (301, page(NEW_SLUG))
    assert shows_marker(text_of(client.get(page(NEW_SLUG))))
    assert shows_marker(text_of(client.get(reverse("reader:home"), {"q": SEARCH_WORD})))
    assert NEW_SLUG in text_of(client.get(reverse("reader:sitemap_section", args=["articles"])))


@every_public_route
def test_words_gone_live_as_scheduled_show_on_every_public_route(
    route, client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article(slug="live-address")
    approved(article, editor, managing_editor)
    rewrite(article, user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        approved_and_scheduled(article, editor, managing_editor)
    warm(client, "live-address")

    with django_capture_on_commit_callbacks(execute=True):
        article_go_live(article=article, now=ArticleWorkflow.objects.get(article=article).go_live_at)

    assert shows_marker(route(client, ["live-address", NEW_SLUG]))


def test_an_answer_gone_live_as_scheduled_reads_as_reviewed_when_the_board_approved_it(
    client, editor, managing_editor, monkeypatch
):
    article = citable_article(slug="first-address")
    approved_and_scheduled(article, editor, managing_editor)
    approved_on = timezone.localdate()
    go_live = ArticleWorkflow.objects.get(article=article).go_live_at
    monkeypatch.setattr(timezone, "now", lambda: go_live)  # two days on, the schedule puts it live

    article_go_live(article=article)

    html = text_of(client.get(page("first-address")))
    assert structured_data(html)["lastReviewed"] == approved_on.isoformat()
    assert f'<dt>Last reviewed</dt><dd><time datetime="{approved_on:%Y-%m-%d}">' in html


# Expired


def test_an_expired_answer_answers_410_with_the_public_reason_despite_a_warm_cache(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article(slug="expiring-address")
    with django_capture_on_commit_callbacks(execute=True):
        approved(article, editor, managing_editor)
    warm(client, "expiring-address")

    with django_capture_on_commit_callbacks(execute=True):
        expired(article, managing_editor)

    response = client.get(page("expiring-address"))
    assert response.status_code == 410
    assert EXPIRED_PUBLIC_REASON in text_of(response)
    assert "This answer is awaiting the board\N{RIGHT SINGLE QUOTATION MARK}s review" in text_of(response)


@pytest.mark.parametrize("file_format", REFERENCE_FILE_FORMATS)
def test_an_expired_answer_offers_no_reference_files(file_format, client, editor, managing_editor):
    article = citable_article(slug="expired-address")
    live_then_expired(article, editor, managing_editor)

    response = client.get(reverse("reader:article_references", args=["expired-address", file_format]))

    assert response.status_code == 410


def test_an_expired_answer_takes_no_follow_up_questions(client, editor, managing_editor):
    article = citable_article(slug="expired-address")
    live_then_expired(article, editor, managing_editor)

    response = client.post(reverse("reader:ask", args=["expired-address"]), {"question": "Is it still safe?"})

    assert (response.status_code, article.follow_up_questions.count()) == (410, 0)


@pytest.mark.parametrize(
    "listing",
    [reverse("reader:home"), reverse("reader:feed"), reverse("reader:sitemap_section", args=["articles"])],
    ids=["home and search", "feed", "sitemap"],
)
def test_an_expired_answer_leaves_the_listings(listing, client, editor, managing_editor):
    article = citable_article(slug="expired-address")
    live_then_expired(article, editor, managing_editor)

    html = text_of(client.get(listing))

    assert ("expired-address" in html, article.question in html) == (False, False)


def test_a_hand_withdrawal_still_reads_as_a_withdrawal(client, editor, managing_editor):
    article = citable_article(slug="withdrawn-address")
    approved(article, editor, managing_editor)
    article_withdraw(article=article, user=managing_editor, reason="Safety.", public_reason="New evidence.")

    html = text_of(client.get(page("withdrawn-address")))

    assert ("This answer has been withdrawn" in html, "Why: New evidence." in html) == (True, True)


# Who reviewed it, and when


def test_reviewed_by_names_only_the_members_who_certified_the_live_words(client, editor, managing_editor):
    article = citable_article(slug="recertified-address")
    _, (first_reviewer,) = approved(article, editor, managing_editor)
    recertifier = ReviewerFactory(display_name="Dr Recertifier")
    rereviewed(article, managing_editor, members=[recertifier])

    html = text_of(client.get(page("recertified-address")))

    assert ("Dr Recertifier" in html, first_reviewer.display_name in html) == (True, False)


def test_structured_data_names_the_certifying_members_and_the_last_review(client, editor, managing_editor):
    article = citable_article(slug="recertified-address")
    approved(article, editor, managing_editor)
    recertifier = ReviewerFactory(display_name="Dr Recertifier", credentials="MD")
    rereviewed(article, managing_editor, members=[recertifier])
    workflow = ArticleWorkflow.objects.get(article=article)

    data = structured_data(text_of(client.get(page("recertified-address"))))

    assert data["reviewedBy"] == [{"@type": "Person", "name": "Dr Recertifier", "honorificSuffix": "MD"}]
    assert data["lastReviewed"] == timezone.localdate(workflow.approved_at).isoformat()


def test_a_re_review_moves_last_reviewed_and_not_last_updated(client, editor, managing_editor, monkeypatch):
    article = citable_article(slug="recertified-address")
    live, _ = approved(article, editor, managing_editor)
    later = timezone.now() + timedelta(days=40)
    monkeypatch.setattr(timezone, "now", lambda: later)  # forty days on, the board certifies the same words
    rereviewed(article, managing_editor, members=[ReviewerFactory()])

    html = text_of(client.get(page("recertified-address")))

    updated = f'<dt>Last updated</dt><dd><time datetime="{timezone.localdate(live.created_at):%Y-%m-%d}">'
    reviewed = f'<dt>Last reviewed</dt><dd><time datetime="{timezone.localdate(later):%Y-%m-%d}">'
    assert (updated in html, reviewed in html) == (True, True)


def test_a_re_reviewed_page_costs_no_more_queries_than_any_page(
    client, editor, managing_editor, django_assert_max_num_queries
):
    article = citable_article(slug="recertified-address")
    approved(article, editor, managing_editor)
    rereviewed(article, managing_editor, members=[ReviewerFactory(), ReviewerFactory()])

    with django_assert_max_num_queries(FIRST_RENDER_QUERIES):
        assert client.get(page("recertified-address")).status_code == 200


def test_the_board_member_page_lists_only_the_answers_whose_live_words_they_certified(client, editor, managing_editor):
    article = citable_article(slug="recertified-address")
    _, (first_reviewer,) = approved(article, editor, managing_editor)
    recertifier = ReviewerFactory()
    rereviewed(article, managing_editor, members=[recertifier])

    listed = [
        article.question in text_of(client.get(reverse("reader:board_member", args=[member.slug])))
        for member in (first_reviewer, recertifier)
    ]

    assert listed == [False, True]


# A late review


def days_after_the_review_date(article, days):
    """The moment `days` local days after the live words' review date, at noon."""
    due = ArticleWorkflow.objects.get(article=article).next_review_due
    noon = timezone.make_aware(timezone.datetime.combine(due + timedelta(days=days), timezone.datetime.min.time()))
    return noon + timedelta(hours=12)


def test_an_overdue_review_is_told_beside_the_review_dates(client, editor, managing_editor, monkeypatch):
    article = citable_article(slug="overdue-address")
    approved(article, editor, managing_editor)
    workflow = ArticleWorkflow.objects.get(article=article)
    moment = days_after_the_review_date(article, 1)
    monkeypatch.setattr(timezone, "now", lambda: moment)

    html = text_of(client.get(page("overdue-address")))

    due = f"{workflow.next_review_due.day} {workflow.next_review_due:%B %Y}"
    reviewed = timezone.localdate(workflow.approved_at)
    assert f'<dt>Review overdue since</dt><dd><time datetime="{workflow.next_review_due:%Y-%m-%d}">{due}</time>' in html
    assert f"It was last reviewed on {reviewed.day} {reviewed:%B %Y}" in html
    assert "Next review due" not in html


def test_the_review_date_itself_is_not_overdue(client, editor, managing_editor, monkeypatch):
    article = citable_article(slug="due-today-address")
    approved(article, editor, managing_editor)
    moment = days_after_the_review_date(article, 0)
    monkeypatch.setattr(timezone, "now", lambda: moment)

    html = text_of(client.get(page("due-today-address")))

    assert ("Next review due" in html, "Review overdue since" in html) == (True, False)


def test_an_overdue_review_claims_no_review_in_the_structured_data(client, editor, managing_editor, monkeypatch):
    article = citable_article(slug="overdue-address")
    _, (reviewer,) = approved(article, editor, managing_editor)
    workflow = ArticleWorkflow.objects.get(article=article)
    moment = days_after_the_review_date(article, 30)
    monkeypatch.setattr(timezone, "now", lambda: moment)

    data = structured_data(text_of(client.get(page("overdue-address"))))

    assert data["lastReviewed"] == timezone.localdate(workflow.approved_at).isoformat()
    assert data["reviewedBy"] == [{"@type": "Person", "name": reviewer.display_name, "honorificSuffix": "MD"}]


def test_the_overdue_caution_appears_on_the_day_it_becomes_true_despite_a_warm_cache(
    client, editor, managing_editor, monkeypatch
):
    article = citable_article(slug="overdue-address")
    approved(article, editor, managing_editor)
    moment = days_after_the_review_date(article, 0)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    warm(client, "overdue-address")  # cached on the review date, for every audience, for READER_CACHE_SECONDS

    midnight = days_after_the_review_date(article, 1) - timedelta(hours=12)
    monkeypatch.setattr(timezone, "now", lambda: midnight)
    statuses = []
    for audience in AUDIENCES:
        client.cookies["audience"] = audience
        statuses.append("Review overdue since" in text_of(client.get(page("overdue-address"))))

    assert statuses == [True, True, True]


def test_a_page_cached_on_the_review_date_is_still_served_from_the_cache_that_day(
    client, editor, managing_editor, monkeypatch, django_assert_num_queries
):
    article = citable_article(slug="due-today-address")
    approved(article, editor, managing_editor)
    moment = days_after_the_review_date(article, 0)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    warm(client, "due-today-address")

    with django_assert_num_queries(0):
        assert client.get(page("due-today-address")).status_code == 200


# The public stepper


@pytest.mark.parametrize("state", State.values)
def test_every_state_has_one_current_step_on_the_public_stepper(state):
    steps = ArticlePage(slug="any", article_id=1, revision=None, state=state, is_live=False).steps

    assert [step["is_current"] for step in steps].count(True) == 1
