"""`manage.py audit`: each promise about the articles readers can see, broken on purpose, makes the audit fail.

Tampering is done as someone with the database's superuser would (the
append-only triggers switched off, a row changed in raw SQL, the triggers back
on), or, for the served page, by changing the bytes in the reader's page cache.
"""

import gzip
import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.pages import reader_client
from config.history import acting_as
from editorial.models import ArticleWorkflow, CitedReference, LiveEvidenceFlag, Revision, RevisionSearchText, SignOff
from editorial.services import article_submit, review_assign
from ledger.models import Link, Seal
from ledger.seals import SealSummary, seals_take, verify_seals
from reader import cache as page_cache
from reader.models import EditorialPage, PublicSlug
from tests.factories import CitationFactory, ManagingEditorFactory, ReferenceFactory, ReviewerFactory
from tests.page_helpers import approved_by_both, drafted, site_pages_approved
from tests.tampering import append_only_switched_off
from tests.test_retracted_evidence import flag
from tests.workflow_helpers import approved, citable_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

AUDIENCES = ("clinician", "patient", "student")


@pytest.fixture(autouse=True)
def approved_site_pages(db):
    """The site's pages approved once, as after an upgrade: the sign-offs below record an approved disclaimer."""
    site_pages_approved(ManagingEditorFactory(username="pages-editor"), ReviewerFactory(user__username="pages-member"))


def run_audit(*args):
    """Run the command as an operator would; return (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


def live_article(editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    return article


def summary(*, failures=0, articles=1, approvals=1, links=5):
    """The audit's last line(s), with the seals counted as `verify_seals` (tested in test_ledger_seals) counts them."""
    sealed = SealSummary()
    verify_seals(summary=sealed)
    counted = (
        f"{articles} live article{'s' if articles != 1 else ''}, {articles * 6} served pages, "
        f"{approvals} approval{'s' if approvals != 1 else ''}, {links} links, 0 checkpoints, "
        f"{sealed.seals} seal{'s' if sealed.seals != 1 else ''} over {sealed.rows} history rows"
    )
    if sealed.unsealed:
        counted += f" ({sealed.unsealed} newer rows not sealed yet)"
    if failures:
        return f"The audit failed: {failures} failure{'s' if failures != 1 else ''} in {counted}.\n"
    return f"The audit passed: {counted}.\n"


def page_url(article):
    return reverse("reader:article", args=[article.slug])


def cached_page_rewritten(article, audience, old, new):
    """Replace the first `old` in the cached page of `article` for `audience`, as a forged cache entry would."""
    client = reader_client()
    client.cookies["audience"] = audience
    client.get(page_url(article), secure=True)  # renders and caches the page
    entry = page_cache.article_get(article.slug, audience)
    content = entry["content"].replace(old.encode(), new.encode(), 1)
    assert content != entry["content"]
    # Named by its own bytes, as every cached page is (a worker keeps the bytes it holds under their name).
    etag = f'"forged-{hashlib.sha256(content).hexdigest()[:16]}"'
    forged = {**entry, "content": content, "gzip": gzip.compress(content), "etag": etag}
    page_cache.article_set(article.slug, audience, forged)


# A clean library


def test_audit_passes_the_demo_library_with_a_summary_last():
    call_command("seed_demo", verbosity=0)

    assert run_audit() == (0, summary(articles=4, approvals=6, links=40), "")  # each live page links its change history


def test_audit_passes_an_article_whose_overdue_review_its_pages_flag(editor, managing_editor):
    article = live_article(editor, managing_editor)
    workflow = ArticleWorkflow.objects.get(article=article)
    workflow.next_review_due = timezone.localdate() - timedelta(days=1)
    workflow.save()

    assert run_audit() == (0, summary(), "")


def test_audit_shows_its_progress_on_a_long_run(editor, managing_editor):
    for _ in range(3):
        live_article(editor, managing_editor)

    assert run_audit("--batch", "2") == (
        0,
        summary(articles=3, approvals=3, links=15),
        "Audited 2 of 3 articles…\nAudited 3 of 3 articles…\n"
        "Verified the chains of 2 of 3 articles…\nVerified the chains of 3 of 3 articles…\n",
    )


