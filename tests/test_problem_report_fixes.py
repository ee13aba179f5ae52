"""A correction answers readers' problem reports: the approval that puts it live marks them fixed and tells the readers.

When an approved correction or clinical update replaces the live words, each
open report on a claim whose words it changed or removed is marked fixed in
it, in the approval's transaction, its history naming the approver; a reader
who left an address is emailed once that commits. Reports on claims it left
as they were stay open, and editorial changes answer nothing. A managing
editor who marks a report fixed by hand tells its reader the same way.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from config.history import acting_as
from editorial.corrections import ChangeType
from editorial.notifications import email_problem_report_fixed
from editorial.services import article_go_live, article_submit, review_assign, review_start
from reader.index import PublicSlugTaken
from reader.models import ProblemReport, PublicSlug
from reader.services import (
    problem_report_dismiss,
    problem_report_file,
    problem_report_fix,
    problem_report_investigate,
)
from tests.factories import ArticleFactory, ReviewerFactory
from tests.test_reader_lifecycle import rereviewed
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

State = ProblemReport.State
SUMMARY = "The starting dose was ten times too high; it now reads 1.5 mg."
CORRECTED = "Start at 1.5 mg once daily."


@pytest.fixture
def live(editor, managing_editor):
    """A live article, its live revision and the uids of its two claims."""
    article = citable_article()
    revision, _ = approved(article, editor, managing_editor)
    first, second = (claim["uid"] for claim in revision.content["sections"][0]["claims"])
    return article, revision, first, second


def filed(revision, uid, email="") -> ProblemReport:
    return problem_report_file(revision=revision, claim_uid=uid, problem="This dose looks wrong.", email=email)


def submit(article, editor, change_type=ChangeType.CORRECTION):
    summary = "" if change_type == ChangeType.EDITORIAL else SUMMARY
    return article_submit(article=article, user=editor, change_type=change_type, change_summary=summary)


def in_review(article, editor, managing_editor, change_type=ChangeType.CORRECTION, *, members=1):
    """Submit the working copy classified as `change_type`, assign `members` fresh members; (revision, members)."""
    revision = submit(article, editor, change_type)
    board = [ReviewerFactory() for _ in range(members)]
    review_assign(article=article, assigned_by=managing_editor, reviewers=board, quorum=members)
    review_start(article=article, user=board[0].user)
    return revision, board


def corrected(article, editor, managing_editor, change_type=ChangeType.CORRECTION):
    """Submit the working copy classified as `change_type` and have one fresh member approve it; (revision, member)."""
    revision, (member,) = in_review(article, editor, managing_editor, change_type)
    approve(revision, member)
    return revision, member


def states():
    return list(ProblemReport.objects.order_by("pk").values_list("state", "fixed_in"))


# Which reports an approval answers


def test_approving_a_correction_marks_a_report_on_the_changed_claim_fixed_in_it(live, editor, managing_editor):
    article, revision, uid, _ = live
    filed(revision, uid)
    edit_claim(article, CORRECTED, user=editor)

    fix, _ = corrected(article, editor, managing_editor)

    assert states() == [(State.FIXED, fix.pk)]


def test_approving_a_clinical_update_marks_a_report_on_the_changed_claim_fixed(live, editor, managing_editor):
    article, revision, uid, _ = live
    filed(revision, uid)
    edit_claim(article, CORRECTED, user=editor)

    fix, _ = corrected(article, editor, managing_editor, ChangeType.CLINICAL_UPDATE)

    assert states() == [(State.FIXED, fix.pk)]


def test_editorial_changes_leave_every_report_open(live, editor, managing_editor):
    article, revision, uid, _ = live
    filed(revision, uid)
    edit_claim(article, CORRECTED, user=editor)

    corrected(article, editor, managing_editor, ChangeType.EDITORIAL)

    assert states() == [(State.NEW, None)]


def test_a_report_on_a_claim_the_correction_left_as_it_was_stays_open(live, editor, managing_editor):
    article, revision, changed, unchanged = live
    filed(revision, changed)
    filed(revision, unchanged)
    edit_claim(article, CORRECTED, user=editor)

    fix, _ = corrected(article, editor, managing_editor)

    assert states() == [(State.FIXED, fix.pk), (State.NEW, None)]


def test_a_report_on_a_claim_the_correction_removed_is_fixed(live, editor, managing_editor):
    article, revision, _, removed = live
    filed(revision, removed)
    with acting_as(editor):
        article.sections.first().claims.get(uid=removed).delete()

    fix, _ = corrected(article, editor, managing_editor)

    assert states() == [(State.FIXED, fix.pk)]


def test_a_change_to_the_patients_wording_alone_fixes_the_report(live, editor, managing_editor):
    article, revision, uid, _ = live
    filed(revision, uid)
    claim = article.sections.first().claims.get(uid=uid)
    claim.plain_text = "Your first dose is 1.5 mg, once a day."
    with acting_as(editor):
        claim.save()

    fix, _ = corrected(article, editor, managing_editor)

    assert states() == [(State.FIXED, fix.pk)]


def test_a_report_being_investigated_is_fixed_too(live, editor, managing_editor):
    article, revision, uid, _ = live
    problem_report_investigate(report=filed(revision, uid), user=managing_editor, seen_state=State.NEW)
    edit_claim(article, CORRECTED, user=editor)

    fix, _ = corrected(article, editor, managing_editor)

    assert states() == [(State.FIXED, fix.pk)]


def test_a_report_closed_as_needing_no_change_stays_closed(live, editor, managing_editor):
    article, revision, uid, _ = live
    problem_report_dismiss(report=filed(revision, uid), user=managing_editor, seen_state=State.NEW, reason="Right.")
    edit_claim(article, CORRECTED, user=editor)

    corrected(article, editor, managing_editor)

    assert list(ProblemReport.objects.values_list("state", "fixed_in", "reason")) == [(State.NO_CHANGE, None, "Right.")]


def test_a_report_on_an_earlier_revision_is_compared_with_the_words_that_reader_read(live, editor, managing_editor):
    article, first, uid, _ = live
    filed(first, uid)
    edit_claim(article, CORRECTED, user=editor)
    corrected(article, editor, managing_editor, ChangeType.EDITORIAL)  # the claim changed, by an editorial revision
    claim = article.sections.first().claims.last()  # the reported claim is unchanged since revision 2
    claim.text = "Another claim, reworded."
    with acting_as(editor):
        claim.save()

    fix, _ = corrected(article, editor, managing_editor)

    assert states() == [(State.FIXED, fix.pk)]


def test_the_fix_is_recorded_in_the_reports_history_as_the_approvers_move(live, editor, managing_editor):
    article, revision, uid, _ = live
    report = filed(revision, uid)
    edit_claim(article, CORRECTED, user=editor)

    fix, member = corrected(article, editor, managing_editor)

    assert [(row.state, row.fixed_in_id, row.history_user) for row in report.history.order_by("history_id")] == [
        (State.NEW, None, None),
        (State.FIXED, fix.pk, member.user),
    ]


# When: the words must go live


def test_an_approval_short_of_quorum_fixes_nothing(live, editor, managing_editor):
    article, revision, uid, _ = live
    filed(revision, uid)
    edit_claim(article, CORRECTED, user=editor)
    fix, (first, _) = in_review(article, editor, managing_editor, members=2)

    approve(fix, first)

    assert states() == [(State.NEW, None)]


def test_the_approval_that_reaches_quorum_fixes_the_report_in_its_name(live, editor, managing_editor):
    article, revision, uid, _ = live
    report = filed(revision, uid)
    edit_claim(article, CORRECTED, user=editor)
    fix, (first, second) = in_review(article, editor, managing_editor, members=2)
    approve(fix, first)

    approve(fix, second)

    assert states() == [(State.FIXED, fix.pk)]
    assert report.history.latest("history_id").history_user == second.user


def test_a_correction_waiting_for_its_go_live_time_fixes_the_report_when_it_goes_live(live, editor, managing_editor):
    article, revision, uid, _ = live
    report = filed(revision, uid)
    edit_claim(article, CORRECTED, user=editor)
    fix, (member,) = in_review(article, editor, managing_editor)
    go_live_at = timezone.now() + timedelta(hours=1)
    schedule(article, managing_editor, go_live_at=go_live_at)
    approve(fix, member)
    waiting = states()

    article_go_live(article=article, now=go_live_at)

    assert (waiting, states()) == ([(State.NEW, None)], [(State.FIXED, fix.pk)])
    assert report.history.latest("history_id").history_user == member.user


def test_a_re_review_of_the_corrected_words_does_not_fix_a_report_reopened_since(live, editor, managing_editor):
    article, revision, uid, _ = live
    report = filed(revision, uid)
    edit_claim(article, CORRECTED, user=editor)
    corrected(article, editor, managing_editor)
    problem_report_investigate(report=report, user=managing_editor, seen_state=State.FIXED)

    rereviewed(article, managing_editor, members=[ReviewerFactory()])

    assert states() == [(State.INVESTIGATING, None)]


def test_an_approval_refused_leaves_the_reports_as_they_were(live, editor, managing_editor):
    article, revision, uid, _ = live
    filed(revision, uid)
    edit_claim(article, CORRECTED, user=editor)
    article.slug = "a-new-address"
    with acting_as(editor):
        article.save()
    fix, (member,) = in_review(article, editor, managing_editor)
    PublicSlug.objects.create(slug="a-new-address", article=ArticleFactory())  # another answer went public there

    with pytest.raises(PublicSlugTaken):
        approve(fix, member)

    assert states() == [(State.NEW, None)]


# The reader's email


def test_a_reader_who_left_an_address_is_told_once_the_approval_commits(
    live, editor, managing_editor, django_capture_on_commit_callbacks
):
    article, revision, uid, _ = live
    report = filed(revision, uid, email="reader@example.org")
    edit_claim(article, CORRECTED, user=editor)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        corrected(article, editor, managing_editor)

    sent = [letter for letter in mail.outbox if letter.to == ["reader@example.org"]]
    (letter,) = sent
    assert letter.subject == f"The answer you reported a problem with has been corrected: “{article.title}”"
    assert f"Correction: {SUMMARY}" in letter.body
    assert f"{settings.SITE_URL}/articles/{article.slug}/\n" in letter.body
    assert f"{settings.SITE_URL}/articles/{article.slug}/changes/\n" in letter.body
    assert report.email not in "".join(letter.body for letter in mail.outbox if letter.to != [report.email])


def test_no_reader_is_emailed_before_the_approval_commits(
    live, editor, managing_editor, django_capture_on_commit_callbacks
):
    article, revision, uid, _ = live
    filed(revision, uid, email="reader@example.org")
    edit_claim(article, CORRECTED, user=editor)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=False):
        corrected(article, editor, managing_editor)

    assert [letter.to for letter in mail.outbox] == []


def test_a_reader_whose_claim_was_left_as_it_was_is_not_emailed(
    live, editor, managing_editor, django_capture_on_commit_callbacks
):
    article, revision, _, unchanged = live
    filed(revision, unchanged, email="reader@example.org")
    edit_claim(article, CORRECTED, user=editor)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        corrected(article, editor, managing_editor)

    assert [letter for letter in mail.outbox if letter.to == ["reader@example.org"]] == []


def test_a_report_reopened_before_the_email_leaves_sends_nothing(live, editor, managing_editor):
    article, revision, uid, _ = live
    report = filed(revision, uid, email="reader@example.org")
    edit_claim(article, CORRECTED, user=editor)
    corrected(article, editor, managing_editor)
    problem_report_investigate(report=report, user=managing_editor, seen_state=State.FIXED)
    mail.outbox.clear()

    assert email_problem_report_fixed.call([report.pk]) == 0
    assert mail.outbox == []


def test_the_email_is_sent_once_however_often_the_task_runs(live, editor, managing_editor):
    article, revision, uid, _ = live
    report = filed(revision, uid, email="reader@example.org")
    edit_claim(article, CORRECTED, user=editor)
    corrected(article, editor, managing_editor)
    mail.outbox.clear()

    assert [email_problem_report_fixed.call([report.pk]) for _ in range(2)] == [1, 0]
    assert len(mail.outbox) == 1


# Fixed by hand: a managing editor names the revision that answers the report


def left_open(live, editor, managing_editor, change_type=ChangeType.CORRECTION, email="reader@example.org"):
    """A report on the claim a newer approved revision left as it was, so still open; (report, that revision)."""
    article, revision, _, unchanged = live
    report = filed(revision, unchanged, email=email)
    edit_claim(article, CORRECTED, user=editor)
    fix, _ = corrected(article, editor, managing_editor, change_type)
    mail.outbox.clear()
    return report, fix


def fix_by_hand(report, fix, managing_editor) -> ProblemReport:
    return problem_report_fix(report=report, user=managing_editor, seen_state=State.NEW, revision=fix)


def test_a_report_marked_fixed_by_hand_tells_its_reader_once_the_move_commits(
    live, editor, managing_editor, django_capture_on_commit_callbacks
):
    report, fix = left_open(live, editor, managing_editor)

    with django_capture_on_commit_callbacks(execute=True):
        fix_by_hand(report, fix, managing_editor)

    (letter,) = mail.outbox
    assert letter.to == ["reader@example.org"]
    assert letter.subject == f"The answer you reported a problem with has been corrected: “{fix.content['title']}”"
    assert f"Correction: {SUMMARY}" in letter.body


def test_a_report_marked_fixed_by_hand_emails_nobody_before_the_move_commits(
    live, editor, managing_editor, django_capture_on_commit_callbacks
):
    report, fix = left_open(live, editor, managing_editor)

    with django_capture_on_commit_callbacks(execute=False):
        fix_by_hand(report, fix, managing_editor)

    assert mail.outbox == []


def test_a_report_marked_fixed_by_hand_without_an_address_emails_nobody(
    live, editor, managing_editor, django_capture_on_commit_callbacks
):
    report, fix = left_open(live, editor, managing_editor, email="")

    with django_capture_on_commit_callbacks(execute=True):
        fix_by_hand(report, fix, managing_editor)

    assert mail.outbox == []


def test_a_report_fixed_by_an_editorial_revision_is_told_without_an_empty_kind_or_summary_line(
    live, editor, managing_editor, django_capture_on_commit_callbacks
):
    report, fix = left_open(live, editor, managing_editor, ChangeType.EDITORIAL)

    with django_capture_on_commit_callbacks(execute=True):
        fix_by_hand(report, fix, managing_editor)

    (letter,) = mail.outbox
    assert [line for line in letter.body.splitlines() if line.startswith(":") or line.rstrip().endswith(":")] == [
        "Read the answer as it stands now:",
        "Every change to the answer is listed here:",
    ]


def test_the_desk_tells_the_managing_editor_that_the_reader_is_emailed(client, live, editor, managing_editor):
    report, fix = left_open(live, editor, managing_editor)
    client.force_login(managing_editor)

    response = client.post(
        reverse("desk:problem_report", args=[report.pk]),
        {"move": "fix", "seen_state": State.NEW, "revision": fix.number},
        follow=True,
    )

    assert "The reader who reported it is emailed." in response.content.decode()
    assert ProblemReport.objects.get(pk=report.pk).state == State.FIXED
