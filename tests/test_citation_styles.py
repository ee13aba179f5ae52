"""References read in AMA or Vancouver style, escaped, and never break a page."""

import logging

import pytest
from django.urls import reverse
from django.utils.safestring import SafeString

from reader import cache
from reader.checks import citation_style
from references.citation_styles import AMA, VANCOUVER, format_references
from tests.workflow_helpers import approved, citable_article

JOURNAL_ARTICLE = {
    "id": 1,
    "number": 1,
    "kind": "trial",
    "title": "Low-dose treatment for chronic pain: a randomized crossover trial",
    "authors": "Doe J, Roe RA, Poe P",
    "source": "Pain Res Example",
    "year": 2013,
    "volume": "65",
    "issue": "2",
    "pages": "529-538",
    "doi": "10.5555/style-example",
    "pmid": "23359310",
    "url": "",
}


def reference(**fields) -> dict:
    return {**JOURNAL_ARTICLE, **fields}


# The styles


@pytest.mark.parametrize(
    "style, expected",
    [
        (
            AMA,
            "Doe J, Roe RA, Poe P. Low-dose treatment for chronic pain: a randomized crossover trial. "
            "<i>Pain Res Example</i>. 2013;65(2):529-538. doi:10.5555/style-example",
        ),
        (
            VANCOUVER,
            "Doe J, Roe RA, Poe P. Low-dose treatment for chronic pain: a randomized crossover trial. "
            "Pain Res Example. 2013;65(2):529\N{EN DASH}38. doi:10.5555/style-example PubMed PMID: 23359310.",
        ),
    ],
)
def test_journal_article_is_written_in_the_style(style, expected):
    assert format_references([JOURNAL_ARTICLE], style) == [expected]


@pytest.mark.parametrize(
    "style, expected",
    [
        (
            AMA,
            "Doe J, Roe RA, Poe P. Low-dose treatment for chronic pain: a randomized crossover trial. "
            "<i>Pain Res Example</i>. 2013;65(2):529-538.",
        ),
        (
            VANCOUVER,
            "Doe J, Roe RA, Poe P. Low-dose treatment for chronic pain: a randomized crossover trial. "
            "Pain Res Example. 2013;65(2):529\N{EN DASH}38.",
        ),
    ],
)
def test_identifiers_can_be_left_to_the_page(style, expected):
    assert format_references([JOURNAL_ARTICLE], style, with_identifiers=False) == [expected]


def test_entries_have_no_number_of_their_own_and_keep_their_order():
    second = reference(title="A second paper", authors="Zed Z", volume="", issue="", pages="", doi="", pmid="")
    assert format_references([second, JOURNAL_ARTICLE], AMA, with_identifiers=False) == [
        "Zed Z. A second paper. <i>Pain Res Example</i>. 2013.",
        "Doe J, Roe RA, Poe P. Low-dose treatment for chronic pain: a randomized crossover trial. "
        "<i>Pain Res Example</i>. 2013;65(2):529-538.",
    ]


@pytest.mark.parametrize(
    "style, expected",
    [
        (
            AMA,
            "UK Prospective Diabetes Study (UKPDS) Group. Intensive blood-glucose control with sulphonylureas. "
            "<i>Lancet</i>. 1998;352(9131):837-853.",
        ),
        (
            VANCOUVER,
            "UK Prospective Diabetes Study (UKPDS) Group. Intensive blood-glucose control with sulphonylureas. "
            "Lancet. 1998;352(9131):837\N{EN DASH}53.",
        ),
    ],
)
def test_an_organisation_is_named_whole(style, expected):
    group = reference(
        authors="UK Prospective Diabetes Study (UKPDS) Group",
        title="Intensive blood-glucose control with sulphonylureas",
        source="Lancet",
        year=1998,
        volume="352",
        issue="9131",
        pages="837-853",
    )
    assert format_references([group], style, with_identifiers=False) == [expected]


@pytest.mark.parametrize(
    "style, expected_authors",
    [(AMA, "Doe J, Roe RA, Poe P, et al."), (VANCOUVER, "Doe J, Roe RA, Poe P, et al.")],
)
def test_a_shortened_author_list_keeps_its_et_al(style, expected_authors):
    (formatted,) = format_references([reference(authors="Doe J, Roe RA, Poe P, et al.")], style)
    assert formatted.startswith(f"{expected_authors} Low-dose treatment")


