"""Live articles citing retracted evidence: found from the words readers see, shown to editors, announced."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Citation
from config.history import acting_as
from editorial import receivers
from editorial.evidence import FlaggedEvidence, live_article_evidence_flags, live_articles_citing_flagged_evidence
from editorial.evidence_flags import evidence_flags_differences, evidence_flags_rebuild, evidence_flags_refresh
from editorial.models import LiveEvidenceFlag
from editorial.services import article_submit, article_withdraw
from references.merge import references_merge
from references.models import Reference
from references.retractions import retractions_import
from tests.factories import (
    ArticleFactory,
    CitationFactory,
    ClaimFactory,
    ReferenceFactory,
    SectionFactory,
    UserFactory,
)
from tests.workflow_helpers import approved

pytestmark = pytest.mark.django_db

RETRACTED = Reference.Retraction.RETRACTED
CONCERN = Reference.Retraction.EXPRESSION_OF_CONCERN
DASHBOARD = "admin:articles_article_retracted_evidence"
EMPTY_STATE = "No live article cites a retracted reference or a reference under an expression of concern."


def article_citing(*references, title="Magnesium for migraine", heading="Prevention"):
    """A working copy with one section and one claim per reference, each citing it."""
    section = SectionFactory(article=ArticleFactory(title=title), order=0, heading=heading)
    for position, reference in enumerate(references):
        claim = ClaimFactory(section=section, order=position, lead_in="", text=f"**Claim {position + 1}** cites it.")
        CitationFactory(claim=claim, reference=reference)
    return section.article


def live_article_citing(editor, managing_editor, *references, **fields):
    """An article approved by the board, so readers see a revision citing `references`."""
    article = article_citing(*references, **fields)
    approved(article, editor, managing_editor)
    return article


def flag(reference, standing, notice_date=datetime.date(2024, 3, 14), source="Retraction Watch: 10.5555/notice"):
    reference.retraction_status = standing
    reference.retraction_date = notice_date if standing else None
    reference.retraction_source = source if standing else ""
    reference.full_clean()
    reference.save()
    return reference


def flagged_live_articles(editor, managing_editor, count):
    """`count` live articles, each citing a sound reference and one retracted after approval."""
    for _ in range(count):
        retracted = ReferenceFactory()
        article = live_article_citing(editor, managing_editor, ReferenceFactory(), retracted, title=retracted.title)
        flag(retracted, RETRACTED)
    return article


def summary(flagged_articles):
    """What the dashboard says, as plain data: article, then each flagged reference and its citing claims."""
    return [
        (
            entry.article.title,
            [
                (
                    citation.number,
                    citation.reference.title,
                    citation.reference.retraction_status,
                    [(claim.section, claim.position, claim.excerpt) for claim in citation.claims],
                    citation.is_cited_by_working_copy,
                    citation.is_cited_by_revision_in_review,
                )
                for citation in entry.citations
            ],
        )
        for entry in flagged_articles
    ]


# The selector


def test_live_article_citing_a_retracted_reference_is_flagged_with_its_citing_claims(editor, managing_editor):
    sound = ReferenceFactory(title="A sound trial")
    retracted = ReferenceFactory(title="A fabricated trial")
    live_article_citing(editor, managing_editor, sound, retracted)
    flag(retracted, RETRACTED)

    flagged = live_articles_citing_flagged_evidence()

    assert summary(flagged) == [
        (
            "Magnesium for migraine",
            [(2, "A fabricated trial", RETRACTED, [("Prevention", 2, "Claim 2 cites it.")], True, None)],
        )
    ]
    assert flagged[0].citations[0].reference.retraction_date == datetime.date(2024, 3, 14)
    assert flagged[0].citations[0].reference.retraction_source == "Retraction Watch: 10.5555/notice"


def test_live_article_citing_a_duplicate_merged_into_a_retracted_reference_is_flagged(editor, managing_editor):
    duplicate = ReferenceFactory(title="A fabricated trial", doi="", pmid="")
    live_article_citing(editor, managing_editor, ReferenceFactory(title="A sound trial"), duplicate)
    kept = flag(ReferenceFactory(title="A fabricated trial", year=duplicate.year), RETRACTED)
    with acting_as(editor):
        references_merge(keep=kept, duplicates=[duplicate])

    flagged = live_articles_citing_flagged_evidence()

    assert summary(flagged) == [
        (
            "Magnesium for migraine",
            [(2, "A fabricated trial", RETRACTED, [("Prevention", 2, "Claim 2 cites it.")], True, None)],
        )
    ]
    assert flagged[0].citations[0].reference == kept


def test_retractions_come_before_concerns_and_newest_notice_first(editor, managing_editor):
    older, newer, concern = ReferenceFactory(), ReferenceFactory(), ReferenceFactory()
    live_article_citing(editor, managing_editor, concern, title="Under concern")
    live_article_citing(editor, managing_editor, older, title="Retracted in 2022")
    live_article_citing(editor, managing_editor, newer, title="Retracted in 2024")
    flag(older, RETRACTED, datetime.date(2022, 1, 5))
    flag(newer, RETRACTED, datetime.date(2024, 6, 1))
    flag(concern, CONCERN, datetime.date(2025, 2, 1))

    titles = [entry.article.title for entry in live_articles_citing_flagged_evidence()]

    assert titles == ["Retracted in 2024", "Retracted in 2022", "Under concern"]


def test_an_articles_flagged_references_are_listed_retracted_first(editor, managing_editor):
    concern, retracted = ReferenceFactory(title="Questioned"), ReferenceFactory(title="Withdrawn by the journal")
    live_article_citing(editor, managing_editor, concern, retracted)
    flag(concern, CONCERN, datetime.date(2025, 1, 1))
    flag(retracted, RETRACTED, datetime.date(2020, 1, 1))

    (entry,) = live_articles_citing_flagged_evidence()

    assert [(c.number, c.reference.title) for c in entry.citations] == [
        (2, "Withdrawn by the journal"),
        (1, "Questioned"),
    ]
    assert entry.has_retracted_reference is True


def test_article_never_approved_is_not_flagged_though_its_working_copy_cites_a_retracted_reference(editor):
    reference = ReferenceFactory()
    draft = article_citing(reference, title="Still a draft")
    submitted = article_citing(reference, title="Submitted, never approved")
    article_submit(article=submitted, user=editor)
    flag(reference, RETRACTED)

    assert live_articles_citing_flagged_evidence() == []
    assert live_article_evidence_flags() == {}
    assert draft.pk and submitted.pk


def test_withdrawn_article_is_not_flagged(editor, managing_editor):
    reference = ReferenceFactory()
    article = live_article_citing(editor, managing_editor, reference)
    article_withdraw(
        article=article,
        user=managing_editor,
        reason="Under investigation.",
        public_reason="We are checking this answer against new evidence.",
    )
    flag(reference, RETRACTED)

    assert live_articles_citing_flagged_evidence() == []


def test_reinstated_reference_is_no_longer_flagged(editor, managing_editor):
    reference = ReferenceFactory()
    live_article_citing(editor, managing_editor, reference)
    flag(reference, RETRACTED)
    flag(reference, Reference.Retraction.STANDS)

    assert live_articles_citing_flagged_evidence() == []
    assert live_article_evidence_flags() == {}


def test_flag_says_the_working_copy_still_cites_the_reference_until_an_editor_removes_it(editor, managing_editor):
    reference = ReferenceFactory(title="A fabricated trial")
    article = live_article_citing(editor, managing_editor, reference)
    flag(reference, RETRACTED)
    assert summary(live_articles_citing_flagged_evidence())[0][1][0][4:] == (True, None)

    Citation.objects.filter(claim__section__article=article, reference=reference).delete()

    # Readers still see the approved words, so the article stays flagged; the fix is under way.
    assert summary(live_articles_citing_flagged_evidence()) == [
        (
            "Magnesium for migraine",
            [(1, "A fabricated trial", RETRACTED, [("Prevention", 1, "Claim 1 cites it.")], False, None)],
        )
    ]


def test_flag_says_whether_the_revision_in_review_still_cites_the_reference(editor, managing_editor):
    reference = ReferenceFactory()
    article = live_article_citing(editor, managing_editor, reference)
    flag(reference, RETRACTED)
    citation = Citation.objects.get(claim__section__article=article, reference=reference)
    citation.reference = ReferenceFactory()
    citation.save()
    article_submit(article=article, user=editor, note="Replaces the retracted trial.")

    (entry,) = live_articles_citing_flagged_evidence()

    assert entry.revision_in_review.number == 2
    assert [(c.is_cited_by_working_copy, c.is_cited_by_revision_in_review) for c in entry.citations] == [(False, False)]


def test_flags_give_each_live_articles_worst_standing(editor, managing_editor):
    retracted, concern, sound = ReferenceFactory(), ReferenceFactory(), ReferenceFactory()
    both = live_article_citing(editor, managing_editor, concern, retracted, title="Both")
    questioned = live_article_citing(editor, managing_editor, concern, title="Questioned")
    live_article_citing(editor, managing_editor, sound, title="Sound")
    flag(retracted, RETRACTED)
    flag(concern, CONCERN)

    assert live_article_evidence_flags() == {both.pk: RETRACTED, questioned.pk: CONCERN}


def test_list_counts_an_article_once_and_orders_equal_standings_by_title(editor, managing_editor):
    """The database orders and counts the list: by worst standing, then title, each article once."""
    first, second, concern = ReferenceFactory(), ReferenceFactory(), ReferenceFactory()
    live_article_citing(editor, managing_editor, concern, title="Under concern")
    live_article_citing(editor, managing_editor, second, title="beta blockers")
    live_article_citing(editor, managing_editor, first, concern, title="Aspirin")
    for reference in (first, second):
        flag(reference, RETRACTED, datetime.date(2024, 6, 1))
    flag(concern, CONCERN, datetime.date(2025, 2, 1))

    evidence = FlaggedEvidence()

    assert len(evidence) == 3
    assert [entry.article.title for entry in evidence.articles(evidence[:2])] == ["Aspirin", "beta blockers"]
    assert [entry.article.title for entry in evidence.articles()] == ["Aspirin", "beta blockers", "Under concern"]


def test_selector_costs_the_same_queries_for_2_and_10_flagged_articles(
    editor, managing_editor, django_assert_max_num_queries
):
    flagged_live_articles(editor, managing_editor, 2)
    with django_assert_max_num_queries(5) as two:
        assert len(live_articles_citing_flagged_evidence()) == 2

    flagged_live_articles(editor, managing_editor, 8)
    with django_assert_max_num_queries(5) as ten:
        assert len(live_articles_citing_flagged_evidence()) == 10

    assert len(two.captured_queries) == len(ten.captured_queries)


def flagged_with_fix_in_review(editor, managing_editor, count):
    """`count` flagged live articles, each with a revision in review that cites another reference."""
    for _ in range(count):
        retracted = ReferenceFactory()
        article = live_article_citing(editor, managing_editor, retracted, title=retracted.title)
        flag(retracted, RETRACTED)
        citation = Citation.objects.get(claim__section__article=article, reference=retracted)
        citation.reference = ReferenceFactory()
        citation.save()
        article_submit(article=article, user=editor, note="Replaces the retracted trial.")


def test_selector_costs_the_same_queries_for_2_and_6_articles_with_a_fix_in_review(
    editor, managing_editor, django_assert_max_num_queries
):
    flagged_with_fix_in_review(editor, managing_editor, 2)
    with django_assert_max_num_queries(3) as two:
        assert len(live_articles_citing_flagged_evidence()) == 2

    flagged_with_fix_in_review(editor, managing_editor, 4)
    with django_assert_max_num_queries(3) as six:
        assert [entry.revision_in_review.number for entry in live_articles_citing_flagged_evidence()] == [2] * 6

    assert len(two.captured_queries) == len(six.captured_queries)


def test_selector_reads_one_query_when_nothing_is_flagged(editor, managing_editor, django_assert_num_queries):
    live_article_citing(editor, managing_editor, ReferenceFactory())

    with django_assert_num_queries(1):
        assert live_articles_citing_flagged_evidence() == []


# The editors' dashboard, and the permission ladder


@pytest.fixture
def flagged_live_article(editor, managing_editor):
    reference = ReferenceFactory(title="A fabricated trial of magnesium")
    article = live_article_citing(editor, managing_editor, reference)
    flag(reference, RETRACTED)
    return article, reference


def test_anonymous_visitor_is_sent_to_login_from_the_dashboard(client, flagged_live_article):
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_account_without_staff_access_is_sent_to_login_from_the_dashboard(client, reader, flagged_live_article):
    client.force_login(reader)
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_permission_is_refused_the_dashboard(client, flagged_live_article):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(DASHBOARD)).status_code == 403


def test_staff_with_only_reference_permissions_is_refused_the_dashboard(client, flagged_live_article):
    librarian = UserFactory(is_staff=True)
    librarian.user_permissions.add(Permission.objects.get(codename="change_reference"))
    client.force_login(librarian)
    assert client.get(reverse(DASHBOARD)).status_code == 403


def test_editor_sees_the_flagged_article_its_reference_and_the_links(client, editor, flagged_live_article):
    article, reference = flagged_live_article
    client.force_login(editor)

    response = client.get(reverse(DASHBOARD))

    html = response.content.decode()
    assert response.status_code == 200
    assert article.title in html
    assert reference.title in html
    assert reverse("admin:articles_article_change", args=[article.pk]) in html
    assert reverse("admin:references_reference_change", args=[reference.pk]) in html
    assert "Retracted" in html
    assert "Claim 1 cites it." in html
    assert "Still cites it." in html
    assert EMPTY_STATE not in html


def test_board_member_may_read_the_dashboard(client, board_member, flagged_live_article):
    client.force_login(board_member)
    assert client.get(reverse(DASHBOARD)).status_code == 200


def test_dashboard_says_so_when_no_live_article_cites_retracted_evidence(client, editor, managing_editor):
    live_article_citing(editor, managing_editor, ReferenceFactory())
    client.force_login(editor)

    response = client.get(reverse(DASHBOARD))

    assert response.status_code == 200
    assert EMPTY_STATE in response.content.decode()


def test_dashboard_costs_the_same_queries_for_2_and_10_flagged_articles(
    client, editor, managing_editor, django_assert_max_num_queries
):
    flagged_live_articles(editor, managing_editor, 2)
    client.force_login(editor)
    client.get(reverse(DASHBOARD))  # the session and the permission caches, once
    with django_assert_max_num_queries(10) as two:
        assert client.get(reverse(DASHBOARD)).status_code == 200

    flagged_live_articles(editor, managing_editor, 8)
    with django_assert_max_num_queries(10) as ten:
        assert client.get(reverse(DASHBOARD)).status_code == 200

    assert len(two.captured_queries) == len(ten.captured_queries)


def test_admin_index_links_to_the_dashboard_for_editors_only(client, editor):
    client.force_login(editor)
    assert reverse(DASHBOARD) in client.get(reverse("admin:index")).content.decode()

    client.force_login(UserFactory(is_staff=True, username="no-permissions"))
    assert reverse(DASHBOARD) not in client.get(reverse("admin:index")).content.decode()


# The article change list: a column, a filter and a link


@pytest.fixture
def three_live_articles(editor, managing_editor):
    retracted, concern = ReferenceFactory(), ReferenceFactory()
    articles = {
        "retracted": live_article_citing(editor, managing_editor, retracted, title="Cites a retraction"),
        "concern": live_article_citing(editor, managing_editor, concern, title="Cites a concern"),
        "sound": live_article_citing(editor, managing_editor, ReferenceFactory(), title="Cites sound evidence"),
    }
    flag(retracted, RETRACTED)
    flag(concern, CONCERN)
    return articles


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("any", {"Cites a retraction", "Cites a concern"}),
        ("retracted", {"Cites a retraction"}),
        ("concern", {"Cites a concern"}),
        ("no", {"Cites sound evidence"}),
        (None, {"Cites a retraction", "Cites a concern", "Cites sound evidence"}),
    ],
)
def test_change_list_filters_articles_by_the_evidence_they_cite(client, editor, three_live_articles, choice, expected):
    client.force_login(editor)
    query = {"retracted_evidence": choice} if choice else {}

    response = client.get(reverse("admin:articles_article_changelist"), query)

    assert {article.title for article in response.context["cl"].result_list} == expected


def test_change_list_shows_the_evidence_column_and_links_to_the_dashboard(client, editor, three_live_articles):
    client.force_login(editor)

    html = client.get(reverse("admin:articles_article_changelist")).content.decode()

    assert '<td class="field-cites_retracted_evidence">Retracted</td>' in html
    assert '<td class="field-cites_retracted_evidence">Expression of concern</td>' in html
    assert reverse(DASHBOARD) in html


def test_change_list_costs_the_same_queries_for_3_and_9_live_articles(
    client, editor, managing_editor, three_live_articles, django_assert_max_num_queries
):
    client.force_login(editor)
    changelist = reverse("admin:articles_article_changelist")
    client.get(changelist)  # the session and the permission caches, once
    with django_assert_max_num_queries(15) as three:
        assert client.get(changelist, {"retracted_evidence": "any"}).status_code == 200

    flagged_live_articles(editor, managing_editor, 6)
    with django_assert_max_num_queries(15) as nine:
        assert client.get(changelist, {"retracted_evidence": "any"}).status_code == 200

    assert len(three.captured_queries) == len(nine.captured_queries)


def test_change_list_reads_no_revisions_content(client, editor, three_live_articles):
    client.force_login(editor)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("admin:articles_article_changelist"), {"retracted_evidence": "any"})

    assert not [query["sql"] for query in queries.captured_queries if '"content"' in query["sql"]]


def test_dashboard_lists_a_page_of_flagged_articles_with_the_count_of_all(client, editor, managing_editor, monkeypatch):
    monkeypatch.setattr("editorial.admin.articles.EVIDENCE_PAGE_SIZE", 2)
    flagged_live_articles(editor, managing_editor, 3)
    client.force_login(editor)

    first = client.get(reverse(DASHBOARD))
    second = client.get(reverse(DASHBOARD), {"page": 2})

    assert len(first.context["flagged_articles"]) == 2
    assert len(second.context["flagged_articles"]) == 1
    assert "3 live articles in all, those citing a retracted reference first; articles 1\N{EN DASH}2 below." in (
        first.content.decode()
    )
    shown = [entry.article for entry in [*first.context["flagged_articles"], *second.context["flagged_articles"]]]
    assert shown == [entry.article for entry in live_articles_citing_flagged_evidence()]


# The stored flags follow the library and the workflow


def test_list_follows_the_articles_title_as_it_is_now(editor, managing_editor):
    retracted = ReferenceFactory()
    live_article_citing(editor, managing_editor, retracted, title="Aspirin")
    renamed = live_article_citing(editor, managing_editor, retracted, title="Beta blockers")
    flag(retracted, RETRACTED)

    renamed.title = "Acupuncture"
    renamed.save()

    assert [entry.article.title for entry in live_articles_citing_flagged_evidence()] == ["Acupuncture", "Aspirin"]


def test_newer_notice_moves_an_article_ahead_of_others_of_its_standing(editor, managing_editor):
    older, newer = ReferenceFactory(), ReferenceFactory()
    live_article_citing(editor, managing_editor, older, title="Aspirin")
    live_article_citing(editor, managing_editor, newer, title="Beta blockers")
    flag(older, RETRACTED, datetime.date(2024, 1, 1))
    flag(newer, RETRACTED, datetime.date(2024, 6, 1))

    flag(older, RETRACTED, datetime.date(2025, 1, 1))

    assert [entry.article.title for entry in live_articles_citing_flagged_evidence()] == ["Aspirin", "Beta blockers"]


def test_deleting_a_flagged_reference_no_working_copy_cites_unflags_the_live_article(editor, managing_editor):
    reference = ReferenceFactory()
    article = live_article_citing(editor, managing_editor, reference)
    flag(reference, RETRACTED)
    with acting_as(editor):
        Citation.objects.filter(claim__section__article=article).delete()

        reference.delete()

    assert live_article_evidence_flags() == {}


def test_deleting_a_flagged_reference_unflags_the_live_article_citing_a_duplicate_merged_into_it(
    editor, managing_editor
):
    duplicate = ReferenceFactory(title="A fabricated trial", doi="", pmid="")
    article = live_article_citing(editor, managing_editor, duplicate)
    kept = flag(ReferenceFactory(title="A fabricated trial", year=duplicate.year), RETRACTED)
    with acting_as(editor):
        references_merge(keep=kept, duplicates=[duplicate])
        Citation.objects.filter(claim__section__article=article).delete()

        kept.delete()

    assert live_article_evidence_flags() == {}


def test_stored_flags_equal_a_computation_from_scratch_after_moves_retractions_and_merges(editor, managing_editor):
    duplicate, concern = ReferenceFactory(title="A fabricated trial", doi="", pmid=""), ReferenceFactory()
    kept = ReferenceFactory(title="A fabricated trial", year=duplicate.year)
    live_article_citing(editor, managing_editor, duplicate, concern, title="Cites the duplicate")
    withdrawn = live_article_citing(editor, managing_editor, kept, title="Withdrawn")
    flag(duplicate, RETRACTED)
    flag(concern, CONCERN)
    with acting_as(editor):
        references_merge(keep=kept, duplicates=[duplicate])
    article_withdraw(article=withdrawn, user=managing_editor, reason="Superseded.", public_reason="Superseded.")
    flag(concern, Reference.Retraction.STANDS)

    assert evidence_flags_differences() == []
    assert list(LiveEvidenceFlag.objects.values_list("article__title", "rank", "cites_concern")) == [
        ("Cites the duplicate", LiveEvidenceFlag.Rank.RETRACTED, False)
    ]


def test_refreshing_an_articles_flag_reads_only_the_references_its_live_revision_cites(editor, managing_editor):
    retracted = ReferenceFactory()
    article = live_article_citing(editor, managing_editor, retracted)
    flag(retracted, RETRACTED)
    for _ in range(5):  # flagged elsewhere in the library
        flag(ReferenceFactory(), RETRACTED)
    read = []

    def record(sender, instance, **kwargs):
        read.append(instance.pk)

    post_init.connect(record, sender=Reference)
    try:
        evidence_flags_refresh(article_ids=[article.pk])
    finally:
        post_init.disconnect(record, sender=Reference)

    assert read == [retracted.pk]


def test_rebuilding_the_flags_changes_nothing_when_they_are_in_step(editor, managing_editor):
    flagged_live_articles(editor, managing_editor, 2)
    before = list(LiveEvidenceFlag.objects.order_by("pk").values())

    assert evidence_flags_rebuild() == 2

    assert list(LiveEvidenceFlag.objects.order_by("pk").values()) == before


# The review desk


def test_managing_editors_desk_lists_live_articles_citing_retracted_evidence(
    client, managing_editor, flagged_live_article
):
    article, _ = flagged_live_article
    client.force_login(managing_editor)

    html = client.get(reverse("desk:queue")).content.decode()

    assert reverse("admin:articles_article_change", args=[article.pk]) in html
    assert reverse(DASHBOARD) in html


def test_managing_editors_desk_reads_no_revisions_content_for_flagged_evidence(
    client, editor, managing_editor, flagged_live_article
):
    client.force_login(managing_editor)

    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("desk:queue")).content.decode()

    assert "reference 1" in html
    assert not [query["sql"] for query in queries.captured_queries if '"content"' in query["sql"]]


def test_managing_editors_desk_costs_at_most_15_queries_for_2_and_14_flagged_articles(
    client, editor, managing_editor, django_assert_max_num_queries
):
    """Session and user, permissions, seven list heads and the members in review, the flagged evidence's head."""
    flagged_live_articles(editor, managing_editor, 2)
    client.force_login(managing_editor)
    with django_assert_max_num_queries(15) as two:
        assert client.get(reverse("desk:queue")).status_code == 200

    flagged_live_articles(editor, managing_editor, 12)
    with django_assert_max_num_queries(15) as fourteen:
        html = client.get(reverse("desk:queue")).content.decode()

    assert "The 10 most urgent of 14 articles." in html
    assert len(two.captured_queries) == len(fourteen.captured_queries)


