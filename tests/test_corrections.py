"""Corrections and the public change log: what the editor classifies, the board approves, and readers are told.

A submission is a correction of an error, a clinical update, or editorial
changes only; the first two carry a public summary. Both are part of the
revision document, so the content hash covers them and the board approves
them. Readers only ever see the summaries of revisions that went live: at the
top of a corrected answer for READER_CORRECTION_NOTICE_DAYS, on its change
history, in the feed and in its JSON-LD.
"""

import copy
import json
import re
import xml.etree.ElementTree as ElementTree
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from config.history import acting_as
from editorial.corrections import ChangeNoteInvalid, ChangeType
from editorial.document_changes import document_changes
from editorial.errors import NothingToSubmit
from editorial.intake import article_intake
from editorial.models import ArticleWorkflow, AuditEvent, Revision
from editorial.revisions import content_hash, revision_is_intact, working_copy_document
from editorial.services import article_restore, article_submit, article_withdraw, review_assign, review_start
from tests.factories import ReviewerFactory
from tests.page_helpers import FIRST_RENDER_QUERIES
from tests.test_reader_lifecycle import PUBLIC_ROUTES, rereviewed
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, under_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

ATOM = "{http://www.w3.org/2005/Atom}"
SUMMARY = "An earlier version gave the wrong starting dose; it is 1.5 mg, not 15 mg."
PENDING_SUMMARY = "NEVER-APPROVED-SUMMARY of a zebrafish correction."  # SEARCH_WORD of the lifecycle tests
PENDING_MARKER = "NEVER-APPROVED-SUMMARY"


def page(slug):
    return reverse("reader:article", args=[slug])


def changes_page(slug):
    return reverse("reader:article_changes", args=[slug])


def text_of(response) -> str:
    return response.content.decode()


def approve_working_copy(article, editor, managing_editor, **classification):
    """Submit the working copy classified as given, and have one fresh board member approve it."""
    revision = article_submit(article=article, user=editor, **classification)
    reviewer = ReviewerFactory()
    review_assign(article=article, assigned_by=managing_editor, reviewers=[reviewer])
    review_start(article=article, user=reviewer.user)
    approve(revision, reviewer)
    return revision


def corrected(editor, managing_editor, *, slug="corrected-address", summary=SUMMARY):
    """An article approved, then corrected with `summary` and approved again (revision 2 live)."""
    article = citable_article(slug=slug)
    approved(article, editor, managing_editor)
    edit_claim(article, "Start at 1.5 mg once daily.", user=editor)
    approve_working_copy(article, editor, managing_editor, change_type=ChangeType.CORRECTION, change_summary=summary)
    return article


def shown_date(moment) -> str:
    day = timezone.localdate(moment)
    return f"{day.day} {day:%B %Y}"


# Classifying a submission


def test_submit_freezes_a_correction_and_its_summary_into_the_revision(editor):
    article = citable_article()

    revision = article_submit(
        article=article, user=editor, change_type=ChangeType.CORRECTION, change_summary=f"  {SUMMARY} "
    )

    assert (revision.content["change_type"], revision.content["change_summary"]) == ("correction", SUMMARY)
    assert revision.content_hash == content_hash(revision.content)


def test_submit_of_editorial_changes_carries_the_kind_and_no_summary(editor):
    revision = article_submit(article=citable_article(), user=editor, change_type=ChangeType.EDITORIAL)

    assert ("change_type" in revision.content, "change_summary" in revision.content) == (True, False)
    assert revision.content["change_type"] == "editorial"


