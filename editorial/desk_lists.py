"""The review desk's lists: each one query, whose head the desk shows and whose pages `/review/queues/<key>/` serves.

A board member with a thousand open assignments, or a managing editor over a
library of a hundred thousand articles, gets a desk that costs the same
queries and bytes as a small one: every list is filtered, ordered and sliced
in the database, with the revisions' content (the whole article document)
left unread, and the desk shows the first `SHOWN` entries of each with a link
to the rest.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from editorial.models import ArticleWorkflow, ReviewAssignment, Reviewer, SignOff
from editorial.workflow import IN_REVIEW_CYCLE, REVIEWABLE_STATES

SHOWN = 10  # entries of each list on the desk itself
PAGE_SIZE = 50  # entries on each page of a whole list
DUE_SOON_DAYS = 3
# A list never reads the article document of the revisions it names.
UNREAD = ("current_revision__content", "live_revision__content", "held_revision__content")


class PagedById:
    """A list read a page at a time through its ids: the page's ids in a subquery, then its rows with their columns.

    A member's lists join each assignment to its article, workflow and revision,
    and ask whether they signed the round in progress. Asked of the whole
    ordered list, PostgreSQL planned for all of the member's open assignments
    (ten thousand at a hundred thousand articles): it joined and sorted them
    all, and read every sign-off of the member to answer the question by
    hashing, to show ten. The ids alone come in order from the index
    `assignment_open_by_due`; the joins and the question are then asked of
    the page's rows only. Still one query a page, sliced as a queryset is.
    """

    def __init__(self, rows: QuerySet):
        self.rows = rows

    def count(self) -> int:
        return self.rows.count()

    def __getitem__(self, index: slice) -> QuerySet:
        return self.rows.filter(pk__in=self.rows.values("pk")[index])


def _paged_by_id(rows: Callable[..., QuerySet]) -> Callable[..., PagedById]:
    def paged(reviewer, today):
        return PagedById(rows(reviewer, today))

    paged.__doc__ = rows.__doc__
    return paged


@dataclass(frozen=True)
class QueueEntry:
    """One of a board member's open assignments, as their lists show it."""

    assignment: ReviewAssignment
    workflow: ArticleWorkflow
    has_signed_current: bool
    is_overdue: bool
    is_due_soon: bool


@dataclass(frozen=True)
class DeskList:
    """A list on the desk: who sees it, what it is called, how to read it and how to draw a page of it."""

    key: str
    heading: str
    empty: str  # what the desk says when nothing is in it (formatted as `heading` is)
    template: str  # draws `entries`, a page of the list
    for_managing_editors: bool  # else for board members, their own assignments
    rows: Callable[..., QuerySet | PagedById]  # (reviewer=, today=) -> the whole list, ordered, to slice or count

    @property
    def title(self) -> str:
        return self.heading.format(reminder_days=settings.EDITORIAL_REVIEW_REMINDER_DAYS)

    @property
    def empty_text(self) -> str:
        return self.empty.format(reminder_days=settings.EDITORIAL_REVIEW_REMINDER_DAYS)

    def entries(self, rows, *, today: date) -> list:
        """What the template draws for `rows`, a slice of `rows()`: assignments become `QueueEntry`s."""
        if self.for_managing_editors:
            return list(rows)
        return [_queue_entry(assignment, today) for assignment in rows]


def _open_assignments(reviewer: Reviewer, today: date) -> QuerySet:
    """The member's open assignments, soonest due first, each knowing whether they signed the round in progress."""
    # A re-review asks again for the same revision: only a sign-off in the round in progress counts.
    signed_current = SignOff.objects.filter(
        reviewer=reviewer,
        revision=OuterRef("article__workflow__current_revision"),
        round=OuterRef("article__workflow__review_round"),
    )
    return (
        ReviewAssignment.objects.filter(reviewer=reviewer, is_open=True)
        .select_related("article__workflow__current_revision")
        .defer("article__workflow__current_revision__content")
        .annotate(has_signed_current=Exists(signed_current))
        .order_by(F("due_date").asc(nulls_last=True), "assigned_at", "pk")
    )


def _awaiting(reviewer: Reviewer, today: date) -> QuerySet:
    return _open_assignments(reviewer, today).filter(
        has_signed_current=False, article__workflow__state__in=REVIEWABLE_STATES
    )


def _due(reviewer: Reviewer, today: date) -> QuerySet:
    """Awaiting the member and overdue or due within `DUE_SOON_DAYS`."""
    return _awaiting(reviewer, today).filter(due_date__lte=today + timedelta(days=DUE_SOON_DAYS))


def _queue_entry(assignment: ReviewAssignment, today: date) -> QueueEntry:
    due = assignment.due_date
    return QueueEntry(
        assignment=assignment,
        workflow=assignment.article.workflow,
        has_signed_current=assignment.has_signed_current,
        is_overdue=bool(due and due < today),
        is_due_soon=bool(due and today <= due <= today + timedelta(days=DUE_SOON_DAYS)),
    )