# The page readers are served


def test_audit_fails_when_a_cached_page_shows_other_words(editor, managing_editor):
    article = live_article(editor, managing_editor)
    claim = article.sections.get().claims.first()
    cached_page_rewritten(article, "patient", claim.plain_text, "Unapproved words.")

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"articles_article row {article.pk}: its page for patient readers at {page_url(article)} (gzip) differs "
        f"from revision 1: at claim {claim.uid} it shows “Unapproved words.” (claim {claim.uid}) instead of "
        f"“{claim.plain_text}”.\n"
        f"articles_article row {article.pk}: its page for patient readers at {page_url(article)} (identity) differs "
        f"from revision 1: at claim {claim.uid} it shows “Unapproved words.” (claim {claim.uid}) instead of "
        f"“{claim.plain_text}”.\n" + summary(failures=2),
    )


def test_audit_fails_when_a_cached_page_shows_another_evidence_grade(editor, managing_editor):
    article = citable_article()
    claim = article.sections.get().claims.first()
    claim.certainty = "low"
    with acting_as(editor):
        claim.save()
    approved(article, editor, managing_editor)
    cached_page_rewritten(article, "clinician", "Evidence grade: low", "Evidence grade: high")

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"articles_article row {article.pk}: its page for clinician readers at {page_url(article)} (gzip) differs "
        "from revision 1: at grade it shows “Evidence grade: high certainty” (grade) instead of "
        "“Evidence grade: low certainty”.\n"
        f"articles_article row {article.pk}: its page for clinician readers at {page_url(article)} (identity) differs "
        "from revision 1: at grade it shows “Evidence grade: high certainty” (grade) instead of "
        "“Evidence grade: low certainty”.\n" + summary(failures=2),
    )


def test_audit_fails_when_a_cached_page_shows_a_claim_the_revision_lacks(editor, managing_editor):
    article = live_article(editor, managing_editor)
    claim = article.sections.get().claims.first()
    extra = f'<li class="claim" id="claim-{claim.uid}">An extra claim.</li></ul>'
    cached_page_rewritten(article, "student", "</ul>", extra)

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"articles_article row {article.pk}: its page for student readers at {page_url(article)} (gzip) shows "
        "3 claims; revision 1 has 2.\n"
        f"articles_article row {article.pk}: its page for student readers at {page_url(article)} (identity) shows "
        "3 claims; revision 1 has 2.\n" + summary(failures=2),
    )


def test_audit_fails_when_a_cached_page_hides_an_overdue_review(editor, managing_editor):
    article = live_article(editor, managing_editor)
    client = reader_client()
    client.get(page_url(article), secure=True)  # cached while the review date is ahead
    stale = page_cache.article_get(article.slug, "clinician")
    workflow = ArticleWorkflow.objects.get(article=article)
    workflow.next_review_due = timezone.localdate() - timedelta(days=1)
    workflow.save()
    page_cache.article_set(article.slug, "clinician", {**stale, "reads_the_same_until": None})

    code, out, _ = run_audit()

    due = workflow.next_review_due.isoformat()
    assert (code, out) == (
        1,
        f"editorial_articleworkflow row {workflow.pk}: article {article.pk}'s review is due on {due}, but its page "
        f"for clinician readers at {page_url(article)} (gzip) does not flag its review overdue.\n"
        f"editorial_articleworkflow row {workflow.pk}: article {article.pk}'s review is due on {due}, but its page "
        f"for clinician readers at {page_url(article)} (identity) does not flag its review overdue.\n"
        + summary(failures=2),
    )


def test_audit_fails_when_a_live_article_s_page_answers_not_found(editor, managing_editor):
    article = live_article(editor, managing_editor)
    PublicSlug.objects.filter(article=article).delete()

    code, out, _ = run_audit()

    lines = [
        f"articles_article row {article.pk}: its page for {audience} readers at {page_url(article)} ({encoding}) "
        "answers 404, not 200.\n"
        for audience in AUDIENCES
        for encoding in ("gzip", "identity")
    ]
    assert (code, out) == (1, "".join(lines) + summary(failures=6))


# The revision and the chain


