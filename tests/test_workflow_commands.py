"""Management commands make the same moves as the admin and the desk, through the same services."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from editorial.models import ArticleWorkflow, AuditEvent, Revision
from editorial.workflow import State
from references.models import Reference
from tests.factories import ReviewerFactory
from tests.workflow_helpers import approved, citable_article

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
    from editorial.services import article_submit

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
    assert "managing may now: Submit for review, Withdraw, Hold for safety" in out


def test_commands_refuse_an_unknown_user_or_article(editor):
    with pytest.raises(CommandError, match="There is no article with the slug “nope”"):
        call_command("withdraw_article", "nope", "--reason", "x", "--public-reason", "y", "--as", "editor")
    article = citable_article()
    with pytest.raises(CommandError, match="There is no active user “ghost”"):
        call_command("withdraw_article", article.slug, "--reason", "x", "--public-reason", "y", "--as", "ghost")
