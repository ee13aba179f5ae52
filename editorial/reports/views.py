"""The managing editors' queue of readers' problem reports, the moves that triage them, and the article's moves.

Thin views over `reader.services`. Who may: managing editors
(`may_triage_problem_reports`); everyone else gets 403. A report moved since
the page was shown answers 409, a revision that does not fix it 400; either
way nothing is recorded. From a report on a claim readers see, a managing
editor holds the article or opens a re-review in one step: the same workflow
services as the rest of the desk and the admin (`article_hold`,
`article_rereview`), with their own refusals.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from editorial.admin.forms import RereviewForm
from editorial.document_changes import claim_words_changed
from editorial.errors import UnknownRevision, WorkflowError
from editorial.forms import HoldForm
from editorial.models import ArticleWorkflow, AuditEvent, Revision
from editorial.reports.forms import ReportMoveForm
from editorial.rules import may_triage_problem_reports
from editorial.services import article_hold, article_rereview
from editorial.services.threads import claim_words
from editorial.workflow import TRANSITIONS, Action
from reader.models import ProblemReport
from reader.services import REPORT_MOVES, problem_report_dismiss, problem_report_fix, problem_report_investigate

REPORTS_PER_PAGE = 20
MOVE_TARGETS = {"investigate": ProblemReport.State.INVESTIGATING, "fix": ProblemReport.State.FIXED}


def managing_editor_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_triage_problem_reports(request.user):
            raise PermissionDenied("Readers' problem reports are triaged by managing editors.")
        return view(request, *args, **kwargs)

    return wrapped


def _entries(reports: list[ProblemReport]) -> list[dict]:
    """Each report with its claim's words as readers saw them, and what the desk may do about it (two queries)."""
    article_ids = {report.article_id for report in reports}
    reached = TRANSITIONS[Action.APPROVE].reached_states
    approved = AuditEvent.objects.filter(article_id__in=article_ids, action=Action.APPROVE, to_state__in=reached)
    revisions: dict[int, list[Revision]] = {}
    for revision in Revision.objects.filter(pk__in=approved.values("revision_id")).order_by("-number"):
        revisions.setdefault(revision.article_id, []).append(revision)
    workflows = {
        workflow.article_id: workflow
        for workflow in ArticleWorkflow.objects.filter(article_id__in=article_ids).select_related("live_revision")
    }
    entries = []
    for report in reports:
        words = claim_words(report.revision, report.claim_uid)
        workflow = workflows.get(report.article_id)
        live = getattr(workflow, "live_revision", None)
        shows_claim = live is not None and claim_words(live, report.claim_uid) is not None
        candidates = [
            {
                "revision": revision,
                "changes_claim": claim_words_changed(report.revision.content, revision.content, report.claim_uid),
            }
            for revision in revisions.get(report.article_id, [])
            if revision.number > report.revision.number
        ]
        entries.append(
            {
                "report": report,
                "claim": words,
                "live": live if shows_claim else None,
                "candidates": candidates,
                "moves": [state.value for state in REPORT_MOVES[report.state]],
                **_article_moves(report, workflow if shows_claim else None),
            }
        )
    return entries


def _article_moves(report: ProblemReport, workflow: ArticleWorkflow | None) -> dict:
    """The article's moves a managing editor may make from the report now, with their forms (no query).

    Offered only while readers see the reported claim; the table says when
    (`TRANSITIONS`), and managing editors, the only people here, may make both.
    """
    can_hold = workflow is not None and TRANSITIONS[Action.HOLD].is_possible(workflow)
    can_rereview = workflow is not None and TRANSITIONS[Action.REREVIEW].is_possible(workflow)
    return {
        "hold_form": _hold_form(report, workflow.live_revision) if can_hold else None,
        "rereview_form": _rereview_form(report) if can_rereview else None,
    }


def _hold_form(report: ProblemReport, live: Revision, data=None) -> HoldForm:
    """The hold form for the live words, its reason started with the report it comes from."""
    initial = {"content_hash": live.content_hash, "reason": f"A reader's problem report (no. {report.pk}) on a claim."}
    return HoldForm(data, prefix=f"hold-{report.pk}", initial=initial)


def _rereview_form(report: ProblemReport, data=None) -> RereviewForm:
    initial = {"note": f"A reader reported a problem with a claim (report no. {report.pk})."}
    return RereviewForm(data, prefix=f"rereview-{report.pk}", initial=initial)


