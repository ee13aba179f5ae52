"""The desk over an approved answer's life: re-reviews of unchanged words, the schedule, and holds.

A re-review page says plainly that the words are the ones the board approved,
and its sign-offs are those of the round in progress; managing editors see what
is overdue, due, scheduled and expiring; any active board member holds live
words for safety from the desk. The ladder for the hold is in
`tests/test_desk_permissions.py`.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from editorial.models import ArticleWorkflow, AuditEvent, ReviewAssignment, SignOff
from editorial.selectors import ReviewRound
from editorial.services import (
    article_rereview,
    article_schedule,
    article_submit,
    review_assign,
    review_start,
)
from editorial.workflow import Action, State
from tests.factories import ReviewerFactory
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, under_review

pytestmark = pytest.mark.django_db

HOLD_REASONS = {"reason": "Claim 2 gives an adult dose for children.", "public_reason": "We are checking a dose."}


def rereview_of(article, managing_editor, members, *, quorum=None):
    """Open a re-review of the live revision, assign `members`, and have the first start it."""
    live = article_rereview(article=article, user=managing_editor)
    review_assign(article=article, assigned_by=managing_editor, reviewers=members, quorum=quorum)
    review_start(article=article, user=members[0].user)
    return live


def schedule(article, managing_editor, *, go_live_at=None, expires_at=None):
    return article_schedule(
        article=article,
        user=managing_editor,
        go_live_at=go_live_at,
        expires_at=expires_at,
        review_interval_months=None,
    )


def review_due_on(article, day):
    """Arrange that the live words' next review falls on `day` (a review can only happen today)."""
    ArticleWorkflow.objects.filter(article=article).update(next_review_due=day)


def shown_date(day) -> str:
    return dateformat.format(day, "j F Y")


def shown_time(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "j F Y, H:i T")