@pytest.mark.parametrize(
    "style, expected_authors",
    [
        (AMA, "A A, B B, C C, et al."),  # AMA: more than six authors, the first three
        (VANCOUVER, "A A, B B, C C, D D, E E, F F, et al."),  # Citing Medicine: more than six, the first six
    ],
)
def test_a_long_author_list_is_shortened_as_the_style_says(style, expected_authors):
    (formatted,) = format_references([reference(authors="A A, B B, C C, D D, E E, F F, G G")], style)
    assert formatted.startswith(f"{expected_authors} Low-dose treatment")


@pytest.mark.parametrize(
    "style, expected",
    [
        (
            AMA,
            "Doe J, Roe RA, Poe P. Low-dose treatment for chronic pain: a randomized crossover trial. "
            "<i>Pain Res Example</i>. 65(2):529-538.",
        ),
        (
            VANCOUVER,
            "Doe J, Roe RA, Poe P. Low-dose treatment for chronic pain: a randomized crossover trial. "
            "Pain Res Example. 65(2):529\N{EN DASH}38.",
        ),
    ],
)
def test_a_reference_without_a_year_leaves_it_out(style, expected):
    assert format_references([reference(year=None)], style, with_identifiers=False) == [expected]


@pytest.mark.parametrize("style", [AMA, VANCOUVER])
def test_a_paper_without_volume_is_not_called_published_online_nor_titled_twice(style):
    bare = reference(authors="", volume="", issue="", pages="", doi="", pmid="")
    (formatted,) = format_references([bare], style)
    assert "Published online" not in formatted
    assert formatted.count("Low-dose treatment") == 1


@pytest.mark.parametrize(
    "style, expected",
    [
        (
            AMA,
            "National Institute for Health and Care Excellence. <i>Chronic pain (primary and secondary) in over "
            "16s (NG193)</i>. NICE guideline NG193; 2021. https://www.nice.org.uk/guidance/ng193",
        ),
        (
            VANCOUVER,
            "National Institute for Health and Care Excellence. Chronic pain (primary and secondary) in over 16s "
            "(NG193) [Internet]. NICE guideline NG193; 2021. Available from: https://www.nice.org.uk/guidance/ng193",
        ),
    ],
)
def test_a_guideline_keeps_its_title_as_published_and_names_its_issuer_once(style, expected):
    guideline = reference(
        kind="guideline",
        title="Chronic pain (primary and secondary) in over 16s (NG193)",
        authors="National Institute for Health and Care Excellence",
        source="NICE guideline NG193",
        year=2021,
        volume="",
        issue="",
        pages="",
        doi="",
        pmid="",
        url="https://www.nice.org.uk/guidance/ng193",
    )
    assert format_references([guideline], style) == [expected]


# Safety


HOSTILE = '<script>alert(1)</script> & <b>bold</b> <span class="nocase">x</span>'


@pytest.mark.parametrize("style", [AMA, VANCOUVER])
def test_text_from_the_database_is_escaped(style):
    hostile = reference(title=HOSTILE, authors="Doe J, <img src=x onerror=alert(1)>", source="J & <i>K</i>")
    (formatted,) = format_references([hostile], style)
    assert isinstance(formatted, SafeString)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in formatted
    assert "&lt;img src=x onerror=alert(1)&gt;" in formatted
    assert "J &amp; &lt;i&gt;K&lt;/i&gt;" in formatted
    assert '&lt;span class="nocase"&gt;x&lt;/span&gt;' in formatted  # CSL's own markup is not read either
    for markup in ("<script", "<b>", "<img", "<span"):
        assert markup not in formatted


def test_a_reference_the_style_cannot_format_becomes_a_plain_escaped_line(caplog):
    # A year that is not a number, as a hand-edited or imported document could hold.
    broken = reference(id=9001, year="n.d.", title="Broken <year> & all")
    with caplog.at_level(logging.WARNING, logger="references.citation_styles"):
        formatted = format_references([broken, JOURNAL_ARTICLE], AMA, with_identifiers=False)
    assert formatted == [
        "Doe J, Roe RA, Poe P. Broken &lt;year&gt; &amp; all. Pain Res Example. n.d.",
        "Doe J, Roe RA, Poe P. Low-dose treatment for chronic pain: a randomized crossover trial. "
        "<i>Pain Res Example</i>. 2013;65(2):529-538.",
    ]
    assert [record.getMessage() for record in caplog.records] == [
        "Reference 9001 could not be formatted in the american-medical-association style; showing a plain line."
    ]