def _workflows() -> QuerySet:
    return ArticleWorkflow.objects.select_related(
        "article", "current_revision", "live_revision", "held_revision"
    ).defer(*UNREAD)


def _unassigned(reviewer, today: date) -> QuerySet:
    """Submissions waiting for a managing editor to assign board members, longest waiting first."""
    with_reviewers = ReviewAssignment.objects.filter(article=OuterRef("article"), is_open=True)
    return _workflows().filter(~Exists(with_reviewers), state__in=REVIEWABLE_STATES).order_by("updated_at", "pk")


def _in_progress(reviewer, today: date) -> QuerySet:
    """Articles with board members assigned, with those members, longest in review first."""
    with_reviewers = ReviewAssignment.objects.filter(article=OuterRef("article"), is_open=True)
    open_assignments = Prefetch(
        "article__assignments",
        queryset=ReviewAssignment.objects.filter(is_open=True).select_related("reviewer"),
        to_attr="open_assignments",
    )
    return (
        _workflows()
        .filter(Exists(with_reviewers), state__in=IN_REVIEW_CYCLE)
        .prefetch_related(open_assignments)
        .order_by("updated_at", "pk")
    )


def _review_overdue(reviewer, today: date) -> QuerySet:
    """Live articles past their review date, longest overdue first, then in the order they were made.

    Thousands long in a large library, so ordered by the workflow's own
    columns: sorting by title too made PostgreSQL hash-join every article in
    the library to show fifty.
    """
    return _workflows().review_overdue(today).order_by("next_review_due", "pk")


def _review_due_soon(reviewer, today: date) -> QuerySet:
    return _workflows().review_due_soon(today).order_by("next_review_due", "article__title", "pk")


def _scheduled(reviewer, today: date) -> QuerySet:
    return _workflows().scheduled().order_by("go_live_at", "article__title", "pk")


def _expiring(reviewer, today: date) -> QuerySet:
    return _workflows().expiring().order_by("expires_at", "article__title", "pk")


def _held(reviewer, today: date) -> QuerySet:
    """Articles a safety hold keeps from readers, longest held first."""
    return _workflows().held().order_by("updated_at", "pk")


DESK_LISTS = {
    desk_list.key: desk_list
    for desk_list in (
        DeskList(
            "awaiting", "Awaiting your review", "Nothing is waiting for you. Thank you.",
            "editorial/desk/lists/awaiting.html", False, _paged_by_id(_awaiting),
        ),
        DeskList(
            "due", "Due soon or overdue", f"No review of yours is due in the next {DUE_SOON_DAYS} days.",
            "editorial/desk/lists/due.html", False, _paged_by_id(_due),
        ),
        DeskList(
            "assigned", "Assigned to you", "You have no open assignments.",
            "editorial/desk/lists/assigned.html", False, _paged_by_id(_open_assignments),
        ),
        DeskList(
            "unassigned", "Submissions without reviewers", "Every submission has reviewers.",
            "editorial/desk/lists/unassigned.html", True, _unassigned,
        ),
        DeskList(
            "in-progress", "Reviews in progress", "No review is in progress.",
            "editorial/desk/lists/in_progress.html", True, _in_progress,
        ),
        DeskList(
            "review-overdue", "Review overdue", "No live article is overdue for review.",
            "editorial/desk/lists/review_overdue.html", True, _paged_by_id(_review_overdue),
        ),
        DeskList(
            "review-due-soon", "Review due within {reminder_days} days",
            "No live article's review falls due within {reminder_days} days.",
            "editorial/desk/lists/review_due_soon.html", True, _review_due_soon,
        ),
        DeskList(
            "scheduled", "Scheduled to go live", "No approved revision is waiting for a go-live time.",
            "editorial/desk/lists/scheduled.html", True, _scheduled,
        ),
        DeskList(
            "expiring", "Expiring", "No live article has an expiry date.",
            "editorial/desk/lists/expiring.html", True, _expiring,
        ),
        DeskList(
            "held", "Held for safety", "No article is held.",
            "editorial/desk/lists/held.html", True, _held,
        ),
    )
}  # fmt: skip


@dataclass(frozen=True)
class ListHead:
    """The first entries of a list, as the desk shows it, and whether more follow."""

    desk_list: DeskList
    entries: list
    has_more: bool


def list_head(desk_list: DeskList, *, reviewer: Reviewer | None, today: date) -> ListHead:
    """The first `SHOWN` entries of the list, read with one more to know whether there are others (one query)."""
    rows = list(desk_list.rows(reviewer=reviewer, today=today)[: SHOWN + 1])
    return ListHead(desk_list, desk_list.entries(rows[:SHOWN], today=today), has_more=len(rows) > SHOWN)


def lists_for(*, reviewer: Reviewer | None, is_managing_editor: bool) -> list[DeskList]:
    """The lists a person's desk shows: a member's own assignments, then the managing editors' lists."""
    return [
        desk_list
        for desk_list in DESK_LISTS.values()
        if (desk_list.for_managing_editors and is_managing_editor)
        or (not desk_list.for_managing_editors and reviewer is not None)
    ]
