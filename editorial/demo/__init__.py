"""Demo content: staff accounts, the advisory board, references and articles.

The data lives in JSON beside this module (`people.json`, `content.json`);
seeding is idempotent, so running it again changes nothing and writes no
history.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from articles.services import article_sync
from config.history import acting_as, save_if_changed
from editorial.models import Reviewer
from editorial.roles import ADVISORY_BOARD
from references.services import reference_upsert

DATA_DIR = Path(__file__).resolve().parent
DEFAULT_DEMO_PASSWORD = "demo-only-not-for-production"  # noqa: S105 - documented, local use only
USER_FIELDS = ("first_name", "last_name", "email")
REVIEWER_FIELDS = ("slug", "display_name", "credentials", "specialty", "bio", "conflict_of_interest")


def load_demo_data(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@transaction.atomic
def demo_seed(*, password: str = DEFAULT_DEMO_PASSWORD) -> dict:
    """Create or update every demo object; return counts of what now exists."""
    people = load_demo_data("people.json")
    content = load_demo_data("content.json")
    groups = {group.name: group for group in Group.objects.all()}

    users = {}
    for person in people["staff"]:
        users[person["username"]] = _demo_user(
            person,
            password=password,
            is_staff=person.get("staff", True),
            is_superuser=person.get("superuser", False),
            groups=[groups[role] for role in person["roles"]],
        )
    with acting_as(users["managing"]):
        reviewers = []
        for member in people["board"]:
            user = _demo_user(member, password=password, is_staff=True, groups=[groups[ADVISORY_BOARD]])
            reviewer = Reviewer.objects.filter(user=user).first() or Reviewer(user=user)
            reviewers.append(save_if_changed(reviewer, {field: member[field] for field in REVIEWER_FIELDS}))
    with acting_as(users["editor"]):
        references = {entry["key"]: reference_upsert(data=entry) for entry in content["references"]}
        articles = [article_sync(data=entry, references=references) for entry in content["articles"]]
    return {
        "users": len(users) + len(reviewers),
        "reviewers": len(reviewers),
        "references": len(references),
        "articles": len(articles),
    }


def _demo_user(person: dict, *, password: str, is_staff: bool, groups: list, is_superuser: bool = False):
    User = get_user_model()
    user = User.objects.filter(username=person["username"]).first() or User(username=person["username"])
    values = {field: person[field] for field in USER_FIELDS}
    values |= {"is_staff": is_staff or is_superuser, "is_superuser": is_superuser, "is_active": True}
    changed = user._state.adding or any(getattr(user, field) != value for field, value in values.items())
    for field, value in values.items():
        setattr(user, field, value)
    if user._state.adding or not user.check_password(password):
        user.set_password(password)
        changed = True
    if changed:
        user.save()
    if {group.pk for group in user.groups.all()} != {group.pk for group in groups}:
        user.groups.set(groups)
    return user
