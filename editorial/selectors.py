"""Reads about the workflow that cross relations."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Article
from articles.selectors import article_content_history
from config.text import person_name
from editorial.diffs import claim_changes_between
from editorial.document_changes import DocumentChanges, claim_hash, claims_to_attest, document_changes
from editorial.gates import content_blockers
from editorial.models import ArticleWorkflow, AuditEvent, ReviewAssignment, Reviewer, Revision, SignOff
from editorial.revisions import words_hash, working_copy_document
from editorial.workflow import TRANSITIONS, Action, State


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    who: object
    kind: str  # "edit" or "workflow"
    summary: str
    revision_number: int | None = None
    count: int = 1  # edits of one kind in a row by one person, folded into this entry

    @property
    def who_name(self) -> str:
        """The person's name as colleagues know it; "(system)" for a change no person made."""
        if self.who is None:
            return "(system)"
        return person_name(self.who)


def article_timeline(article: Article, limit: int = 200) -> list[TimelineEntry]:
    """Return edits, submissions, transitions and sign-offs of an article, newest first (six queries).

    A run of the same edit by the same person ("Citation added" five times) is
    one entry ("5 citations added"), dated by the latest of them.
    """
    entries = [
        TimelineEntry(
            when=event.created_at,
            who=event.actor,
            kind="workflow",
            summary=_event_summary(event),
            revision_number=event.revision.number if event.revision else None,
        )
        for event in AuditEvent.objects.filter(article=article).select_related("actor", "revision").reverse()[:limit]
    ]
    entries += [
        TimelineEntry(when=row.history_date, who=row.history_user, kind="edit", summary=_edit_summary(row))
        for row in article_content_history(article, limit=limit)
    ]
    entries += [
        TimelineEntry(when=row.history_date, who=row.history_user, kind="edit", summary=_edit_summary(row, "article"))
        for row in article.history.select_related("history_user")[:limit]
    ]
    return _fold_repeated_edits(sorted(entries, key=lambda entry: entry.when, reverse=True))[:limit]


