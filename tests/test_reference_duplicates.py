"""Possible duplicates are found by title and year, and merged with their citations, history and retractions."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Citation
from config.history import acting_as
from references.duplicates import (
    duplicate_groups,
    possible_duplicate_ids,
    possible_duplicates,
    possible_duplicates_of,
    title_key,
)
from references.merge import MergeRefused, MergeReport, references_merge
from references.models import Reference, references_by_id
from tests.factories import CitationFactory, ClaimFactory, ReferenceFactory, UserFactory

pytestmark = pytest.mark.django_db

TITLE = "Low-dose naltrexone: a review."
SAME_TITLE_RETYPED = "LOW DOSE NALTREXONE — a  review"


def bare(**fields):
    """A reference without identifiers unless given."""
    return ReferenceFactory(**{"doi": "", "pmid": "", "pmcid": "", **fields})


def reference_history(pk):
    return [(row.history_type, row.history_user) for row in Reference.history.filter(id=pk).order_by("history_id")]


def citation_history(pk):
    return [
        (row.history_type, row.history_user, row.reference_id)
        for row in Citation.history.filter(id=pk).order_by("history_id")
    ]


def snapshot():
    """Everything a refused merge must leave as it was."""
    return (
        list(Reference.objects.order_by("pk").values()),
        list(Citation.objects.order_by("pk").values()),
        Reference.history.count(),
        Citation.history.count(),
    )


def changelist_url():
    return reverse("admin:references_reference_changelist")


def merge_url(*references):
    ids = ",".join(str(reference.pk) for reference in references)
    return f"{reverse('admin:references_reference_merge')}?ids={ids}"


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# The rule: same normalised title, same year, identifiers that do not tell them apart.


def test_title_key_ignores_case_accents_punctuation_and_spacing():
    assert title_key(TITLE) == title_key(SAME_TITLE_RETYPED) == "low dose naltrexone a review"
    assert title_key("Étude randomisée_ (phase II)") == "etude randomisee phase ii"


def test_same_title_differently_typed_and_same_year_are_possible_duplicates():
    with_doi = ReferenceFactory(title=TITLE, year=2020, doi="10.5555/ldn", pmid="")
    retyped = bare(title=SAME_TITLE_RETYPED, year=2020)
    bare(title="Another paper entirely", year=2020)

    assert possible_duplicate_ids() == {with_doi.pk, retyped.pk}
    assert list(possible_duplicates().order_by("pk")) == [with_doi, retyped]


def test_same_title_in_different_years_is_not_a_duplicate():
    bare(title=TITLE, year=2020)
    bare(title=TITLE, year=2021)

    assert possible_duplicate_ids() == set()


def test_two_blank_years_count_as_the_same_year_but_a_blank_and_a_given_year_do_not():
    first, second = bare(title=TITLE, year=None), bare(title=SAME_TITLE_RETYPED, year=None)
    bare(title=TITLE, year=2020)

    assert possible_duplicate_ids() == {first.pk, second.pk}


def test_references_with_different_dois_are_different_papers_whatever_their_titles():
    ReferenceFactory(title="Correction", year=2020, doi="10.5555/erratum.1", pmid="")
    ReferenceFactory(title="Correction.", year=2020, doi="10.5555/erratum.2", pmid="")

    assert possible_duplicate_ids() == set()


def test_references_with_different_pmids_are_different_papers():
    ReferenceFactory(title=TITLE, year=2020, doi="", pmid="111")
    ReferenceFactory(title=TITLE, year=2020, doi="", pmid="222")

    assert possible_duplicate_ids() == set()


def test_a_doi_and_a_pmid_do_not_tell_two_references_apart():
    with_doi = ReferenceFactory(title=TITLE, year=2020, doi="10.5555/ldn", pmid="")
    with_pmid = ReferenceFactory(title=TITLE, year=2020, doi="", pmid="23359310")

    assert possible_duplicate_ids() == {with_doi.pk, with_pmid.pk}


def test_a_reference_without_identifiers_pairs_with_each_of_two_that_differ():
    first = ReferenceFactory(title=TITLE, year=2020, doi="10.5555/a", pmid="")
    second = ReferenceFactory(title=TITLE, year=2020, doi="10.5555/b", pmid="")
    bare_one = bare(title=SAME_TITLE_RETYPED, year=2020)

    assert possible_duplicate_ids() == {first.pk, second.pk, bare_one.pk}
    assert possible_duplicates_of(first) == [bare_one]
    assert possible_duplicates_of(bare_one) == [first, second]


def test_duplicate_groups_gather_each_title_and_year_in_title_order():
    later = [bare(title="Zinc for colds", year=2019), bare(title="Zinc for colds.", year=2019)]
    earlier = [bare(title=TITLE, year=None), bare(title=SAME_TITLE_RETYPED, year=None)]
    bare(title="Zinc for colds", year=2020)

    groups = duplicate_groups()

    assert [(group.title_key, group.year, group.references) for group in groups] == [
        ("low dose naltrexone a review", None, earlier),
        ("zinc for colds", 2019, later),
    ]


# Merging.


def test_merge_moves_citations_to_the_kept_reference_with_history_naming_the_user(editor):
    keep = ReferenceFactory(title=TITLE, year=2020, doi="10.5555/ldn", pmid="")
    duplicate = bare(title=SAME_TITLE_RETYPED, year=2020)
    citation = CitationFactory(reference=duplicate, order=3)

    with acting_as(editor):
        report = references_merge(keep=keep, duplicates=[duplicate])

    assert report == MergeReport(citations_moved=1, citations_dropped=0, fields_filled=0, references_removed=1)
    citation.refresh_from_db()
    assert (citation.reference, citation.order) == (keep, 3)
    assert citation_history(citation.pk) == [("+", None, duplicate.pk), ("~", editor, keep.pk)]
    assert Citation.history.filter(id=citation.pk).latest().history_change_reason == (
        f"Reference {duplicate.pk} merged into reference {keep.pk}."
    )
    assert not Reference.objects.filter(pk=duplicate.pk).exists()
    assert reference_history(duplicate.pk) == [("+", None), ("-", editor)]
    assert Reference.history.filter(id=duplicate.pk).latest().history_change_reason == (
        f"Merged into reference {keep.pk}."
    )
    assert reference_history(keep.pk) == [("+", None)]  # nothing to fill: no empty history entry


def test_a_claim_citing_both_references_cites_the_kept_one_once(editor):
    keep, duplicate = bare(title=TITLE), bare(title=TITLE)
    claim = ClaimFactory()
    kept_citation = CitationFactory(claim=claim, reference=keep, order=0)
    dropped = CitationFactory(claim=claim, reference=duplicate, order=1)
    moved = CitationFactory(reference=duplicate, order=0)  # another claim

    with acting_as(editor):
        report = references_merge(keep=keep, duplicates=[duplicate])

    assert (report.citations_moved, report.citations_dropped) == (1, 1)
    assert list(claim.citations.values_list("pk", "reference", "order")) == [(kept_citation.pk, keep.pk, 0)]
    assert citation_history(dropped.pk) == [("+", None, duplicate.pk), ("-", editor, duplicate.pk)]
    assert citation_history(moved.pk) == [("+", None, duplicate.pk), ("~", editor, keep.pk)]
    assert citation_history(kept_citation.pk) == [("+", None, keep.pk)]


def test_a_claim_citing_two_duplicates_cites_the_kept_reference_once(editor):
    keep, first, second = bare(title=TITLE), bare(title=TITLE), bare(title=TITLE)
    claim = ClaimFactory()
    from_first = CitationFactory(claim=claim, reference=first, order=0)
    from_second = CitationFactory(claim=claim, reference=second, order=1)

    with acting_as(editor):
        report = references_merge(keep=keep, duplicates=[first, second])

    assert report == MergeReport(citations_moved=1, citations_dropped=1, fields_filled=0, references_removed=2)
    assert list(claim.citations.values_list("pk", "reference")) == [(from_first.pk, keep.pk)]
    assert citation_history(from_second.pk) == [("+", None, second.pk), ("-", editor, second.pk)]


def test_merge_fills_blank_fields_from_the_duplicates_in_order_and_never_overwrites(editor):
    keep = bare(title=TITLE, authors="Younger J", source="", volume="", pages="", url="")
    first = bare(title=TITLE, authors="Someone Else", source="", doi="10.5555/ldn", pmid="23359310", volume="12")
    second = bare(title=TITLE, pmcid="PMC3570769", volume="99", pages="1-9", source="Clin Rheumatol")

    with acting_as(editor):
        report = references_merge(keep=keep, duplicates=[first, second])

    keep.refresh_from_db()
    assert report.fields_filled == 6
    assert (keep.authors, keep.source, keep.doi, keep.pmid, keep.pmcid, keep.volume, keep.pages, keep.url) == (
        "Younger J",
        "Clin Rheumatol",
        "10.5555/ldn",
        "23359310",
        "PMC3570769",
        "12",
        "1-9",
        "",
    )
    assert reference_history(keep.pk) == [("+", None), ("~", editor)]
    assert Reference.history.filter(id=keep.pk).latest().history_change_reason == (
        f"Filled from merged references {first.pk}, {second.pk}."
    )
    # The duplicates' last history rows still show the identifiers they gave away.
    assert Reference.history.filter(id=first.pk).latest().doi == "10.5555/ldn"


def test_merge_fills_a_blank_year_from_a_duplicate(editor):
    keep, duplicate = bare(title=TITLE, year=None), bare(title=TITLE, year=2013)

    with acting_as(editor):
        references_merge(keep=keep, duplicates=[duplicate])

    keep.refresh_from_db()
    assert keep.year == 2013


@pytest.mark.parametrize(
    ("kept_standing", "duplicate_standing", "standing_after", "taken"),
    [
        ("", "retracted", "retracted", "retracted"),
        ("", "expression_of_concern", "expression_of_concern", "expression_of_concern"),
        ("expression_of_concern", "retracted", "retracted", "retracted"),
        ("retracted", "expression_of_concern", "retracted", ""),
        ("retracted", "", "retracted", ""),
    ],
)
def test_merge_never_hides_a_retraction(editor, kept_standing, duplicate_standing, standing_after, taken):
    keep = bare(title=TITLE, retraction_status=kept_standing)
    duplicate = bare(
        title=TITLE,
        retraction_status=duplicate_standing,
        retraction_date=datetime.date(2022, 5, 1) if duplicate_standing else None,
        retraction_source="Journal notice" if duplicate_standing else "",
    )

    with acting_as(editor):
        report = references_merge(keep=keep, duplicates=[duplicate])

    keep.refresh_from_db()
    assert (keep.retraction_status, report.standing_taken) == (standing_after, taken)
    if taken:
        assert (keep.retraction_date, keep.retraction_source) == (datetime.date(2022, 5, 1), "Journal notice")


def test_merge_report_summarises_the_counts_in_a_sentence(editor):
    keep = bare(title=TITLE, pages="")
    duplicate = bare(title=TITLE, pages="12-19", retraction_status=Reference.Retraction.RETRACTED)
    CitationFactory(reference=duplicate)

    with acting_as(editor):
        report = references_merge(keep=keep, duplicates=[duplicate])

    assert report.summary(keep) == (
        f"Merged 1 reference into “{TITLE}”: 1 citation moved, 1 blank field filled. "
        "It is now marked “retracted”, as a merged duplicate was."
    )


def test_merge_report_counts_citations_removed_where_the_claim_already_cited_the_kept_reference(editor):
    keep, first, second = bare(title=TITLE), bare(title=TITLE), bare(title=TITLE)
    for reference in (keep, first, second):
        CitationFactory(claim=ClaimFactory(), reference=reference)  # one move each for the duplicates
    shared = ClaimFactory()
    for order, reference in enumerate((keep, first, second)):
        CitationFactory(claim=shared, reference=reference, order=order)

    with acting_as(editor):
        report = references_merge(keep=keep, duplicates=[first, second])

    assert report.summary(keep) == (
        f"Merged 2 references into “{TITLE}”: 2 citations moved, 2 citations removed where the claim already cited it."
    )


@pytest.mark.skipif(not connection.features.has_select_for_update, reason="SQLite locks the whole database")
def test_merge_locks_the_references_and_the_citations_it_changes(editor):
    keep, duplicate = bare(title=TITLE), bare(title=TITLE)
    CitationFactory(reference=duplicate)

    with acting_as(editor), CaptureQueriesContext(connection) as queries:
        references_merge(keep=keep, duplicates=[duplicate])

    locking = [query["sql"] for query in queries if query["sql"].endswith("FOR UPDATE")]
    assert [sql.split(" FROM ", 1)[1].split(" ", 1)[0] for sql in locking] == [
        '"references_reference"',
        '"articles_citation"',
    ]


def test_merge_refuses_references_with_different_dois_and_changes_nothing(editor):
    keep = ReferenceFactory(title=TITLE, doi="10.5555/a", pmid="")
    duplicate = ReferenceFactory(title=TITLE, doi="10.5555/b", pmid="")
    CitationFactory(reference=duplicate)
    before = snapshot()

    with acting_as(editor), pytest.raises(MergeRefused) as refusal:
        references_merge(keep=keep, duplicates=[duplicate])

    assert refusal.value.message == (
        f"“{TITLE}” (DOI 10.5555/a) and “{TITLE}” (DOI 10.5555/b) have different DOIs, "
        "so they are different papers and cannot be merged."
    )
    assert snapshot() == before


def test_merge_refuses_two_duplicates_with_different_pmids_even_when_keep_has_none(editor):
    keep = bare(title=TITLE)
    first, second = bare(title=TITLE, pmid="111"), bare(title=TITLE, pmid="222")
    before = snapshot()

    with acting_as(editor), pytest.raises(MergeRefused, match="have different PMIDs"):
        references_merge(keep=keep, duplicates=[first, second])

    assert snapshot() == before


def test_merge_refuses_to_merge_a_reference_into_itself(editor):
    keep = bare(title=TITLE)
    CitationFactory(reference=keep)
    before = snapshot()

    with acting_as(editor), pytest.raises(MergeRefused) as refusal:
        references_merge(keep=keep, duplicates=[keep])

    assert refusal.value.message == f"“{TITLE}” cannot be merged into itself. Choose the other references to merge."
    assert snapshot() == before


def test_merge_refuses_a_duplicate_somebody_removed_meanwhile(editor):
    keep, duplicate = bare(title=TITLE), bare(title="Gone already")
    Reference.objects.filter(pk=duplicate.pk).delete()
    before = snapshot()

    with acting_as(editor), pytest.raises(MergeRefused) as refusal:
        references_merge(keep=keep, duplicates=[duplicate])

    assert refusal.value.message == (
        "“Gone already” is no longer in the library: somebody merged or deleted it meanwhile. "
        "Reload the list and choose again."
    )
    assert snapshot() == before


# The admin: a list filter, an action, a confirmation page.


@pytest.fixture
def change_only_staff(db):
    """Staff who may change references but not delete them."""
    user = UserFactory(username="changer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_reference"))
    return user


@pytest.fixture
def pair(db):
    """Two references that are the same paper: one with a DOI and cited twice, one bare and cited once."""
    keep = ReferenceFactory(title=TITLE, year=2020, doi="10.5555/ldn", pmid="")
    duplicate = bare(title=SAME_TITLE_RETYPED, year=2020, pmid="23359310")
    CitationFactory(reference=keep)
    CitationFactory(reference=keep)
    CitationFactory(reference=duplicate, claim=ClaimFactory(text="Naltrexone reduced pain scores."))
    return keep, duplicate


def test_possible_duplicates_filter_lists_only_possible_duplicates(client, editor, pair):
    bare(title="Not duplicated", year=2020)
    client.force_login(editor)

    page = client.get(changelist_url() + "?duplicate=yes")

    assert page.status_code == 200
    assert sorted(page.context["cl"].result_list, key=lambda ref: ref.pk) == list(pair)


def test_possible_duplicates_filter_costs_the_same_few_queries_on_a_large_library(
    client, editor, django_assert_max_num_queries
):
    for n in range(60):
        bare(title=f"Paper {n // 2}", year=2020)  # thirty pairs
    ReferenceFactory.create_batch(100)
    client.force_login(editor)

    with django_assert_max_num_queries(9):
        page = client.get(changelist_url() + "?duplicate=yes")

    assert page.context["cl"].result_count == 60


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (None, 302),  # anonymous: to the login page
        ("reader", 302),  # not staff: to the login page
        ("board_member", 403),  # may only view references
        ("change_only_staff", 403),  # may change but not delete
        ("editor", 200),
        ("managing_editor", 200),
    ],
)
def test_merge_page_permission_ladder(client, request, pair, user, expected):
    if user:
        client.force_login(request.getfixturevalue(user))

    page = client.get(merge_url(*pair))

    assert page.status_code == expected
    if expected == 302:
        assert page["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("user", ["board_member", "change_only_staff"])
def test_merging_is_refused_to_staff_without_both_permissions_and_changes_nothing(client, request, pair, user):
    client.force_login(request.getfixturevalue(user))
    keep, duplicate = pair
    before = snapshot()

    listed = client.get(changelist_url())
    acted = client.post(
        changelist_url(), {"action": "merge_selected", "_selected_action": [keep.pk, duplicate.pk], "index": 0}
    )
    posted = client.post(merge_url(*pair), {"keep": keep.pk})

    assert 'value="merge_selected"' not in listed.content.decode()
    assert acted.status_code == 200  # the changelist again: no action of theirs is called "merge_selected"
    assert posted.status_code == 403
    assert snapshot() == before


def test_merge_action_leads_editors_to_the_confirmation_page(client, editor, pair):
    client.force_login(editor)
    keep, duplicate = pair

    acted = client.post(
        changelist_url(), {"action": "merge_selected", "_selected_action": [duplicate.pk, keep.pk], "index": 0}
    )

    assert acted.status_code == 302
    assert acted["Location"] == merge_url(*sorted(pair, key=lambda ref: ref.pk))


def test_merge_action_needs_two_references(client, editor, pair):
    client.force_login(editor)

    acted = client.post(changelist_url(), {"action": "merge_selected", "_selected_action": [pair[0].pk], "index": 0})

    assert acted.status_code == 302
    assert messages_of(acted) == ["Select at least two references to merge."]


def test_confirmation_page_suggests_the_most_cited_and_shows_the_citations_that_will_move(client, editor, pair):
    client.force_login(editor)
    keep, duplicate = pair

    html = client.get(merge_url(duplicate, keep)).content.decode()

    assert f'value="{keep.pk}" id="keep-{keep.pk}" checked required>' in html
    assert f'value="{duplicate.pk}" id="keep-{duplicate.pk}" required>' in html
    assert "Naltrexone reduced pain scores." in html
    assert "Cited by 1 claim; if you keep another reference, these citations move to it:" in html
    assert "<style" not in html.split('id="content"', 1)[1]
    assert "<script" not in html.split('id="content"', 1)[1]


def test_confirmation_page_suggests_the_reference_with_most_identifiers_when_citations_tie(client, editor):
    client.force_login(editor)
    fewer = ReferenceFactory(title=TITLE, doi="10.5555/ldn", pmid="")
    more = bare(title=TITLE, pmid="23359310", pmcid="PMC3570769")

    html = client.get(merge_url(fewer, more)).content.decode()

    assert f'value="{more.pk}" id="keep-{more.pk}" checked required>' in html


def test_confirming_merges_and_says_what_was_done(client, editor, pair):
    client.force_login(editor)
    keep, duplicate = pair
    moved = Citation.objects.get(reference=duplicate)

    done = client.post(merge_url(*pair), {"keep": keep.pk})

    assert done.status_code == 302
    assert done["Location"] == reverse("admin:references_reference_change", args=[keep.pk])
    assert messages_of(done) == [f"Merged 1 reference into “{TITLE}”: 1 citation moved, 1 blank field filled."]
    keep.refresh_from_db()
    assert (keep.doi, keep.pmid, keep.citations.count()) == ("10.5555/ldn", "23359310", 3)
    assert citation_history(moved.pk) == [("+", None, duplicate.pk), ("~", editor, keep.pk)]
    assert reference_history(duplicate.pk) == [("+", None), ("-", editor)]


def test_a_refused_merge_shows_why_and_changes_nothing(client, editor):
    client.force_login(editor)
    first = ReferenceFactory(title=TITLE, doi="10.5555/a", pmid="")
    second = ReferenceFactory(title=TITLE, doi="10.5555/b", pmid="")
    before = snapshot()

    refused = client.post(merge_url(first, second), {"keep": first.pk})

    assert refused.status_code == 409
    assert messages_of(refused) == [
        f"“{TITLE}” (DOI 10.5555/a) and “{TITLE}” (DOI 10.5555/b) have different DOIs, "
        "so they are different papers and cannot be merged."
    ]
    assert snapshot() == before


def test_confirming_without_choosing_asks_for_a_choice(client, editor, pair):
    client.force_login(editor)
    before = snapshot()

    page = client.post(merge_url(*pair), {})

    assert page.status_code == 200
    assert "Choose the reference to keep." in page.content.decode()
    assert snapshot() == before


def test_change_form_links_to_possible_duplicates(client, editor, pair):
    client.force_login(editor)
    keep, duplicate = pair

    html = client.get(reverse("admin:references_reference_change", args=[keep.pk])).content.decode()

    duplicate_url = reverse("admin:references_reference_change", args=[duplicate.pk])
    assert f'<li><a href="{duplicate_url}">{duplicate}</a></li>' in html
    assert f'<a href="{merge_url(keep, duplicate)}">Compare and merge them</a>' in html


def test_change_form_offers_the_merge_only_to_those_who_may_merge(client, board_member, pair):
    client.force_login(board_member)
    keep, duplicate = pair

    html = client.get(reverse("admin:references_reference_change", args=[keep.pk])).content.decode()

    assert f'<li><a href="{reverse("admin:references_reference_change", args=[duplicate.pk])}">' in html
    assert "Compare and merge them" not in html


def test_change_form_of_a_reference_without_duplicates_has_no_duplicates_section(client, editor):
    client.force_login(editor)

    html = client.get(reverse("admin:references_reference_change", args=[bare(title=TITLE).pk])).content.decode()

    assert "Same title and year" not in html


def test_merged_away_ids_lead_to_the_reference_that_absorbed_them_even_after_a_second_merge(editor):
    first, second, last = (ReferenceFactory(title="Same trial", year=2020, doi="", pmid="") for _ in range(3))
    first_id, second_id = first.pk, second.pk
    with acting_as(editor):
        references_merge(keep=second, duplicates=[first])
        references_merge(keep=last, duplicates=[second])

    assert references_by_id([first_id, second_id, last.pk]) == {first_id: last, second_id: last, last.pk: last}
