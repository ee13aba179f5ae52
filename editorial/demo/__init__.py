"""Demo content: staff accounts, the advisory board, references and articles.

The data lives in JSON beside this module (`people.json`, `content.json`);
seeding is idempotent, so running it again changes nothing and writes no
history.
"""

import json
from datetime import datetime, time, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Claim
from articles.services import article_sync
from config.history import acting_as, save_if_changed
from editorial.corrections import ChangeType
from editorial.intake import intake_problems
from editorial.models import ArticleWorkflow, Reviewer, ReviewThread, SignOff
from editorial.roles import ADVISORY_BOARD
from editorial.services import (
    article_expire,
    article_hold,
    article_rereview,
    article_schedule,
    article_submit,
    article_withdraw,
    review_approve,
    review_assign,
    review_request_changes,
    review_start,
    thread_reply,
)
from reader.models import EditorialPage
from reader.page_versions import page_version_approve, page_version_draft
from references.services import reference_upsert

DATA_DIR = Path(__file__).resolve().parent
DEFAULT_DEMO_PASSWORD = "demo-only-not-for-production"  # noqa: S105 - documented, local use only
USER_FIELDS = ("first_name", "last_name", "email")
REVIEWER_FIELDS = ("slug", "display_name", "credentials", "registration", "specialty", "bio", "conflict_of_interest")


def load_demo_data(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@transaction.atomic
def demo_seed(*, password: str = DEFAULT_DEMO_PASSWORD) -> dict:
    """Create or update every demo object; return counts of what now exists."""
    people = load_demo_data("people.json")
    content = load_demo_data("content.json")
    groups = {group.name: group for group in Group.objects.all()}

    # The site's first account makes itself, as `createsuperuser` does: its creation's history row
    # names it (editorial.accounts.models). It then makes the others, and gives itself its roles.
    first = next(person for person in people["staff"] if person.get("superuser"))
    administrator = _demo_user(first, password=password, is_staff=True, is_superuser=True, groups=None)
    users = {}
    with acting_as(administrator):
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
    _site_pages(content["pages"], users, board)  # before any sign-off, which records the disclaimer in force
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


def _site_pages(pages: list[dict], users, board) -> None:
    """Give each site page its demo words, drafted by an editor and approved by both roles; once only."""
    for entry in pages:
        page = EditorialPage.objects.get(slug=entry["slug"])
        words = {"title": entry["title"], "body": entry["body"], "patient_body": entry["patient_body"]}
        if page.versions.filter(**words).exists():
            continue  # drafted by an earlier run: a demo never rewrites the site's approved words
        newest = page.versions.order_by("-number").first()
        version = page_version_draft(
            page=page, drafted_by=users["editor"], based_on=newest.number if newest else 0, **words
        )
        page_version_approve(version=version, user=users["managing"], content_hash=version.content_hash)
        page_version_approve(version=version, user=board["dr.haddad"].user, content_hash=version.content_hash)


def _demo_user(person: dict, *, password: str, is_staff: bool, groups: list | None, is_superuser: bool = False):
    """Create or update a demo account; `groups` None leaves its groups as they are."""
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
    if groups is not None and {group.pk for group in user.groups.all()} != {group.pk for group in groups}:
        user.groups.set(groups)
    return user


# How far through the workflow each demo article has got, so the demo shows every state.

FULL_CHECKLIST = dict.fromkeys(SignOff.CHECKLIST, True)


def _in_two_weeks():
    return timezone.localdate() + timedelta(days=14)


def _morning_in(days: int) -> datetime:
    """Eight o'clock in the morning, local time, `days` from today."""
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(8)))


def _approve_all(revision, reviewers, *, attested_claims=()):
    for reviewer in reviewers:
        review_start(article=revision.article, user=reviewer.user)
        review_approve(
            revision=revision,
            user=reviewer.user,
            content_hash=revision.content_hash,
            conflict="none",
            checklist=FULL_CHECKLIST,
            attested_claims=attested_claims,
        )


