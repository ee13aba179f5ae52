"""Honest conflict declarations: nothing is declared for the reviewer, disclosures that touch the article are flagged,
and a conflict declared with a sign-off is public beside the member's name."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from editorial.conflicts import disclosure_overlap
from editorial.models import SignOff
from tests.factories import ReviewerFactory
from tests.test_desk import decision
from tests.workflow_helpers import approve, citable_article, under_review

pytestmark = pytest.mark.django_db

SEMAGLUTIDE = "Speaker fees from Novo Nordisk for talks on semaglutide, 2025."


def document(**fields) -> dict:
    return {"question": "", "title": "", "lede": "", "plain_lede": "", "specialty": "", "sections": []} | fields


def review_url(revision):
    return reverse("desk:review", args=[revision.article.slug, revision.number])


# Where a disclosure touches an article


def test_a_disclosure_naming_a_product_the_article_names_is_flagged_with_that_word():
    member = ReviewerFactory.build(conflict_of_interest=SEMAGLUTIDE)
    article = document(question="Does semaglutide help with weight loss?")

    assert disclosure_overlap(member, article).words == ("semaglutide",)


def test_a_disclosure_naming_the_article_s_specialty_is_flagged():
    member = ReviewerFactory.build(conflict_of_interest="Research funding for a nephrology registry.")

    assert disclosure_overlap(member, document(specialty="Nephrology")).words == ("nephrology",)


def test_the_words_every_disclosure_uses_flag_nothing():
    member = ReviewerFactory.build(conflict_of_interest="Speaker fees from a manufacturer of treatments, 2024.")
    article = document(question="Which treatments from a manufacturer were received in 2024?")

    assert disclosure_overlap(member, article).words == ()


def test_a_claim_s_words_count_as_the_article_s_words():
    member = ReviewerFactory.build(conflict_of_interest=SEMAGLUTIDE)
    claims = [{"lead_in": "", "text": "Weekly semaglutide lowers weight.", "plain_text": ""}]
    article = document(sections=[{"heading": "Effects", "intro": "", "claims": claims}])

    assert disclosure_overlap(member, article).touches_the_article


# The decision form


def test_the_decision_form_chooses_no_conflict_answer_for_the_reviewer(client, editor, managing_editor):
    revision, (member,) = under_review(citable_article(), editor, managing_editor)
    client.force_login(member.user)

    html = client.get(review_url(revision)).content.decode()

    radios = re.findall(r'<input type="radio"[^>]*name="conflict"[^>]*>', html)
    assert len(radios) == len(SignOff.Conflict.choices)
    assert [radio for radio in radios if "checked" in radio] == []


def test_a_decision_without_a_conflict_answer_is_refused_and_records_nothing(client, editor, managing_editor):
    revision, (member,) = under_review(citable_article(), editor, managing_editor)
    client.force_login(member.user)
    data = decision(revision, comment="Reads well.")
    data.pop("conflict")

    response = client.post(reverse("desk:approve", args=[revision.article.slug, revision.number]), data)

    assert response.status_code == 400
    assert "Say whether you have a conflict of interest for this article." in response.content.decode()
    assert SignOff.objects.count() == 0


def test_the_review_page_shows_the_member_their_disclosure_and_what_it_touches(client, editor, managing_editor):
    article = citable_article(question="Does semaglutide help with weight loss?")
    revision, (member,) = under_review(article, editor, managing_editor)
    member.conflict_of_interest = SEMAGLUTIDE
    member.save()
    client.force_login(member.user)

    html = client.get(review_url(revision)).content.decode()

    assert "Your standing disclosures" in html and SEMAGLUTIDE in html
    assert "Your disclosures name what this article names too: semaglutide." in html


def test_the_assign_page_marks_members_whose_disclosures_touch_the_article(client, editor, managing_editor):
    article = citable_article(question="Does semaglutide help with weight loss?")
    under_review(article, editor, managing_editor)
    touching = ReviewerFactory(display_name="Dr Touching", conflict_of_interest=SEMAGLUTIDE)
    ReviewerFactory(display_name="Dr Apart", conflict_of_interest="Shares in a maker of hearing aids.")
    client.force_login(managing_editor)

    html = client.get(reverse("desk:assign", args=[article.slug])).content.decode()

    marked = re.findall(r'alert-warning standing-disclosure" role="note">\s*<h3 class="h6">([^,<]+),', html)
    assert marked == [touching.display_name]
    assert "Shares in a maker of hearing aids." in html


# Readers


def test_a_conflict_declared_with_a_sign_off_is_shown_beside_the_member_s_name(client, editor, managing_editor):
    cache.clear()
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    approve(revision, member, conflict=SignOff.Conflict.DISCLOSED, conflict_disclosure="Speaker fees from the maker.")

    html = client.get(reverse("reader:article", args=[article.slug])).content.decode()

    assert (
        f"{member.display_name}, {member.credentials}</a> "
        '<span class="declared-conflict">(declared an interest: Speaker fees from the maker.)</span>'
    ) in html
    cache.clear()


def test_a_sign_off_that_declared_no_conflict_shows_none_to_readers(client, editor, managing_editor):
    cache.clear()
    article = citable_article()
    revision, (member,) = under_review(article, editor, managing_editor)
    approve(revision, member)

    html = client.get(reverse("reader:article", args=[article.slug])).content.decode()

    assert member.display_name in html and "declared-conflict" not in html
    cache.clear()