def review_html(client, user, revision) -> str:
    client.force_login(user)
    response = client.get(reverse("desk:review", args=[revision.article.slug, revision.number]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def rereview(editor, managing_editor):
    """Revision 1 approved by a first member, now in re-review (round 2) by two others, quorum 2."""
    article = citable_article()
    revision, (first,) = approved(article, editor, managing_editor)
    second, third = ReviewerFactory(), ReviewerFactory()
    rereview_of(article, managing_editor, [second, third], quorum=2)
    return article, revision, first, second, third


# A re-review, on the review page


def test_rereview_page_says_the_words_are_unchanged_and_whose_approval_they_carry(client, rereview):
    article, revision, first, second, _ = rereview
    approved_at = ArticleWorkflow.objects.get(article=article).approved_at
    html = review_html(client, second.user, revision)
    assert (
        f"This is a re-review of revision 1, unchanged. The board approved these exact words on "
        f"{shown_date(timezone.localtime(approved_at))} by {first.display_name}, and readers see them now. "
        "This is review round 2 of revision 1."
    ) in html
    assert "<strong>Changes since the last approval: none.</strong> The content hash is the same." in html


def test_rereview_page_says_approving_confirms_the_words_with_the_same_attestations(client, rereview):
    _, revision, _, second, _ = rereview
    html = review_html(client, second.user, revision)
    assert (
        "Approving confirms that the words are still accurate today. It asks for the same attestations and the "
        "same conflict-of-interest declaration as a first approval."
    ) in html
    assert 'name="claims_accurate"' in html and 'name="conflict"' in html
    assert "Approve revision 1 again</button>" in html


def test_first_review_page_does_not_call_itself_a_rereview(client, editor, managing_editor):
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    html = review_html(client, member.user, revision)
    assert "re-review" not in html


def test_rereview_page_shows_this_rounds_sign_offs_apart_from_the_first_reviews(client, rereview):
    article, revision, _, second, third = rereview
    approve(revision, second)
    client.force_login(third.user)
    page = client.get(reverse("desk:review", args=[article.slug, revision.number])).context["page"]
    first_review = SignOff.objects.get(round=1)
    assert page.sign_offs == [SignOff.objects.get(round=2)]
    assert page.earlier_rounds == [ReviewRound(1, [first_review])]


def test_rereview_page_headings_name_the_round(client, rereview):
    _, revision, first, second, third = rereview
    approve(revision, second)
    html = review_html(client, third.user, revision)
    this_review, earlier = html.split('<h3 id="this-review">')[1].split('<h3 id="earlier-reviews">')
    assert this_review.startswith("This review: re-review, round 2</h3>")
    assert second.display_name in this_review and first.display_name not in this_review
    assert earlier.startswith("Earlier reviews of revision 1</h3>")
    assert "First review, round 1" in earlier and first.display_name in earlier


def test_member_who_approved_the_first_review_may_sign_the_rereview(client, editor, managing_editor):
    article = citable_article()
    revision, (first,) = approved(article, editor, managing_editor)
    rereview_of(article, managing_editor, [first, ReviewerFactory()], quorum=2)
    client.force_login(first.user)
    response = client.get(reverse("desk:review", args=[article.slug, revision.number]))
    assert (response.context["has_signed"], response.context["can_decide"]) == (False, True)


def test_member_who_signed_the_rereview_is_told_so(client, rereview):
    article, revision, _, second, _ = rereview
    approve(revision, second)
    client.force_login(second.user)
    response = client.get(reverse("desk:review", args=[article.slug, revision.number]))
    assert (response.context["has_signed"], response.context["can_decide"]) == (True, False)
    assert "<p>You have signed off this revision in this re-review.</p>" in response.content.decode()


def test_rereview_awaits_the_member_who_signed_the_first_review(client, editor, managing_editor):
    article = citable_article()
    _, (first,) = approved(article, editor, managing_editor)
    article_rereview(article=article, user=managing_editor)
    review_assign(article=article, assigned_by=managing_editor, reviewers=[first])
    client.force_login(first.user)
    (awaiting, *_) = client.get(reverse("desk:queue")).context["member_lists"]
    assert awaiting.desk_list.key == "awaiting"
    assert [entry.workflow.article for entry in awaiting.entries] == [article]
    assert awaiting.entries[0].has_signed_current is False


def test_queue_marks_a_rereview_with_its_round(client, rereview):
    _, _, _, second, _ = rereview
    client.force_login(second.user)
    html = client.get(reverse("desk:queue")).content.decode()
    assert "<td>Under review · re-review, round 2</td>" in html


# The schedule on the review page


def test_review_page_says_when_a_scheduled_revision_goes_live(client, editor, managing_editor):
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    go_live_at = timezone.now() + timedelta(days=3)
    schedule(article, managing_editor, go_live_at=go_live_at)
    approve(revision, member)
    html = review_html(client, managing_editor, revision)
    assert f"Approved: revision 1 <strong>goes live on {shown_time(go_live_at)}</strong>." in html


def test_review_page_says_when_the_live_words_expire(client, editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    expires_at = timezone.now() + timedelta(days=20)
    schedule(article, managing_editor, expires_at=expires_at)
    html = review_html(client, managing_editor, revision)
    assert f"<strong>Expires on {shown_time(expires_at)}</strong>: readers stop seeing it then" in html


def test_review_page_says_when_the_next_review_is_due(client, editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    workflow = ArticleWorkflow.objects.get(article=article)
    html = review_html(client, managing_editor, revision)
    assert f"<li>Next review due {shown_date(workflow.next_review_due)}." in html


def test_review_page_says_since_when_a_review_is_overdue(client, editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    due = timezone.localdate() - timedelta(days=5)
    review_due_on(article, due)
    html = review_html(client, managing_editor, revision)
    assert f'<li class="text-danger"><strong>Review overdue since {shown_date(due)}.</strong>' in html


# The managing editors' queue: the live words' calendar


@pytest.fixture
def calendar(editor, managing_editor):
    """One live article in each section: review overdue, review due soon, scheduled to go live, expiring."""
    today = timezone.localdate()
    overdue, due_soon, scheduled, expiring = (citable_article(title=title) for title in ("Overdue", "Due", "Go", "Exp"))
    for article in (overdue, due_soon, expiring):
        approved(article, editor, managing_editor)
    review_due_on(overdue, today - timedelta(days=3))
    review_due_on(due_soon, today + timedelta(days=10))
    schedule(expiring, managing_editor, expires_at=timezone.now() + timedelta(days=400))
    revision, (member,) = under_review(scheduled, editor, managing_editor)
    schedule(scheduled, managing_editor, go_live_at=timezone.now() + timedelta(days=2))
    approve(revision, member)
    return {"overdue": overdue, "due_soon": due_soon, "scheduled": scheduled, "expiring": expiring}


def section(html, heading_id) -> str:
    """The HTML of the desk section headed by `heading_id`, up to the next section."""
    return html.split(f'<h2 id="{heading_id}">')[1].split("</section>")[0]


@pytest.mark.parametrize(
    ("heading_id", "heading", "kind"),
    [
        ("review-overdue-heading", "Review overdue", "overdue"),
        ("review-due-soon-heading", "Review due within 30 days", "due_soon"),
        ("scheduled-heading", "Scheduled to go live", "scheduled"),
        ("expiring-heading", "Expiring", "expiring"),
    ],
)
def test_queue_shows_managing_editors_each_article_in_its_section_with_a_link_to_act(
    client, calendar, managing_editor, heading_id, heading, kind
):
    client.force_login(managing_editor)
    html = section(client.get(reverse("desk:queue")).content.decode(), heading_id)
    shown = [article for article in calendar.values() if f">{article.title}</a>" in html]
    assert html.startswith(f"{heading}</h2>")
    assert shown == [calendar[kind]]
    assert reverse("admin:articles_article_change", args=[calendar[kind].pk]) in html


def test_queue_dates_each_section_by_its_own_date(client, calendar, managing_editor):
    client.force_login(managing_editor)
    html = client.get(reverse("desk:queue")).content.decode()
    workflows = {kind: ArticleWorkflow.objects.get(article=article) for kind, article in calendar.items()}
    overdue, due = workflows["overdue"].next_review_due, workflows["due_soon"].next_review_due
    go_live = timezone.localtime(workflows["scheduled"].go_live_at)
    expires = timezone.localtime(workflows["expiring"].expires_at)
    assert f'<time datetime="{overdue:%Y-%m-%d}">{dateformat.format(overdue, "j M Y")}</time>' in section(
        html, "review-overdue-heading"
    )
    assert f'<time datetime="{due:%Y-%m-%d}">{dateformat.format(due, "j M Y")}</time>' in section(
        html, "review-due-soon-heading"
    )
    assert f">{dateformat.format(go_live, 'j M Y, H:i T')}</time>" in section(html, "scheduled-heading")
    assert f">{dateformat.format(expires, 'j M Y, H:i T')}</time>" in section(html, "expiring-heading")


def test_queue_shows_board_members_no_calendar(client, calendar, board_member):
    ReviewerFactory(user=board_member)
    client.force_login(board_member)
    html = client.get(reverse("desk:queue")).content.decode()
    for heading in ("Review overdue", "Review due within 30 days", "Scheduled to go live", "Expiring"):
        assert f">{heading}</h2>" not in html


def test_queue_costs_the_same_queries_for_many_articles(client, editor, managing_editor, django_assert_max_num_queries):
    today = timezone.localdate()

    def more_of_each():
        for offset in (-2, 5):
            article = citable_article()
            approved(article, editor, managing_editor)
            review_due_on(article, today + timedelta(days=offset))
            schedule(article, managing_editor, expires_at=timezone.now() + timedelta(days=300))
        article = citable_article()
        revision, (member,) = under_review(article, editor, managing_editor)
        schedule(article, managing_editor, go_live_at=timezone.now() + timedelta(days=2))
        approve(revision, member)

    client.force_login(managing_editor)
    more_of_each()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("desk:queue")).status_code == 200
    for _ in range(3):
        more_of_each()
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("desk:queue")).content.decode()
    assert section(html, "scheduled-heading").count("<tr>") == 1 + 4  # the header, and each article


# Hold for safety, from the desk


def hold_url(revision):
    return reverse("desk:hold", args=[revision.article.slug, revision.number])


def hold(client, revision, *, follow=False, **fields):
    data = {"content_hash": revision.content_hash, **HOLD_REASONS, **fields}
    return client.post(hold_url(revision), data, follow=follow)


def test_review_page_of_live_words_offers_the_hold_to_a_board_member(client, editor, managing_editor):
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    html = review_html(client, member.user, revision)
    assert f'<form method="post" action="{hold_url(revision)}" class="hold-form" novalidate>' in html
    assert "Hold revision 1 for safety</button>" in html


def test_review_page_of_words_not_yet_live_offers_no_hold(client, editor, managing_editor):
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    html = review_html(client, member.user, revision)
    assert hold_url(revision) not in html and "Hold for safety" not in html


def test_review_page_of_newer_words_points_to_the_live_revision_to_hold(client, editor, managing_editor):
    article = citable_article()
    first, _ = approved(article, editor, managing_editor)
    edit_claim(article, "Treatment halves the risk.", user=editor)
    second, (member,) = under_review(article, editor, managing_editor)
    html = review_html(client, member.user, second)
    assert hold_url(second) not in html
    live_page = reverse("desk:review", args=[article.slug, first.number])
    assert f'<a href="{live_page}#hold">Read revision 1 to hold it for safety</a>' in html


def test_hold_page_shows_the_question_of_the_revision_not_of_the_working_copy(client, editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    article.question = "An unsubmitted question nobody approved?"
    article.save()
    client.force_login(ReviewerFactory().user)
    html = client.get(hold_url(revision)).content.decode()
    assert (revision.content["question"] in html, article.question in html) == (True, False)


def test_board_member_holds_the_live_words_from_the_desk(client, editor, managing_editor):
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    client.force_login(member.user)
    response = hold(client, revision)
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:review", args=[article.slug, revision.number])
    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.held_revision, workflow.live_revision) == (State.HELD, revision, None)
    assert workflow.public_reason == "We are checking a dose."
    event = AuditEvent.objects.filter(article=article).latest("pk")
    assert (event.action, event.actor, event.revision, event.comment, event.data) == (
        Action.HOLD,
        member.user,
        revision,
        "Claim 2 gives an adult dose for children.",
        {"public_reason": "We are checking a dose."},
    )


def test_hold_from_the_desk_says_what_happened(client, editor, managing_editor):
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    client.force_login(member.user)
    html = hold(client, revision, follow=True).content.decode()
    assert f"“{article}” is held: readers see your notice instead of revision 1, and managing editors are told." in html


def test_board_member_not_assigned_holds_and_returns_to_the_queue(client, editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    client.force_login(ReviewerFactory().user)
    response = hold(client, revision)
    assert response["Location"] == reverse("desk:queue")
    assert ArticleWorkflow.objects.get(article=article).state == State.HELD


def test_hold_of_words_never_live_is_refused_with_the_reason_and_keeps_the_text(client, editor, managing_editor):
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    client.force_login(member.user)
    response = hold(client, revision)
    html = response.content.decode()
    assert response.status_code == 409
    assert f"“{article.title}” is under review, so it cannot be held now." in html
    assert "Claim 2 gives an adult dose for children." in html and "We are checking a dose." in html
    assert ArticleWorkflow.objects.get(article=article).state == State.UNDER_REVIEW


def test_hold_of_words_replaced_meanwhile_is_refused_and_nothing_is_recorded(client, editor, managing_editor):
    article = citable_article()
    first, (member,) = approved(article, editor, managing_editor)
    edit_claim(article, "Treatment halves the risk.", user=editor)
    second, (other,) = under_review(article, editor, managing_editor)
    events = AuditEvent.objects.count()
    approve(second, other)  # revision 2 goes live while the member reads revision 1
    client.force_login(member.user)
    response = hold(client, first)
    assert response.status_code == 409
    assert (
        "Revision 1 is no longer the one readers see: revision 2 was approved meanwhile." in response.content.decode()
    )
    assert "We are checking a dose." in response.content.decode()
    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.live_revision, AuditEvent.objects.count()) == (State.APPROVED, second, events + 1)


def test_hold_with_a_hash_not_of_the_revision_holds_nothing(client, editor, managing_editor):
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    client.force_login(member.user)
    response = hold(client, revision, content_hash="0" * 64)
    assert response.status_code == 409
    assert ArticleWorkflow.objects.get(article=article).state == State.APPROVED


def test_hold_without_a_public_reason_is_refused_and_keeps_the_internal_one(client, editor, managing_editor):
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    client.force_login(member.user)
    response = hold(client, revision, public_reason="")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Say in words for readers why the article is unavailable." in html
    assert "Claim 2 gives an adult dose for children.</textarea>" in html
    assert ArticleWorkflow.objects.get(article=article).state == State.APPROVED


def test_hold_of_an_article_held_already_says_so(client, editor, managing_editor):
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    client.force_login(managing_editor)
    hold(client, revision)
    client.force_login(member.user)
    response = client.get(hold_url(revision))
    assert "is held for safety already: readers see a notice instead of it." in response.content.decode()
    assert 'class="hold-form"' not in response.content.decode()


def test_hold_closes_the_review_the_desk_showed(client, editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    second = ReviewerFactory()
    rereview_of(article, managing_editor, [second])
    client.force_login(second.user)
    assert hold(client, revision).status_code == 302
    assert list(ReviewAssignment.objects.filter(article=article, is_open=True)) == []
    assert ArticleWorkflow.objects.get(article=article).state == State.HELD


def test_hold_needs_no_fresh_password(client, editor, managing_editor, settings):
    settings.REAUTHENTICATION_MAX_AGE = timedelta(seconds=0)  # every sign-off would ask again
    article = citable_article()
    revision, (member,) = approved(article, editor, managing_editor)
    client.force_login(member.user)
    assert hold(client, revision).status_code == 302
    assert ArticleWorkflow.objects.get(article=article).state == State.HELD


def test_submitting_new_words_keeps_the_first_review_out_of_this_review(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    edit_claim(article, "Treatment halves the risk.", user=editor)
    second = article_submit(article=article, user=editor)
    client.force_login(managing_editor)
    page = client.get(reverse("desk:review", args=[article.slug, second.number])).context["page"]
    assert (page.sign_offs, page.earlier_rounds, page.is_rereview) == ([], [], False)
