"""The site's own pages under sign-off: draft a version, approve or reject it, and which version is in force.

An editor drafts a new version of a page (the disclaimer, the editorial policy,
when to get urgent help); it reaches readers only when a managing editor and an
active board member, two people other than its drafter, approved it. Until then
the version in force (`EditorialPage.live_version`) stays. A newer draft replaces
a pending one, which can then no longer be approved; a rejected draft never goes
live.

Which disclaimer readers of an article see: the newest approved version, for
every article alike, never the one in force when the article was approved. The
disclaimer and the urgent-help box speak for the site, not for one article's
evidence, and an improved warning must reach every reader at once; an article
cannot be "approved with" an older warning that the board has since replaced.
What the reviewer was shown is kept instead: each sign-off records the
disclaimer version in force when it was signed (`SignOff.disclaimer_version`),
and the audit checks that this version had itself been approved by then.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import transaction

from config.history import acting_as
from config.text import person_name
from editorial.errors import WorkflowError
from editorial.rules import active_reviewer, is_managing_editor
from jobs.library_jobs import library_job_queue
from jobs.models import LibraryJob
from reader.models import (
    EditorialPage,
    EditorialPageDecision,
    EditorialPageVersion,
    page_version_content,
    page_version_hash,
)
from reader.tasks import refresh_article_pages

DISCLAIMER, URGENT_HELP, EDITORIAL_POLICY = "disclaimer", "urgent-help", "editorial-policy"
# The pages shown under every article: a new version of one of them changes every article page.
SHOWN_WITH_ARTICLES = (DISCLAIMER, URGENT_HELP)
ROLE = EditorialPageDecision.Role
DECISION = EditorialPageDecision.Decision


class PageVersionRefused(WorkflowError):
    """A version that cannot be drafted, approved or rejected now (409, nothing recorded)."""


# Who may do what.


def may_draft_page_version(user) -> bool:
    """Editors (and managing editors) draft the site's pages: those who may change them in the admin."""
    return bool(user and user.is_active and user.has_perm("reader.change_editorialpage"))


def page_roles(user) -> list[str]:
    """The roles in which `user` may decide on a version: managing editor, board member, or both."""
    roles = []
    if is_managing_editor(user):
        roles.append(ROLE.MANAGING_EDITOR)
    if active_reviewer(user) is not None:
        roles.append(ROLE.BOARD_MEMBER)
    return roles


def may_decide_page_version(user, version: EditorialPageVersion) -> bool:
    """Whether `user` may approve or reject `version` at all: a managing editor or board member who did not draft it."""
    return bool(page_roles(user)) and version.drafted_by_id != user.pk


# What a version is now.


class VersionStatus(StrEnum):
    """Where a version stands now."""

    PENDING = "Waiting for approval"
    LIVE = "In force: readers see it"
    LIVE_UNAPPROVED = "In force, carried over from before versions were approved"
    REJECTED = "Rejected"
    SUPERSEDED = "Approved, since replaced by a newer approved version"
    REPLACED = "Replaced by a newer draft before it was approved"


def version_status(version: EditorialPageVersion, *, newest_number: int, live_number: int | None) -> VersionStatus:
    """The status of `version` among its page's versions (its decisions read, or prefetched)."""
    decisions = list(version.decisions.all())
    approved = is_approved(decisions)
    rejected = any(decision.decision == DECISION.REJECT for decision in decisions)
    is_live = version.number == live_number
    if not (approved or rejected) and version.number == newest_number and version.number >= (live_number or 0):
        return VersionStatus.PENDING
    if is_live:
        return VersionStatus.LIVE if approved else VersionStatus.LIVE_UNAPPROVED
    if rejected:
        return VersionStatus.REJECTED
    return VersionStatus.SUPERSEDED if approved else VersionStatus.REPLACED


def is_approved(decisions) -> bool:
    """Whether these decisions approve their version: one approval by a managing editor and one by a board member."""
    roles = {decision.role for decision in decisions if decision.decision == DECISION.APPROVE}
    return roles == {ROLE.MANAGING_EDITOR, ROLE.BOARD_MEMBER}