# The email after a retraction list is imported


def retraction_row(reference, nature="Retraction"):
    return {
        "RetractionNature": nature,
        "RetractionDate": "3/14/2024 0:00",
        "OriginalPaperDOI": reference.doi,
        "OriginalPaperPubMedID": "",
        "RetractionDOI": "10.5555/notice.1",
    }


def test_import_flagging_a_reference_a_live_article_cites_emails_managing_editors_once(
    editor, managing_editor, django_capture_on_commit_callbacks
):
    cited, uncited = ReferenceFactory(title="A fabricated trial"), ReferenceFactory()
    article = live_article_citing(editor, managing_editor, cited)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), acting_as(managing_editor):
        retractions_import(rows=[retraction_row(cited), retraction_row(uncited)], source="Retraction Watch")

    (message,) = mail.outbox
    assert message.to == [managing_editor.email]
    assert message.subject == "Retracted evidence: 1 live article affected"
    assert "“Magnesium for migraine” (readers see revision 1)" in message.body
    assert (
        "  - [1] A fabricated trial: retracted on 14 March 2024 (Retraction Watch: 10.5555/notice.1). "
        "The working copy still cites it." in message.body
    )
    assert reverse("admin:articles_article_change", args=[article.pk]) in message.body
    assert reverse(DASHBOARD) in message.body


