"""A claim's evidence grade: GRADE certainty and, for a recommendation, its strength.

The grade is part of the revision document, so the board approves it with the
words and a changed grade needs approving again (`test_documents.py` shows that
documents of ungraded claims keep the hashes they had before grades existed).
Clinicians and students read GRADE's terms linked to a legend; patients read
plain words.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.documents import PLAIN_CERTAINTY, PLAIN_STRENGTH
from articles.models import Certainty, Claim, Strength
from articles.selectors import article_changes_since
from config.history import acting_as
from editorial.diffs import claim_statuses
from editorial.document_changes import claims_to_attest, document_changes
from editorial.errors import StaleRevision
from editorial.intake import intake_problems
from editorial.models import ArticleWorkflow
from editorial.revisions import working_copy_document
from editorial.selectors import working_copy_status
from editorial.services import article_restore, article_submit, review_start
from tests.admin_forms import admin_form_data
from tests.factories import ClaimFactory
from tests.workflow_helpers import approve, approved, citable_article, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

LEGEND = '<section class="grade-legend" id="grade-legend" aria-labelledby="grade-legend-heading">'
CLINICIAN_GRADE = (
    '<p class="claim-grade" data-words="grade">'
    '<a href="#grade-legend">Evidence grade: moderate certainty, strong recommendation</a></p>'
)


def first_claim(article) -> Claim:
    return article.sections.first().claims.first()


def grade(article, *, certainty: str, strength: str = "", user=None) -> Claim:
    """Grade the first claim as an editor would in the admin."""
    claim = first_claim(article)
    claim.certainty, claim.strength = certainty, strength
    claim.full_clean()
    with acting_as(user):
        claim.save()
    return claim


def document_claims(document: dict) -> list[dict]:
    return [claim for section in document["sections"] for claim in section["claims"]]


# The document and its hash


def test_a_graded_claim_carries_its_certainty_and_strength_in_the_document():
    article = citable_article()
    grade(article, certainty=Certainty.MODERATE, strength=Strength.STRONG)

    claims = document_claims(working_copy_document(article))

    assert [(claim.get("certainty"), claim.get("strength")) for claim in claims] == [
        ("moderate", "strong"),
        (None, None),
    ]


def test_a_claim_graded_for_certainty_alone_carries_no_strength_key():
    article = citable_article()
    grade(article, certainty=Certainty.LOW)

    claim = document_claims(working_copy_document(article))[0]

    assert (claim["certainty"], "strength" in claim) == ("low", False)


def test_a_strength_without_a_certainty_is_refused():
    claim = first_claim(citable_article())
    claim.strength = Strength.CONDITIONAL

    with pytest.raises(ValidationError, match="needs the certainty of its evidence too"):
        claim.full_clean()


def test_a_grade_only_edit_is_something_to_submit_with_a_new_hash(editor):
    article = citable_article()
    first = article_submit(article=article, user=editor)
    grade(article, certainty=Certainty.HIGH, user=editor)

    second = article_submit(article=article, user=editor)

    assert (second.number, second.content_hash != first.content_hash) == (2, True)


# Approval binds to the grade


def test_editing_the_grade_after_approval_needs_a_new_approval_of_that_claim(editor, managing_editor):
    article = citable_article()
    live, _ = approved(article, editor, managing_editor)
    claim = grade(article, certainty=Certainty.LOW, user=editor)
    workflow = ArticleWorkflow.objects.get(article=article)

    status = working_copy_status(workflow, article)
    newer, (reviewer,) = submitted(article, editor, managing_editor)
    review_start(article=article, user=reviewer.user)

    assert (status.has_unsubmitted_changes, status.changed_claims()) == (True, [("changed", claim.text)])
    assert list(claims_to_attest(newer.content, live.content)) == [str(claim.uid)]
    with pytest.raises(StaleRevision, match="not the words of this revision"):
        approve(newer, reviewer, content_hash=live.content_hash)


def test_restoring_a_revision_brings_back_its_grades(editor, managing_editor):
    article = citable_article()
    grade(article, certainty=Certainty.MODERATE, strength=Strength.CONDITIONAL, user=editor)
    first, _ = approved(article, editor, managing_editor)
    grade(article, certainty="", user=editor)
    approved(article, editor, managing_editor)

    restored = article_restore(article=article, user=managing_editor, revision=first)

    claim = first_claim(article)
    assert (claim.certainty, claim.strength, restored.content_hash) == ("moderate", "conditional", first.content_hash)


def test_intake_names_an_unknown_grade():
    claims = [{"text": "A.", "certainty": "certain"}, {"text": "B.", "strength": "strong"}]
    payload = {"article": {"slug": "s", "question": "Q?", "title": "T", "lede": "L", "specialty": "S"}}
    payload["article"]["sections"] = [{"heading": "H", "claims": claims}]

    assert intake_problems(payload) == [
        "Claim 1 of section 1 has the certainty “certain”; it is one of high, moderate, low, very_low.",
        "Claim 2 of section 1 has a strength of recommendation but no certainty of evidence.",
    ]


# The review desk


def test_a_grade_only_change_is_a_changed_claim_with_the_grade_diffed():
    old = {"sections": [{"heading": "H", "claims": [{"uid": "u", "lead_in": "", "text": "T.", "plain_text": ""}]}]}
    old["sections"][0]["claims"][0]["citations"] = []
    old["references"] = []
    claim = {**old["sections"][0]["claims"][0], "certainty": "moderate", "strength": "conditional"}
    new = {**old, "sections": [{"heading": "H", "claims": [claim]}]}

    (change,) = document_changes(old, new).claims

    assert (change.status, [(field.label, field.diff) for field in change.fields]) == (
        "changed",
        [
            ("Certainty of evidence (GRADE)", "<ins>Moderate</ins>"),
            ("Strength of recommendation (GRADE)", "<ins>Conditional</ins>"),
        ],
    )
    assert claim_statuses(old, new) == {"u": "changed"}


def test_the_desk_shows_a_grade_change_on_a_claim_whose_words_did_not_change(client, editor, managing_editor):
    article = citable_article()
    grade(article, certainty=Certainty.LOW, user=editor)
    _, (reviewer,) = submitted(article, editor, managing_editor)
    grade(article, certainty=Certainty.MODERATE, user=editor)
    second = article_submit(article=article, user=editor)
    client.force_login(reviewer.user)

    html = client.get(reverse("desk:review", args=[article.slug, second.number])).content.decode()

    assert "1 claim changed" in html
    assert (
        '<dt>Certainty of evidence (GRADE) <span class="change-note">(changed)</span></dt>\n'
        '              <dd class=""><del>Low</del><ins>Moderate</ins></dd>'
    ) in html
    assert '<dt>Clinician wording <span class="change-note">(unchanged)</span></dt>' in html


def test_the_desk_shows_the_grade_as_clinicians_and_patients_read_it(client, editor, managing_editor):
    article = citable_article()
    grade(article, certainty=Certainty.MODERATE, strength=Strength.STRONG, user=editor)
    revision, (reviewer,) = submitted(article, editor, managing_editor)
    client.force_login(reviewer.user)

    html = client.get(reverse("desk:review", args=[article.slug, revision.number])).content.decode()

    plain = f"{PLAIN_CERTAINTY[Certainty.MODERATE]} {PLAIN_STRENGTH[Strength.STRONG]}"
    assert (CLINICIAN_GRADE in html, LEGEND in html, f'<p class="claim-grade-plain small">{plain}</p>' in html) == (
        True,
        True,
        True,
    )


# The reader page


def reader_page(client, article, audience: str) -> str:
    client.cookies["audience"] = audience
    return client.get(reverse("reader:article", args=[article.slug])).content.decode()


@pytest.mark.parametrize("audience", ["clinician", "student"])
def test_clinicians_and_students_read_the_grade_linked_to_its_legend(client, editor, managing_editor, audience):
    article = citable_article()
    grade(article, certainty=Certainty.MODERATE, strength=Strength.STRONG, user=editor)
    approved(article, editor, managing_editor)

    html = reader_page(client, article, audience)

    assert (html.count(CLINICIAN_GRADE), LEGEND in html, PLAIN_CERTAINTY[Certainty.MODERATE] in html) == (
        1,
        True,
        False,
    )


def test_patients_read_the_grade_in_plain_words_without_the_legend(client, editor, managing_editor):
    article = citable_article()
    grade(article, certainty=Certainty.VERY_LOW, user=editor)
    approved(article, editor, managing_editor)

    html = reader_page(client, article, "patient")

    plain = f'<p class="claim-grade-plain" data-words="grade">{PLAIN_CERTAINTY[Certainty.VERY_LOW]}</p>'
    assert (plain in html, "grade-legend" in html, "Evidence grade:" in html) == (True, False, False)


def test_an_answer_without_grades_has_no_legend(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)

    html = reader_page(client, article, "clinician")

    assert ("grade-legend" in html, "claim-grade" in html) == (False, False)


def test_readers_see_the_approved_grade_not_the_one_edited_since(client, editor, managing_editor):
    article = citable_article()
    grade(article, certainty=Certainty.MODERATE, strength=Strength.STRONG, user=editor)
    approved(article, editor, managing_editor)
    grade(article, certainty=Certainty.LOW, user=editor)

    html = reader_page(client, article, "clinician")

    assert (CLINICIAN_GRADE in html, "Evidence grade: low certainty" in html) == (True, False)


# The admin


def test_editor_grades_a_claim_with_the_inline_selects(client, editor):
    claim = ClaimFactory()
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[claim.section.article.pk])
    form = admin_form_data(client.get(url)) | {
        "sections-0-claims-0-certainty": "moderate",
        "sections-0-claims-0-strength": "conditional",
    }

    assert client.post(url, form).status_code == 302
    rows = claim.history.order_by("history_id")
    assert [(row.certainty, row.strength, row.history_user) for row in rows] == [
        ("", "", None),
        ("moderate", "conditional", editor),
    ]


def test_a_strength_without_a_certainty_is_refused_in_the_inline(client, editor):
    claim = ClaimFactory()
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[claim.section.article.pk])
    form = admin_form_data(client.get(url)) | {"sections-0-claims-0-strength": "strong"}

    response = client.post(url, form)

    claim.refresh_from_db()
    assert (response.status_code, claim.strength) == (200, "")
    assert "A recommendation&#x27;s strength needs the certainty of its evidence too." in response.content.decode()


def test_the_changes_an_editor_is_shown_name_a_grade_as_they_read_it(editor):
    article = citable_article()
    before = timezone.now()
    grade(article, certainty=Certainty.VERY_LOW, user=editor)

    (change,) = article_changes_since(article, before)

    assert [(field.label, field.before, field.after) for field in change.fields] == [
        (Claim._meta.get_field("certainty").verbose_name, "Not graded", "Very low")
    ]