def status_of(version: EditorialPageVersion) -> VersionStatus:
    """The status of `version` as the database has it now (two queries and its decisions)."""
    numbers = EditorialPageVersion.objects.filter(page_id=version.page_id).order_by("-number")
    newest = numbers.values_list("number", flat=True).first()
    live = EditorialPage.objects.filter(pk=version.page_id).values_list("live_version__number", flat=True).first()
    return version_status(version, newest_number=newest, live_number=live)


# Reads.


def page_in_force(slug: str) -> EditorialPageVersion | None:
    """The version of the page readers see now (one query), or None if the page does not exist."""
    page = EditorialPage.objects.select_related("live_version").filter(slug=slug).first()
    return page.live_version if page else None


def article_pages_in_force() -> dict[str, EditorialPageVersion]:
    """The versions shown under every article now, by page slug (one query): the disclaimer and urgent help."""
    pages = EditorialPage.objects.select_related("live_version").filter(
        slug__in=SHOWN_WITH_ARTICLES, live_version__isnull=False
    )
    return {page.slug: page.live_version for page in pages}


def page_version_approved_at(version: EditorialPageVersion):
    """When `version` got its second approval, or None if it has not (a version carried over)."""
    decisions = list(version.decisions.filter(decision=DECISION.APPROVE))
    return max(decision.created_at for decision in decisions) if is_approved(decisions) else None


def disclaimer_in_force() -> EditorialPageVersion | None:
    """The disclaimer version a sign-off made now records: the one readers see."""
    return page_in_force(DISCLAIMER)


# Writes.