def test_import_flagging_only_references_no_live_article_cites_sends_nothing(
    editor, managing_editor, django_capture_on_commit_callbacks
):
    cited, uncited = ReferenceFactory(), ReferenceFactory()
    live_article_citing(editor, managing_editor, cited)
    flag(cited, RETRACTED)  # already known: the import leaves it unchanged
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), acting_as(managing_editor):
        retractions_import(rows=[retraction_row(cited), retraction_row(uncited)], source="Retraction Watch")

    assert mail.outbox == []


def test_a_save_that_leaves_a_references_standing_as_it_was_recomputes_no_flag(editor, managing_editor, monkeypatch):
    retracted = ReferenceFactory()
    live_article_citing(editor, managing_editor, retracted)
    flag(retracted, RETRACTED)
    refreshed = []
    monkeypatch.setattr(receivers, "evidence_flags_refresh_citing", lambda reference_ids: refreshed.append(1))
    reference = Reference.objects.get(pk=retracted.pk)

    reference.title = "A corrected title"
    reference.save()

    assert refreshed == []


def test_a_reference_read_from_the_database_then_retracted_flags_the_live_articles_citing_it(editor, managing_editor):
    cited = ReferenceFactory()
    article = live_article_citing(editor, managing_editor, cited)

    flag(Reference.objects.get(pk=cited.pk), RETRACTED)

    assert list(LiveEvidenceFlag.objects.values_list("article", flat=True)) == [article.pk]