@pytest.mark.parametrize(
    ("change_type", "message"),
    [
        (
            ChangeType.CORRECTION,
            "A correction of an error needs a public summary: readers see it at the top of the answer and in its "
            "change history once the board approves it.",
        ),
        (
            ChangeType.CLINICAL_UPDATE,
            "A clinical update needs a public summary: readers see it at the top of the answer and in its "
            "change history once the board approves it.",
        ),
    ],
)
def test_submit_refuses_a_correction_or_clinical_update_without_a_summary(editor, change_type, message):
    article = citable_article()

    with pytest.raises(ChangeNoteInvalid) as refusal:
        article_submit(article=article, user=editor, change_type=change_type, change_summary="   ")

    assert refusal.value.message == message
    assert (Revision.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_submit_refuses_an_unknown_kind_of_change(editor):
    with pytest.raises(ChangeNoteInvalid) as refusal:
        article_submit(article=citable_article(), user=editor, change_type="retraction", change_summary=SUMMARY)

    assert refusal.value.message == (
        "Choose what kind of change this is: a correction of an error, a clinical update, or editorial changes only."
    )
    assert Revision.objects.count() == 0


def test_submit_refuses_a_summary_over_300_characters(editor):
    with pytest.raises(ChangeNoteInvalid) as refusal:
        article_submit(article=citable_article(), user=editor, change_type="correction", change_summary="x" * 301)

    assert refusal.value.message == "The public summary has 301 characters; the limit is 300."


def test_a_new_summary_for_words_in_review_is_a_new_revision_for_the_board(editor):
    article = citable_article()
    article_submit(article=article, user=editor, change_type=ChangeType.CORRECTION, change_summary="First try.")

    second = article_submit(article=article, user=editor, change_type=ChangeType.CORRECTION, change_summary=SUMMARY)

    assert (second.number, second.content["change_summary"]) == (2, SUMMARY)


def test_the_same_words_and_summary_again_are_nothing_to_submit(editor):
    article = citable_article()
    article_submit(article=article, user=editor, change_type=ChangeType.CORRECTION, change_summary=SUMMARY)

    with pytest.raises(NothingToSubmit):
        article_submit(article=article, user=editor, change_type=ChangeType.CORRECTION, change_summary=SUMMARY)

    assert Revision.objects.count() == 1


def test_a_new_classification_of_the_live_words_is_nothing_to_submit(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)

    with pytest.raises(NothingToSubmit):
        article_submit(article=article, user=editor, change_type=ChangeType.CORRECTION, change_summary=SUMMARY)

    assert Revision.objects.count() == 1


def test_an_intake_is_classified_as_editorial_changes(editor):
    article = citable_article()
    payload = {
        "article": {
            "slug": "intake-address",
            "question": "Is it taken with food?",
            "title": "Food and the tablet",
            "lede": "Either way.",
            "specialty": "Pharmacology",
            "sections": [
                {"heading": "Food", "level": 2, "claims": [{"text": "Food does not change absorption.", "cites": []}]}
            ],
        },
        "references": [],
    }
    assert article.pk  # another article exists: the intake writes its own

    revision = article_intake(payload=payload, user=editor)

    assert (revision.source, revision.content["change_type"]) == (Revision.Source.INTAKE, "editorial")


# Restores


def test_a_restore_keeps_the_restored_revisions_own_classification_and_hash(editor, managing_editor):
    article = corrected(editor, managing_editor)
    second = Revision.objects.get(article=article, number=2)
    edit_claim(article, "Start at 3 mg once daily.", user=editor)
    approve_working_copy(article, editor, managing_editor, change_type=ChangeType.EDITORIAL)

    restored = article_restore(article=article, user=managing_editor, revision=second)

    assert (restored.content_hash, restored.content["change_summary"]) == (second.content_hash, SUMMARY)


def test_a_restore_may_be_classified_anew(editor, managing_editor):
    article = corrected(editor, managing_editor)
    first = Revision.objects.get(article=article, number=1)

    restored = article_restore(
        article=article,
        user=managing_editor,
        revision=first,
        change_type=ChangeType.CORRECTION,
        change_summary="The 1.5 mg dose was itself wrong: we went back to the earlier advice.",
    )

    assert restored.content["change_summary"] == "The 1.5 mg dose was itself wrong: we went back to the earlier advice."


# The admin's submit form


def submit_url(article):
    return reverse("admin:articles_article_submit", args=[article.pk])


def test_admin_submit_of_a_correction_without_a_summary_keeps_what_was_typed(client, editor):
    article = citable_article()
    client.force_login(editor)

    response = client.post(
        submit_url(article), {"change_type": "correction", "change_summary": "", "note": "The dose was wrong."}
    )

    html = text_of(response)
    assert response.status_code == 200
    assert "A correction of an error needs a public summary" in html
    assert re.search(r'<input type="radio" name="change_type" value="correction"[^>]*checked>', html)
    assert ">\nThe dose was wrong.</textarea>" in html
    assert Revision.objects.count() == 0


def test_admin_submit_without_a_kind_of_change_says_what_to_choose(client, editor):
    article = citable_article()
    client.force_login(editor)

    response = client.post(submit_url(article), {"change_summary": SUMMARY, "note": ""})

    html = text_of(response)
    assert "Choose what kind of change this is" in html
    assert f">\n{SUMMARY}</textarea>" in html
    assert Revision.objects.count() == 0


def test_admin_submit_of_a_correction_freezes_its_summary(client, editor):
    article = citable_article()
    client.force_login(editor)

    client.post(submit_url(article), {"change_type": "correction", "change_summary": SUMMARY, "note": ""})

    assert Revision.objects.get().content["change_summary"] == SUMMARY


# The document and its hash


def test_a_working_copy_document_carries_no_classification(editor):
    document = working_copy_document(citable_article())

    assert {"change_type", "change_summary"} & document.keys() == set()


def test_a_revision_frozen_before_classification_keeps_its_hash(editor):
    article = citable_article()
    content = working_copy_document(article)  # what every revision froze before classification existed
    old = Revision.objects.create(
        article=article, number=1, content=content, content_hash=content_hash(content), created_by=editor
    )

    old.refresh_from_db()

    assert (revision_is_intact(old), old.content_hash) == (True, content_hash(working_copy_document(article)))


def test_the_classification_changes_the_hash(editor):
    article = citable_article()
    editorial = article_submit(article=article, user=editor, change_type=ChangeType.EDITORIAL)
    correction = article_submit(article=article, user=editor, change_type=ChangeType.CORRECTION, change_summary="x")

    assert editorial.content_hash != correction.content_hash


# The desk


def test_document_changes_name_the_kind_of_change_and_the_summary():
    old = {"sections": [], "references": [], "change_type": "editorial"}
    new = {**old, "change_type": "correction", "change_summary": "The dose was wrong."}

    fields = [(change.label, change.diff) for change in document_changes(old, new).fields]

    assert fields == [
        ("Kind of change", "<del>Editorial only</del><ins>Correction of an error</ins>"),
        ("Summary for readers", "<ins>The dose was wrong.</ins>"),
    ]


def test_the_review_page_shows_the_kind_of_change_and_the_summary_the_board_approves(client, editor, managing_editor):
    article = citable_article()
    revision = article_submit(article=article, user=editor, change_type=ChangeType.CORRECTION, change_summary=SUMMARY)
    client.force_login(managing_editor)

    html = text_of(client.get(reverse("desk:review", args=[article.slug, revision.number])))

    assert "<strong>Kind of change:</strong> Correction of an error." in html
    assert f"<strong>Summary for readers:</strong> {SUMMARY}" in html


# The reader's page


def test_an_approved_correction_is_noticed_at_the_top_of_the_page(client, editor, managing_editor):
    article = corrected(editor, managing_editor)
    live = ArticleWorkflow.objects.get(article=article)

    html = text_of(client.get(page(article.slug)))

    went_live = AuditEvent.objects.filter(article=article, revision__number=2, to_state="approved").get().created_at
    assert (
        f'<strong>Corrected on <time datetime="{timezone.localdate(went_live):%Y-%m-%d}">{shown_date(went_live)}'
        f"</time>:</strong> {SUMMARY}" in html
    )
    assert html.index('data-flag="correction"') < html.index('class="trust"')
    assert live.live_revision.number == 2


def test_editorial_changes_and_clinical_updates_are_not_noticed_as_corrections(client, editor, managing_editor):
    article = citable_article(slug="updated-address")
    approved(article, editor, managing_editor)
    edit_claim(article, "Newer trials support 1.5 mg.", user=editor)
    approve_working_copy(
        article, editor, managing_editor, change_type=ChangeType.CLINICAL_UPDATE, change_summary="New trials."
    )

    html = text_of(client.get(page("updated-address")))

    assert "Corrected on" not in html


def days_after_going_live(article, days):
    """Noon, local time, `days` local days after the correction went live."""
    went_live = AuditEvent.objects.filter(article=article, revision__number=2, to_state="approved").get().created_at
    day = timezone.localdate(went_live) + timedelta(days=days)
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(hours=12)


def test_the_notice_shows_on_the_last_day_of_the_period(client, editor, managing_editor, settings, monkeypatch):
    settings.READER_CORRECTION_NOTICE_DAYS = 90
    article = corrected(editor, managing_editor)
    moment = days_after_going_live(article, 89)
    monkeypatch.setattr(timezone, "now", lambda: moment)

    assert "Corrected on" in text_of(client.get(page(article.slug)))


def test_the_notice_is_gone_the_day_after_the_period_despite_a_warm_cache(
    client, editor, managing_editor, settings, monkeypatch
):
    settings.READER_CORRECTION_NOTICE_DAYS = 90
    article = corrected(editor, managing_editor)
    last_day = days_after_going_live(article, 89)
    monkeypatch.setattr(timezone, "now", lambda: last_day)
    shown = []
    for audience in ("patient", "clinician", "student"):  # cached on the last day, for every audience
        client.cookies["audience"] = audience
        shown.append("Corrected on" in text_of(client.get(page(article.slug))))

    midnight = last_day + timedelta(hours=12)
    monkeypatch.setattr(timezone, "now", lambda: midnight)
    for audience in ("patient", "clinician", "student"):
        client.cookies["audience"] = audience
        shown.append("Corrected on" in text_of(client.get(page(article.slug))))

    assert shown == [True, True, True, False, False, False]


def test_a_page_with_a_noticed_correction_is_served_from_the_cache_within_the_period(
    client, editor, managing_editor, django_assert_num_queries
):
    article = corrected(editor, managing_editor)
    client.get(page(article.slug))

    with django_assert_num_queries(0):
        assert "Corrected on" in text_of(client.get(page(article.slug)))


def test_a_corrected_page_costs_no_more_queries_than_any_page(
    client, editor, managing_editor, django_assert_max_num_queries
):
    article = corrected(editor, managing_editor)

    with django_assert_max_num_queries(FIRST_RENDER_QUERIES):
        assert client.get(page(article.slug)).status_code == 200


def test_a_correction_is_named_in_the_pages_structured_data(client, editor, managing_editor):
    article = corrected(editor, managing_editor)

    html = text_of(client.get(page(article.slug)))

    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    went_live = AuditEvent.objects.filter(article=article, revision__number=2, to_state="approved").get().created_at
    assert data["correction"] == {
        "@type": "CorrectionComment",
        "text": SUMMARY,
        "datePublished": timezone.localdate(went_live).isoformat(),
        "url": f"http://testserver{changes_page(article.slug)}#revision-2",
    }


# The change history


def test_the_change_history_lists_each_revision_readers_saw_with_its_kind_and_summary(client, editor, managing_editor):
    article = corrected(editor, managing_editor)

    html = text_of(client.get(changes_page(article.slug)))

    entries = re.findall(r'<li id="(revision-\d+)">.*?<p>(.*?)</p>\s*</li>', html, re.S)
    assert entries == [
        ("revision-2", f'<span class="change-kind">Correction.</span> {SUMMARY}'),
        ("revision-1", '<span class="change-kind">Editorial changes.</span> First published.'),
    ]


def test_the_change_history_lists_a_re_reviewed_revision_once(client, editor, managing_editor):
    article = corrected(editor, managing_editor)
    rereviewed(article, managing_editor, members=[ReviewerFactory()])

    html = text_of(client.get(changes_page(article.slug)))

    assert re.findall(r'<li id="(revision-\d+)">', html) == ["revision-2", "revision-1"]


@pytest.mark.parametrize("who", ["anonymous", "reader", "editor", "managing_editor", "board_member"])
def test_everyone_sees_only_approved_revisions_in_the_change_history(
    client, editor, managing_editor, reader, board_member, who
):
    article = corrected(editor, managing_editor)
    edit_claim(article, "Start at 2 mg.", user=editor)
    under_review(article, editor, managing_editor)  # revision 3, pending
    users = {"reader": reader, "editor": editor, "managing_editor": managing_editor, "board_member": board_member}
    if who in users:
        client.force_login(users[who])

    response = client.get(changes_page(article.slug))

    assert response.status_code == 200
    assert re.findall(r'<li id="(revision-\d+)">', text_of(response)) == ["revision-2", "revision-1"]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_change_history_only_answers_reading(client, editor, managing_editor, method):
    article = corrected(editor, managing_editor)

    assert getattr(client, method)(changes_page(article.slug)).status_code == 405


def test_the_change_history_of_an_unknown_article_is_not_found(client):
    assert client.get(changes_page("no-such-article")).status_code == 404


def test_the_change_history_of_a_withdrawn_article_is_its_notice(client, editor, managing_editor):
    article = corrected(editor, managing_editor)
    article_withdraw(article=article, user=managing_editor, reason="Superseded.", public_reason="Superseded.")

    response = client.get(changes_page(article.slug))

    assert response.status_code == 410
    assert SUMMARY not in text_of(response)


def test_the_change_history_of_a_pending_article_lists_nothing(client, editor, managing_editor, settings):
    settings.READER_PENDING_POLICY = "caution"
    article = citable_article(slug="pending-address")
    article_submit(article=article, user=editor, change_type=ChangeType.CORRECTION, change_summary=PENDING_SUMMARY)

    html = text_of(client.get(changes_page("pending-address")))

    assert "No version of this answer has been approved by our medical advisory board yet." in html
    assert PENDING_MARKER not in html


def test_the_change_history_under_an_older_slug_redirects(client, editor, managing_editor):
    article = corrected(editor, managing_editor, slug="old-address")
    article.slug = "new-address"
    with acting_as(editor):
        article.save()
    approve_working_copy(article, editor, managing_editor, change_type=ChangeType.EDITORIAL)

    response = client.get(changes_page("old-address"))

    assert (response.status_code, response["Location"]) == (301, changes_page("new-address"))


def test_the_change_history_costs_a_fixed_number_of_queries(
    client, editor, managing_editor, django_assert_max_num_queries
):
    article = corrected(editor, managing_editor)
    for number in range(3):
        edit_claim(article, f"Start at {number + 2} mg.", user=editor)
        approve_working_copy(article, editor, managing_editor, change_type=ChangeType.EDITORIAL)

    with django_assert_max_num_queries(3):  # the workflow, the reviewers, the history
        assert client.get(changes_page(article.slug)).status_code == 200


# A pending summary never reaches readers


CHANGE_ROUTES = {
    **PUBLIC_ROUTES,
    "change history": lambda client, slugs: "".join(text_of(client.get(changes_page(slug))) for slug in slugs),
}


@pytest.mark.parametrize("route", CHANGE_ROUTES.values(), ids=CHANGE_ROUTES.keys())
def test_a_pending_summary_never_reaches_readers_on_any_public_route(client, editor, managing_editor, settings, route):
    settings.READER_PENDING_POLICY = "caution"
    article = corrected(editor, managing_editor)
    edit_claim(article, "Start at 2 mg once daily.", user=editor)
    article_submit(article=article, user=editor, change_type=ChangeType.CORRECTION, change_summary=PENDING_SUMMARY)
    never_approved = citable_article(slug="never-approved-address")
    article_submit(
        article=never_approved, user=editor, change_type=ChangeType.CORRECTION, change_summary=PENDING_SUMMARY
    )

    text = route(client, [article.slug, "never-approved-address"])

    assert PENDING_MARKER not in text


# The feed


def feed_entries(client) -> list[tuple[str, str, str]]:
    feed = ElementTree.fromstring(client.get(reverse("reader:feed")).content)  # noqa: S314 - our own feed
    return [
        (
            entry.find(f"{ATOM}title").text,
            entry.find(f"{ATOM}summary").text if entry.find(f"{ATOM}summary") is not None else "",
            entry.find(f"{ATOM}link").get("href"),
        )
        for entry in feed.findall(f"{ATOM}entry")
    ]


def test_the_feed_announces_a_correction_as_an_entry_of_its_own(client, editor, managing_editor):
    article = corrected(editor, managing_editor)

    entries = feed_entries(client)

    question = article.question
    assert entries[0] == (
        f"Correction: {question}",
        SUMMARY,
        f"http://testserver{changes_page(article.slug)}#revision-2",
    )
    assert [title for title, _, _ in entries] == [f"Correction: {question}", question]


def test_the_feed_announces_a_clinical_update_but_not_editorial_changes(client, editor, managing_editor):
    article = citable_article(slug="updated-address")
    approved(article, editor, managing_editor)
    edit_claim(article, "Newer trials support 1.5 mg.", user=editor)
    approve_working_copy(
        article, editor, managing_editor, change_type=ChangeType.CLINICAL_UPDATE, change_summary="New trials."
    )
    edit_claim(article, "Newer trials support 1.5 mg daily.", user=editor)
    approve_working_copy(article, editor, managing_editor, change_type=ChangeType.EDITORIAL)

    titles = [title for title, _, _ in feed_entries(client)]

    assert titles == [article.question, f"Clinical update: {article.question}"]


def test_a_withdrawn_articles_corrections_leave_the_feed(client, editor, managing_editor):
    article = corrected(editor, managing_editor)
    article_withdraw(article=article, user=managing_editor, reason="Superseded.", public_reason="Superseded.")

    assert feed_entries(client) == []


def test_the_feed_entries_have_distinct_ids(client, editor, managing_editor):
    corrected(editor, managing_editor)
    feed = ElementTree.fromstring(client.get(reverse("reader:feed")).content)  # noqa: S314 - our own feed

    ids = [entry.find(f"{ATOM}id").text for entry in feed.findall(f"{ATOM}entry")]

    assert len(ids) == len(set(ids)) == 2


def test_document_changes_of_a_copy_with_a_new_summary_show_it():
    old = {"sections": [], "references": [], "change_type": "correction", "change_summary": "Wrong dose."}
    new = copy.deepcopy(old)
    new["change_summary"] = "Wrong dose and route."

    (change,) = document_changes(old, new).fields

    assert (change.label, change.diff) == ("Summary for readers", "Wrong <del>dose.</del><ins>dose and route.</ins>")


def test_admin_restore_may_classify_the_restored_words_anew(client, editor, managing_editor):
    article = corrected(editor, managing_editor)
    client.force_login(managing_editor)
    summary = "The 1.5 mg dose was itself wrong: we went back to the earlier advice."

    client.post(
        reverse("admin:articles_article_restore", args=[article.pk]),
        {"revision": "1", "change_type": "correction", "change_summary": summary, "note": ""},
    )

    restored = Revision.objects.get(article=article, number=3)
    assert (restored.content["change_type"], restored.content["change_summary"]) == ("correction", summary)


def test_admin_restore_of_a_correction_without_a_summary_keeps_what_was_typed(client, editor, managing_editor):
    article = corrected(editor, managing_editor)
    client.force_login(managing_editor)

    response = client.post(
        reverse("admin:articles_article_restore", args=[article.pk]),
        {"revision": "1", "change_type": "clinical_update", "change_summary": "", "note": "Back to the old dose."},
    )

    html = text_of(response)
    assert "A clinical update needs a public summary" in html
    assert ">\nBack to the old dose.</textarea>" in html
    assert Revision.objects.filter(article=article).count() == 2
