"""The outside expert's pages (no account: the link's token opens them) and the managing editors' page of links.

The expert's pages answer an unknown or malformed token, or an address naming
another revision than the link's, with 404; an expired or revoked link with
410; too many requests with 429; never with the words. Every request whose
token names a link is recorded (`ExpertLinkUse`). The pages are never stored
by caches, send no referrer and are kept out of search engines, and no link on
them carries the token.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.documents import present_document
from articles.models import Article
from editorial.accounts.throttling import client_ip, counted, hashed_client
from editorial.errors import ExpertLinkClosed, StaleRevision, UnknownClaim, WorkflowError
from editorial.experts.forms import ExpertCommentForm, ExpertLinkForm
from editorial.experts.models import ExpertLink, ExpertLinkUse
from editorial.experts.selectors import claim_labels, expert_links_of, newest_number_after
from editorial.experts.services import (
    expert_comment_add,
    expert_link_create,
    expert_link_revoke,
    expert_link_use_record,
)
from editorial.experts.tokens import looks_like_token, token_hash
from editorial.models import ArticleWorkflow, Revision
from editorial.rules import may_manage_expert_links
from editorial.views import desk_member_required

EXPERT_PAGE_HEADERS = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
RATE_WINDOW_SECONDS = 60 * 60
Use = ExpertLinkUse


def expert_page(view):
    """Send every answer of an expert's page, refusals included, with the headers that keep the token private."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        for header, value in EXPERT_PAGE_HEADERS.items():
            response[header] = value
        return response

    return wrapped


class Refused(Exception):
    """The request gets a refusal page instead of the words."""

    def __init__(self, response):
        self.response = response


def _open_link(request, slug: str, number: int, token: str, page: str) -> ExpertLink:
    """The link this request may use; else raise `Refused` with its page (404, 410 or 429), recording the use."""
    if not looks_like_token(token):
        raise Refused(_refusal(request, "unknown", 404))
    if counted(f"experts:client:{hashed_client(request)}", RATE_WINDOW_SECONDS) > (
        settings.EXPERT_LINK_CLIENT_REQUESTS_PER_HOUR
    ):
        raise Refused(_refusal(request, "too_many", 429))
    link = ExpertLink.objects.select_related("revision__article").filter(token_hash=token_hash(token)).first()
    if link is None:
        raise Refused(_refusal(request, "unknown", 404))
    if counted(f"experts:link:{link.pk}", RATE_WINDOW_SECONDS) > settings.EXPERT_LINK_REQUESTS_PER_HOUR:
        raise Refused(_refusal(request, "too_many", 429))
    state = link.state_at(timezone.now())
    if state != ExpertLink.State.ACTIVE:
        _record(request, link, page, f"{slug} r{number}", Use.Outcome(state.value), 410)
        raise Refused(_refusal(request, state.value, 410))
    if (slug, number) != (link.revision.content["slug"], link.revision.number):
        _record(request, link, page, f"{slug} r{number}", Use.Outcome.OTHER_REVISION, 404)
        raise Refused(_refusal(request, "unknown", 404))
    return link


def _record(request, link, page, asked_for, outcome, status_code) -> None:
    expert_link_use_record(
        link=link,
        page=page,
        asked_for=asked_for,
        outcome=outcome,
        status_code=status_code,
        client_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )


def _refusal(request, reason: str, status: int):
    response = render(request, "editorial/experts/refused.html", {"reason": reason}, status=status)
    if status == 429:
        response["Retry-After"] = str(RATE_WINDOW_SECONDS)
    return response


@expert_page
@require_GET
def expert_review(request, slug, number, token):
    """The revision the link shows, in both audiences, with the expert's comment form and their comments so far."""
    try:
        link = _open_link(request, slug, number, token, Use.Page.READ)
    except Refused as refused:
        return refused.response
    _record(request, link, Use.Page.READ, f"{slug} r{number}", Use.Outcome.SHOWN, 200)
    return _render_review(request, link, token)


# No CSRF token: the expert holds no cookie, session or login that a forged request could borrow; the
# only authority is the token in the address, which another site cannot know. And under the page's
# `Referrer-Policy: no-referrer` browsers send `Origin: null` with the form, which Django's check refuses.
@csrf_exempt
@expert_page
@require_POST
def expert_comment(request, slug, number, token):
    """Record the expert's comment, or show the form again with what they typed and why not."""
    try:
        link = _open_link(request, slug, number, token, Use.Page.COMMENT)
    except Refused as refused:
        return refused.response
    asked_for = f"{slug} r{number}"
    form = ExpertCommentForm(request.POST, claims=claim_labels(link.revision))
    if not form.is_valid():
        _record(request, link, Use.Page.COMMENT, asked_for, Use.Outcome.COMMENT_REFUSED, 400)
        return _render_review(request, link, token, form=form, status=400)
    try:
        expert_comment_add(
            link=link,
            content_hash=form.cleaned_data["content_hash"],
            claim_uid=form.cleaned_data["claim_uid"],
            flag=form.cleaned_data["flag"],
            text=form.cleaned_data["text"],
        )
    except ExpertLinkClosed as closed:
        _record(request, link, Use.Page.COMMENT, asked_for, Use.Outcome(closed.state.value), 410)
        return _refusal(request, closed.state.value, 410)
    except (StaleRevision, UnknownClaim) as refusal:
        status = 400 if isinstance(refusal, UnknownClaim) else 409
        _record(request, link, Use.Page.COMMENT, asked_for, Use.Outcome.COMMENT_REFUSED, status)
        return _render_review(request, link, token, form=form, status=status, refusal=refusal.message)
    _record(request, link, Use.Page.COMMENT, asked_for, Use.Outcome.COMMENTED, 303)
    response = redirect(reverse("experts:review", args=[slug, number, token]) + "?sent=1#your-comments")
    response.status_code = 303
    return response


