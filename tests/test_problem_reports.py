"""Readers' problem reports on claims: the reader's form, the triage services and the managing editors' queue."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from editorial.errors import ReasonRequired, UnknownRevision
from editorial.models import ArticleWorkflow, AuditEvent
from editorial.workflow import Action
from reader.models import ProblemReport
from reader.services import (
    ReportChanged,
    problem_report_dismiss,
    problem_report_file,
    problem_report_fix,
    problem_report_investigate,
)
from reader.views import REPORTS_PER_HOUR
from tests.factories import ReviewerFactory
from tests.workflow_helpers import approved, citable_article, edit_claim, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

State = ProblemReport.State
PROBLEM = "The dose in this claim looks ten times too high."


@pytest.fixture
def live(editor, managing_editor):
    """A live article, its live revision and the uid of its first claim."""
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    return article, revision, revision.content["sections"][0]["claims"][0]["uid"]


def form_url(article, uid):
    return reverse("reader:report_problem", args=[article.slug, uid])


def report(client, article, uid, **fields):
    data = {"problem": PROBLEM, "source": "", "email": "", "website": ""} | fields
    return client.post(form_url(article, uid), data, **fields.pop("extra", {}))


def filed(revision, uid) -> ProblemReport:
    return problem_report_file(revision=revision, claim_uid=uid, problem=PROBLEM)


def newer_approved(article, editor, managing_editor, text="Take 5 mg once a day with food."):
    edit_claim(article, text, user=editor)
    revision, _ = approved(article, editor, managing_editor)
    return revision


# The reader's form


def test_each_claim_of_a_live_answer_links_to_its_problem_form(client, live):
    article, revision, _ = live
    html = client.get(reverse("reader:article", args=[article.slug])).content.decode()
    uids = [claim["uid"] for section in revision.content["sections"] for claim in section["claims"]]

    assert re.findall(r'href="/articles/[^/]+/claims/([0-9a-f-]+)/report/"', html) == uids


def test_the_form_shows_the_claim_as_readers_see_it(client, live):
    article, revision, uid = live
    html = client.get(form_url(article, uid)).content.decode()

    assert revision.content["sections"][0]["claims"][0]["text"] in html


def test_a_valid_report_is_kept_on_the_claim_and_the_revision_readers_saw(client, live):
    article, revision, uid = live
    response = report(client, article, uid, source="https://example.org/trial", email="a@example.org")

    assert (response.status_code, response["Location"]) == (302, form_url(article, uid) + "?sent=1")
    assert list(
        ProblemReport.objects.values_list("article", "revision", "claim_uid", "problem", "source", "email", "state")
    ) == [(article.pk, revision.pk, uid_of(uid), PROBLEM, "https://example.org/trial", "a@example.org", State.NEW)]


def uid_of(uid):
    import uuid

    return uuid.UUID(uid)


def test_a_report_without_words_is_shown_back_with_what_was_typed_and_the_cursor_on_it(client, live):
    article, _, uid = live
    response = report(client, article, uid, problem="Wrong.", source="Cochrane 2024")
    html = response.content.decode()

    assert response.status_code == 400
    assert "Please say what is wrong in a sentence or two (at least 10 characters)." in html
    assert re.search(r'<textarea name="problem"[^>]*autofocus', html)
    assert 'value="Cochrane 2024"' in html
    assert ProblemReport.objects.count() == 0


def test_a_report_filling_the_honeypot_is_thanked_and_not_kept(client, live):
    article, _, uid = live
    response = report(client, article, uid, website="http://spam.example")

    assert (response.status_code, ProblemReport.objects.count()) == (302, 0)


def test_mistaken_reports_do_not_count_toward_the_hourly_limit(client, live):
    article, _, uid = live
    mistakes = [report(client, article, uid, problem="Wrong.").status_code for _ in range(REPORTS_PER_HOUR + 1)]

    assert (mistakes, report(client, article, uid).status_code) == ([400] * (REPORTS_PER_HOUR + 1), 302)


def test_report_rate_limit_counts_each_client_behind_the_tls_proxy(client, live, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    article, _, uid = live

    def report_from(address):
        data = {"problem": PROBLEM, "source": "", "email": "", "website": ""}
        return client.post(form_url(article, uid), data, HTTP_X_FORWARDED_FOR=address).status_code

    first = [report_from("203.0.113.7") for _ in range(REPORTS_PER_HOUR + 1)]
    second = report_from("198.51.100.9")

    assert (first, second) == ([302] * REPORTS_PER_HOUR + [429], 302)
    assert ProblemReport.objects.count() == REPORTS_PER_HOUR + 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_claim_not_in_the_live_revision_is_not_found(client, live, method):
    article, _, _ = live
    response = getattr(client, method)(form_url(article, "00000000-0000-4000-8000-000000000000"))

    assert (response.status_code, ProblemReport.objects.count()) == (404, 0)


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_article_readers_cannot_read_as_approved_takes_no_report(client, editor, managing_editor, method, settings):
    settings.READER_PENDING_POLICY = "caution"  # readers see the pending words, with a caution, but may not report
    article = citable_article()
    revision, _ = submitted(article, editor, managing_editor)
    uid = revision.content["sections"][0]["claims"][0]["uid"]
    response = getattr(client, method)(form_url(article, uid), {"problem": PROBLEM})

    assert (response.status_code, ProblemReport.objects.count()) == (404, 0)


def test_a_pending_page_offers_no_problem_form(client, editor, managing_editor, settings):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article()
    submitted(article, editor, managing_editor)
    html = client.get(reverse("reader:article", args=[article.slug])).content.decode()

    assert "Report a problem" not in html


def test_the_form_reads_the_live_words_not_those_in_review(client, live, editor):
    article, _, uid = live
    edit_claim(article, "Unapproved words nobody has checked.", user=editor)
    from editorial.services import article_submit

    article_submit(article=article, user=editor)

    assert "Unapproved words nobody has checked." not in client.get(form_url(article, uid)).content.decode()


def test_the_form_is_never_cached(client, live):
    article, _, uid = live
    response = client.get(form_url(article, uid))

    assert "no-store" in response["Cache-Control"]
    assert "ETag" not in response


def test_a_new_report_emails_each_managing_editor(client, live, managing_editor, django_capture_on_commit_callbacks):
    article, _, uid = live
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report(client, article, uid)
    report_id = ProblemReport.objects.get().pk

    (letter,) = mail.outbox
    assert (letter.to, letter.subject) == (
        [managing_editor.email],
        f"A reader reported a problem with “{article.title}”",
    )
    assert f"{settings.SITE_URL}/review/readers/reports/{report_id}/" in letter.body
    assert PROBLEM in letter.body


# The triage services


def test_investigate_marks_the_report_and_records_who(live, managing_editor):
    _, revision, uid = live
    moved = problem_report_investigate(report=filed(revision, uid), user=managing_editor, seen_state=State.NEW)

    assert moved.state == State.INVESTIGATING
    assert moved.history.first().history_user == managing_editor


def test_fix_names_a_newer_approved_revision(live, editor, managing_editor):
    article, revision, uid = live
    entry = filed(revision, uid)
    newer = newer_approved(article, editor, managing_editor)
    moved = problem_report_fix(report=entry, user=managing_editor, seen_state=State.NEW, revision=newer)

    assert (moved.state, moved.fixed_in) == (State.FIXED, newer)


def test_fix_refuses_the_revision_reported(live, managing_editor):
    _, revision, uid = live
    entry = filed(revision, uid)

    with pytest.raises(UnknownRevision):
        problem_report_fix(report=entry, user=managing_editor, seen_state=State.NEW, revision=revision)
    assert ProblemReport.objects.get().state == State.NEW


def test_fix_refuses_a_newer_revision_not_approved(live, editor, managing_editor):
    article, revision, uid = live
    entry = filed(revision, uid)
    edit_claim(article, "Take 5 mg once a day.", user=editor)
    pending, _ = submitted(article, editor, managing_editor)

    with pytest.raises(UnknownRevision):
        problem_report_fix(report=entry, user=managing_editor, seen_state=State.NEW, revision=pending)


def test_no_change_needed_requires_a_reason(live, managing_editor):
    _, revision, uid = live

    with pytest.raises(ReasonRequired):
        problem_report_dismiss(report=filed(revision, uid), user=managing_editor, seen_state=State.NEW, reason="  ")
    assert ProblemReport.objects.get().state == State.NEW


def test_no_change_needed_keeps_the_reason(live, managing_editor):
    _, revision, uid = live
    moved = problem_report_dismiss(
        report=filed(revision, uid), user=managing_editor, seen_state=State.NEW, reason="The dose is right."
    )

    assert (moved.state, moved.reason) == (State.NO_CHANGE, "The dose is right.")


def test_a_move_from_a_state_since_changed_is_refused(live, managing_editor):
    _, revision, uid = live
    entry = filed(revision, uid)
    problem_report_investigate(report=entry, user=managing_editor, seen_state=State.NEW)

    with pytest.raises(ReportChanged):
        problem_report_dismiss(report=entry, user=managing_editor, seen_state=State.NEW, reason="The dose is right.")
    assert ProblemReport.objects.get().state == State.INVESTIGATING


def test_a_move_the_table_does_not_allow_is_refused(live, managing_editor):
    _, revision, uid = live
    entry = problem_report_dismiss(
        report=filed(revision, uid), user=managing_editor, seen_state=State.NEW, reason="The dose is right."
    )

    with pytest.raises(ReportChanged):
        problem_report_dismiss(report=entry, user=managing_editor, seen_state=State.NO_CHANGE, reason="Again.")


def test_a_dismissed_report_may_be_looked_into_again(live, managing_editor):
    _, revision, uid = live
    entry = problem_report_dismiss(
        report=filed(revision, uid), user=managing_editor, seen_state=State.NEW, reason="The dose is right."
    )
    moved = problem_report_investigate(report=entry, user=managing_editor, seen_state=State.NO_CHANGE)

    assert (moved.state, moved.reason) == (State.INVESTIGATING, "")


@pytest.mark.parametrize("person", ["reader", "editor", "board_member"])
def test_only_managing_editors_triage(live, person, request):
    _, revision, uid = live

    with pytest.raises(PermissionDenied):
        problem_report_investigate(
            report=filed(revision, uid), user=request.getfixturevalue(person), seen_state=State.NEW
        )
    assert ProblemReport.objects.get().state == State.NEW


# The managing editors' queue


@pytest.mark.parametrize(
    ("person", "status"),
    [("reader", 403), ("editor", 403), ("board_member", 403), ("managing_editor", 200)],
)
@pytest.mark.parametrize("page", ["queue", "report"])
def test_desk_pages_ladder(client, live, request, person, status, page):
    _, revision, uid = live
    entry = filed(revision, uid)
    client.force_login(request.getfixturevalue(person))
    url = reverse("desk:problem_reports") if page == "queue" else reverse("desk:problem_report", args=[entry.pk])

    assert client.get(url).status_code == status


@pytest.mark.parametrize("page", ["queue", "report"])
def test_anonymous_visitor_is_sent_to_login(client, live, page):
    _, revision, uid = live
    entry = filed(revision, uid)
    url = reverse("desk:problem_reports") if page == "queue" else reverse("desk:problem_report", args=[entry.pk])
    response = client.get(url)

    assert (response.status_code, response["Location"].startswith(reverse("admin:login"))) == (302, True)


@pytest.mark.parametrize(
    ("person", "status", "state"),
    [
        (None, 302, State.NEW),
        ("reader", 403, State.NEW),
        ("editor", 403, State.NEW),
        ("board_member", 403, State.NEW),
        ("managing_editor", 302, State.INVESTIGATING),
    ],
)
def test_move_ladder(client, live, request, person, status, state):
    _, revision, uid = live
    entry = filed(revision, uid)
    if person:
        client.force_login(request.getfixturevalue(person))
    response = client.post(
        reverse("desk:problem_report", args=[entry.pk]), {"move": "investigate", "seen_state": "new"}
    )

    assert (response.status_code, ProblemReport.objects.get().state) == (status, state)


def test_queue_refuses_post(client, live, managing_editor):
    client.force_login(managing_editor)

    assert client.post(reverse("desk:problem_reports")).status_code == 405


def test_queue_shows_the_claim_as_readers_saw_it_and_the_one_step_moves(client, live, editor, managing_editor):
    article, revision, uid = live
    entry = filed(revision, uid)
    edit_claim(article, "Take 5 mg once a day with food.", user=editor)
    client.force_login(managing_editor)
    html = client.get(reverse("desk:problem_reports")).content.decode()

    assert revision.content["sections"][0]["claims"][0]["text"] in html
    assert PROBLEM in html
    assert f'action="{reverse("desk:problem_report_hold", args=[entry.pk])}"' in html
    assert f'action="{reverse("desk:problem_report_rereview", args=[entry.pk])}"' in html
    assert f'action="{reverse("desk:problem_report", args=[entry.pk])}"' in html


def test_queue_filters_by_state(client, live, managing_editor):
    _, revision, uid = live
    problem_report_investigate(report=filed(revision, uid), user=managing_editor, seen_state=State.NEW)
    problem_report_file(revision=revision, claim_uid=uid, problem="A second report, still new.")
    client.force_login(managing_editor)
    html = client.get(reverse("desk:problem_reports"), {"state": "new"}).content.decode()

    assert ("A second report, still new." in html, PROBLEM in html) == (True, False)


def test_marking_fixed_from_the_desk_names_the_revision(client, live, editor, managing_editor):
    article, revision, uid = live
    entry = filed(revision, uid)
    newer = newer_approved(article, editor, managing_editor)
    client.force_login(managing_editor)
    html = client.get(reverse("desk:problem_reports")).content.decode()
    response = client.post(
        reverse("desk:problem_report", args=[entry.pk]),
        {"move": "fix", "seen_state": "new", "revision": newer.number},
    )

    assert f"Revision {newer.number} (changes this claim)" in html
    assert response.status_code == 302
    assert ProblemReport.objects.values_list("state", "fixed_in").get() == (State.FIXED, newer.pk)


def test_a_stale_move_answers_409_with_a_sentence(client, live, managing_editor):
    _, revision, uid = live
    entry = problem_report_investigate(report=filed(revision, uid), user=managing_editor, seen_state=State.NEW)
    client.force_login(managing_editor)
    response = client.post(
        reverse("desk:problem_report", args=[entry.pk]), {"move": "dismiss", "seen_state": "new", "reason": "Fine."}
    )

    assert response.status_code == 409
    assert "Somebody marked this report “Investigating” since you opened the page." in response.content.decode()


def test_no_change_without_a_reason_answers_400(client, live, managing_editor):
    _, revision, uid = live
    entry = filed(revision, uid)
    client.force_login(managing_editor)
    response = client.post(
        reverse("desk:problem_report", args=[entry.pk]), {"move": "dismiss", "seen_state": "new", "reason": ""}
    )

    assert (response.status_code, ProblemReport.objects.get().state) == (400, State.NEW)


def test_an_unknown_report_is_not_found(client, managing_editor):
    client.force_login(managing_editor)

    assert client.get(reverse("desk:problem_report", args=[999999])).status_code == 404


@pytest.mark.parametrize("reports", [1, 12])
def test_queue_costs_a_bounded_number_of_queries(
    client, editor, managing_editor, reports, django_assert_max_num_queries
):
    for _ in range(reports):
        article = citable_article()
        revision, _ = approved(article, editor, managing_editor)
        filed(revision, revision.content["sections"][0]["claims"][0]["uid"])
    client.force_login(managing_editor)

    # 8: the session and the user, their permissions, the count, the reports, approved revisions and workflows.
    with django_assert_max_num_queries(8):
        assert client.get(reverse("desk:problem_reports")).status_code == 200


def test_the_desk_links_managing_editors_to_the_new_reports(client, managing_editor):
    client.force_login(managing_editor)

    assert f'href="{reverse("desk:problem_reports")}?state=new"' in client.get(reverse("desk:queue")).content.decode()


# The article's moves from a report: hold it, or open a re-review, in one step

HOLD = {"reason": "A reader found the dose ten times too high.", "public_reason": "We are checking a dose."}
ARTICLE_MOVES = ["hold", "rereview"]


@pytest.fixture
def active_member(db):
    """A board member with an active profile: one who may hold an article from the review desk, not from here."""
    return ReviewerFactory().user


def article_move(client, entry, move, revision, **fields):
    """Post the report's `move` form as the page fills it: the live words' hash, the reasons or the note."""
    prefix = f"{move}-{entry.pk}"
    values = {"content_hash": revision.content_hash, **HOLD} if move == "hold" else {"note": "A reader's report."}
    data = {f"{prefix}-{name}": value for name, value in (values | fields).items()}
    return client.post(reverse(f"desk:problem_report_{move}", args=[entry.pk]), data)


def workflow_state(article) -> str:
    return ArticleWorkflow.objects.get(article=article).state


@pytest.mark.parametrize(
    ("person", "method", "status", "state"),
    [
        (None, "get", 405, "approved"),
        ("reader", "get", 405, "approved"),
        ("editor", "get", 405, "approved"),
        ("board_member", "get", 405, "approved"),
        ("active_member", "get", 405, "approved"),
        ("managing_editor", "get", 405, "approved"),
        (None, "post", 302, "approved"),
        ("reader", "post", 403, "approved"),
        ("editor", "post", 403, "approved"),
        ("board_member", "post", 403, "approved"),
        ("active_member", "post", 403, "approved"),
        ("managing_editor", "post", 302, None),
    ],
)
@pytest.mark.parametrize(("move", "moved_to"), [("hold", "held"), ("rereview", "submitted")])
def test_article_moves_ladder(client, live, request, person, method, status, state, move, moved_to):
    article, revision, uid = live
    entry = filed(revision, uid)
    if person:
        client.force_login(request.getfixturevalue(person))
    if method == "post":
        response = article_move(client, entry, move, revision)
    else:
        response = client.get(reverse(f"desk:problem_report_{move}", args=[entry.pk]))

    assert (response.status_code, workflow_state(article)) == (status, state or moved_to)


def test_an_anonymous_move_is_sent_to_login(client, live):
    _, revision, uid = live
    response = article_move(client, filed(revision, uid), "hold", revision)

    assert response["Location"].startswith(reverse("admin:login"))


def test_hold_from_a_report_holds_the_live_words_with_both_reasons_in_the_managing_editors_name(
    client, live, managing_editor
):
    article, revision, uid = live
    entry = filed(revision, uid)
    client.force_login(managing_editor)

    response = article_move(client, entry, "hold", revision)

    workflow = ArticleWorkflow.objects.get(article=article)
    event = AuditEvent.objects.filter(article=article).latest("pk")
    assert response["Location"] == reverse("desk:problem_report", args=[entry.pk])
    assert (workflow.state, workflow.held_revision, workflow.live_revision, workflow.public_reason) == (
        "held",
        revision,
        None,
        HOLD["public_reason"],
    )
    assert (event.action, event.actor, event.revision, event.comment) == (
        Action.HOLD,
        managing_editor,
        revision,
        HOLD["reason"],
    )


def test_hold_without_a_reason_for_readers_answers_400_and_keeps_what_was_typed(client, live, managing_editor):
    article, revision, uid = live
    entry = filed(revision, uid)
    client.force_login(managing_editor)

    response = article_move(client, entry, "hold", revision, public_reason="")

    assert (response.status_code, workflow_state(article)) == (400, "approved")
    assert "Say in words for readers why the article is unavailable." in response.content.decode()
    assert HOLD["reason"] in response.content.decode()


def test_hold_of_words_no_longer_live_answers_409_with_a_sentence(client, live, editor, managing_editor):
    article, revision, uid = live
    entry = filed(revision, uid)
    newer = newer_approved(article, editor, managing_editor)
    client.force_login(managing_editor)

    response = article_move(client, entry, "hold", revision)

    assert (response.status_code, workflow_state(article)) == (409, "approved")
    assert (
        f"The words you read are no longer the one readers see: revision {newer.number} was approved meanwhile."
        in response.content.decode()
    )


def test_rereview_from_a_report_puts_the_live_words_before_the_board_as_a_new_round(client, live, managing_editor):
    article, revision, uid = live
    entry = filed(revision, uid)
    client.force_login(managing_editor)

    response = article_move(client, entry, "rereview", revision, note="A reader doubts the dose.")

    workflow = ArticleWorkflow.objects.get(article=article)
    event = AuditEvent.objects.filter(article=article).latest("pk")
    assert response["Location"] == reverse("desk:assign", args=[article.slug])
    assert (workflow.state, workflow.current_revision, workflow.live_revision, workflow.review_round) == (
        "submitted",
        revision,
        revision,
        2,
    )
    assert (event.action, event.actor, event.comment) == (Action.REREVIEW, managing_editor, "A reader doubts the dose.")


def test_rereview_while_new_words_are_in_review_answers_409(client, live, editor, managing_editor):
    article, revision, uid = live
    entry = filed(revision, uid)
    edit_claim(article, "Take 5 mg once a day with food.", user=editor)
    submitted(article, editor, managing_editor)
    client.force_login(managing_editor)

    response = article_move(client, entry, "rereview", revision)

    assert (response.status_code, workflow_state(article)) == (409, "submitted")
    assert f"“{article.title}” is submitted, so it cannot be re-reviewed now." in response.content.decode()


def test_while_new_words_are_in_review_the_report_offers_a_hold_and_no_re_review(client, live, editor, managing_editor):
    article, revision, uid = live
    entry = filed(revision, uid)
    edit_claim(article, "Take 5 mg once a day with food.", user=editor)
    submitted(article, editor, managing_editor)
    client.force_login(managing_editor)
    html = client.get(reverse("desk:problem_report", args=[entry.pk])).content.decode()

    assert (
        reverse("desk:problem_report_hold", args=[entry.pk]) in html,
        reverse("desk:problem_report_rereview", args=[entry.pk]) in html,
    ) == (True, False)


def test_a_held_article_offers_neither_move(client, live, managing_editor):
    _, revision, uid = live
    entry = filed(revision, uid)
    client.force_login(managing_editor)
    article_move(client, entry, "hold", revision)
    html = client.get(reverse("desk:problem_report", args=[entry.pk])).content.decode()

    assert (
        reverse("desk:problem_report_hold", args=[entry.pk]) in html,
        reverse("desk:problem_report_rereview", args=[entry.pk]) in html,
    ) == (False, False)