def test_audit_fails_when_a_live_revision_s_json_is_changed(editor, managing_editor):
    article = live_article(editor, managing_editor)
    revision = Revision.objects.get(article=article)
    content = revision.content
    content["sections"][0]["claims"][0]["text"] = "Words nobody approved."
    with append_only_switched_off("editorial_revision"):
        Revision.objects.filter(pk=revision.pk).update(content=content)

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"editorial_revision row {revision.pk}: revision 1 of article {article.pk} no longer hashes to its "
        f"recorded hash {revision.short_hash}.\n"
        f"editorial_revision row {revision.pk}: the stored search text of revision 1 of article {article.pk} "
        "differs from its words: the reader's search index would find it by words readers do not read.\n"
        + summary(failures=2),
    )


def test_audit_fails_when_an_audit_event_of_the_chain_is_rewritten(editor, managing_editor):
    article = live_article(editor, managing_editor)
    link = Link.objects.get(article=article, sequence=1)
    with append_only_switched_off("editorial_auditevent") as cursor:
        cursor.execute("UPDATE editorial_auditevent SET comment = 'Edited.' WHERE id = %s", [link.record_id])

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"editorial_auditevent row {link.record_id}: no longer matches its link "
        f"(ledger_link row {link.pk}, link 1 of article {article.pk}).\n" + summary(failures=1),
    )


# The approvals


def test_audit_fails_when_a_sign_off_s_hash_is_changed(editor, managing_editor):
    article = live_article(editor, managing_editor)
    sign_off = SignOff.objects.get()
    workflow = ArticleWorkflow.objects.get(article=article)
    with append_only_switched_off("editorial_signoff") as cursor:
        cursor.execute("UPDATE editorial_signoff SET content_hash = %s WHERE id = %s", ["a" * 64, sign_off.pk])
    link = Link.objects.get(kind=Link.Kind.SIGN_OFF, record_id=sign_off.pk)

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"editorial_signoff row {sign_off.pk}: does not count towards the quorum: it was signed on hash aaaaaaaaaaaa, "
        f"not the revision's {sign_off.revision.short_hash}.\n"
        f"editorial_articleworkflow row {workflow.pk}: revision 1 of article {article.pk} is live with "
        "0 valid approvals of the 1 its quorum needs.\n"
        f"editorial_signoff row {sign_off.pk}: no longer matches its link "
        f"(ledger_link row {link.pk}, link {link.sequence} of article {article.pk}).\n" + summary(failures=3),
    )


def test_audit_fails_when_the_quorum_is_above_the_valid_approvals(editor, managing_editor):
    article = live_article(editor, managing_editor)
    workflow = ArticleWorkflow.objects.get(article=article)
    workflow.quorum = 2
    workflow.save()

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"editorial_articleworkflow row {workflow.pk}: revision 1 of article {article.pk} is live with "
        "1 valid approval of the 2 its quorum needs.\n" + summary(failures=1),
    )


def test_audit_counts_two_profiles_of_one_member_as_one_approval(editor, managing_editor):
    article = live_article(editor, managing_editor)
    first = SignOff.objects.get()
    member = first.reviewer
    member.is_active = False
    member.save()
    successor = ReviewerFactory(succeeds=member)
    # Written past the service, which refuses it: the audit must not count the member twice either.
    SignOff.objects.create(
        revision=first.revision,
        content_hash=first.content_hash,
        reviewer=successor,
        signed_by=successor.user,
        decision=SignOff.Decision.APPROVE,
        **{item: True for item in SignOff.CHECKLIST},
    )
    workflow = ArticleWorkflow.objects.get(article=article)
    workflow.quorum = 2
    workflow.save()

    code, out, _ = run_audit()

    assert (code, out.splitlines()[0]) == (
        1,
        f"editorial_articleworkflow row {workflow.pk}: revision 1 of article {article.pk} is live with "
        "1 valid approval of the 2 its quorum needs.",
    )


