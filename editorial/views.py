"""The review desk: thin views over `editorial.selectors` and `editorial.services`.

Who may see what: board members see the articles they are (or were) assigned
to; managing editors see every review and assign board members; everyone else,
editors included, gets 403. Refusals of the workflow come back as a message on
the page with status 409, and nothing changes.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from articles.documents import present_document
from articles.models import Article
from editorial.accounts.reauth import recent_authentication_required
from editorial.accounts.session import pending_form_pop
from editorial.conflicts import disclosure_overlap, disclosure_overlaps
from editorial.corrections import change_for_reviewers
from editorial.desk_lists import DESK_LISTS, PAGE_SIZE, list_head, lists_for
from editorial.errors import UnknownClaim, WorkflowError
from editorial.evidence import FlaggedEvidence
from editorial.forms import AssignForm, ClaimNoteFormSet, DecisionForm, HoldForm
from editorial.models import ArticleWorkflow, ReviewAssignment, Revision, SignOff
from editorial.revisions import working_copy_document
from editorial.rules import active_reviewer, available_actions, is_managing_editor
from editorial.selectors import (
    approval_outcome,
    recently_signed,
    review_page,
)
from editorial.services import article_hold, review_approve, review_assign, review_request_changes, review_start
from editorial.threads.selectors import article_threads, claim_choices
from editorial.workflow import Action
from reader.page_versions import disclaimer_in_force

DESK_EVIDENCE_SHOWN = 10  # flagged articles on the desk, the most urgent; the admin's list pages through all


def desk_member_required(view):
    """Let in board members and managing editors; refuse everyone else with 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (active_reviewer(request.user) or is_managing_editor(request.user)):
            raise PermissionDenied("The review desk is for the advisory board and managing editors.")
        return view(request, *args, **kwargs)

    return wrapped


def _revision_for(request, slug, number) -> Revision:
    """The revision, if the user may read its review: managing editors, or members assigned to it."""
    revision = get_object_or_404(Revision.objects.select_related("article"), article__slug=slug, number=number)
    if not _may_read_review(request.user, revision.article_id):
        raise PermissionDenied("You are not assigned to review this article.")
    return revision


def _may_read_review(user, article_id) -> bool:
    """Managing editors read every review; a board member reads those of articles they are (or were) assigned to."""
    if is_managing_editor(user):
        return True
    reviewer = active_reviewer(user)
    return ReviewAssignment.objects.filter(article_id=article_id, reviewer=reviewer).exists()


@desk_member_required
def queue(request):
    """The desk: the head of each of the person's lists, what a member signed lately, flagged evidence."""
    reviewer = active_reviewer(request.user)
    managing = is_managing_editor(request.user)
    today = timezone.localdate()
    heads = [
        list_head(desk_list, reviewer=reviewer, today=today)
        for desk_list in lists_for(reviewer=reviewer, is_managing_editor=managing)
    ]
    context = {
        "member_lists": [head for head in heads if not head.desk_list.for_managing_editors],
        "managing_lists": [head for head in heads if head.desk_list.for_managing_editors],
        "recently_signed": recently_signed(reviewer, today=today) if reviewer else None,
        "is_managing_editor": managing,
    }
    if managing:
        context["flagged_evidence"], context["flagged_evidence_count"] = FlaggedEvidence().head(DESK_EVIDENCE_SHOWN)
    return render(request, "editorial/desk/queue.html", context)


@require_http_methods(["GET", "HEAD"])
@desk_member_required
def desk_list(request, key):
    """A whole list of the desk, a page at a time, for the people whose desk shows it."""
    desk_list = DESK_LISTS.get(key)
    if desk_list is None:
        raise Http404("The desk has no such list.")
    reviewer = active_reviewer(request.user)
    if desk_list not in lists_for(reviewer=reviewer, is_managing_editor=is_managing_editor(request.user)):
        raise PermissionDenied("This list is on other people's desks.")
    today = timezone.localdate()
    page = Paginator(desk_list.rows(reviewer=reviewer, today=today), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"desk_list": desk_list, "page_obj": page, "entries": desk_list.entries(page.object_list, today=today)}
    return render(request, "editorial/desk/list_page.html", context)


@desk_member_required
def current_review(request, slug):
    """The article's review desk page for the revision in review now (where emails point)."""
    article = get_object_or_404(Article.objects.select_related("workflow__current_revision"), slug=slug)
    workflow = getattr(article, "workflow", None)
    if workflow is None or workflow.current_revision is None:
        raise PermissionDenied("This article has not been submitted for review.")
    return redirect("desk:review", slug=slug, number=workflow.current_revision.number)


