"""One member is one person, whatever accounts they have had: their profiles count once and sign once.

A member who gets a new account gets a new board profile that succeeds the old
one (made inactive first). Without that link the two profiles would be two
people, and one physician could make a quorum of two alone.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from editorial.errors import AlreadySignedOff
from editorial.models import Reviewer, SignOff
from editorial.selectors import approval_count
from editorial.services import review_assign, review_start
from tests.factories import BoardMemberFactory, ReviewerFactory
from tests.workflow_helpers import FULL_CHECKLIST, approve, citable_article, edit_claim, submitted, under_review

pytestmark = pytest.mark.django_db


def new_account_for(profile: Reviewer, **fields) -> Reviewer:
    """What a managing editor does when a member gets a new account: retire the profile, add its successor."""
    profile.is_active = False
    profile.save()
    successor = ReviewerFactory.build(
        user=BoardMemberFactory(), succeeds=profile, registration=profile.registration, **fields
    )
    successor.full_clean()
    successor.save()
    return successor


def test_a_member_approving_again_through_a_new_accounts_profile_is_refused(editor, managing_editor):
    article = citable_article()
    revision, (member, other) = under_review(article, editor, managing_editor, reviewers=2, quorum=2)
    approve(revision, member)
    successor = new_account_for(member)
    review_assign(article=article, assigned_by=managing_editor, reviewers=[successor, other], quorum=2)

    with pytest.raises(AlreadySignedOff):
        approve(revision, successor)

    assert approval_count(revision) == 1


def test_approvals_through_two_profiles_of_one_member_count_as_one(editor, managing_editor):
    article = citable_article()
    revision, (member, _other) = under_review(article, editor, managing_editor, reviewers=2, quorum=2)
    approve(revision, member)
    successor = new_account_for(member)
    # A record written past the service (an import of old data, say): the count still sees one member.
    SignOff.objects.create(
        revision=revision,
        content_hash=revision.content_hash,
        reviewer=successor,
        signed_by=successor.user,
        decision=SignOff.Decision.APPROVE,
        **FULL_CHECKLIST,
    )

    assert (approval_count(revision), successor.member_key) == (1, member.pk)


def test_a_member_whose_earlier_account_wrote_the_words_cannot_review_them(editor, managing_editor):
    member = ReviewerFactory()
    article = citable_article()
    edit_claim(article, "Words written under the member's earlier account.", user=member.user)
    successor = new_account_for(member)
    revision, _ = submitted(article, editor, managing_editor)
    review_assign(article=article, assigned_by=managing_editor, reviewers=[successor], quorum=1)

    with pytest.raises(PermissionDenied, match="You wrote or edited this revision"):
        review_start(article=article, user=successor.user)
        approve(revision, successor)


def test_a_successor_of_a_successor_is_still_the_first_profiles_member():
    first = ReviewerFactory(registration="GMC 7654321")
    second = new_account_for(first)
    third = new_account_for(second)

    assert (second.member_key, third.member_key) == (first.pk, first.pk)


def test_a_profile_cannot_succeed_an_active_profile():
    member = ReviewerFactory()
    successor = ReviewerFactory.build(user=BoardMemberFactory(), succeeds=member)

    with pytest.raises(ValidationError, match="earlier profile inactive first"):
        successor.full_clean()


def test_which_profile_a_profile_succeeds_is_fixed_once_saved():
    first = ReviewerFactory(is_active=False)
    other = ReviewerFactory(is_active=False)
    successor = new_account_for(ReviewerFactory())
    successor = Reviewer.objects.get(pk=successor.pk)
    successor.succeeds = other if successor.succeeds_id != other.pk else first

    with pytest.raises(ValidationError, match="fixed once it is saved"):
        successor.full_clean()


def test_a_new_profile_with_another_profiles_registration_must_say_it_succeeds_it():
    ReviewerFactory(registration="GMC 7654321", is_active=False)
    newcomer = ReviewerFactory.build(user=BoardMemberFactory(), registration="GMC 7654321")

    with pytest.raises(ValidationError, match="choose that profile as the earlier profile of this member"):
        newcomer.full_clean()


def test_the_database_refuses_two_active_profiles_with_one_registration():
    ReviewerFactory(registration="GMC 7654321")

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewerFactory(registration="GMC 7654321")
