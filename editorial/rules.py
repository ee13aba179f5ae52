"""Who is who in the workflow: the predicates behind the transition table's roles."""

from editorial.models import ReviewAssignment, Reviewer
from editorial.workflow import Role


def is_editor(user) -> bool:
    return bool(user and user.is_active and user.has_perm("articles.change_article"))


def is_managing_editor(user) -> bool:
    """Managing editors run reviews: they assign board members and withdraw articles."""
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


ROLE_TESTS = {
    Role.EDITOR: lambda user, article: is_editor(user),
    Role.MANAGING_EDITOR: lambda user, article: is_managing_editor(user),
    Role.ASSIGNED_REVIEWER: is_assigned_reviewer,
}


def holds_any_role(user, roles, article) -> bool:
    return any(ROLE_TESTS[role](user, article) for role in roles)
