"""A sign-off belongs to a person, permanently: one person is one approval, whatever profiles they held.

A board profile (`Reviewer`) stays with the account it was made for: the model, the
admin and the database refuse to move it. Sign-offs record the person who signed
(`signed_by`); a person signs a revision once, and a quorum counts people.
"""

from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from editorial.errors import AlreadySignedOff
from editorial.models import ArticleWorkflow, Reviewer, SignOff
from editorial.services import review_start
from editorial.workflow import State
from reader.selectors import approving_reviewers
from tests.factories import EditorFactory, ReviewerFactory, UserFactory
from tests.workflow_helpers import FULL_CHECKLIST, approve, citable_article, under_review

pytestmark = pytest.mark.django_db


@contextmanager
def account_guard_lifted():
    """Switch off the database's refusal to move a profile, as a careless database session could.

    Only inside the test's own transaction: rolling it back puts the trigger back.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks may block the DDL
            cursor.execute("DROP TRIGGER editorial_reviewer_account_fixed ON editorial_reviewer")
        else:
            cursor.execute("DROP TRIGGER editorial_reviewer_account_fixed")
    yield


def swap_profiles(first: Reviewer, second: Reviewer, *, parking) -> None:
    """Move `first` to the account `parking`, then `second` to first's old account (the attack)."""
    first_user = first.user_id
    Reviewer.objects.filter(pk=first.pk).update(user=parking)
    Reviewer.objects.filter(pk=second.pk).update(user_id=first_user)


def signed_by_usernames(revision) -> list[str]:
    return list(revision.sign_offs.order_by("pk").values_list("signed_by__username", flat=True))


# The sign-off names the person.


