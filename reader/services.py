"""Readers' problem reports: file one, then move it through triage.

`problem_report_file` is the reader's act: it takes the claim of the live
revision the reader read, and tells managing editors once it commits. The
triage moves run in one transaction with the report's row locked; they check
who (`may_triage_problem_reports`, else 403), then when (the report moved
since the form was shown, or a move the table below does not allow:
`ReportChanged`, 409), then the input (a revision that does not fix the
report: `UnknownRevision`, 400). They move no article workflow, so they write
no audit event: the report's history names who moved it and when.

`problem_reports_fix_by` is no person's move: the approval of a correction or
a clinical update makes it, in the approval's transaction (`reader.receivers`).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from config.history import acting_as
from editorial import notifications
from editorial.corrections import ANNOUNCED
from editorial.document_changes import claim_words_changed
from editorial.errors import ReasonRequired, UnknownClaim, UnknownRevision, WorkflowError
from editorial.models import Revision
from editorial.rules import may_triage_problem_reports
from editorial.selectors import approval_events
from editorial.services.threads import claim_words
from jobs.outbox import enqueue_with_commit
from reader.models import ProblemReport

State = ProblemReport.State

# The legal moves of a report: from each state, the states it may move to.
REPORT_MOVES = {
    State.NEW: (State.INVESTIGATING, State.FIXED, State.NO_CHANGE),
    State.INVESTIGATING: (State.FIXED, State.NO_CHANGE),
    State.FIXED: (State.INVESTIGATING,),
    State.NO_CHANGE: (State.INVESTIGATING,),
}

# The reports still waiting for an answer: an approval that changes their claim answers them.
OPEN_STATES = (State.NEW, State.INVESTIGATING)

REFUSAL = "Only managing editors triage readers' problem reports."


class ReportChanged(WorkflowError):
    """The report moved since the form was shown, or cannot make this move from where it is."""


@transaction.atomic
def problem_report_file(*, revision: Revision, claim_uid, problem: str, source: str = "", email: str = ""):
    """Keep a reader's report on a claim of `revision`, the live words they read; tell managing editors on commit.

    A claim `revision` does not have is a forged or stale form (`UnknownClaim`, 400).
    """
    if claim_words(revision, claim_uid) is None:
        raise UnknownClaim("The answer you read has no such claim. Nothing was recorded.")
    report = ProblemReport(
        article_id=revision.article_id,
        revision=revision,
        claim_uid=claim_uid,
        problem=problem,
        source=source,
        email=email,
    )
    report.full_clean()
    report.save()
    enqueue_with_commit(lambda: notifications.notify_of_problem_report(report))
    return report


def fix_candidates(report: ProblemReport):
    """The revisions that may be named as fixing `report`: approved revisions of its article newer than it read."""
    return Revision.objects.filter(
        pk__in=approval_events(report.article_id).values("revision_id"),
        article_id=report.article_id,
        number__gt=report.revision.number,
    ).order_by("-number")


@transaction.atomic
def problem_report_investigate(*, report: ProblemReport, user, seen_state: str) -> ProblemReport:
    """Mark the report as being looked into."""
    report = _lock(report, user, seen_state, State.INVESTIGATING)
    return _save(report, user, state=State.INVESTIGATING, fixed_in=None, reason="")


@transaction.atomic
def problem_report_fix(*, report: ProblemReport, user, seen_state: str, revision: Revision) -> ProblemReport:
    """Mark the report fixed by `revision`, an approved revision of the article newer than the one reported.

    A reader who left an address is emailed once the move commits, as when an approval fixes the report.
    """
    report = _lock(report, user, seen_state, State.FIXED)
    if not fix_candidates(report).filter(pk=revision.pk).exists():
        raise UnknownRevision(
            f"Revision {revision.number} is not an approved revision of this article newer than the one reported. "
            "Nothing was recorded."
        )
    report = _save(report, user, state=State.FIXED, fixed_in=revision, reason="")
    if report.email:
        enqueue_with_commit(lambda: notifications.notify_readers_of_fix([report]))
    return report


@transaction.atomic
def problem_report_dismiss(*, report: ProblemReport, user, seen_state: str, reason: str) -> ProblemReport:
    """Close the report as needing no change, with the managing editor's reason."""
    report = _lock(report, user, seen_state, State.NO_CHANGE)
    if not reason.strip():
        raise ReasonRequired("Say why no change is needed. Nothing was recorded.")
    return _save(report, user, state=State.NO_CHANGE, fixed_in=None, reason=reason.strip())


def problem_reports_fix_by(*, revision: Revision, approver) -> list[ProblemReport]:
    """Mark fixed in `revision`, just live, the open reports it answers; email each reader who left an address.

    Only a correction or a clinical update answers a report, and only on a
    claim whose words readers read (`claim_words_changed`) differ from those the
    reader reported, or that it removed; reports on claims it left as they were
    stay open. Each report's history names `approver`, the member whose approval
    put the words live. Call inside that approval's transaction: the reports
    move with it or not at all, and the emails leave only once it commits.
    """
    if revision.content.get("change_type") not in ANNOUNCED:
        return []
    reports = ProblemReport.objects.select_for_update(of=("self",)).select_related("revision").order_by("pk")
    answered = [
        report
        for report in reports.filter(
            article_id=revision.article_id, state__in=OPEN_STATES, revision__number__lt=revision.number
        )
        if claim_words_changed(report.revision.content, revision.content, report.claim_uid)
    ]
    for report in answered:
        _save(report, approver, state=State.FIXED, fixed_in=revision, reason="")
    emailed = [report for report in answered if report.email]
    if emailed:
        enqueue_with_commit(lambda: notifications.notify_readers_of_fix(emailed))
    return answered


def _lock(report: ProblemReport, user, seen_state: str, target: str) -> ProblemReport:
    """Lock the report's row, then refuse the wrong person (403) and the wrong moment (409)."""
    report = ProblemReport.objects.select_for_update().select_related("revision").get(pk=report.pk)
    if not may_triage_problem_reports(user):
        raise PermissionDenied(REFUSAL)
    if report.state != seen_state:
        raise ReportChanged(
            f"Somebody marked this report “{report.get_state_display()}” since you opened the page. "
            "Nothing was recorded; read it again, then decide."
        )
    if target not in REPORT_MOVES[report.state]:
        raise ReportChanged(
            f"A report marked “{report.get_state_display()}” cannot be marked “{State(target).label}”. "
            "Nothing was recorded."
        )
    return report


def _save(report: ProblemReport, user, **values) -> ProblemReport:
    """Apply the move and save it, the history row naming `user`."""
    for name, value in values.items():
        setattr(report, name, value)
    report.full_clean()
    with acting_as(user):
        report.save()
    return report
