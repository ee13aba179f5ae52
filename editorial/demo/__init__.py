"""Demo content: staff accounts, the advisory board, references and articles.

The data lives in JSON beside this module (`people.json`, `content.json`);
seeding is idempotent, so running it again changes nothing and writes no
history.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from articles.models import Article
from articles.services import article_sync
from config.history import acting_as, save_if_changed
from editorial.intake import intake_problems
from editorial.models import ArticleWorkflow, Reviewer, SignOff
from editorial.roles import ADVISORY_BOARD
from editorial.services import (
    article_hold,
    article_submit,
    article_withdraw,
    review_approve,
    review_assign,
    review_request_changes,
    review_start,
)
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
        articles = []
        for entry in content["articles"]:
            article = Article.objects.filter(slug=entry["slug"]).first()
            # Once an article is in the workflow its words belong to its revisions: never rewrite them.
            if article is None or not ArticleWorkflow.objects.filter(article=article).exists():
                if problems := intake_problems({"article": entry, "references": content["references"]}):
                    raise ValidationError(f"Demo article “{entry['slug']}”: {' '.join(problems)}")
                article = article_sync(data=entry, references=references)
            articles.append(article)
    board = {reviewer.user.username: reviewer for reviewer in reviewers}
    for article in articles:
        scenario = DEMO_SCENARIOS.get(article.slug)
        if scenario and not ArticleWorkflow.objects.filter(article=article).exists():
            scenario(article, users, board)
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


# How far through the workflow each demo article has got, so the demo shows every state.

FULL_CHECKLIST = dict.fromkeys(SignOff.CHECKLIST, True)


def _in_two_weeks():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() + timedelta(days=14)


def _approve_all(revision, reviewers):
    for reviewer in reviewers:
        review_start(article=revision.article, user=reviewer.user)
        review_approve(
            revision=revision, user=reviewer.user, content_hash=revision.content_hash, checklist=FULL_CHECKLIST
        )


def _approved(article, users, board):
    revision = article_submit(article=article, user=users["editor"])
    review_assign(article=article, assigned_by=users["managing"], reviewers=[board["dr.haddad"]])
    _approve_all(revision, [board["dr.haddad"]])


def _approved_with_update_in_review(article, users, board):
    """The LDN article: approved by two members, then updated and back in review."""
    first = article_submit(article=article, user=users["editor"])
    pair = [board["dr.okafor"], board["dr.moreau"]]
    review_assign(article=article, assigned_by=users["managing"], reviewers=pair, quorum=2)
    _approve_all(first, pair)
    claim = article.sections.get(order=1).claims.get(order=1)
    with acting_as(users["editor2"]):
        save_if_changed(
            claim,
            {"plain_text": claim.plain_text + " Your prescriber raises the dose in small steps over several weeks."},
        )
    article_submit(article=article, user=users["editor2"], note="Clearer patient wording on how the dose is raised.")
    review_assign(
        article=article,
        assigned_by=users["managing"],
        reviewers=[board["dr.okafor"], board["dr.lindqvist"]],
        due_date=_in_two_weeks(),
        quorum=2,
    )
    review_start(article=article, user=board["dr.okafor"].user)


def _changes_requested(article, users, board):
    # This one stays hidden from readers until approved, whatever the site's pending policy.
    with acting_as(users["managing"]):
        save_if_changed(article, {"pending_display": "hide"})
    revision = article_submit(article=article, user=users["editor2"])
    reviewer = board["dr.lindqvist"]
    review_assign(article=article, assigned_by=users["managing"], reviewers=[reviewer], due_date=_in_two_weeks())
    review_start(article=article, user=reviewer.user)
    first_claim = revision.content["sections"][0]["claims"][0]
    review_request_changes(
        revision=revision,
        user=reviewer.user,
        content_hash=revision.content_hash,
        comment="Please state the daily doses used in the trials next to the effect sizes.",
        claim_notes=[
            {"claim_uid": first_claim["uid"], "flag": "dose", "text": "Give the dose and the population here."}
        ],
    )


def _submitted(article, users, board):
    article_submit(article=article, user=users["editor"])
    review_assign(
        article=article,
        assigned_by=users["managing"],
        reviewers=[board["dr.moreau"], board["dr.haddad"]],
        due_date=_in_two_weeks(),
    )


def _withdrawn(article, users, board):
    _approved(article, users, board)
    article_withdraw(
        article=article,
        user=users["managing"],
        reason="Withdrawn while the board reviews newer evidence on this question.",
        public_reason="Newer evidence on this question is being reviewed by our medical advisory board.",
    )


def _held(article, users, board):
    """Approved, then held for safety by a board member who was never assigned to it."""
    revision = article_submit(article=article, user=users["editor"])
    review_assign(article=article, assigned_by=users["managing"], reviewers=[board["dr.lindqvist"]])
    _approve_all(revision, [board["dr.lindqvist"]])
    article_hold(
        article=article,
        user=board["dr.okafor"].user,
        revision=revision,
        reason="A reader asked whether the 1,000 mg ceiling applies to the extended-release tablets; checking.",
        public_reason="We are checking the dose advice in this answer.",
    )


DEMO_SCENARIOS = {
    "low-dose-naltrexone-chronic-pain": _approved_with_update_in_review,
    "antibiotic-duration-uncomplicated-cystitis-women": _approved,
    "vitamin-d-fracture-prevention-older-adults": _changes_requested,
    "metformin-chronic-kidney-disease": _submitted,
    "cranberry-recurrent-uti": _withdrawn,
    "metformin-dose-moderate-kidney-disease": _held,
    # "vitamin-d-annual-high-dose" stays a draft.
}