def test_audit_fails_when_the_member_was_inactive_when_signing(editor, managing_editor):
    live_article(editor, managing_editor)
    sign_off = SignOff.objects.get()
    workflow = ArticleWorkflow.objects.get()
    with append_only_switched_off("editorial_historicalreviewer") as cursor:
        cursor.execute(
            "UPDATE editorial_historicalreviewer SET is_active = %s WHERE id = %s", [False, sign_off.reviewer_id]
        )

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"editorial_signoff row {sign_off.pk}: does not count towards the quorum: board profile "
        f"{sign_off.reviewer_id} was inactive when it was signed.\n"
        f"editorial_articleworkflow row {workflow.pk}: revision 1 of article {workflow.article_id} is live with "
        "0 valid approvals of the 1 its quorum needs.\n" + summary(failures=2),
    )


def test_audit_fails_when_the_member_had_no_credentials_when_signing(editor, managing_editor):
    live_article(editor, managing_editor)
    sign_off = SignOff.objects.get()
    workflow = ArticleWorkflow.objects.get()
    with append_only_switched_off("editorial_historicalreviewer") as cursor:
        cursor.execute("UPDATE editorial_historicalreviewer SET credentials = '' WHERE id = %s", [sign_off.reviewer_id])

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"editorial_signoff row {sign_off.pk}: does not count towards the quorum: board profile "
        f"{sign_off.reviewer_id} had no credentials when it was signed.\n"
        f"editorial_articleworkflow row {workflow.pk}: revision 1 of article {workflow.article_id} is live with "
        "0 valid approvals of the 1 its quorum needs.\n" + summary(failures=2),
    )


def test_audit_fails_when_the_signer_helped_write_the_revision(editor, managing_editor):
    article = live_article(editor, managing_editor)
    sign_off = SignOff.objects.get()
    workflow = ArticleWorkflow.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO editorial_revision_contributors (revision_id, user_id) VALUES (%s, %s)",
            [sign_off.revision_id, sign_off.signed_by_id],
        )

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"editorial_signoff row {sign_off.pk}: does not count towards the quorum: its signer helped write the "
        "revision.\n"
        f"editorial_articleworkflow row {workflow.pk}: revision 1 of article {article.pk} is live with "
        "0 valid approvals of the 1 its quorum needs.\n" + summary(failures=2),
    )


def test_audit_accepts_a_member_deactivated_after_signing(editor, managing_editor):
    live_article(editor, managing_editor)
    reviewer = SignOff.objects.get().reviewer
    reviewer.is_active = False
    reviewer.save()

    assert run_audit() == (0, summary(), "")


def test_audit_fails_when_an_approval_records_no_conflict_declaration(editor, managing_editor):
    article = live_article(editor, managing_editor)
    sign_off = SignOff.objects.get()
    workflow = ArticleWorkflow.objects.get()
    with append_only_switched_off("editorial_signoff") as cursor:
        cursor.execute("UPDATE editorial_signoff SET conflict = '' WHERE id = %s", [sign_off.pk])
    link = Link.objects.get(kind=Link.Kind.SIGN_OFF, record_id=sign_off.pk)

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"editorial_signoff row {sign_off.pk}: does not count towards the quorum: it records no "
        "conflict-of-interest declaration.\n"
        f"editorial_articleworkflow row {workflow.pk}: revision 1 of article {article.pk} is live with "
        "0 valid approvals of the 1 its quorum needs.\n"
        f"editorial_signoff row {sign_off.pk}: no longer matches its link "
        f"(ledger_link row {link.pk}, link {link.sequence} of article {article.pk}).\n" + summary(failures=3),
    )


# The evidence


def test_audit_fails_when_a_claim_of_the_live_revision_cites_no_reference(editor, managing_editor):
    article = live_article(editor, managing_editor)
    revision = Revision.objects.get(article=article)
    content = revision.content
    claim = content["sections"][0]["claims"][1]
    claim["citations"] = []
    with append_only_switched_off("editorial_revision"):
        Revision.objects.filter(pk=revision.pk).update(content=content)

    code, out, _ = run_audit()

    heading = content["sections"][0]["heading"]
    assert (code, out) == (
        1,
        f"editorial_revision row {revision.pk}: revision 1 of article {article.pk} no longer hashes to its "
        f"recorded hash {revision.short_hash}.\n"
        f"editorial_revision row {revision.pk}: claim 2 of “{heading}” ({claim['uid']}) in revision 1 "
        "cites no reference.\n" + summary(failures=2),
    )


