"""Management commands make the same moves as the admin and the desk, through the same services."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from editorial.models import ArticleWorkflow, AuditEvent, Revision
from editorial.services import article_hold, article_rereview, article_submit
from editorial.workflow import Action, State
from references.models import Reference
from tests.factories import ReviewerFactory
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, under_review

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "references": [
        {
            "key": "younger-2013",
            "kind": "trial",
            "title": "Low-dose naltrexone for the treatment of fibromyalgia",
            "authors": "Younger J, Noor N, McCue R, Mackey S",
            "source": "Arthritis & Rheumatism",
            "year": 2013,
            "doi": "https://doi.org/10.1002/art.37734",
            "pmid": "23359310",
        }
    ],
    "article": {
        "slug": "ldn-fibromyalgia",
        "question": "Does low-dose naltrexone help fibromyalgia?",
        "title": "Low-dose naltrexone in fibromyalgia",
        "lede": "Small trials suggest a modest effect.",
        "specialty": "Rheumatology",
        "sections": [
            {
                "heading": "Evidence",
                "claims": [{"text": "A small crossover trial found less pain.", "cites": ["younger-2013"]}],
            }
        ],
    },
}


def write_payload(tmp_path, payload):
    path = tmp_path / "article.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return str(path)


def test_intake_enters_at_submitted_as_the_given_user(tmp_path, editor):
    call_command("submit_article", write_payload(tmp_path, PAYLOAD), "--as", "editor", stdout=StringIO())
    workflow = ArticleWorkflow.objects.get(article__slug="ldn-fibromyalgia")
    assert (workflow.state, workflow.current_revision.source, workflow.current_revision.created_by) == (
        State.SUBMITTED,
        Revision.Source.INTAKE,
        editor,
    )
    assert Reference.objects.get().doi == "10.1002/art.37734"
    assert workflow.article.history.get().history_user == editor


def test_intake_of_the_same_file_twice_is_refused_as_nothing_new(tmp_path, editor):
    path = write_payload(tmp_path, PAYLOAD)
    call_command("submit_article", path, "--as", "editor", stdout=StringIO())
    with pytest.raises(CommandError, match="Nothing has changed since revision 1"):
        call_command("submit_article", path, "--as", "editor")
    assert Revision.objects.count() == 1


def test_intake_with_an_unknown_citation_lists_the_problem_and_writes_nothing(tmp_path, editor):
    bad = json.loads(json.dumps(PAYLOAD))
    bad["article"]["sections"][0]["claims"][0]["cites"] = ["missing-key"]
    with pytest.raises(CommandError, match="cites “missing-key”, which is not in the references"):
        call_command("submit_article", write_payload(tmp_path, bad), "--as", "editor")
    assert (Reference.objects.count(), Revision.objects.count()) == (0, 0)


def test_intake_with_a_bad_doi_writes_nothing(tmp_path, editor):
    bad = json.loads(json.dumps(PAYLOAD))
    bad["references"][0]["doi"] = "not-a-doi"
    with pytest.raises(CommandError, match="is not a DOI"):
        call_command("submit_article", write_payload(tmp_path, bad), "--as", "editor")
    assert (Reference.objects.count(), Revision.objects.count()) == (0, 0)


def test_intake_of_a_file_that_is_not_json_is_refused_clearly(tmp_path, editor):
    path = tmp_path / "broken.json"
    path.write_text('{"article": ', encoding="utf-8")
    with pytest.raises(CommandError, match="Could not read"):
        call_command("submit_article", str(path), "--as", "editor")


def test_intake_as_a_board_member_is_refused(tmp_path, board_member):
    with pytest.raises(CommandError, match="may not submit"):
        call_command("submit_article", write_payload(tmp_path, PAYLOAD), "--as", "board")
    assert Revision.objects.count() == 0


def test_withdraw_command_records_the_reason(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    call_command(
        "withdraw_article",
        article.slug,
        "--reason",
        "Safety notice.",
        "--public-reason",
        "A safety notice was issued about this treatment.",
        "--as",
        "managing",
        stdout=StringIO(),
    )
    event = AuditEvent.objects.filter(article=article).last()
    assert (event.action, event.comment, event.data, event.to_state) == (
        "editorial.withdraw",
        "Safety notice.",
        {"public_reason": "A safety notice was issued about this treatment."},
        State.WITHDRAWN,
    )


def test_assign_command_assigns_by_board_member_slug(editor, managing_editor, capsys):
    article = citable_article()
    article_submit(article=article, user=editor)
    reviewer = ReviewerFactory(slug="dr-test")
    call_command("assign_reviewers", article.slug, "--reviewer", "dr-test", "--due", "2030-01-31", "--as", "managing")
    assignment = reviewer.assignments.get()
    assert (assignment.is_open, str(assignment.due_date)) == (True, "2030-01-31")


def test_workflow_status_shows_state_revisions_and_timeline(editor, managing_editor, capsys):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    call_command("workflow_status", article.slug)
    out = capsys.readouterr().out
    assert "State: Approved" in out
    assert f"Live: revision 1 {revision.content_hash}" in out
    assert "Approve: Under review → Approved [r1]" in out


def test_workflow_status_as_a_person_lists_the_moves_open_to_them(editor, managing_editor, capsys):
    article = citable_article()
    approved(article, editor, managing_editor)
    call_command("workflow_status", article.slug, "--as", "managing")
    out = capsys.readouterr().out
    assert (
        "managing may now: Submit for review, Withdraw, Hold for safety, Restore an earlier version, "
        "Open a re-review, Set the schedule\n"
    ) in out


def test_commands_refuse_an_unknown_user_or_article(editor):
    with pytest.raises(CommandError, match="There is no article with the slug “nope”"):
        call_command("withdraw_article", "nope", "--reason", "x", "--public-reason", "y", "--as", "editor")
    article = citable_article()
    with pytest.raises(CommandError, match="There is no active user “ghost”"):
        call_command("withdraw_article", article.slug, "--reason", "x", "--public-reason", "y", "--as", "ghost")


def last_event(article):
    event = AuditEvent.objects.filter(article=article).latest("pk")
    return (event.action, event.actor.username, event.from_state, event.to_state, event.comment, event.data)


def workflow_of(article):
    return ArticleWorkflow.objects.get(article=article)


def in_days(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0).isoformat()


# Re-review


def test_rereview_command_puts_the_live_words_back_in_review_as_a_new_round(editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    out = StringIO()

    call_command("rereview_article", article.slug, "--note", "Yearly check.", "--as", "managing", stdout=out)

    workflow = workflow_of(article)
    assert (workflow.state, workflow.current_revision, workflow.live_revision, workflow.review_round) == (
        State.SUBMITTED,
        revision,
        revision,
        2,
    )
    assert last_event(article) == (
        Action.REREVIEW,
        "managing",
        State.APPROVED,
        State.SUBMITTED,
        "Yearly check.",
        {"round": 2},
    )
    assert out.getvalue() == f"Opened a re-review of revision 1 of “{article}”: assign board members to review it.\n"


def test_rereview_command_by_an_editor_is_refused_as_not_theirs(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)

    with pytest.raises(CommandError) as refusal:
        call_command("rereview_article", article.slug, "--as", "editor")

    assert str(refusal.value) == "Only a managing editor can open a re-review."
    assert workflow_of(article).state == State.APPROVED


def test_rereview_command_while_a_review_is_open_is_refused_as_not_now(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    article_rereview(article=article, user=managing_editor)

    with pytest.raises(CommandError) as refusal:
        call_command("rereview_article", article.slug, "--as", "managing")

    assert str(refusal.value) == f"“{article.title}” is submitted, so it cannot be re-reviewed now."
    assert workflow_of(article).review_round == 2


# Schedule


def test_schedule_command_sets_go_live_expiry_and_interval(editor, managing_editor):
    article = citable_article()
    under_review(article, editor, managing_editor)
    go_live, expires = in_days(2), in_days(30)

    call_command(
        "schedule_article",
        article.slug,
        *("--go-live", go_live, "--expires", expires, "--interval-months", "6"),
        *("--note", "Launch with the campaign.", "--as", "managing"),
        stdout=StringIO(),
    )

    workflow = workflow_of(article)
    assert (workflow.go_live_at.isoformat(), workflow.expires_at.isoformat(), workflow.review_interval_months) == (
        go_live,
        expires,
        6,
    )
    assert (workflow.scheduled_by, workflow.state) == (managing_editor, State.UNDER_REVIEW)
    assert last_event(article) == (
        Action.SCHEDULE,
        "managing",
        State.UNDER_REVIEW,
        State.UNDER_REVIEW,
        "Launch with the campaign.",
        {"go_live_at": go_live, "expires_at": expires, "review_interval_months": 6, "next_review_due": None},
    )


def test_schedule_command_keeps_what_it_is_not_given_and_clears_what_it_is_told(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    expires = in_days(30)
    call_command("schedule_article", article.slug, "--expires", expires, "--interval-months", "6", "--as", "managing")
    out = StringIO()

    call_command("schedule_article", article.slug, "--clear-expiry", "--as", "managing", stdout=out)

    workflow = workflow_of(article)
    assert (workflow.expires_at, workflow.review_interval_months) == (None, 6)
    assert out.getvalue() == (
        f"Scheduled “{article}”: goes live at approval, expires never, reviewed every 6 months, "
        f"next review due {workflow.next_review_due:%Y-%m-%d}.\n"
    )


def test_schedule_command_with_a_time_gone_by_is_refused_with_the_reason(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)

    with pytest.raises(CommandError, match=r"^The expiry .* has passed: choose a time still to come\.$"):
        call_command("schedule_article", article.slug, "--expires", in_days(-1), "--as", "managing")

    assert (workflow_of(article).expires_at, last_event(article)[0]) == (None, Action.APPROVE)


def test_schedule_command_with_a_time_that_is_not_iso_is_refused(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)

    with pytest.raises(CommandError, match="“next tuesday” is not a date and time such as 2027-03-01T09:00"):
        call_command("schedule_article", article.slug, "--go-live", "next tuesday", "--as", "managing")


def test_schedule_command_by_a_board_member_is_refused_as_not_theirs(editor, managing_editor, board_member):
    article = citable_article()
    approved(article, editor, managing_editor)

    with pytest.raises(CommandError) as refusal:
        call_command("schedule_article", article.slug, "--expires", in_days(30), "--as", "board")

    assert str(refusal.value) == "Only a managing editor can set the schedule."


# Hold and release


def test_hold_command_takes_the_live_words_from_readers_with_both_reasons(editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    out = StringIO()

    call_command(
        "hold_article",
        article.slug,
        *("--reason", "Dosing error reported.", "--public-reason", "We are checking a dose."),
        *("--as", "managing"),
        stdout=out,
    )

    workflow = workflow_of(article)
    assert (workflow.state, workflow.live_revision, workflow.held_revision) == (State.HELD, None, revision)
    assert last_event(article) == (
        Action.HOLD,
        "managing",
        State.APPROVED,
        State.HELD,
        "Dosing error reported.",
        {"public_reason": "We are checking a dose."},
    )
    assert out.getvalue() == f"Held revision 1 of “{article}”: readers see the notice instead.\n"


def test_hold_command_by_an_editor_is_refused_as_not_theirs(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)

    with pytest.raises(CommandError) as refusal:
        call_command("hold_article", article.slug, "--reason", "x", "--public-reason", "y", "--as", "editor")

    assert str(refusal.value) == "Only a managing editor or an active board member can hold for safety."
    assert workflow_of(article).state == State.APPROVED


def test_hold_command_of_an_article_readers_do_not_see_is_refused_as_not_now(editor, managing_editor):
    article = citable_article()
    article_submit(article=article, user=editor)

    with pytest.raises(CommandError) as refusal:
        call_command("hold_article", article.slug, "--reason", "x", "--public-reason", "y", "--as", "managing")

    assert str(refusal.value) == f"“{article.title}” is submitted, so it cannot be held now."


def test_release_command_shows_the_held_words_again(editor, managing_editor):
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    article_hold(article=article, user=managing_editor, revision=revision, reason="x", public_reason="y")
    out = StringIO()

    call_command("release_article", article.slug, "--reason", "The dose was right.", "--as", "managing", stdout=out)

    workflow = workflow_of(article)
    assert (workflow.state, workflow.live_revision, workflow.held_revision) == (State.APPROVED, revision, None)
    assert last_event(article) == (
        Action.RELEASE,
        "managing",
        State.HELD,
        State.APPROVED,
        "The dose was right.",
        {},
    )
    assert out.getvalue() == f"Released “{article}”: readers see revision 1 again.\n"


def test_release_command_of_an_article_not_held_is_refused_as_not_now(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)

    with pytest.raises(CommandError) as refusal:
        call_command("release_article", article.slug, "--reason", "x", "--as", "managing")

    assert str(refusal.value) == f"“{article.title}” is approved, so it cannot be released now."


# What workflow_status offers with the schedule


def test_workflow_status_shows_the_schedule_and_offers_no_move_of_the_schedule(editor, managing_editor, capsys):
    article = citable_article()
    approved(article, editor, managing_editor)
    edit_claim(article, "Newer wording.", user=editor)
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    go_live = timezone.now() + timedelta(days=2)
    call_command("schedule_article", article.slug, "--go-live", go_live.isoformat(), "--as", "managing")
    approve(revision, reviewer)
    capsys.readouterr()

    call_command("workflow_status", article.slug, "--as", "managing")

    lines = capsys.readouterr().out.splitlines()
    assert lines[1:8] == [
        "State: Scheduled to go live",
        f"In review: revision 2 {revision.content_hash}",
        f"Live: revision 1 {workflow_of(article).live_revision.content_hash}, "
        f"approved {timezone.localtime(workflow_of(article).approved_at):%Y-%m-%d %H:%M}",
        "Approvals needed: 1",
        f"Goes live: {timezone.localtime(go_live):%Y-%m-%d %H:%M}",
        f"Next review due: {workflow_of(article).next_review_due:%Y-%m-%d}, every 12 months",
        "managing may now: Submit for review, Withdraw, Hold for safety, Restore an earlier version, Set the schedule",
    ]