@require_GET
@managing_editor_required
def queue(request):
    state = request.GET.get("state", "")
    reports = ProblemReport.objects.select_related("article", "revision", "fixed_in")
    if state in ProblemReport.State.values:
        reports = reports.filter(state=state)
    else:
        state = ""
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "entries": _entries(list(page.object_list)),
        "state": state,
        "states": ProblemReport.State.choices,
    }
    return render(request, "editorial/desk/problem_reports.html", context)


@require_http_methods(["GET", "POST"])
@managing_editor_required
def report(request, report_id):
    """One report, and its triage moves; a move done sends the managing editor back to the queue."""
    report = get_object_or_404(ProblemReport.objects.select_related("article", "revision", "fixed_in"), pk=report_id)
    status = 200
    if request.method == "POST":
        form = ReportMoveForm(request.POST)
        status = _move(request, report, form)
        if status == 302:
            return redirect("desk:problem_reports")
        report.refresh_from_db()
    return _report_page(request, report, status=status)


def _report_page(request, report: ProblemReport, *, status: int = 200, **forms):
    """The report's page; `forms` (bound, after a refusal) replace the empty ones, keeping what was typed."""
    entry = _entries([report])[0]
    entry.update({name: form for name, form in forms.items() if entry[name] is not None})
    return render(request, "editorial/desk/problem_report.html", {"entry": entry, "single": True}, status=status)


@require_POST
@managing_editor_required
def hold(request, report_id):
    """Hold the article whose claim was reported for safety: the live words the form names, with two reasons."""
    report = get_object_or_404(ProblemReport.objects.select_related("article", "revision", "fixed_in"), pk=report_id)
    workflow = ArticleWorkflow.objects.filter(article_id=report.article_id).select_related("live_revision").first()
    live = getattr(workflow, "live_revision", None)
    form = HoldForm(request.POST, prefix=f"hold-{report.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return _report_page(request, report, status=400, hold_form=form)
    read = live if form.cleaned_data["content_hash"] == getattr(live, "content_hash", None) else None
    try:
        article_hold(
            article=report.article,
            user=request.user,
            revision=read,
            reason=form.cleaned_data["reason"],
            public_reason=form.cleaned_data["public_reason"],
        )
    except WorkflowError as refusal:
        messages.error(request, refusal.message)
        return _report_page(request, report, status=409, hold_form=form)
    messages.success(
        request,
        f"“{report.article}” is held: readers see your notice instead of revision {read.number}, "
        "and managing editors are told.",
    )
    return redirect("desk:problem_report", report_id=report.pk)


@require_POST
@managing_editor_required
def rereview(request, report_id):
    """Put the live words of the article whose claim was reported back before the board, unchanged."""
    report = get_object_or_404(ProblemReport.objects.select_related("article", "revision", "fixed_in"), pk=report_id)
    form = _rereview_form(report, request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return _report_page(request, report, status=400, rereview_form=form)
    try:
        live = article_rereview(article=report.article, user=request.user, note=form.cleaned_data["note"])
    except WorkflowError as refusal:
        messages.error(request, refusal.message)
        return _report_page(request, report, status=409, rereview_form=form)
    messages.success(
        request,
        f"“{report.article}” is open for re-review: the board reviews the unchanged live revision {live.number}, "
        "and readers keep seeing it meanwhile. Next, assign board members to review it.",
    )
    return redirect("desk:assign", slug=report.article.slug)


def _move(request, report, form) -> int:
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return 400
    data = form.cleaned_data
    try:
        if data["move"] == "investigate":
            problem_report_investigate(report=report, user=request.user, seen_state=data["seen_state"])
        elif data["move"] == "fix":
            revision = Revision.objects.filter(article_id=report.article_id, number=data["revision"]).first()
            if revision is None:
                raise UnknownRevision("The article has no such revision. Nothing was recorded.")
            problem_report_fix(report=report, user=request.user, seen_state=data["seen_state"], revision=revision)
        else:
            problem_report_dismiss(
                report=report, user=request.user, seen_state=data["seen_state"], reason=data["reason"]
            )
    except UnknownRevision as refusal:
        messages.error(request, refusal.message)
        return 400
    except WorkflowError as refusal:
        messages.error(request, refusal.message)
        return 409
    report.refresh_from_db()
    emailed = report.state == ProblemReport.State.FIXED and report.email
    told = " The reader who reported it is emailed." if emailed else ""
    messages.success(request, f"The report on “{report.article}” is now marked “{report.get_state_display()}”.{told}")
    return 302