def test_sign_off_records_the_person_who_signed(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    sign_off = approve(revision, reviewer)
    assert (sign_off.signed_by, sign_off.reviewer) == (reviewer.user, reviewer)
    assert list(SignOff.history.values_list("signed_by", "reviewer")) == [(reviewer.user_id, reviewer.pk)]


def test_sign_off_naming_another_account_than_its_profiles_is_invalid(editor, managing_editor):
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    forged = SignOff(
        revision=revision,
        content_hash=revision.content_hash,
        reviewer=reviewer,
        signed_by=UserFactory(),
        decision=SignOff.Decision.APPROVE,
        **FULL_CHECKLIST,
    )
    with pytest.raises(ValidationError) as refused:
        forged.full_clean()
    assert refused.value.messages == ["A sign-off names the account of the board profile that signed it."]


# A profile stays with its account.


def test_moving_a_profile_to_another_account_is_refused_by_the_model():
    reviewer = ReviewerFactory()
    owner = reviewer.user
    reviewer.user = UserFactory()
    with pytest.raises(ValidationError) as refused:
        reviewer.save()
    assert refused.value.message_dict == {"user": [Reviewer.ACCOUNT_FIXED]}
    assert Reviewer.objects.get(pk=reviewer.pk).user == owner


def test_validating_a_profile_moved_to_another_account_reports_the_account_field():
    reviewer = Reviewer.objects.get(pk=ReviewerFactory().pk)
    reviewer.user = UserFactory()
    with pytest.raises(ValidationError) as refused:
        reviewer.full_clean()
    assert refused.value.message_dict["user"] == [Reviewer.ACCOUNT_FIXED]


def test_a_profile_keeps_every_other_detail_editable():
    reviewer = ReviewerFactory()
    reviewer = Reviewer.objects.get(pk=reviewer.pk)
    reviewer.display_name = "Dr Amara Okafor-Smith"
    reviewer.save()
    assert Reviewer.objects.get(pk=reviewer.pk).display_name == "Dr Amara Okafor-Smith"


def test_the_profile_swap_is_refused_by_the_database():
    first, second = ReviewerFactory(), ReviewerFactory()
    owners = (first.user_id, second.user_id)
    with pytest.raises(DatabaseError), transaction.atomic():
        swap_profiles(first, second, parking=UserFactory())
    accounts = Reviewer.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk").values_list("user_id", flat=True)
    assert tuple(accounts) == owners


def test_the_database_lets_a_profile_change_its_other_details():
    reviewer = ReviewerFactory()
    Reviewer.objects.filter(pk=reviewer.pk).update(display_name="Dr Renamed", user=reviewer.user)
    assert Reviewer.objects.get(pk=reviewer.pk).display_name == "Dr Renamed"


# One person, one approval.


def test_one_person_with_two_profiles_over_time_cannot_reach_quorum_alone(editor, managing_editor):
    article = citable_article()
    revision, (own, colleagues) = under_review(article, editor, managing_editor, reviewers=2, quorum=2)
    member = own.user
    approve(revision, own)
    with account_guard_lifted():
        swap_profiles(own, colleagues, parking=UserFactory())
        with pytest.raises(AlreadySignedOff, match="You already signed off revision 1"):
            approve(revision, Reviewer.objects.get(pk=colleagues.pk))
    assert ArticleWorkflow.objects.get(article=article).state == State.UNDER_REVIEW
    assert signed_by_usernames(revision) == [member.username]


def test_the_database_refuses_a_second_sign_off_by_the_same_person(editor, managing_editor):
    article = citable_article()
    revision, (own, colleagues) = under_review(article, editor, managing_editor, reviewers=2, quorum=2)
    first = approve(revision, own)
    second = SignOff(
        revision=revision,
        content_hash=revision.content_hash,
        reviewer=colleagues,
        signed_by=first.signed_by,
        decision=SignOff.Decision.APPROVE,
        **FULL_CHECKLIST,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    assert signed_by_usernames(revision) == [own.user.username]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Needs PostgreSQL: the test lifts the one-sign-off-per-person constraint in place, "
    "which SQLite cannot do without rebuilding the table.",
)
def test_quorum_counts_distinct_people_not_sign_offs(editor, managing_editor):
    article = citable_article()
    revision, (own, colleagues, third) = under_review(article, editor, managing_editor, reviewers=3, quorum=3)
    approve(revision, own)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE editorial_signoff DROP CONSTRAINT signoff_once_per_person_and_round")
    SignOff(  # a second approval by the same person, as a row the database no longer stops
        revision=revision,
        content_hash=revision.content_hash,
        reviewer=colleagues,
        signed_by=own.user,
        decision=SignOff.Decision.APPROVE,
        **FULL_CHECKLIST,
    ).save()
    review_start(article=article, user=third.user)
    approve(revision, third)
    workflow = ArticleWorkflow.objects.get(article=article)
    assert (workflow.state, workflow.live_revision) == (State.UNDER_REVIEW, None)


# Who the public page and the desk name.


def test_public_page_names_each_approving_doctor_once(editor, managing_editor):
    article = citable_article()
    revision, (first, second) = under_review(article, editor, managing_editor, reviewers=2, quorum=2)
    approve(revision, first)
    review_start(article=article, user=second.user)
    approve(revision, second)
    assert approving_reviewers(revision) == [first, second]


def test_desk_names_the_profile_recorded_on_each_sign_off(client, editor, managing_editor):
    article = citable_article()
    revision, (first, _second) = under_review(article, editor, managing_editor, reviewers=2, quorum=2)
    approve(revision, first)
    client.force_login(managing_editor)
    page = client.get(reverse("desk:review", args=[article.slug, revision.number])).content.decode()
    assert f"{first}: <strong>Approve</strong>" in page


# The admin: managing editors keep profiles; an existing profile's account is read-only.


def reviewer_form_data(reviewer, **changes):
    data = {
        "user": reviewer.user_id,
        "display_name": reviewer.display_name,
        "slug": reviewer.slug,
        "credentials": reviewer.credentials,
        "specialty": reviewer.specialty,
        "is_active": "on",
        "bio": "",
        "conflict_of_interest": "",
    }
    return data | changes


def test_admin_shows_an_existing_profiles_account_read_only(client, managing_editor):
    reviewer = ReviewerFactory()
    client.force_login(managing_editor)
    page = client.get(reverse("admin:editorial_reviewer_change", args=[reviewer.pk]))
    assert page.status_code == 200
    assert 'name="user"' not in page.content.decode()


def test_admin_ignores_an_account_posted_for_an_existing_profile(client, managing_editor):
    reviewer = ReviewerFactory()
    client.force_login(managing_editor)
    other = UserFactory()
    response = client.post(
        reverse("admin:editorial_reviewer_change", args=[reviewer.pk]),
        reviewer_form_data(reviewer, user=other.pk, specialty="Cardiology"),
    )
    assert response.status_code == 302
    assert Reviewer.objects.filter(pk=reviewer.pk).values_list("user_id", "specialty").get() == (
        reviewer.user_id,
        "Cardiology",
    )


def test_admin_lets_a_managing_editor_choose_the_account_of_a_new_profile(client, managing_editor):
    account = UserFactory()
    client.force_login(managing_editor)
    new = ReviewerFactory.build(user=account)
    response = client.post(reverse("admin:editorial_reviewer_add"), reviewer_form_data(new))
    assert response.status_code == 302
    assert Reviewer.objects.get(slug=new.slug).user == account


def test_only_managing_editors_hold_permissions_to_keep_profiles():
    holders = Permission.objects.filter(
        content_type__app_label="editorial",
        codename__in=["add_reviewer", "change_reviewer", "delete_reviewer"],
        group__isnull=False,
    ).values_list("group__name", "codename")
    assert sorted(holders) == [("Managing Editors", "add_reviewer"), ("Managing Editors", "change_reviewer")]


@pytest.mark.parametrize("roles", [["Editors"], ["Advisory Board"], ["Editors", "Advisory Board"]])
def test_editors_and_board_members_cannot_add_a_profile(client, roles):
    client.force_login(EditorFactory(roles=roles))
    assert client.get(reverse("admin:editorial_reviewer_add")).status_code == 403


@pytest.mark.parametrize("roles", [["Editors"], ["Advisory Board"], ["Editors", "Advisory Board"]])
def test_editors_and_board_members_cannot_change_a_profile(client, roles):
    reviewer = ReviewerFactory()
    client.force_login(EditorFactory(roles=roles))
    response = client.post(
        reverse("admin:editorial_reviewer_change", args=[reviewer.pk]),
        reviewer_form_data(reviewer, display_name="Dr Someone Else"),
    )
    assert response.status_code == 403
    assert Reviewer.objects.get(pk=reviewer.pk).display_name == reviewer.display_name
