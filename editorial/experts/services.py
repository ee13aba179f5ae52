"""Writes about outside experts' review links: make one, revoke one, record a use, record a comment.

Making and revoking follow every service's prologue: the row locked, who
(a managing editor, else 403), when (a stale form, a link already closed: 409),
then input; the email leaves once the transaction commits. The expert's own
writes (a use, a comment) are made in the name of the link, never of an account.
"""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from config.history import acting_as
from config.text import person_name
from editorial import notifications
from editorial.errors import ExpertLinkClosed, ExpertLinkRefused, StaleRevision, UnknownClaim
from editorial.experts.models import ExpertLink, ExpertLinkUse
from editorial.experts.tokens import token_hash, token_new
from editorial.models import ClaimNote, Revision, ThreadMessage
from editorial.rules import may_manage_expert_links
from editorial.services.moves import workflow_lock
from editorial.services.threads import thread_open_by_expert
from jobs.outbox import enqueue_with_commit

MAX_DAYS = 90


@transaction.atomic
def expert_link_create(
    *,
    revision: Revision,
    user,
    name: str,
    credentials: str,
    email: str,
    conflict_statement: str,
    days: int | None = None,
    current_seen: int | None = None,
) -> tuple[ExpertLink, str]:
    """Make a link for a named outside expert to read `revision` for `days`; return the link and its token.

    The token is returned this once (the link keeps only its hash) and emailed
    to the expert when the transaction commits. `current_seen` is the revision
    in review when the form was drawn: if another has replaced it since, the
    form is stale and nothing is made.
    """
    workflow = workflow_lock(revision.article_id)
    if not may_manage_expert_links(user):
        raise PermissionDenied("Only managing editors invite outside experts.")
    in_review = workflow.current_revision.number if workflow.current_revision_id else None
    if current_seen is not None and current_seen != in_review:
        raise StaleRevision(
            f"Revision {in_review} replaced revision {current_seen} while you filled in the form. "
            "Nothing was made: check which revision the expert should read and send the form again."
        )
    days = settings.EXPERT_LINK_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ExpertLinkRefused(f"A link opens for 1 to {MAX_DAYS} days, not {days}.")
    token, now = token_new(), timezone.now()
    link = ExpertLink(
        revision=revision,
        name=name.strip(),
        credentials=credentials.strip(),
        email=email.strip(),
        conflict_statement=conflict_statement.strip(),
        token_hash=token_hash(token),
        created_by=user,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    with acting_as(user):
        link.full_clean()
        link.save()
    enqueue_with_commit(lambda: notifications.notify_expert_of_link(link, token))
    return link, token


@transaction.atomic
def expert_link_revoke(*, link: ExpertLink, user) -> ExpertLink:
    """Close the link at once: from the next request it answers 410 and shows nothing.

    Refused (nothing changes) for a link already revoked or expired: somebody
    was faster, or the form was stale.
    """
    link = ExpertLink.objects.select_for_update(of=("self",)).select_related("revoked_by").get(pk=link.pk)
    if not may_manage_expert_links(user):
        raise PermissionDenied("Only managing editors revoke outside experts' links.")
    now = timezone.now()
    state = link.state_at(now)
    if state == ExpertLink.State.REVOKED:
        who = person_name(link.revoked_by)
        when = timezone.localtime(link.revoked_at)
        raise ExpertLinkRefused(
            f"{who} already revoked the link for {link.expert} on {when:%d %B %Y at %H:%M}. Nothing changed."
        )
    if state == ExpertLink.State.EXPIRED:
        raise ExpertLinkRefused(
            f"The link for {link.expert} expired on {timezone.localtime(link.expires_at):%d %B %Y at %H:%M} "
            "and opens nothing already. Nothing changed."
        )
    link.revoked_at, link.revoked_by = now, user
    with acting_as(user):
        link.full_clean()
        link.save()
    return link


def expert_link_use_record(
    *,
    link: ExpertLink,
    page: str,
    asked_for: str,
    outcome: str,
    status_code: int,
    client_address: str,
    user_agent: str,
) -> ExpertLinkUse:
    """Append one use of the link to its audit trail, whatever the request was answered."""
    use = ExpertLinkUse(
        link=link,
        page=page,
        asked_for=asked_for[:200],
        outcome=outcome,
        status_code=status_code,
        client_address=_address_or_none(client_address),
        user_agent=user_agent[:300],
    )
    use.full_clean()
    use.save()
    return use


def _address_or_none(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


@transaction.atomic
def expert_comment_add(
    *, link: ExpertLink, content_hash: str, claim_uid: str | None, flag: str, text: str
) -> ThreadMessage:
    """Open a review thread on a claim of the revision the expert read, or on the article, with their comment.

    Who: the link, still open (locked, so a revocation is never overtaken);
    when: the form names the words of the revision the link shows; input: a
    claim of that revision (400 otherwise). The comment joins the article's
    threads, written through the link; nothing else changes: an outside expert
    never signs off.
    """
    workflow_lock(link.revision.article_id)  # the threads' lock first, as every thread service takes it
    link = ExpertLink.objects.select_for_update(of=("self",)).select_related("revision__article").get(pk=link.pk)
    state = link.state_at(timezone.now())
    if state != ExpertLink.State.ACTIVE:
        raise ExpertLinkClosed(f"This review link is {state.label.lower()}. Nothing was recorded.", state=state)
    revision = link.revision
    if content_hash != revision.content_hash:
        raise StaleRevision(
            "The words you commented on are not those of the revision this link shows. Nothing was recorded; "
            "please reload the page and read it again."
        )
    claims = {claim["uid"] for section in revision.content["sections"] for claim in section["claims"]}
    if claim_uid and str(claim_uid) not in claims:
        raise UnknownClaim(f"The comment names a claim that is not in revision {revision.number}.")
    return thread_open_by_expert(link=link, claim_uid=claim_uid or None, flag=flag or ClaimNote.Flag.NOTE, text=text)