def test_audit_fails_when_a_cited_reference_is_retracted_without_a_fix(editor, managing_editor):
    article = live_article(editor, managing_editor)
    reference = article.sections.get().claims.first().citations.get().reference
    flag(reference, "retracted")

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"references_reference row {reference.pk}: is retracted and cited as reference 1 by the live revision of "
        f"article {article.pk}, with no revision in review to replace it.\n" + summary(failures=1),
    )


def test_audit_fails_when_a_live_articles_evidence_flag_is_lost(editor, managing_editor):
    article = live_article(editor, managing_editor)
    flag(article.sections.get().claims.first().citations.get().reference, "retracted")
    LiveEvidenceFlag.objects.filter(article=article).delete()

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"articles_article row {article.pk}: article {article.pk}'s stored evidence flag differs from its live "
        "revision's citations and the references' standing now.\n" + summary(failures=1),
    )


def test_audit_passes_a_retracted_reference_whose_fix_is_in_review(editor, managing_editor):
    article = live_article(editor, managing_editor)
    claim = article.sections.get().claims.first()
    reference = claim.citations.get().reference
    flag(reference, "retracted")
    with acting_as(editor):
        claim.citations.get().delete()
        CitationFactory(claim=claim, reference=ReferenceFactory())
    article_submit(article=article, user=editor)
    review_assign(article=article, assigned_by=managing_editor, reviewers=[ReviewerFactory()])

    assert run_audit() == (0, summary(links=7), "")


# The history


def test_audit_names_a_history_row_changed_by_one_byte_and_its_broken_seal(editor, managing_editor):
    article = live_article(editor, managing_editor)
    seals_take(now=timezone.now() + timedelta(days=1))
    row = article.sections.get().claims.first().history.earliest("history_date")
    seal = Seal.objects.get(table="articles_historicalclaim")
    changed = row.text[:-1] + ("," if row.text[-1] != "," else ".")
    with append_only_switched_off("articles_historicalclaim") as cursor:
        cursor.execute("UPDATE articles_historicalclaim SET text = %s WHERE history_id = %s", [changed, row.pk])

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"articles_historicalclaim row {row.pk}: changed since seal {seal.pk} sealed it.\n" + summary(failures=1),
    )


# The site's own pages and the disclaimer each sign-off recorded


def test_audit_fails_when_readers_are_served_a_version_never_approved(editor, managing_editor):
    live_article(editor, managing_editor)
    draft = drafted("disclaimer", by=editor, body="Unapproved words.", patient_body="Unapproved for patients.")
    page = EditorialPage.objects.get(slug="disclaimer")
    with connection.cursor() as cursor:  # the page row is not a record: a superuser's UPDATE leaves no trace
        cursor.execute("UPDATE reader_editorialpage SET live_version_id = %s WHERE id = %s", [draft.pk, page.pk])

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"reader_editorialpage row {page.pk}: readers are served version 2 of “Professional disclaimer” "
        f"(reader_editorialpageversion row {draft.pk}), which a managing editor and a board member never both "
        "approved.\n" + summary(failures=1),
    )


def test_audit_fails_when_a_board_approval_of_the_disclaimer_is_deleted(editor, managing_editor):
    live_article(editor, managing_editor)
    sign_off = SignOff.objects.get()
    version = sign_off.disclaimer_version
    with append_only_switched_off("reader_editorialpagedecision") as cursor:
        cursor.execute(
            "DELETE FROM reader_editorialpagedecision WHERE version_id = %s AND role = 'board_member'", [version.pk]
        )

    code, out, _ = run_audit()

    described = f"version 1 of “Professional disclaimer” (reader_editorialpageversion row {version.pk})"
    assert (code, out) == (
        1,
        f"reader_editorialpage row {version.page_id}: readers are served {described}, which a managing editor and "
        "a board member never both approved.\n"
        f"editorial_signoff row {sign_off.pk}: it records {described}, which was not approved when it was signed.\n"
        + summary(failures=2),
    )


