"""The review threads page of an article, where its editors and reviewers talk, and the editors' inbox.

Thin views over `editorial.threads.selectors` and `editorial.services.threads`.
Who may: the article's editors, managing editors and the board members who are
or were assigned to it (`may_take_part_in_threads`); everyone else gets 403.
A form naming a revision or a claim the article does not have answers 400; a
thread that changed since the page was shown answers 409; either way nothing
is recorded and the words typed are shown again.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from editorial.errors import UnknownClaim, UnknownRevision, WorkflowError
from editorial.models import ReviewThread, Revision
from editorial.rules import may_see_editors_inbox, may_take_part_in_threads
from editorial.services import thread_open, thread_reopen, thread_reply, thread_resolve
from editorial.threads.forms import OpenThreadForm, ReplyForm, ResolveForm
from editorial.threads.selectors import article_threads, claim_choices, editors_inbox

BAD_INPUT = (UnknownClaim, UnknownRevision)


def thread_member_required(view):
    """Let in the people who take part in the article's threads; 404 for an unknown article, 403 for others."""

    @login_required
    @wraps(view)
    def wrapped(request, slug, *args, **kwargs):
        article = get_object_or_404(Article, slug=slug)
        if not may_take_part_in_threads(request.user, article):
            raise PermissionDenied(
                "Only the article's editors, managing editors and the board members reviewing it read its threads."
            )
        return view(request, article, *args, **kwargs)

    return wrapped


@require_GET
@thread_member_required
def threads(request, article):
    return _render(request, article)


def _render(request, article, *, status=200, failed=None, form=None):
    """The page; after a refusal, `form` (as typed) replaces the blank form of thread `failed` ("new": a new one)."""
    page = article_threads(article)
    latest = page.latest
    number = latest.number if latest else None
    for view in page.all:
        pk = view.thread.pk
        typed = form if failed == pk and isinstance(form, ReplyForm) else None
        view.reply_form = typed or ReplyForm(initial={"revision": number}, auto_id=f"reply{pk}_%s")
        view.resolve_form = ResolveForm(
            initial={"revision": number, "last_seen": view.last_message_id}, auto_id=f"resolve{pk}_%s"
        )
    claims = claim_choices(latest) if latest else []
    open_form = form if failed == "new" else OpenThreadForm(initial={"revision": number}, claims=claims)
    context = {
        "article": article,
        "page": page,
        "latest": latest,
        "open_form": open_form,
        "may_open": latest is not None,
    }
    return render(request, "editorial/desk/threads.html", context, status=status)


def _revision(article, form) -> Revision | None:
    return Revision.objects.filter(article=article, number=form.cleaned_data["revision"]).first()


def _thread(article, thread_id) -> ReviewThread:
    return get_object_or_404(ReviewThread, article=article, pk=thread_id)


def _done(request, article, thread, success):
    messages.success(request, success)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(reverse("desk:threads", args=[article.slug]) + f"#thread-{thread.pk}")


def _refused(request, article, refusal, *, failed=None, form=None):
    messages.error(request, refusal.message)
    return _render(request, article, status=400 if isinstance(refusal, BAD_INPUT) else 409, failed=failed, form=form)


@require_POST
@thread_member_required
def open_thread(request, article):
    latest = Revision.objects.filter(article=article).order_by("-number").first()
    form = OpenThreadForm(request.POST, claims=claim_choices(latest) if latest else [])
    if not form.is_valid():
        return _render(request, article, status=400, failed="new", form=form)
    data = form.cleaned_data
    try:
        thread = thread_open(
            article=article,
            user=request.user,
            revision=_revision(article, form),
            claim_uid=data["claim_uid"] or None,
            flag=data["flag"],
            text=data["text"],
        )
    except WorkflowError as refusal:
        return _refused(request, article, refusal, failed="new", form=form)
    return _done(request, article, thread, "Your thread is open: the other side is told by email.")


@require_POST
@thread_member_required
def reply(request, article, thread_id):
    thread = _thread(article, thread_id)
    form = ReplyForm(request.POST, auto_id=f"reply{thread.pk}_%s")
    if not form.is_valid():
        messages.error(request, "Your reply was not sent: see the thread below.")
        return _render(request, article, status=400, failed=thread.pk, form=form)
    data = form.cleaned_data
    try:
        thread_reply(
            thread=thread, user=request.user, revision=_revision(article, form), text=data["text"], flag=data["flag"]
        )
    except WorkflowError as refusal:
        return _refused(request, article, refusal, failed=thread.pk, form=form)
    return _done(request, article, thread, "Your reply is in the thread, and the other side is told by email.")


@require_POST
@thread_member_required
def resolve(request, article, thread_id):
    thread = _thread(article, thread_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The form was incomplete: nothing was recorded. Please try again from this page.")
        return _render(request, article, status=400)
    try:
        thread = thread_resolve(
            thread=thread,
            user=request.user,
            revision=_revision(article, form),
            last_seen=form.cleaned_data["last_seen"],
        )
    except WorkflowError as refusal:
        return _refused(request, article, refusal)
    return _done(
        request,
        article,
        thread,
        f"The thread is resolved in revision {thread.resolved_in.number}; anyone else who wrote in it is emailed.",
    )


@require_POST
@thread_member_required
def reopen(request, article, thread_id):
    thread = _thread(article, thread_id)
    try:
        thread_reopen(thread=thread, user=request.user)
    except WorkflowError as refusal:
        return _refused(request, article, refusal)
    return _done(request, article, thread, "The thread is open again; anyone else who wrote in it is emailed.")


@require_GET
@login_required
def inbox(request):
    """The editors' inbox: what waits for them, across articles."""
    if not may_see_editors_inbox(request.user):
        raise PermissionDenied("The inbox is for editors.")
    context = {"inbox": editors_inbox(request.user, today=timezone.localdate())}
    return render(request, "editorial/desk/inbox.html", context)