def _fold_repeated_edits(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    folded: list[TimelineEntry] = []
    for entry in entries:
        last = folded[-1] if folded else None
        if last and entry.kind == last.kind == "edit" and (entry.who, entry.summary) == (last.who, last.summary):
            folded[-1] = replace(last, count=last.count + 1)
        else:
            folded.append(entry)
    return [
        replace(entry, summary=_counted(entry.summary, entry.count)) if entry.count > 1 else entry for entry in folded
    ]


def _counted(summary: str, count: int) -> str:
    """Say "5 citations added" for "Citation added" done five times."""
    kind, verb = summary.split(" ", 1)
    return f"{count} {kind.lower()}s {verb}"


def _event_summary(event: AuditEvent) -> str:
    summary = event.get_action_display()
    if event.from_state != event.to_state:
        summary += f": {event.get_from_state_display()} → {event.get_to_state_display()}"
    if event.comment:
        summary += f" — “{event.comment}”"
    return summary


def _edit_summary(row, kind: str | None = None) -> str:
    verb = {"+": "added", "~": "changed", "-": "deleted"}[row.history_type]
    kind = kind or row.kind
    return f"{kind.capitalize()} {verb}"


@dataclass(frozen=True)
class WorkingCopyStatus:
    has_unsubmitted_changes: bool
    changes: list  # ClaimChange for every claim, since the revision in review

    def changed_claims(self) -> list[tuple[str, str]]:
        """(change, wording) for each claim added or changed since the revision in review."""
        return [(change.status, change.text) for change in self.changes if change.status in ("added", "changed")]

    def removed_claim_count(self) -> int:
        return sum(1 for change in self.changes if change.status == "removed")


def working_copy_status(workflow: ArticleWorkflow | None, article: Article) -> WorkingCopyStatus:
    """Compare the working copy with the revision in review."""
    document = working_copy_document(article)
    current = workflow.current_revision if workflow else None
    return WorkingCopyStatus(
        has_unsubmitted_changes=current is None or words_hash(current.content) != words_hash(document),
        changes=claim_changes_between(current.content if current else None, document),
    )


# The review desk


def recently_signed(reviewer: Reviewer, *, today: date, limit: int = 20) -> list[SignOff]:
    """The member's last sign-offs of the past 30 days, newest first, for their desk (one query)."""
    return list(
        SignOff.objects.filter(reviewer=reviewer, created_at__date__gte=today - timedelta(days=30))
        .select_related("revision__article")
        .defer("revision__content")
        .order_by("-created_at")[:limit]
    )


@dataclass(frozen=True)
class ReviewRound:
    """The sign-offs of one review round of a revision: 1 its first review, 2 its first re-review, …"""

    number: int
    sign_offs: list

    @property
    def is_rereview(self) -> bool:
        return self.number > 1


@dataclass
class ReviewPage:
    """Everything a board member needs to review one exact revision."""

    workflow: ArticleWorkflow
    revision: Revision
    previous: Revision | None
    live: Revision | None
    changes_since_previous: DocumentChanges | None  # None for a first revision
    changes_since_live: DocumentChanges | None  # None when readers see this revision, or none
    blockers: list[str]
    sign_offs: list  # of the review in progress (its round), when this is the revision in review
    earlier_rounds: list[ReviewRound]  # this revision's other rounds, newest first
    certifying: list  # the approvals that certified these words last, when readers see this revision
    assignments: list
    timeline: list
    is_review_overdue: bool
    to_attest: dict = field(default_factory=dict)  # {uid: (number, hash)} of claims changed since the live words
    unchanged_claims: list = field(default_factory=list)  # (ApprovedRevision | None, [ClaimChange]), since live

    @property
    def is_current(self) -> bool:
        return self.workflow.current_revision_id == self.revision.pk

    @property
    def is_live(self) -> bool:
        """Whether readers see this revision now."""
        return self.workflow.live_revision_id == self.revision.pk

    @property
    def previous_is_live(self) -> bool:
        """Whether the revision before this one is the one readers see: then one comparison says it all."""
        return self.live is not None and self.previous is not None and self.live.pk == self.previous.pk

    @property
    def is_rereview(self) -> bool:
        """Whether this page is a re-review of the live words, unchanged (a re-certification)."""
        return self.is_current and self.workflow.is_rereview and self.workflow.live_revision_id == self.revision.pk


def review_page(revision: Revision, *, today: date) -> ReviewPage:
    """Read the review of `revision`: its words, what changed, blockers, sign-offs by round, timeline.

    Its review threads are read by `editorial.threads.selectors.article_threads`.
    """
    workflow = ArticleWorkflow.objects.select_related("article", "current_revision", "live_revision").get(
        article_id=revision.article_id
    )
    is_current = workflow.current_revision_id == revision.pk
    this_round = workflow.review_round if is_current else None
    sign_offs = list(revision.sign_offs.select_related("reviewer").order_by("-round", "created_at"))
    rounds: dict[int, list] = {}
    for sign_off in sign_offs:
        if sign_off.round != this_round:
            rounds.setdefault(sign_off.round, []).append(sign_off)
    certifying = []
    if workflow.live_revision_id == revision.pk:
        certifying = list(SignOff.objects.certifying(workflow).select_related("reviewer").order_by("created_at"))
    previous = Revision.objects.filter(article_id=revision.article_id, number=revision.number - 1).first()
    live = workflow.live_revision if workflow.live_revision_id != revision.pk else None
    since_live = document_changes(live.content, revision.content) if live else None
    return ReviewPage(
        workflow=workflow,
        revision=revision,
        previous=previous,
        live=live,
        changes_since_previous=document_changes(previous.content, revision.content) if previous else None,
        changes_since_live=since_live,
        to_attest=claims_to_attest(revision.content, live.content) if live else {},
        unchanged_claims=_unchanged_claims(workflow.article, revision, since_live) if since_live else [],
        blockers=content_blockers(revision),
        sign_offs=(
            list(SignOff.objects.of_review(workflow).select_related("reviewer").order_by("created_at"))
            if is_current
            else []
        ),
        earlier_rounds=[ReviewRound(number, round_sign_offs) for number, round_sign_offs in rounds.items()],
        certifying=certifying,
        assignments=list(
            ReviewAssignment.objects.filter(article_id=revision.article_id, is_open=True).select_related("reviewer")
        ),
        timeline=article_timeline(workflow.article, limit=60),
        is_review_overdue=workflow.review_overdue_on(today),
    )


def _unchanged_claims(article: Article, revision: Revision, changes: DocumentChanges) -> list[tuple]:
    """The claims unchanged since the live words, grouped by the latest approved revision that had exactly their words.

    Groups come in the order of their first claim; a claim no approved revision had
    word for word (none, if the live words were approved) is in a group of its own, None.
    """
    approved = [entry for entry in approved_revisions(article) if entry.revision.number < revision.number]
    claims = {claim["uid"]: claim for section in revision.content["sections"] for claim in section["claims"]}
    rows = []
    for change in changes.claims:
        if change.status not in ("unchanged", "moved"):
            continue
        digest = claim_hash(claims[change.uid])
        found = next((entry for entry in approved if _claim_digest(entry.revision, change.uid) == digest), None)
        rows.append((found, change))
    groups: dict = {}
    for found, change in rows:
        groups.setdefault(found.revision.pk if found else None, (found, []))[1].append(change)
    return list(groups.values())


def _claim_digest(revision: Revision, uid: str) -> str | None:
    for section in revision.content["sections"]:
        for claim in section["claims"]:
            if claim["uid"] == uid:
                return claim_hash(claim)
    return None


def approval_count(revision: Revision, *, round: int = 1) -> int:
    """Count the people who approved exactly this revision in one review round: one person is one approval,
    whichever of their profiles (one per account they have had) signed."""
    approvals = revision.sign_offs.filter(decision=SignOff.Decision.APPROVE, round=round)
    signers = approvals.annotate(member=Coalesce("reviewer__member_id", "reviewer_id")).values_list(
        "signed_by_id", "member"
    )
    return count_people(signers)


def count_people(signers) -> int:
    """How many people these (account, member) pairs are: two pairs sharing an account, or a member (one
    person's profiles for their successive accounts), are one person. A handful of rows: counted here."""
    signers, person = list(signers), {}

    def root(node):
        while person.setdefault(node, node) != node:
            node = person[node]
        return node

    for account, member in signers:
        person[root(("account", account))] = root(("member", member))
    return len({root(("account", account)) for account, _ in signers})


def member_profiles(reviewer: Reviewer):
    """Every profile of the member `reviewer` is a profile of: theirs for each account they have had."""
    return Reviewer.objects.filter(Q(pk=reviewer.member_key) | Q(member_id=reviewer.member_key))


def approval_outcome(revision: Revision) -> str:
    """Say what an approval just recorded on `revision` did: the words are live, go live later, or wait for more."""
    workflow = ArticleWorkflow.objects.get(article_id=revision.article_id)
    if workflow.is_scheduled and workflow.current_revision_id == revision.pk:
        goes_live = _moment(workflow.go_live_at)
        return f"The board's approval is complete: revision {revision.number} goes live on {goes_live}."
    if workflow.state == State.APPROVED and workflow.live_revision_id == revision.pk:
        return f"The board's approval is complete: readers see revision {revision.number} now."
    missing = workflow.required_approvals - approval_count(revision, round=workflow.review_round)
    more = "1 more approval is" if missing == 1 else f"{missing} more approvals are"
    return f"{more} needed before readers see revision {revision.number}."


def _moment(value: datetime) -> str:
    return date_format(timezone.localtime(value), "j F Y, H:i T")


def approval_events(article_id: int):
    """The audit events of approvals that reached quorum: each names a revision the board approved.

    An approval reaching quorum goes live at once or waits for its go-live time; both count.
    """
    reached = TRANSITIONS[Action.APPROVE].reached_states
    return AuditEvent.objects.filter(article_id=article_id, action=Action.APPROVE, to_state__in=reached)


@dataclass(frozen=True)
class ApprovedRevision:
    revision: Revision
    approved_at: datetime
    approvers: list[str]  # the board profiles recorded on its approving sign-offs


def approved_revisions(article: Article) -> list[ApprovedRevision]:
    """The revisions of `article` that once reached quorum, newest first, with when and by whom (two queries)."""
    events = approval_events(article.pk).select_related("revision").order_by("-revision__number")
    sign_offs = SignOff.objects.filter(
        revision__in=[event.revision_id for event in events], decision=SignOff.Decision.APPROVE
    ).select_related("reviewer")
    approvers: dict[int, list[str]] = {}
    for sign_off in sign_offs.order_by("created_at"):
        approvers.setdefault(sign_off.revision_id, []).append(sign_off.reviewer.display_name)
    return [
        ApprovedRevision(
            revision=event.revision, approved_at=event.created_at, approvers=approvers.get(event.revision_id, [])
        )
        for event in events
    ]