def test_audit_fails_when_the_words_of_the_disclaimer_in_force_are_changed(editor, managing_editor):
    live_article(editor, managing_editor)
    sign_off = SignOff.objects.get()
    version = sign_off.disclaimer_version
    with append_only_switched_off("reader_editorialpageversion") as cursor:
        cursor.execute("UPDATE reader_editorialpageversion SET body = 'Softer words.' WHERE id = %s", [version.pk])

    code, out, _ = run_audit()

    described = f"version 1 of “Professional disclaimer” (reader_editorialpageversion row {version.pk})"
    assert (code, out) == (
        1,
        f"reader_editorialpageversion row {version.pk}: {described}, which readers are served, no longer hashes "
        "to its hash.\n"
        f"editorial_signoff row {sign_off.pk}: it records {described}, which no longer hashes to its hash.\n"
        + summary(failures=2),
    )


def test_audit_fails_when_a_sign_off_is_made_to_record_a_draft_disclaimer(editor, managing_editor):
    article = live_article(editor, managing_editor)
    sign_off = SignOff.objects.get()
    draft = drafted("disclaimer", by=editor, body="Unapproved words.", patient_body="Unapproved for patients.")
    with append_only_switched_off("editorial_signoff") as cursor:
        cursor.execute("UPDATE editorial_signoff SET disclaimer_version_id = %s WHERE id = %s", [draft.pk, sign_off.pk])
    link = Link.objects.get(kind=Link.Kind.SIGN_OFF, record_id=sign_off.pk)

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"editorial_signoff row {sign_off.pk}: no longer matches its link "
        f"(ledger_link row {link.pk}, link {link.sequence} of article {article.pk}).\n"
        f"editorial_signoff row {sign_off.pk}: it records version 2 of “Professional disclaimer” "
        f"(reader_editorialpageversion row {draft.pk}), which was not approved when it was signed.\n"
        + summary(failures=2),
    )


def test_audit_fails_when_a_sign_off_records_a_disclaimer_replaced_before_it_was_signed(editor, managing_editor):
    old = EditorialPage.objects.get(slug="disclaimer").live_version
    newer = drafted("disclaimer", by=editor, body="Newer words.", patient_body="Newer for patients.")
    approved_by_both(newer, managing_editor=managing_editor)
    article = live_article(editor, managing_editor)
    sign_off = SignOff.objects.get()
    with append_only_switched_off("editorial_signoff") as cursor:
        cursor.execute("UPDATE editorial_signoff SET disclaimer_version_id = %s WHERE id = %s", [old.pk, sign_off.pk])
    link = Link.objects.get(kind=Link.Kind.SIGN_OFF, record_id=sign_off.pk)

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"editorial_signoff row {sign_off.pk}: no longer matches its link "
        f"(ledger_link row {link.pk}, link {link.sequence} of article {article.pk}).\n"
        f"editorial_signoff row {sign_off.pk}: it records version 1 of “Professional disclaimer” "
        f"(reader_editorialpageversion row {old.pk}), but version 2 of “Professional disclaimer” "
        f"(reader_editorialpageversion row {newer.pk}) was in force when it was signed.\n" + summary(failures=2),
    )


def test_audit_fails_when_a_live_revision_s_search_text_is_not_its_words(editor, managing_editor):
    article = live_article(editor, managing_editor)
    revision = Revision.objects.get(article=article)
    RevisionSearchText.objects.filter(revision=revision).update(body="Words the article does not say.")

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"editorial_revision row {revision.pk}: the stored search text of revision 1 of article {article.pk} "
        "differs from its words: the reader's search index would find it by words readers do not read.\n"
        + summary(failures=1),
    )


def test_audit_fails_when_the_citation_index_loses_a_reference_the_live_revision_cites(editor, managing_editor):
    article = live_article(editor, managing_editor)
    revision = Revision.objects.get(article=article)
    cited = CitedReference.objects.filter(revision=revision).first()
    cited.delete()

    code, out, _ = run_audit()

    assert (code, out) == (
        1,
        f"editorial_revision row {revision.pk}: the citation index of revision 1 of article {article.pk} lacks "
        f"references [{cited.reference_id}] and lists others none: retracted evidence it cites may go unflagged.\n"
        + summary(failures=1),
    )