@desk_member_required
def review(request, slug, number):
    revision = _revision_for(request, slug, number)
    typed = pending_form_pop(request)  # a decision posted before re-authenticating: shown again, not recorded
    if typed is not None:
        notes = ClaimNoteFormSet(typed, prefix="notes", form_kwargs={"claims": _claim_choices(revision)})
        attested = typed.getlist("attested_claims")
        return _render_review(request, revision, form=DecisionForm(typed), notes=notes, attested=attested)
    return _render_review(request, revision)


def _render_review(request, revision, *, form=None, notes=None, status=200, attested=()):
    page = review_page(revision, today=timezone.localdate())
    claims = _claim_choices(revision)
    # `page.sign_offs` are those of the review in progress: a person signs once in each round.
    has_signed = any(sign_off.signed_by_id == request.user.pk for sign_off in page.sign_offs)
    actions = available_actions(request.user, page.workflow)
    deciding = actions if page.is_current else []  # a sign-off names the revision in review, nothing older
    disclaimer = disclaimer_in_force()  # what a sign-off made now records
    initial = {"content_hash": revision.content_hash, "disclaimer_hash": disclaimer.content_hash if disclaimer else ""}
    threads = article_threads(revision.article)
    context = {
        "page": page,
        "revision": revision,
        "article": revision.article,
        "clinician": _with_threads(present_document(revision.content, "clinician"), threads),
        "threads": threads,
        "claim_aside": "editorial/desk/_claim_threads.html",
        "patient": present_document(revision.content, "patient"),
        "can_start": Action.START_REVIEW in deciding,
        "can_decide": Action.APPROVE in deciding,
        "can_hold": Action.HOLD in actions,
        "is_live_revision": page.workflow.live_revision_id == revision.pk,
        "has_signed": has_signed,
        "form": form or DecisionForm(initial=initial),
        "hold_form": HoldForm(initial=initial, auto_id="hold_%s"),  # ids apart from the decision form's
        "notes": notes or ClaimNoteFormSet(prefix="notes", form_kwargs={"claims": claims}),
        "is_managing_editor": is_managing_editor(request.user),
        "own_disclosure": _own_disclosure(request.user, revision),
        "attestable": page.to_attest if Action.APPROVE in deciding else {},
        "attested": set(attested),
        "change": change_for_reviewers(revision.content),
        "disclaimer": disclaimer,
    }
    return render(request, "editorial/desk/review.html", context, status=status)


def _with_threads(document: dict, threads) -> dict:
    """The presented document with each claim's review threads beside it (`claim.threads`)."""
    for section in document["sections"]:
        for claim in section["claims"]:
            claim["threads"] = threads.by_claim.get(claim["uid"], [])
    return document


def _own_disclosure(user, revision):
    """The reader's standing disclosures, and the words of them this revision names, if they are a board member."""
    reviewer = active_reviewer(user)
    return disclosure_overlap(reviewer, revision.content) if reviewer else None


def _claim_choices(revision) -> list[tuple[str, str]]:
    return claim_choices(revision)


@desk_member_required
@require_POST
def start(request, slug, number):
    revision = _revision_for(request, slug, number)
    try:
        review_start(article=revision.article, user=request.user)
    except WorkflowError as refusal:
        messages.error(request, refusal.message)
        return _render_review(request, revision, status=409)
    messages.success(request, f"You have started reviewing revision {revision.number}.")
    return redirect("desk:review", slug=slug, number=number)


@desk_member_required
@require_POST
@recent_authentication_required(return_to="desk:review")
def approve(request, slug, number):
    return _decide(request, _revision_for(request, slug, number), SignOff.Decision.APPROVE)


@desk_member_required
@require_POST
@recent_authentication_required(return_to="desk:review")
def request_changes(request, slug, number):
    return _decide(request, _revision_for(request, slug, number), SignOff.Decision.REQUEST_CHANGES)


