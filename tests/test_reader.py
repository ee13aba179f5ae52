"""The reader site shows only approved words, says so truthfully, and stays fast."""

import json
import re

import pytest
from django.db import connection
from django.urls import reverse

from editorial.services import article_submit, article_withdraw, review_start
from reader.models import FollowUpQuestion, PublishedArticle
from reader.selectors import published_articles
from tests.factories import article_with_claims
from tests.page_helpers import FIRST_RENDER_QUERIES, page_approved
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def article_url(article):
    return reverse("reader:article", args=[article.slug])


def public_pages(client, article) -> str:
    """Everything a reader or a crawler can fetch about the article, as one text."""
    urls = [
        article_url(article),
        reverse("reader:home"),
        reverse("reader:home") + "?q=marker",
        reverse("reader:feed"),
        reverse("reader:sitemap_section", args=["articles"]),
    ]
    return "".join(client.get(url).content.decode() for url in urls)


# Only approved words


def test_working_copy_edits_never_reach_readers(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    edit_claim(article, "UNAPPROVED-MARKER in the working copy.", user=editor)
    assert "UNAPPROVED-MARKER" not in public_pages(client, article)


def test_a_newer_revision_in_review_never_reaches_readers(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    edit_claim(article, "PENDING-MARKER in the next revision.", user=editor)
    submitted(article, editor, managing_editor)
    pages = public_pages(client, article)
    assert "PENDING-MARKER" not in pages
    assert "An update to this answer is being reviewed" in pages


def test_approving_a_new_revision_replaces_the_cached_page(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article()
    approved(article, editor, managing_editor)
    assert client.get(article_url(article)).status_code == 200  # now cached
    edit_claim(article, "The newly approved wording.", user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        revision, (reviewer,) = submitted(article, editor, managing_editor)
        review_start(article=article, user=reviewer.user)
        approve(revision, reviewer)
    assert "The newly approved wording." in client.get(article_url(article)).content.decode()


def test_withdrawn_article_shows_a_notice_not_its_text(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article()
    live, _ = approved(article, editor, managing_editor)
    client.get(article_url(article))
    with django_capture_on_commit_callbacks(execute=True):
        article_withdraw(
            article=article,
            user=managing_editor,
            reason="Safety notice.",
            public_reason="We are checking this answer against new evidence.",
        )
    response = client.get(article_url(article))
    claim_text = live.content["sections"][0]["claims"][0]["text"]
    assert response.status_code == 410
    assert "This answer has been withdrawn" in response.content.decode()
    assert claim_text not in response.content.decode()
    assert not PublishedArticle.objects.filter(article=article).exists()


def test_never_submitted_article_is_not_public(client):
    assert client.get(article_url(citable_article())).status_code == 404


def test_pending_article_is_shown_with_a_caution_under_the_caution_policy(client, editor, managing_editor, settings):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article()
    submitted(article, editor, managing_editor)
    html = client.get(article_url(article)).content.decode()
    assert "Pending review." in html
    assert 'aria-current="step"' in html and "(current step)" in html


def test_pending_article_is_not_public_under_the_hide_policy(client, editor, managing_editor, settings):
    settings.READER_PENDING_POLICY = "hide"
    article = citable_article()
    submitted(article, editor, managing_editor)
    assert client.get(article_url(article)).status_code == 404


def test_an_article_can_be_hidden_before_approval_whatever_the_site_policy(client, editor, managing_editor, settings):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article(pending_display="hide")
    submitted(article, editor, managing_editor)
    assert client.get(article_url(article)).status_code == 404


def test_pending_articles_are_not_listed_or_searchable(client, editor, managing_editor):
    article = citable_article(question="Is PENDINGWORD safe?")
    submitted(article, editor, managing_editor)
    assert list(client.get(reverse("reader:home") + "?q=PENDINGWORD").context["page"].object_list) == []
    assert "PENDINGWORD" not in client.get(reverse("reader:feed")).content.decode()


# The trust signals are true


def test_article_page_names_the_reviewers_and_the_dates(client, editor, managing_editor):
    article = citable_article()
    _, (reviewer,) = approved(article, editor, managing_editor)
    html = client.get(article_url(article)).content.decode()
    assert f"{reviewer.display_name}, {reviewer.credentials}" in html
    for label in ("Medically reviewed by", "Last updated", "Last reviewed", "Next review due"):
        assert label in html
    assert reverse("reader:editorial_policy") in html and reverse("reader:board") in html


def test_citations_link_to_the_reference_list_and_back(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    html = client.get(article_url(article)).content.decode()
    first_citation = re.search(r'<a href="#ref-1" id="(cite-[^"]+)"', html).group(1)
    assert 'id="ref-1"' in html
    assert f'class="backlink" href="#{first_citation}"' in html


def test_structured_data_describes_the_review(client, editor, managing_editor):
    article = citable_article()
    _, (reviewer,) = approved(article, editor, managing_editor)
    html = client.get(article_url(article)).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "MedicalWebPage"
    assert data["reviewedBy"] == [{"@type": "Person", "name": reviewer.display_name, "honorificSuffix": "MD"}]
    assert data["lastReviewed"] and data["medicalAudience"]["audienceType"] == "Clinician"
    assert {citation["identifier"]["propertyID"] for citation in data["citation"]} == {
        "https://registry.identifiers.org/registry/doi"
    }


def test_structured_data_cannot_close_its_script_element(client, editor, managing_editor):
    article = citable_article(question="Does </script><script>alert(1)</script> work?")
    approved(article, editor, managing_editor)
    html = client.get(article_url(article)).content.decode()
    assert "<script>alert(1)" not in html


# Personalisation


def test_patient_audience_sees_plain_wording(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    claim = article.sections.first().claims.first()
    client.cookies["audience"] = "patient"
    html = client.get(article_url(article)).content.decode()
    assert claim.plain_text in html and claim.text not in html


def test_choosing_an_audience_sets_a_cookie_and_returns_to_the_article(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    response = client.get(reverse("reader:audience"), {"audience": "patient", "next": article_url(article)})
    assert (response.status_code, response["Location"]) == (302, article_url(article))
    assert response.cookies["audience"].value == "patient"


def test_choosing_an_audience_never_redirects_off_site(client):
    response = client.get(reverse("reader:audience"), {"audience": "patient", "next": "https://evil.example/"})
    assert response["Location"] == reverse("reader:home")


def test_each_audience_gets_its_own_cached_page(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    claim = article.sections.first().claims.first()
    client.get(article_url(article))
    client.cookies["audience"] = "patient"
    assert claim.plain_text in client.get(article_url(article)).content.decode()
    client.cookies["audience"] = "clinician"
    assert claim.text in client.get(article_url(article)).content.decode()


# Speed


def test_a_first_render_costs_no_more_queries_whatever_the_size(
    client, editor, managing_editor, django_assert_max_num_queries
):
    article = article_with_claims(sections=6, claims_per_section=8)
    approved(article, editor, managing_editor)
    with django_assert_max_num_queries(FIRST_RENDER_QUERIES):
        response = client.get(article_url(article))
    assert response.status_code == 200


def test_cache_hit_costs_no_query(client, editor, managing_editor, django_assert_num_queries):
    article = citable_article()
    approved(article, editor, managing_editor)
    client.get(article_url(article))
    with django_assert_num_queries(0):
        assert client.get(article_url(article)).status_code == 200


def test_unchanged_page_answers_304(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    etag = client.get(article_url(article))["ETag"]
    response = client.get(article_url(article), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_article_pages_are_compressed(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    response = client.get(article_url(article), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Cookie" in response["Vary"]


# Home, search, feed, sitemap


def test_search_finds_approved_articles_best_match_first(editor, managing_editor):
    in_title = citable_article(question="Naltrexone for fibromyalgia?", title="Naltrexone explained")
    in_body = citable_article(question="Chronic pain options?")
    edit_claim(in_body, "Naltrexone is one option among several.", user=editor)
    approved(in_title, editor, managing_editor)
    approved(in_body, editor, managing_editor)
    results = [published.article_id for published in published_articles("naltrexone")]
    assert results == [in_title.pk, in_body.pk]


def test_search_with_no_match_finds_nothing(editor, managing_editor):
    approved(citable_article(), editor, managing_editor)
    assert list(published_articles("zzyzx")) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL")
def test_full_text_search_uses_english_stemming(editor, managing_editor):
    article = citable_article(question="Which treatments help?")
    edit_claim(article, "Treating early improves outcomes.", user=editor)
    approved(article, editor, managing_editor)
    assert [p.article_id for p in published_articles("treat")] == [article.pk]


def test_feed_and_sitemap_list_only_approved_articles(client, editor, managing_editor):
    live = citable_article()
    approved(live, editor, managing_editor)
    pending = citable_article()
    submitted(pending, editor, managing_editor)
    feed = client.get(reverse("reader:feed")).content.decode()
    sitemap = client.get(reverse("reader:sitemap_section", args=["articles"])).content.decode()
    assert article_url(live) in feed and article_url(live) in sitemap
    assert article_url(pending) not in feed and article_url(pending) not in sitemap


def test_robots_points_to_the_sitemap(client):
    text = client.get(reverse("reader:robots")).content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_home_is_paginated(client, editor, managing_editor):
    for _ in range(11):
        approved(citable_article(), editor, managing_editor)
    first, second = client.get(reverse("reader:home")), client.get(reverse("reader:home") + "?page=2")
    assert len(first.context["page"].object_list) == 10
    assert len(second.context["page"].object_list) == 1


# Editorial policy and the board


def test_editorial_policy_shows_its_approved_version(client, editor, managing_editor):
    page_approved(
        "editorial-policy",
        editor=editor,
        managing_editor=managing_editor,
        body="## A new heading\n\nFreshly approved words.",
    )

    html = client.get(reverse("reader:editorial_policy")).content.decode()

    assert ("<h2>A new heading</h2>" in html, "Freshly approved words." in html) == (True, True)


def test_board_page_lists_active_members_with_their_conflicts(client):
    from tests.factories import ReviewerFactory

    active = ReviewerFactory(conflict_of_interest="Advises a device maker.")
    inactive = ReviewerFactory(is_active=False)
    html = client.get(reverse("reader:board")).content.decode()
    assert active.display_name in html and "Advises a device maker." in html
    assert inactive.display_name not in html


def test_board_member_page_lists_the_articles_they_approved(client, editor, managing_editor):
    article = citable_article()
    _, (reviewer,) = approved(article, editor, managing_editor)
    html = client.get(reverse("reader:board_member", args=[reviewer.slug])).content.decode()
    assert article.question in html


# Follow-up questions


def ask(client, article, **fields):
    data = {"question": "Can it be taken with sertraline?", "audience": "patient", "email": "", "website": ""}
    return client.post(reverse("reader:ask", args=[article.slug]), data | fields)


def test_follow_up_question_is_kept_for_editors(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    response = ask(client, article)
    assert response.status_code == 302 and "asked=1" in response["Location"]
    assert list(FollowUpQuestion.objects.values_list("article", "question", "status")) == [
        (article.pk, "Can it be taken with sertraline?", "new")
    ]


def test_reader_is_thanked_after_asking_even_when_the_page_is_cached(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    client.get(article_url(article))
    response = client.get(ask(client, article)["Location"])
    assert "Your question has reached our editors." in response.content.decode()


def test_invalid_follow_up_question_is_shown_back_with_its_error_and_text(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    response = ask(client, article, question="Why?", email="not-an-email")
    html = response.content.decode()
    assert response.status_code == 400
    assert "at least 10 characters" in html and "Enter a valid email address." in html
    assert "Why?</textarea>" in html
    assert FollowUpQuestion.objects.count() == 0


def test_honeypot_questions_are_dropped_silently(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    assert ask(client, article, website="http://spam.example").status_code == 302
    assert FollowUpQuestion.objects.count() == 0


def test_follow_up_questions_are_rate_limited_per_client(client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    statuses = [ask(client, article, question=f"Question number {n} about the dose?").status_code for n in range(6)]
    assert statuses == [302] * 5 + [429]
    assert FollowUpQuestion.objects.count() == 5


def test_follow_up_questions_are_escaped_for_editors(admin_client, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    FollowUpQuestion.objects.create(article=article, question="<script>alert('x')</script> is it safe?")
    html = admin_client.get(reverse("admin:reader_followupquestion_changelist")).content.decode()
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_index_follows_the_workflow_only(editor, managing_editor):
    article = citable_article()
    article_submit(article=article, user=editor)
    assert not PublishedArticle.objects.exists()


def test_cached_page_is_served_compressed_and_identical(client, editor, managing_editor):
    import gzip

    article = citable_article()
    approved(article, editor, managing_editor)
    plain = client.get(article_url(article)).content
    cached = client.get(article_url(article), HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert cached["Content-Encoding"] == "gzip"
    assert gzip.decompress(cached.content) == plain


def test_submitting_an_update_tells_readers_at_once(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article()
    approved(article, editor, managing_editor)
    assert "An update to this answer" not in client.get(article_url(article)).content.decode()
    edit_claim(article, "A newer wording.", user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        article_submit(article=article, user=editor)
    assert "An update to this answer is being reviewed" in client.get(article_url(article)).content.decode()


def test_an_approved_disclaimer_reaches_cached_pages(
    client, editor, managing_editor, django_capture_on_commit_callbacks
):
    article = citable_article()
    approved(article, editor, managing_editor)
    client.cookies["audience"] = "clinician"
    client.get(article_url(article))

    with django_capture_on_commit_callbacks(execute=True):
        page_approved(
            "disclaimer",
            editor=editor,
            managing_editor=managing_editor,
            body="A freshly reworded disclaimer.",
            patient_body="Freshly reworded words for patients.",
        )

    assert "A freshly reworded disclaimer." in client.get(article_url(article)).content.decode()


def test_follow_up_rate_limit_counts_each_client_behind_the_tls_proxy(client, editor, managing_editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    article = citable_article()
    approved(article, editor, managing_editor)

    def ask_from(address, n):
        data = {"question": f"Question number {n} about the dose?", "audience": "patient"}
        return client.post(reverse("reader:ask", args=[article.slug]), data, HTTP_X_FORWARDED_FOR=address)

    first = [ask_from("203.0.113.7", n).status_code for n in range(6)]
    second = ask_from("198.51.100.9", 6).status_code

    assert (first, second) == ([302] * 5 + [429], 302)
