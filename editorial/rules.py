"""Who is who in the workflow, and what each person may do now: the predicates behind the table's roles."""

from django.db.models import Q

from editorial.models import ArticleWorkflow, ReviewAssignment, Reviewer, Revision, SignOff
from editorial.workflow import TRANSITIONS, Action, Role


def is_editor(user) -> bool:
    return bool(user and user.is_active and user.has_perm("articles.change_article"))


def is_managing_editor(user) -> bool:
    """Managing editors run reviews: they assign board members, withdraw articles and release holds."""
    return bool(
        user and user.is_active and user.has_perms(["editorial.assign_reviewers", "editorial.withdraw_article"])
    )


def active_reviewer(user) -> Reviewer | None:
    """Return the user's board profile if they are an active board member who may sign off."""
    if not (user and user.is_active and user.has_perm("editorial.sign_off")):
        return None
    return Reviewer.objects.filter(user=user, is_active=True).first()


def is_assigned_reviewer(user, article) -> bool:
    reviewer = active_reviewer(user)
    return bool(reviewer and ReviewAssignment.objects.filter(article=article, reviewer=reviewer, is_open=True).exists())


class _Schedule:
    """The schedule a managing editor set, standing in for a person in the moves it makes (go live, expire).

    It holds `Role.SCHEDULE` and no other role; no person holds that role, so
    nobody is ever offered those moves. Its audit events name the managing
    editor who set the schedule.
    """

    is_active = False
    pk = None

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_perms(self, perms, obj=None) -> bool:
        return False

    def __str__(self):
        return "the schedule"


THE_SCHEDULE = _Schedule()

ROLE_TESTS = {
    Role.EDITOR: lambda user, article: is_editor(user),
    Role.MANAGING_EDITOR: lambda user, article: is_managing_editor(user),
    Role.ASSIGNED_REVIEWER: is_assigned_reviewer,
    Role.BOARD_MEMBER: lambda user, article: active_reviewer(user) is not None,
    Role.SCHEDULE: lambda user, article: user is THE_SCHEDULE,
}


def holds_any_role(user, roles, article) -> bool:
    return any(ROLE_TESTS[role](user, article) for role in roles)


# Signing moves: the reviewer must not have written the words, nor signed them already.
SIGNING = frozenset({Action.APPROVE, Action.REQUEST_CHANGES})
REVIEWING = SIGNING | {Action.START_REVIEW}


def available_actions(user, workflow: ArticleWorkflow | None, *, article=None) -> list[Action]:
    """Return the moves `user` may make on the article now, in the table's order.

    The one answer to "what to offer": when (the table's sources, and a live
    revision where needed), who (its roles), and, for reviewing, the separation
    of duties and one sign-off per person. Input (a reason, changed words to
    submit) is checked when the move is made. Each role is asked at most once.
    """
    workflow = workflow or ArticleWorkflow(article=article, article_id=getattr(article, "pk", None))
    possible = [action for action, move in TRANSITIONS.items() if move.is_possible(workflow)]
    roles: dict[Role, bool] = {}

    def holds(role) -> bool:
        if role not in roles:
            roles[role] = ROLE_TESTS[role](user, workflow.article)
        return roles[role]

    allowed = [action for action in possible if any(holds(role) for role in sorted(TRANSITIONS[action].actors))]
    if REVIEWING & set(allowed) and _wrote(user, workflow.current_revision):
        allowed = [action for action in allowed if action not in REVIEWING]
    if SIGNING & set(allowed) and _signed(user, workflow):
        allowed = [action for action in allowed if action not in SIGNING]
    return allowed


def _wrote(user, revision) -> bool:
    return bool(revision and revision.contributors.filter(pk=user.pk).exists())


def _signed(user, workflow: ArticleWorkflow) -> bool:
    """Whether `user` already signed the revision in review in this review round."""
    return bool(workflow.current_revision_id and SignOff.objects.of_review(workflow).filter(signed_by=user).exists())


def may_manage_expert_links(user) -> bool:
    """Whether `user` may invite outside experts to read a revision, see their links' use and revoke them.

    Managing editors (and superusers) only: a link hands unapproved words to
    someone outside the site, so the people who run reviews decide who gets one.
    """
    return is_managing_editor(user)


# Sign-off reports (`audit`): who may read the proof of who approved what.


def may_read_sign_off_report(user, article) -> bool:
    """Whether `user` may read the sign-off report of `article`.

    Managing editors (and superusers) read every report. A board member reads
    those of articles they were ever assigned to or signed; an editor those of
    articles whose revisions they wrote or contributed to. Either must still
    hold that role: a former member or editor reads nothing.
    """
    if not (user and user.is_active):
        return False
    if is_managing_editor(user):
        return True
    if user.has_perm("editorial.sign_off") and (
        ReviewAssignment.objects.filter(article=article, reviewer__user=user).exists()
        or SignOff.objects.filter(revision__article=article, signed_by=user).exists()
    ):
        return True
    return is_editor(user) and (
        Revision.objects.filter(article=article).filter(Q(created_by=user) | Q(contributors=user)).exists()
    )


def is_editor_of(user, article) -> bool:
    """Whether `user` is an editor of `article`: they hold the editor role and wrote or edited one of its revisions."""
    return is_editor(user) and (
        Revision.objects.filter(article=article).filter(Q(created_by=user) | Q(contributors=user)).exists()
    )


# Review threads: the conversation between the board and the article's editors.


def may_take_part_in_threads(user, article) -> bool:
    """Whether `user` may read the article's review threads, open, answer, resolve and reopen them.

    The article's editors (`is_editor_of`), managing editors, and the board
    members who are or were assigned to review it: the people the notes are
    for and the people who wrote them. Another editor, or a board member never
    assigned to it, may not; nor may anyone who no longer holds the role.
    """
    if not (user and user.is_active):
        return False
    if is_managing_editor(user):
        return True
    reviewer = active_reviewer(user)
    if reviewer and ReviewAssignment.objects.filter(article=article, reviewer=reviewer).exists():
        return True
    return is_editor_of(user, article)


def may_see_editors_inbox(user) -> bool:
    """Whether `user` may open the editors' inbox: anyone with the editor role, managing editors included."""
    return is_editor(user) or is_managing_editor(user)


def may_export_sign_offs(user) -> bool:
    """Whether `user` may export every sign-off of the library: managing editors (and superusers) only."""
    return is_managing_editor(user)


def may_triage_problem_reports(user) -> bool:
    """Whether `user` may read readers' problem reports and move them between states: managing editors only."""
    return is_managing_editor(user)