def _decide(request, revision, decision):
    """Record the reviewer's decision on exactly the words they read, or show why not."""
    form = DecisionForm(request.POST, decision=decision)
    notes = ClaimNoteFormSet(request.POST, prefix="notes", form_kwargs={"claims": _claim_choices(revision)})
    attested = request.POST.getlist("attested_claims")
    again = {"form": form, "notes": notes, "attested": attested}
    if not (form.is_valid() and notes.is_valid()):
        return _render_review(request, revision, status=400, **again)
    common = {
        "revision": revision,
        "user": request.user,
        "content_hash": form.cleaned_data["content_hash"],
        "comment": form.cleaned_data["comment"],
        "conflict": form.cleaned_data["conflict"],
        "conflict_disclosure": form.cleaned_data["conflict_disclosure"],
        "claim_notes": [n.note for n in notes if n.note],
        "disclaimer_hash": form.cleaned_data["disclaimer_hash"] or None,
    }
    try:
        if decision == SignOff.Decision.APPROVE:
            review_approve(checklist=form.checklist, attested_claims=attested, **common)
        else:
            review_request_changes(**common)
    except WorkflowError as refusal:
        messages.error(request, refusal.message)
        return _render_review(request, revision, status=400 if isinstance(refusal, UnknownClaim) else 409, **again)
    if decision == SignOff.Decision.APPROVE:
        messages.success(
            request, f"You approved revision {revision.number} of “{revision.article}”. {approval_outcome(revision)}"
        )
    else:
        messages.success(request, f"You sent revision {revision.number} back to the editor with your comments.")
    return redirect("desk:review", slug=revision.article.slug, number=revision.number)


@desk_member_required
@require_http_methods(["GET", "POST"])
def assign(request, slug):
    if not is_managing_editor(request.user):
        raise PermissionDenied("Only managing editors assign board members.")
    article = get_object_or_404(Article.objects.select_related("workflow__current_revision"), slug=slug)
    form = AssignForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            review_assign(
                article=article,
                assigned_by=request.user,
                reviewers=form.cleaned_data["reviewers"],
                due_date=form.cleaned_data["due_date"],
                quorum=form.cleaned_data["quorum"],
            )
        except WorkflowError as refusal:
            messages.error(request, refusal.message)
            status = 409
        else:
            names = ", ".join(str(r) for r in form.cleaned_data["reviewers"])
            messages.success(request, f"Assigned {names} to “{article}”.")
            return redirect("desk:queue")
    elif request.method == "POST":
        status = 400
    open_assignments = ReviewAssignment.objects.filter(article=article, is_open=True).select_related("reviewer")
    revision = article.workflow.current_revision if hasattr(article, "workflow") else None
    document = revision.content if revision else working_copy_document(article)
    context = {
        "article": article,
        "form": form,
        "open_assignments": open_assignments,
        "disclosures": disclosure_overlaps(form.fields["reviewers"].queryset, document),
    }
    return render(request, "editorial/desk/assign.html", context, status=status)


@desk_member_required
@require_http_methods(["GET", "POST"])
def hold(request, slug, number):
    """Hold the live words for safety, at once: any active board member, assigned or not, or a managing editor.

    The form names the words the person read (the revision here, its hash in the
    form): if readers see other words by the time it arrives, nothing is held.
    Unlike a sign-off, a hold asks for no re-authentication: it attests nothing
    about the words, a managing editor can release it, and a physician who has
    seen a danger to readers must not be slowed down by a password prompt.
    """
    revision = get_object_or_404(Revision.objects.select_related("article"), article__slug=slug, number=number)
    article = revision.article
    form = HoldForm(request.POST or None, initial={"content_hash": revision.content_hash})
    status = 200
    if request.method == "POST" and form.is_valid():
        read = revision if form.cleaned_data["content_hash"] == revision.content_hash else None
        try:
            article_hold(
                article=article,
                user=request.user,
                revision=read,
                reason=form.cleaned_data["reason"],
                public_reason=form.cleaned_data["public_reason"],
            )
        except (WorkflowError, PermissionDenied) as refusal:
            messages.error(request, getattr(refusal, "message", None) or str(refusal))
            status = 403 if isinstance(refusal, PermissionDenied) else 409
        else:
            messages.success(
                request,
                f"“{article}” is held: readers see your notice instead of revision {revision.number}, "
                "and managing editors are told.",
            )
            if _may_read_review(request.user, article.pk):
                return redirect("desk:review", slug=slug, number=number)
            return redirect("desk:queue")
    elif request.method == "POST":
        status = 400
    workflow = ArticleWorkflow.objects.filter(article=article).select_related("article", "live_revision").first()
    context = {
        "article": article,
        "revision": revision,
        "workflow": workflow,
        "form": form,
        "can_hold": Action.HOLD in available_actions(request.user, workflow, article=article),
        "is_live_revision": workflow is not None and workflow.live_revision_id == revision.pk,
        "may_read_review": _may_read_review(request.user, article.pk),
    }
    return render(request, "editorial/desk/hold.html", context, status=status)