@transaction.atomic
def page_version_draft(
    *, page: EditorialPage, drafted_by, title: str, body: str, patient_body: str = "", based_on: int
) -> EditorialPageVersion:
    """Record a new version of `page`, waiting for approval; readers keep the version in force.

    `based_on` is the number of the newest version when the editor started
    writing: if another version was drafted since, nothing is recorded (409).
    A pending draft is replaced by this one and can no longer be approved.
    """
    page = _page_lock(page.pk)
    if not may_draft_page_version(drafted_by):
        raise PermissionDenied("Only an editor can draft a new version of the site's pages.")
    newest = page.versions.order_by("-number").first()
    newest_number = newest.number if newest else 0
    if based_on != newest_number:
        raise PageVersionRefused(
            f"Version {newest_number} of “{page.title}” was drafted while you were writing. "
            "Nothing was recorded; please read it and start again from it."
        )
    if page.has_patient_text and not patient_body.strip():
        raise PageVersionRefused(f"“{page.title}” needs its words for patients as well as for professionals.")
    title = title.strip()
    if not page.has_patient_text:
        patient_body = ""
    content_hash = page_version_hash(
        page_version_content(slug=page.slug, title=title, body=body, patient_body=patient_body)
    )
    if newest is not None and newest.content_hash == content_hash:
        raise PageVersionRefused(
            f"These are the words of version {newest.number} already. Nothing was recorded; change the words first."
        )
    version = EditorialPageVersion(
        page=page,
        number=newest_number + 1,
        title=title,
        body=body,
        patient_body=patient_body,
        content_hash=content_hash,
        drafted_by=drafted_by,
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def page_version_approve(*, version: EditorialPageVersion, user, content_hash: str) -> EditorialPageDecision:
    """Approve `version` in the first of the user's roles that still lacks an approval.

    With one approval from a managing editor and one from a board member, the
    version is put in force: readers see it once this commits (every article
    page is purged for the disclaimer and the urgent-help box).
    """
    page, version = _decision_gate(version, user, content_hash)
    decisions = list(version.decisions.all())
    taken = {decision.role: decision for decision in decisions if decision.decision == DECISION.APPROVE}
    roles = [role for role in page_roles(user) if role not in taken]
    if not roles:
        role = page_roles(user)[0]
        raise PageVersionRefused(
            f"Version {version.number} already has the approval of a {ROLE(role).label.lower()} "
            f"({person_name(taken[role].decided_by)}); it waits for the other role's. Nothing was recorded."
        )
    decision = _decide(version, user, role=roles[0], decision=DECISION.APPROVE, comment="")
    if is_approved([*decisions, decision]):
        _put_in_force(page, version, user)
    return decision


@transaction.atomic
def page_version_reject(
    *, version: EditorialPageVersion, user, content_hash: str, comment: str
) -> EditorialPageDecision:
    """Reject `version` with a reason: it never reaches readers; the version in force stays."""
    _page, version = _decision_gate(version, user, content_hash)
    if not comment.strip():
        raise PageVersionRefused("A rejection is recorded with its reason. Nothing was recorded; please give one.")
    return _decide(version, user, role=page_roles(user)[0], decision=DECISION.REJECT, comment=comment.strip())


def _page_lock(page_id: int) -> EditorialPage:
    """Lock the page's row: every draft and decision on its versions takes this one lock."""
    return EditorialPage.objects.select_for_update().get(pk=page_id)


def _decision_gate(version, user, content_hash) -> tuple[EditorialPage, EditorialPageVersion]:
    """Who, then when, for a decision: a managing editor or board member who did not draft it, on a pending version."""
    page = _page_lock(version.page_id)
    version = EditorialPageVersion.objects.select_related("page").get(pk=version.pk)
    if not page_roles(user):
        raise PermissionDenied("Only a managing editor or an active board member can approve the site's pages.")
    if version.drafted_by_id == user.pk:
        raise PermissionDenied("You drafted this version, so you cannot approve or reject it.")
    version.page = page
    status = status_of(version)
    if status == VersionStatus.REPLACED:
        newest = page.versions.order_by("-number").first()
        raise PageVersionRefused(
            f"Version {newest.number} of “{page.title}” replaced version {version.number}. "
            "Nothing was recorded; please read the newest version."
        )
    if status != VersionStatus.PENDING:
        raise PageVersionRefused(
            f"Version {version.number} of “{page.title}” is no longer waiting for approval: "
            f"{status.value[0].lower()}{status.value[1:]}. Nothing was recorded."
        )
    if content_hash != version.content_hash:
        raise PageVersionRefused(
            "The words you read are not the words of this version. Nothing was recorded; please reload it."
        )
    earlier = version.decisions.filter(decided_by=user).first()
    if earlier:
        raise PageVersionRefused(
            f"You already decided on version {version.number} ({earlier.get_decision_display().lower()}, "
            f"{earlier.created_at:%d %b %Y %H:%M}). A person counts once."
        )
    return page, version


def _decide(version, user, *, role, decision, comment) -> EditorialPageDecision:
    record = EditorialPageDecision(
        version=version,
        content_hash=version.content_hash,
        decision=decision,
        role=role,
        decided_by=user,
        reviewer=active_reviewer(user) if role == ROLE.BOARD_MEMBER else None,
        comment=comment,
    )
    record.full_clean()
    record.save()
    return record


def _put_in_force(page: EditorialPage, version: EditorialPageVersion, user) -> None:
    """Show `version` to readers from this commit on; a job then refreshes the article pages that show it.

    Until the job reaches an article, its pages (cached and stored) show the
    version in force before, approved too.
    """
    page.live_version = version
    with acting_as(user):  # the page's history names who completed the approval
        page.save(update_fields=["live_version", "updated_at"])
    if page.slug in SHOWN_WITH_ARTICLES:
        library_job_queue(
            kind=LibraryJob.Kind.REFRESH_ARTICLE_PAGES,
            cause=f"{page.title}, version {version.number}, went live",
            key=refresh_key(version),
            started_by=user,
            task=refresh_article_pages,
        )


def refresh_key(version: EditorialPageVersion) -> str:
    """The key of the job that refreshes the article pages once `version` is in force."""
    return f"page-version:{version.pk}"


def refresh_job(version: EditorialPageVersion) -> LibraryJob | None:
    """The newest job refreshing article pages for `version`, if it set one off."""
    return LibraryJob.objects.filter(key=refresh_key(version)).first()