def test_an_unknown_style_is_refused():
    with pytest.raises(ValueError, match="Unknown citation style 'chicago-author-date'"):
        format_references([JOURNAL_ARTICLE], "chicago-author-date")


# The setting


def test_check_refuses_an_unknown_style(settings):
    settings.READER_CITATION_STYLE = "harvard"
    (error,) = citation_style(None)
    assert (error.id, error.msg) == (
        "reader.E002",
        "READER_CITATION_STYLE is 'harvard', which is not a citation style this site knows.",
    )


@pytest.mark.parametrize("style", [AMA, VANCOUVER])
def test_check_accepts_the_known_styles(settings, style):
    settings.READER_CITATION_STYLE = style
    assert citation_style(None) == []


# The reader page


@pytest.fixture
def live_article(db, empty_cache, editor, managing_editor):
    """A live article whose first reference is `JOURNAL_ARTICLE`."""
    article = citable_article()
    first = article.sections.first().claims.first().citations.first().reference
    for field in ("kind", "title", "authors", "source", "year", "volume", "issue", "pages", "doi", "pmid"):
        setattr(first, field, JOURNAL_ARTICLE[field])
    first.pmcid = "PMC3570769"
    first.full_clean()
    first.save()
    approved(article, editor, managing_editor)
    return article


AMA_ON_PAGE = (
    '<span class="ref-citation">Doe J, Roe RA, Poe P. Low-dose treatment for chronic pain: a randomized crossover '
    "trial. <i>Pain Res Example</i>. 2013;65(2):529-538.</span>"
)
VANCOUVER_ON_PAGE = (
    '<span class="ref-citation">Doe J, Roe RA, Poe P. Low-dose treatment for chronic pain: a randomized crossover '
    "trial. Pain Res Example. 2013;65(2):529\N{EN DASH}38.</span>"
)


@pytest.mark.parametrize("style, expected", [(AMA, AMA_ON_PAGE), (VANCOUVER, VANCOUVER_ON_PAGE)])
def test_reader_page_shows_references_in_the_configured_style(client, settings, live_article, style, expected):
    settings.READER_CITATION_STYLE = style
    html = client.get(reverse("reader:article", args=[live_article.slug])).content.decode()
    assert expected in html


def test_reader_page_keeps_the_kind_the_links_and_the_way_back(client, live_article):
    html = client.get(reverse("reader:article", args=[live_article.slug])).content.decode()
    entry = html[html.index('<li id="ref-1">') : html.index("</li>", html.index('<li id="ref-1">'))]
    assert '<span class="ref-kind">Clinical trial</span>' in entry
    assert '<a href="https://doi.org/10.5555/style-example" rel="noopener">doi:10.5555/style-example</a>' in entry
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/23359310/" rel="noopener">PMID 23359310</a>' in entry
    assert '<a href="https://pmc.ncbi.nlm.nih.gov/articles/PMC3570769/" rel="noopener">PMCID PMC3570769</a>' in entry
    assert 'class="backlink" href="#cite-' in entry


def test_reader_page_escapes_hostile_reference_text(client, db, empty_cache, editor, managing_editor):
    article = citable_article()
    first = article.sections.first().claims.first().citations.first().reference
    first.title = HOSTILE
    first.save()
    approved(article, editor, managing_editor)
    html = client.get(reverse("reader:article", args=[article.slug])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html


def test_cache_pointer_names_the_style(settings):
    settings.READER_CITATION_STYLE = AMA
    ama_key = cache.article_key("metformin", "clinician")
    settings.READER_CITATION_STYLE = VANCOUVER
    assert cache.article_key("metformin", "clinician") != ama_key


def test_changing_the_style_never_serves_the_page_cached_in_the_old_one(
    client, settings, live_article, django_assert_num_queries
):
    url = reverse("reader:article", args=[live_article.slug])
    settings.READER_CITATION_STYLE = AMA
    assert AMA_ON_PAGE in client.get(url).content.decode()  # cached now
    settings.READER_CITATION_STYLE = VANCOUVER
    assert VANCOUVER_ON_PAGE in client.get(url).content.decode()
    settings.READER_CITATION_STYLE = AMA
    with django_assert_num_queries(0):
        assert AMA_ON_PAGE in client.get(url).content.decode()  # the AMA page, still cached
