"""The admin over an approved article's life: re-reviews, the schedule, review dates, and the list that finds them."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from editorial.models import ArticleWorkflow, AuditEvent, add_months
from editorial.services import article_hold, article_rereview, article_schedule, article_withdraw
from editorial.workflow import Action, State
from tests.admin_forms import admin_form_data
from tests.factories import BoardMemberFactory, UserFactory
from tests.workflow_helpers import approve, approved, citable_article, under_review

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def rereview_url(article):
    return reverse("admin:articles_article_rereview", args=[article.pk])


def schedule_url(article):
    return reverse("admin:articles_article_schedule", args=[article.pk])


def changelist_url(review=None):
    url = reverse("admin:articles_article_changelist")
    return f"{url}?review={review}" if review else url


def typed(moment) -> str:
    """A moment as a person types it into the form: in the site's time zone, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def shown_date(day) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def shown_moment(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def live_article(editor, managing_editor, **fields):
    article = citable_article(**fields)
    approved(article, editor, managing_editor)
    return article


def reviewed_days_ago(article, days):
    """Arrange: the live words were last reviewed `days` ago, so their next review falls due from then."""
    workflow = ArticleWorkflow.objects.get(article=article)
    reviewed = timezone.now() - timedelta(days=days)
    ArticleWorkflow.objects.filter(pk=workflow.pk).update(
        approved_at=reviewed, next_review_due=workflow.review_due_after(reviewed)
    )
    return ArticleWorkflow.objects.get(pk=workflow.pk)


def due_in_days(article, days):
    """Arrange: the live words fall due for review `days` from today."""
    ArticleWorkflow.objects.filter(article=article).update(next_review_due=timezone.localdate() + timedelta(days=days))


def scheduled_article(editor, managing_editor, *, go_live_at, **fields):
    """An article whose first revision the board approved, waiting for its go-live time."""
    article = citable_article(**fields)
    revision, board = under_review(article, editor, managing_editor)
    article_schedule(
        article=article, user=managing_editor, go_live_at=go_live_at, expires_at=None, review_interval_months=None
    )
    approve(revision, board[0])
    return article


def state_of(article):
    return ArticleWorkflow.objects.get(article=article).state