def _approved(article, users, board, *, reviewers=None, quorum=None):
    """Submitted by an editor and approved at once by `reviewers` (Dr Haddad unless told): live (state: Approved)."""
    reviewers = reviewers or [board["dr.haddad"]]
    revision = article_submit(article=article, user=users["editor"])
    review_assign(article=article, assigned_by=users["managing"], reviewers=reviewers, quorum=quorum)
    _approve_all(revision, reviewers)
    return revision


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
        conflict="none",
        comment="Please state the daily doses used in the trials next to the effect sizes.",
        claim_notes=[
            {"claim_uid": first_claim["uid"], "flag": "dose", "text": "Give the dose and the population here."}
        ],
    )
    # The editor answers the note in its thread, as the threads page lets them; it stays open for the board.
    note_thread = ReviewThread.objects.get(article=article, claim_uid=first_claim["uid"])
    thread_reply(
        thread=note_thread,
        user=users["editor2"],
        revision=revision,
        text="The trials gave 800 IU a day to people over 65 living at home; I am adding both to the claim.",
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


def _scheduled(article, users, board):
    """Approved, waiting for the go-live time a managing editor set three days ahead: readers see nothing yet."""
    revision = article_submit(article=article, user=users["editor2"])
    review_assign(article=article, assigned_by=users["managing"], reviewers=[board["dr.moreau"]])
    article_schedule(
        article=article,
        user=users["managing"],
        go_live_at=_morning_in(3),
        expires_at=None,
        review_interval_months=None,
        note="Goes live on the morning the pain clinic's new patient leaflet is published.",
    )
    _approve_all(revision, [board["dr.moreau"]])


def _review_overdue(article, users, board):
    """Live, last reviewed thirteen months ago under the yearly interval: its review is overdue."""
    _approved(article, users, board, reviewers=[board["dr.lindqvist"]])
    _demo_backdate_last_review(article, days=400)


def _demo_backdate_last_review(article, *, days: int) -> None:
    """Demo data only: move the article's "last reviewed" `days` back, and "next review due" with it.

    The moves stamp the present and the demo has no clock to turn back, so the
    seed shifts these two dates of its own workflow row after making them, the
    way an article approved long ago would read. Nothing else moves: revisions,
    sign-offs and audit events are append-only and keep the time the seed ran.
    It writes no history (a queryset update), since no person made this change.
    Never use it outside the demo: real dates come from the moves alone.
    """
    workflow = ArticleWorkflow.objects.get(article=article)
    reviewed_at = workflow.approved_at - timedelta(days=days)
    ArticleWorkflow.objects.filter(pk=workflow.pk).update(
        approved_at=reviewed_at, next_review_due=workflow.review_due_after(reviewed_at)
    )


def _recertified(article, users, board):
    """Approved by one member, then re-reviewed unchanged by two others: round 2 certifies the same words."""
    revision = _approved(article, users, board)
    article_rereview(
        article=article, user=users["managing"], note="Yearly check: do the kidney thresholds still stand as written?"
    )
    pair = [board["dr.okafor"], board["dr.lindqvist"]]
    review_assign(article=article, assigned_by=users["managing"], reviewers=pair, quorum=2)
    _approve_all(revision, pair)


def _expired(article, users, board):
    """Approved, then taken offline by the expiry a managing editor set (state: Withdrawn, with the expiry notice).

    The periodic job expires an article once its time has passed; the demo gives
    the service that time as "now" rather than wait for it.
    """
    _approved(article, users, board, reviewers=[board["dr.okafor"]])
    expires_at = timezone.now() + timedelta(seconds=1)
    article_schedule(
        article=article,
        user=users["managing"],
        go_live_at=None,
        expires_at=expires_at,
        review_interval_months=None,
        note="Offline until the board has read the updated national guidance on second-choice antibiotics.",
    )
    article_expire(article=article, now=expires_at)


def _approved_until_expiry(article, users, board):
    """Live and corrected once, with an expiry a managing editor set nine months ahead unless re-reviewed first."""
    _corrected(article, users, board)
    article_schedule(
        article=article,
        user=users["managing"],
        go_live_at=None,
        expires_at=_morning_in(270),
        review_interval_months=None,
        note="Take it down when the national prescribing guidance is due for update, unless re-reviewed by then.",
    )


# The slip the corrected demo article's first approved revision made, and the words that put it right.
DEMO_SLIP = ("trimethoprim 200 mg twice daily for 3 days", "trimethoprim 200 mg twice daily for 7 days")
DEMO_CORRECTION = (
    "An earlier version gave the NICE course of trimethoprim as 7 days. For women who are not pregnant NICE "
    "advises 3 days; the 7-day course is for pregnancy."
)


def _corrected(article, users, board):
    """Approved with a slip in one claim's wording, then corrected and approved again: readers see the notice."""
    claim = Claim.objects.get(section__article=article, lead_in="NICE regimens")
    right, (correct, slip) = claim.text, DEMO_SLIP
    with acting_as(users["editor"]):
        save_if_changed(claim, {"text": right.replace(correct, slip)})
    _approved(article, users, board)
    with acting_as(users["editor2"]):
        save_if_changed(claim, {"text": right})
    revision = article_submit(
        article=article,
        user=users["editor2"],
        note="The trimethoprim course in the NICE claim was the pregnancy one.",
        change_type=ChangeType.CORRECTION,
        change_summary=DEMO_CORRECTION,
    )
    review_assign(article=article, assigned_by=users["managing"], reviewers=[board["dr.haddad"]])
    _approve_all(revision, [board["dr.haddad"]], attested_claims=[str(claim.uid)])


DEMO_SCENARIOS = {
    "low-dose-naltrexone-chronic-pain": _approved_with_update_in_review,
    "antibiotic-duration-uncomplicated-cystitis-women": _approved_until_expiry,
    "vitamin-d-fracture-prevention-older-adults": _changes_requested,
    "metformin-chronic-kidney-disease": _submitted,
    "cranberry-recurrent-uti": _withdrawn,
    "metformin-dose-moderate-kidney-disease": _held,
    "neuropathic-pain-first-line-medicines": _scheduled,
    "opioids-chronic-primary-pain": _review_overdue,
    "metformin-lactic-acidosis-kidney-function": _recertified,
    "fosfomycin-single-dose-cystitis": _expired,
    # "vitamin-d-annual-high-dose" stays a draft.
}
