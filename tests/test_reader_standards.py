"""Pages that meet the standards readers' tools check: descriptions, an icon, valid times, a typed feed and JSON-LD."""

import json
import re
import xml.etree.ElementTree as ElementTree

import pytest
from django.urls import reverse

from editorial.models import Reviewer
from reader.checks import site_address_is_served
from reader.models import FollowUpQuestion
from reader.views import QUESTIONS_PER_HOUR
from tests.workflow_helpers import approved, citable_article, submitted, under_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

ATOM = "{http://www.w3.org/2005/Atom}"
# HTML's valid date, or date and time with seconds at most and an offset: no fractions of a second.
HTML_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2}))?")


@pytest.fixture
def live_article(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    return article


def html_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def reader_urls(article) -> list[str]:
    member = Reviewer.objects.first()
    return [
        reverse("reader:home"),
        reverse("reader:article", args=[article.slug]),
        reverse("reader:article_changes", args=[article.slug]),
        reverse("reader:board"),
        reverse("reader:board_member", args=[member.slug]),
        reverse("reader:editorial_policy"),
    ]


def json_ld(html: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


def ask(client, article, **fields):
    data = {"question": "Can I take it with food?", "audience": "patient", "email": "", "website": ""} | fields
    return client.post(reverse("reader:ask", args=[article.slug]), data)


# Every page


def test_every_reader_page_has_its_own_meta_description(client, live_article):
    descriptions = [
        re.search(r'<meta name="description" content="([^"]*)">', html_of(client, url)).group(1)
        for url in reader_urls(live_article)
    ]

    assert all(description.strip() for description in descriptions)
    assert len(set(descriptions)) == len(descriptions)


def test_every_reader_page_names_the_site_icon(client, live_article):
    assert all(
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html_of(client, url)
        for url in reader_urls(live_article)
    )


def test_favicon_ico_leads_to_the_site_icon(client):
    response = client.get("/favicon.ico")

    assert (response.status_code, response["Location"]) == (301, "/static/favicon.svg")


def test_reader_page_times_are_valid_html_datetimes(client, live_article):
    html = "".join(html_of(client, url) for url in reader_urls(live_article))
    values = re.findall(r'datetime="([^"]*)"', html)

    assert values and [value for value in values if not HTML_DATETIME.fullmatch(value)] == []


def test_desk_review_page_times_are_valid_html_datetimes(client, editor, managing_editor):
    article = citable_article()
    revision, _members = under_review(article, editor, managing_editor)
    client.force_login(managing_editor)
    html = html_of(client, reverse("desk:review", args=[article.slug, revision.number]))
    values = re.findall(r'datetime="([^"]*)"', html)

    assert values and [value for value in values if not HTML_DATETIME.fullmatch(value)] == []


# Error pages in the site's style


def test_an_unknown_address_answers_the_sites_own_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert 'class="site-header"' in response.content.decode()


def test_a_refused_page_answers_the_sites_own_403_page(client, editor, live_article):
    client.force_login(editor)

    response = client.get(reverse("desk:queue"))

    assert response.status_code == 403
    assert "This page is not open to you" in response.content.decode()


# Copy that never contradicts itself


def test_a_pending_page_never_claims_every_answer_is_approved(client, editor, managing_editor, settings):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article()
    submitted(article, editor, managing_editor)

    html = html_of(client, reverse("reader:article", args=[article.slug]))

    assert "Pending review." in html
    assert "approved by our medical advisory board before readers see it" not in html


# The feed


def test_the_feed_and_each_entry_name_an_author(client, live_article):
    feed = ElementTree.fromstring(client.get(reverse("reader:feed")).content)  # noqa: S314 - our own feed
    authors = [feed.find(f"{ATOM}author/{ATOM}name").text] + [
        entry.find(f"{ATOM}author/{ATOM}name").text for entry in feed.findall(f"{ATOM}entry")
    ]

    assert authors == ["The editors of Medically reviewed answers"] * 2


# JSON-LD


def test_a_citations_journal_is_a_periodical_not_a_bare_string(client, live_article):
    data = json_ld(html_of(client, reverse("reader:article", args=[live_article.slug])))

    assert {citation["isPartOf"]["@type"] for citation in data["citation"]} == {"Periodical"}


@pytest.mark.parametrize(
    ("audience", "typed"),
    [
        ("patient", {"medicalAudience": {"@type": "MedicalAudience", "audienceType": "Patient"}}),
        ("clinician", {"medicalAudience": {"@type": "MedicalAudience", "audienceType": "Clinician"}}),
        ("student", {"audience": {"@type": "EducationalAudience", "educationalRole": "student"}}),
    ],
)
def test_each_audience_is_typed_as_schema_org_defines_it(client, live_article, audience, typed):
    client.get(reverse("reader:audience"), {"audience": audience})
    data = json_ld(html_of(client, reverse("reader:article", args=[live_article.slug])))

    assert {key: data[key] for key in ("medicalAudience", "audience") if key in data} == typed


# Follow-up questions


def test_mistaken_follow_up_questions_do_not_count_toward_the_hourly_limit(client, live_article):
    mistakes = [ask(client, live_article, question="Why?").status_code for _ in range(QUESTIONS_PER_HOUR + 1)]

    assert (mistakes, ask(client, live_article).status_code) == ([400] * (QUESTIONS_PER_HOUR + 1), 302)
    assert FollowUpQuestion.objects.count() == 1


def test_a_mistaken_follow_up_question_puts_the_cursor_on_its_first_error(client, live_article):
    html = ask(client, live_article, question="Why?").content.decode()

    assert re.search(r'<textarea name="question"[^>]*autofocus', html)
    assert f'action="{reverse("reader:ask", args=[live_article.slug])}#follow-up"' in html


def test_a_citations_authors_are_people_and_organisations_not_one_string(client, editor, managing_editor):
    article = citable_article()
    reference = article.sections.first().claims.first().citations.first().reference
    reference.author_list = [
        {"family": "Okafor", "given": "Amara", "initials": "A"},
        {"literal": "Cancer Research UK"},
    ]
    reference.authors_et_al = True
    reference.save()
    approved(article, editor, managing_editor)

    data = json_ld(html_of(client, reverse("reader:article", args=[article.slug])))

    assert data["citation"][0]["author"] == [
        {"@type": "Person", "name": "Amara Okafor", "familyName": "Okafor", "givenName": "Amara"},
        {"@type": "Organization", "name": "Cancer Research UK"},
    ]


def test_authors_frozen_as_a_string_before_names_had_structure_are_read_into_people(client, live_article):
    data = json_ld(html_of(client, reverse("reader:article", args=[live_article.slug])))

    assert data["citation"][0]["author"] == [
        {"@type": "Person", "name": "Doe J", "familyName": "Doe"},
        {"@type": "Person", "name": "Roe R", "familyName": "Roe"},
    ]


def test_the_deploy_check_refuses_a_site_address_the_site_does_not_answer_to(settings):
    settings.SITE_URL = "https://answers.example.org"
    settings.ALLOWED_HOSTS = ["other.example.org"]

    (error,) = site_address_is_served(None)

    assert error.id == "reader.E003"


def test_the_deploy_check_accepts_the_site_address_among_the_allowed_hosts(settings):
    settings.SITE_URL = "https://answers.example.org"
    settings.ALLOWED_HOSTS = [".example.org"]

    assert site_address_is_served(None) == []