@pytest.fixture
def staff_without_role(db):
    return UserFactory(username="staff", is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def person(request):
    """The person of the ladder's rung: None for an anonymous visitor, else the named fixture's user."""
    return None if request.param == "anonymous" else request.getfixturevalue(request.param)


def ask(client, person, method, url, data=None):
    if person is not None:
        client.force_login(person)
    return client.get(url) if method == "GET" else client.post(url, data or {})


# The permission ladder: who may open each page and make its move.

LADDER = [
    ("anonymous", 302),
    ("staff_without_role", 403),
    ("editor", 403),
    ("board_member", 403),
]
MAY = ["managing_editor", "superuser"]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(("person", "status"), LADDER, indirect=["person"])
def test_rereview_page_is_refused_to_all_but_managing_editors(client, editor, managing_editor, person, status, method):
    article = live_article(editor, managing_editor)

    response = ask(client, person, method, rereview_url(article), {"note": "Yearly check."})

    assert response.status_code == status
    assert (state_of(article), AuditEvent.objects.filter(action=Action.REREVIEW).count()) == (State.APPROVED, 0)


@pytest.mark.parametrize("person", MAY, indirect=True)
def test_rereview_page_opens_for_managing_editors(client, editor, managing_editor, person):
    article = live_article(editor, managing_editor)

    response = ask(client, person, "GET", rereview_url(article))

    assert response.status_code == 200
    assert 'value="Open the re-review"' in response.content.decode()


@pytest.mark.parametrize("person", MAY, indirect=True)
def test_rereview_posted_by_a_managing_editor_puts_the_live_revision_back_in_review(
    client, editor, managing_editor, person
):
    article = live_article(editor, managing_editor)

    response = ask(client, person, "POST", rereview_url(article), {"note": "Yearly check."})

    workflow = ArticleWorkflow.objects.get(article=article)
    assert response.status_code == 302
    assert (workflow.state, workflow.review_round, workflow.live_revision.number) == (State.SUBMITTED, 2, 1)
    assert list(AuditEvent.objects.filter(action=Action.REREVIEW).values_list("actor", "comment")) == [
        (person.pk, "Yearly check.")
    ]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(("person", "status"), LADDER, indirect=["person"])
def test_schedule_page_is_refused_to_all_but_managing_editors(client, editor, managing_editor, person, status, method):
    article = live_article(editor, managing_editor)

    response = ask(client, person, method, schedule_url(article), {"review_interval_months": "6"})

    assert response.status_code == status
    assert ArticleWorkflow.objects.get(article=article).review_interval_months is None


@pytest.mark.parametrize("person", MAY, indirect=True)
def test_schedule_page_opens_for_managing_editors(client, editor, managing_editor, person):
    article = live_article(editor, managing_editor)

    response = ask(client, person, "GET", schedule_url(article))

    assert response.status_code == 200
    assert 'value="Save the schedule"' in response.content.decode()


@pytest.mark.parametrize("person", MAY, indirect=True)
def test_schedule_posted_by_a_managing_editor_is_kept(client, editor, managing_editor, person):
    article = live_article(editor, managing_editor)
    expiry = (timezone.now() + timedelta(days=200)).replace(second=0, microsecond=0)

    response = ask(
        client, person, "POST", schedule_url(article), {"expires_at": typed(expiry), "review_interval_months": "6"}
    )

    workflow = ArticleWorkflow.objects.get(article=article)
    assert response.status_code == 302
    assert (workflow.expires_at, workflow.review_interval_months, workflow.scheduled_by) == (expiry, 6, person)


# Re-review: offered where the workflow offers it, and what it says.


def test_rereview_button_is_offered_to_a_managing_editor_on_a_live_approved_article(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    client.force_login(managing_editor)

    html = client.get(change_url(article)).content.decode()

    assert f'<a class="button" href="{rereview_url(article)}">Open a re-review</a>' in html


def test_rereview_button_is_not_offered_to_an_editor(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    client.force_login(editor)

    html = client.get(change_url(article)).content.decode()

    assert rereview_url(article) not in html


def test_rereview_button_is_not_offered_while_a_revision_is_in_review(client, editor, managing_editor):
    article = citable_article()
    under_review(article, editor, managing_editor)
    client.force_login(managing_editor)

    html = client.get(change_url(article)).content.decode()

    assert rereview_url(article) not in html


def test_rereview_page_of_an_article_in_review_answers_409_with_the_reason_and_no_form(client, editor, managing_editor):
    article = citable_article(title="Magnesium for migraine")
    under_review(article, editor, managing_editor)
    client.force_login(managing_editor)

    response = client.get(rereview_url(article))

    html = response.content.decode()
    assert response.status_code == 409
    assert "“Magnesium for migraine” is under review, so it cannot be re-reviewed now." in html
    assert 'value="Open the re-review"' not in html


def test_rereview_message_names_the_unchanged_live_revision_and_asks_for_reviewers(client, editor, managing_editor):
    article = live_article(editor, managing_editor, title="Magnesium for migraine")
    client.force_login(managing_editor)

    response = client.post(rereview_url(article), {"note": ""}, follow=True)

    assert [str(message) for message in response.context["messages"]] == [
        "“Magnesium for migraine” is open for re-review, round 2: the board reviews the unchanged live revision 1, "
        "and readers keep seeing it meanwhile. Next, "
        f'<a href="{reverse("desk:assign", args=[article.slug])}">assign board members</a> to review it.'
    ]


# The schedule: refusals keep what was typed and say why.


def test_schedule_with_a_past_go_live_time_is_refused_keeping_what_was_typed(client, editor, managing_editor):
    article = citable_article()
    under_review(article, editor, managing_editor)
    client.force_login(managing_editor)
    past = timezone.now() - timedelta(days=1)
    expiry = timezone.now() + timedelta(days=90)
    data = {"go_live_at": typed(past), "expires_at": typed(expiry), "review_interval_months": "9", "note": "Launch."}

    response = client.post(schedule_url(article), data)

    moment = shown_moment(past.replace(second=0, microsecond=0))
    assert response.status_code == 409
    assert f"The go-live time {moment} has passed: choose a time still to come." in response.content.decode()
    assert {name: admin_form_data(response)[name] for name in data} == data


def test_schedule_with_an_expiry_before_go_live_is_refused_with_the_reason(client, editor, managing_editor):
    article = citable_article()
    under_review(article, editor, managing_editor)
    client.force_login(managing_editor)
    go_live = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    expiry = go_live - timedelta(days=1)

    response = client.post(schedule_url(article), {"go_live_at": typed(go_live), "expires_at": typed(expiry)})

    assert response.status_code == 409
    assert (
        f"The expiry {shown_moment(expiry)} comes before the go-live time {shown_moment(go_live)}: "
        "the words would expire before readers saw them."
    ) in response.content.decode()
    assert ArticleWorkflow.objects.get(article=article).go_live_at is None


def test_schedule_with_a_go_live_time_and_nothing_new_to_put_live_is_refused(client, editor, managing_editor):
    article = live_article(editor, managing_editor, title="Magnesium for migraine")
    client.force_login(managing_editor)
    go_live = timezone.now() + timedelta(days=10)

    response = client.post(schedule_url(article), {"go_live_at": typed(go_live)})

    assert response.status_code == 409
    assert "“Magnesium for migraine” has no new words waiting to go live" in response.content.decode()


def test_schedule_with_an_interval_out_of_range_is_refused_with_the_reason(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    client.force_login(managing_editor)

    response = client.post(schedule_url(article), {"review_interval_months": "61"})

    assert response.status_code == 409
    assert "A review interval runs from 1 to 60 months; 61 is not." in response.content.decode()


def test_schedule_with_an_unreadable_time_is_shown_as_a_field_error(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    client.force_login(managing_editor)

    response = client.post(schedule_url(article), {"expires_at": "next spring"})

    assert response.status_code == 200
    assert "Enter a valid date/time." in response.content.decode()


def test_schedule_form_starts_from_the_schedule_in_force(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    expiry = (timezone.now() + timedelta(days=100)).replace(second=0, microsecond=0)
    article_schedule(
        article=article, user=managing_editor, go_live_at=None, expires_at=expiry, review_interval_months=6
    )
    client.force_login(managing_editor)

    html = client.get(schedule_url(article)).content.decode()

    assert f'name="expires_at" value="{typed(expiry)}"' in html
    assert 'name="review_interval_months" value="6"' in html


def test_schedule_form_says_times_are_in_the_site_time_zone(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    client.force_login(managing_editor)

    html = client.get(schedule_url(article)).content.decode()

    assert f"Times are in the site's time zone, {settings.TIME_ZONE}." in html


def test_schedule_form_says_which_interval_is_the_site_default(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    client.force_login(managing_editor)

    html = client.get(schedule_url(article)).content.decode()

    assert f"Empty: the site default, every {settings.EDITORIAL_REVIEW_INTERVAL_MONTHS} months." in html


def test_schedule_page_of_a_draft_answers_409(client, editor, managing_editor):
    article = citable_article(title="Magnesium for migraine")
    client.force_login(managing_editor)

    response = client.get(schedule_url(article))

    assert response.status_code == 409
    assert "“Magnesium for migraine” is draft, so it cannot be scheduled now." in response.content.decode()


def test_schedule_message_says_what_was_set(client, editor, managing_editor):
    article = live_article(editor, managing_editor, title="Magnesium for migraine")
    client.force_login(managing_editor)
    workflow = reviewed_days_ago(article, 10)

    response = client.post(schedule_url(article), {"review_interval_months": "6"}, follow=True)

    due = shown_date(add_months(timezone.localdate(workflow.approved_at), 6))
    assert [str(message) for message in response.context["messages"]] == [
        f"The schedule of “Magnesium for migraine” is set: the board reviews it every 6 months; next by {due}."
    ]


# The status panel on the article's page.


def test_status_panel_of_an_overdue_article_warns_since_when(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    workflow = reviewed_days_ago(article, 400)
    client.force_login(editor)

    html = client.get(change_url(article)).content.decode()

    assert (
        f'<li class="warning" id="review-overdue">Review overdue since {shown_date(workflow.next_review_due)}: '
        f"readers still see revision 1, last reviewed on {shown_date(timezone.localtime(workflow.approved_at))}."
        "</li>"
    ) in html


def test_status_panel_of_an_article_not_yet_due_gives_the_date_without_warning(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    workflow = ArticleWorkflow.objects.get(article=article)
    client.force_login(editor)

    html = client.get(change_url(article)).content.decode()

    assert f'<td id="next-review-due">{shown_date(workflow.next_review_due)}</td>' in html
    assert "Review overdue" not in html


def test_status_panel_during_a_rereview_names_the_round_and_the_unchanged_revision(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    article_rereview(article=article, user=managing_editor)
    client.force_login(editor)

    html = client.get(change_url(article)).content.decode()

    assert "· Re-review, round 2, of revision 1 (unchanged)\n" in html


def test_status_panel_of_a_scheduled_article_says_when_it_goes_live(client, editor, managing_editor):
    go_live = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    article = scheduled_article(editor, managing_editor, go_live_at=go_live)
    client.force_login(editor)

    html = client.get(change_url(article)).content.decode()

    assert state_of(article) == State.SCHEDULED
    assert f"· Revision 1 goes live on {shown_moment(go_live)}\n" in html


def test_status_panel_says_the_interval_is_the_site_default(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    client.force_login(editor)

    html = client.get(change_url(article)).content.decode()

    default = settings.EDITORIAL_REVIEW_INTERVAL_MONTHS
    assert f'<td id="review-interval">Every {default} months, the site default.</td>' in html


def test_status_panel_shows_an_interval_set_for_the_article_and_its_expiry(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    expiry = (timezone.now() + timedelta(days=100)).replace(second=0, microsecond=0)
    article_schedule(
        article=article, user=managing_editor, go_live_at=None, expires_at=expiry, review_interval_months=6
    )
    client.force_login(editor)

    html = client.get(change_url(article)).content.decode()

    default = settings.EDITORIAL_REVIEW_INTERVAL_MONTHS
    assert f"Every 6 months, set for this article (the site default is {default})." in html
    assert f'<td id="expires">{shown_moment(expiry)}: then readers see a notice' in html


def test_status_panel_of_a_scheduled_article_says_it_is_approved_but_not_yet_live(client, editor, managing_editor):
    article = scheduled_article(editor, managing_editor, go_live_at=timezone.now() + timedelta(days=3))
    client.force_login(editor)

    html = client.get(change_url(article)).content.decode()

    assert (
        '<td id="last-reviewed">Not yet live: the board approved revision 1, '
        "which counts as reviewed then once it goes live.</td>"
    ) in html


def test_rereview_page_of_an_overdue_article_says_the_review_is_overdue(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    workflow = reviewed_days_ago(article, 400)
    client.force_login(managing_editor)

    html = client.get(rereview_url(article)).content.decode()

    assert f"its next review was due on {shown_date(workflow.next_review_due)} and is overdue." in html


def test_status_panel_of_a_never_approved_article_says_never_reviewed(client, editor, managing_editor):
    article = citable_article()
    under_review(article, editor, managing_editor)
    client.force_login(editor)

    html = client.get(change_url(article)).content.decode()

    assert '<td id="last-reviewed">Never: the board has not approved this article yet.</td>' in html


# The article list: the "review" filter and the next review column.


@pytest.fixture
def lifecycle_articles(editor, managing_editor):
    """One article in each place of the filter, and two that belong in none, by title."""
    overdue = live_article(editor, managing_editor, title="Overdue")
    reviewed_days_ago(overdue, 400)
    due_soon = live_article(editor, managing_editor, title="Due soon")
    due_in_days(due_soon, settings.EDITORIAL_REVIEW_REMINDER_DAYS)
    later = live_article(editor, managing_editor, title="Due later")
    due_in_days(later, settings.EDITORIAL_REVIEW_REMINDER_DAYS + 1)
    scheduled_article(editor, managing_editor, title="Scheduled", go_live_at=timezone.now() + timedelta(days=3))
    expiring = live_article(editor, managing_editor, title="Expiring")
    article_schedule(
        article=expiring,
        user=managing_editor,
        go_live_at=None,
        expires_at=timezone.now() + timedelta(days=300),
        review_interval_months=None,
    )
    held = citable_article(title="Held")
    revision, _ = approved(held, editor, managing_editor)
    article_hold(
        article=held, user=managing_editor, revision=revision, reason="Dose query.", public_reason="Checking a dose."
    )
    citable_article(title="Draft")


@pytest.mark.parametrize(
    ("choice", "titles"),
    [
        ("overdue", ["Overdue"]),
        ("due_soon", ["Due soon"]),
        ("scheduled", ["Scheduled"]),
        ("expiring", ["Expiring"]),
        ("held", ["Held"]),
    ],
)
def test_review_filter_selects_exactly_its_articles(client, editor, lifecycle_articles, choice, titles):
    client.force_login(editor)

    response = client.get(changelist_url(choice))

    assert sorted(article.title for article in response.context["cl"].result_list) == titles


def test_review_filter_offers_its_choices_with_the_reminder_window(client, editor):
    client.force_login(editor)

    response = client.get(changelist_url())

    choices = next(spec for spec in response.context["cl"].filter_specs if spec.title == "review")
    assert [title for _, title in choices.lookup_choices] == [
        "Review overdue",
        f"Review due within {settings.EDITORIAL_REVIEW_REMINDER_DAYS} days",
        "Scheduled to go live",
        "Set to expire",
        "Held for safety",
    ]


def test_change_list_shows_next_review_due_and_marks_it_overdue(client, editor, managing_editor):
    article = live_article(editor, managing_editor, title="Overdue")
    workflow = reviewed_days_ago(article, 400)
    client.force_login(editor)

    html = client.get(changelist_url()).content.decode()

    assert f'<td class="field-next_review_due">{shown_date(workflow.next_review_due)} (overdue)</td>' in html


# Enough for the page, the filter and the columns; what matters is that more articles add none.
QUERIES_FOR_THE_CHANGE_LIST = 20


def test_change_list_with_the_review_filter_reads_a_fixed_number_of_queries(
    client, editor, managing_editor, django_assert_max_num_queries
):
    for number in range(2):
        reviewed_days_ago(live_article(editor, managing_editor, title=f"Overdue {number}"), 400)
    client.force_login(editor)
    with django_assert_max_num_queries(QUERIES_FOR_THE_CHANGE_LIST) as with_two:
        client.get(changelist_url("overdue"))
    for number in range(2, 8):
        reviewed_days_ago(live_article(editor, managing_editor, title=f"Overdue {number}"), 400)

    with django_assert_max_num_queries(len(with_two.captured_queries)):
        response = client.get(changelist_url("overdue"))

    assert response.context["cl"].result_count == 8


# The workflow records' own list.


def test_workflow_list_shows_the_review_interval_and_the_schedule(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    expiry = (timezone.now() + timedelta(days=100)).replace(second=0, microsecond=0)
    article_schedule(
        article=article, user=managing_editor, go_live_at=None, expires_at=expiry, review_interval_months=None
    )
    client.force_login(managing_editor)

    html = client.get(reverse("admin:editorial_articleworkflow_changelist")).content.decode()

    assert (
        f'<td class="field-review_interval">{settings.EDITORIAL_REVIEW_INTERVAL_MONTHS} months (site default)</td>'
        in html
    )
    assert f'<td class="field-schedule">Expires {shown_moment(expiry)}</td>' in html


def test_workflow_list_gives_no_review_date_for_withdrawn_words(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    article_withdraw(article=article, user=managing_editor, reason="Superseded.", public_reason="Superseded.")
    client.force_login(managing_editor)

    html = client.get(reverse("admin:editorial_articleworkflow_changelist")).content.decode()

    assert '<td class="field-review_due">-</td>' in html


def test_board_member_sees_no_lifecycle_buttons(client, editor, managing_editor):
    article = live_article(editor, managing_editor)
    client.force_login(BoardMemberFactory())

    html = client.get(change_url(article)).content.decode()

    assert (rereview_url(article) in html, schedule_url(article) in html) == (False, False)