def _render_review(request, link, token, *, form=None, status=200, refusal=""):
    revision = link.revision
    labels = claim_labels(revision)
    context = {
        "link": link,
        "revision": revision,
        "clinician": present_document(revision.content, "clinician"),
        "patient": present_document(revision.content, "patient"),
        "newer_number": newest_number_after(revision),
        "form": form or ExpertCommentForm(initial={"content_hash": revision.content_hash}, claims=labels),
        "comment_url": reverse("experts:comment", args=[revision.content["slug"], revision.number, token]),
        "comments": [
            (message, dict(labels).get(str(message.thread.claim_uid)))
            for message in link.thread_messages.select_related("thread").order_by("id")
        ],
        "sent": request.GET.get("sent") == "1" and status == 200,
        "refusal": refusal,
    }
    return render(request, "editorial/experts/review.html", context, status=status)


# The managing editors' page on the review desk.


def _article_for_manager(request, slug) -> Article:
    if not may_manage_expert_links(request.user):
        raise PermissionDenied("Only managing editors invite outside experts.")
    return get_object_or_404(Article, slug=slug)


@desk_member_required
@require_http_methods(["GET", "POST"])
def expert_links(request, slug):
    """List the article's expert links with their state and use; make a new one (its link shown here, once)."""
    article = _article_for_manager(request, slug)
    workflow = ArticleWorkflow.objects.filter(article=article).select_related("current_revision").first()
    current = workflow.current_revision if workflow else None
    revisions = list(Revision.objects.filter(article=article).only("pk", "number", "created_at", "article_id"))
    form = ExpertLinkForm(request.POST or None, revisions=revisions, current=current)
    status, created = 200, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link, token = expert_link_create(
                revision=next(revision for revision in revisions if revision.number == data["revision"]),
                user=request.user,
                name=data["name"],
                credentials=data["credentials"],
                email=data["email"],
                conflict_statement=data["conflict_statement"],
                days=data["days"],
                current_seen=data["current_seen"],
            )
        except WorkflowError as refusal:
            messages.error(request, refusal.message)
            status = 409
        else:
            revision = link.revision
            url = reverse("experts:review", args=[revision.content["slug"], revision.number, token])
            created = {"link": link, "url": request.build_absolute_uri(url)}
            form = ExpertLinkForm(revisions=revisions, current=current)
    elif request.method == "POST":
        status = 400
    return _render_links(request, article, form=form, created=created, status=status)


def _render_links(request, article, *, form, created=None, status=200):
    links = expert_links_of(article)
    now = timezone.now()
    labels = {}
    for link in links:
        link.state = link.state_at(now)
        if link.revision_id not in labels:
            labels[link.revision_id] = dict(claim_labels(link.revision))
        link.labelled_comments = [
            (message, labels[link.revision_id].get(str(message.thread.claim_uid)))
            for message in link.thread_messages.all()
        ]
    has_comments = any(link.labelled_comments for link in links)
    context = {"article": article, "form": form, "links": links, "created": created, "has_comments": has_comments}
    return render(request, "editorial/experts/links.html", context, status=status)


@desk_member_required
@require_POST
def expert_link_revoke_view(request, slug, link_id):
    """Revoke a link at once; a link already revoked or expired is answered 409 and nothing changes."""
    article = _article_for_manager(request, slug)
    link = get_object_or_404(ExpertLink.objects.select_related("revision"), pk=link_id, revision__article=article)
    try:
        expert_link_revoke(link=link, user=request.user)
    except WorkflowError as refusal:
        messages.error(request, refusal.message)
        workflow = ArticleWorkflow.objects.filter(article=article).select_related("current_revision").first()
        revisions = list(Revision.objects.filter(article=article).only("pk", "number", "created_at", "article_id"))
        form = ExpertLinkForm(revisions=revisions, current=workflow.current_revision if workflow else None)
        return _render_links(request, article, form=form, status=409)
    messages.success(request, f"The link for {link.expert} is revoked: it opens nothing from now on.")
    return redirect("desk:experts", slug=article.slug)
