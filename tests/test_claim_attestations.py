"""Claim-level sign-off: on a new revision of a live article, each changed claim is attested on its own."""

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from audit.reports import article_sign_off_report
from editorial.document_changes import claim_hash
from editorial.errors import ApprovalBlocked, UnknownClaim
from editorial.models import AppendOnlyError, ClaimAttestation, SignOff
from editorial.services import article_submit, review_assign, review_start
from tests.factories import ReviewerFactory
from tests.test_desk import decision
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_revision(editor, managing_editor):
    """A live article whose first claim was reworded in revision 2, now under review by a fresh member."""
    article = citable_article()
    _first, (first_member,) = approved(article, editor, managing_editor)
    edit_claim(article, "Metformin can be used at any eGFR.", user=editor)
    second, (member,) = submitted(article, editor, managing_editor)
    review_start(article=article, user=member.user)
    changed = second.content["sections"][0]["claims"][0]
    unchanged = second.content["sections"][0]["claims"][1]
    return article, second, member, first_member, changed, unchanged


def test_approval_without_attesting_a_changed_claim_is_refused_naming_it(second_revision):
    _article, second, member, _, _, _ = second_revision

    with pytest.raises(ApprovalBlocked) as refusal:
        approve(second, member, attested_claims=[])

    assert refusal.value.blockers == [
        "Attest each claim changed since revision 1, which readers see now: claim 1 is not attested."
    ]
    assert SignOff.objects.filter(revision=second).count() == 0


def test_approval_records_each_attested_claim_by_uid_and_hash(second_revision):
    _, second, member, _, changed, _ = second_revision

    sign_off = approve(second, member, attested_claims=[changed["uid"]])

    assert list(sign_off.claim_attestations.values_list("claim_uid", "claim_hash")) == [
        (ClaimAttestation._meta.get_field("claim_uid").to_python(changed["uid"]), claim_hash(changed))
    ]


def test_approval_naming_a_claim_not_in_the_revision_is_refused_and_records_nothing(second_revision):
    _, second, member, _, changed, _ = second_revision

    with pytest.raises(UnknownClaim):
        approve(second, member, attested_claims=[changed["uid"], "00000000-0000-0000-0000-000000000000"])

    assert (SignOff.objects.filter(revision=second).count(), ClaimAttestation.objects.count()) == (0, 0)


def test_desk_answers_400_to_an_attested_claim_not_in_the_revision(client, second_revision):
    article, second, member, _, changed, _ = second_revision
    client.force_login(member.user)
    data = decision(second, attested_claims=[changed["uid"], "00000000-0000-0000-0000-000000000000"])

    response = client.post(reverse("desk:approve", args=[article.slug, second.number]), data)

    assert (response.status_code, SignOff.objects.filter(revision=second).count()) == (400, 0)


def test_desk_approval_with_every_changed_claim_ticked_records_it(client, second_revision):
    article, second, member, _, changed, _ = second_revision
    client.force_login(member.user)

    response = client.post(
        reverse("desk:approve", args=[article.slug, second.number]),
        decision(second, attested_claims=[changed["uid"]]),
    )

    assert response.status_code == 302
    assert [str(uid) for uid in ClaimAttestation.objects.values_list("claim_uid", flat=True)] == [changed["uid"]]


def test_desk_approval_with_a_changed_claim_unticked_is_refused(client, second_revision):
    article, second, member, _, _, _ = second_revision
    client.force_login(member.user)

    response = client.post(reverse("desk:approve", args=[article.slug, second.number]), decision(second))

    assert (response.status_code, SignOff.objects.filter(revision=second).count()) == (409, 0)
    assert "claim 1 is not attested" in response.content.decode()


def test_review_page_offers_one_attestation_beside_each_changed_claim(client, second_revision):
    article, second, member, _, changed, _unchanged = second_revision
    client.force_login(member.user)

    page = client.get(reverse("desk:review", args=[article.slug, second.number])).content.decode()

    assert page.count('name="attested_claims"') == 1
    assert f'value="{changed["uid"]}" id="attest-{changed["uid"]}"' in page


def test_review_page_shows_who_approved_each_unchanged_claim(client, second_revision):
    article, second, member, first_member, _, _unchanged = second_revision
    client.force_login(member.user)

    page = client.get(reverse("desk:review", args=[article.slug, second.number])).content.decode()

    assert f"unchanged since approved in revision 1 by {first_member.display_name}." in page


def test_first_approval_attests_no_claim_one_by_one(editor, managing_editor):
    article = citable_article()
    revision, (member,) = submitted(article, editor, managing_editor)
    review_start(article=article, user=member.user)

    sign_off = approve(revision, member, attested_claims=[])

    assert sign_off.claim_attestations.count() == 0


def test_sign_off_report_lists_the_attested_claims(second_revision):
    article, second, member, _, changed, _ = second_revision
    approve(second, member, attested_claims=[changed["uid"]])

    rows = article_sign_off_report(article).rows

    assert [row.claim_attestations for row in rows] == [[], [{"uid": changed["uid"], "hash": claim_hash(changed)}]]


def test_claim_attestation_is_never_changed(second_revision):
    _, second, member, _, changed, _ = second_revision
    attestation = approve(second, member, attested_claims=[changed["uid"]]).claim_attestations.get()

    with pytest.raises(AppendOnlyError):
        attestation.save()


def test_database_refuses_to_rewrite_a_claim_attestation(second_revision):
    _, second, member, _, changed, _ = second_revision
    approve(second, member, attested_claims=[changed["uid"]])

    with pytest.raises(DatabaseError), transaction.atomic():
        ClaimAttestation.objects.update(claim_hash="0" * 64)


def test_resubmission_with_no_claim_changed_needs_no_claim_attested(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    article.title = "A clearer title"
    article.save()
    second = article_submit(article=article, user=editor)
    member = ReviewerFactory()
    review_assign(article=article, assigned_by=managing_editor, reviewers=[member])
    review_start(article=article, user=member.user)

    assert approve(second, member, attested_claims=[]).claim_attestations.count() == 0


def test_sign_off_report_page_lists_each_attested_claim_with_its_hash(client, managing_editor, second_revision):
    article, second, member, _, changed, _ = second_revision
    approve(second, member, attested_claims=[changed["uid"]])
    client.force_login(managing_editor)

    page = client.get(reverse("audit:article_sign_offs", args=[article.pk])).content.decode()

    attested = f'<code>{changed["uid"]}</code> attested as worded, hash <code class="hash">{claim_hash(changed)}</code>'
    assert f"<li>Claim {attested}</li>" in page
