"""The tamper-evident chain: every audit event and sign-off is linked, and any rewrite of the record shows.

Tampering is done as someone with the database's superuser would: the
append-only triggers are switched off, a row is changed or removed in raw SQL,
and the triggers are switched back on.
"""

import hashlib
import json
import threading
from datetime import UTC
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from editorial.models import AppendOnlyError, AuditEvent, SignOff
from editorial.services import article_submit, review_assign, review_start
from jobs.periodic import periodic_tasks
from ledger.models import Checkpoint, Link
from ledger.seals import sealed_tables
from ledger.services import Failure, checkpoint_take, links_backfill, verify
from ledger.tasks import take_checkpoint
from tests.factories import ReviewerFactory
from tests.tampering import append_only_switched_off
from tests.workflow_helpers import approve, approved, citable_article, edit_claim, submitted, under_review

GENESIS = "0" * 64


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def chain_of(article):
    return list(Link.objects.filter(article=article).order_by("sequence").values_list("sequence", "kind", "record_id"))


def event_ids(article):
    return list(AuditEvent.objects.filter(article=article).order_by("pk").values_list("pk", flat=True))


def link_at(article, sequence):
    return Link.objects.get(article=article, sequence=sequence)


NO_SEALS_YET = "0 seals over 0 history rows ({rows} newer rows not sealed yet)"


def unsealed_rows() -> int:
    return sum(table.count_after(0) for table in sealed_tables())


def run_verify_ledger(*args):
    """Run the command as an operator would; return (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_ledger", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


# Appending


def test_each_move_appends_its_audit_event_and_each_sign_off_to_the_article_chain(db, editor, managing_editor):
    article = citable_article()

    approved(article, editor, managing_editor)

    submit, assign, start, approval = event_ids(article)
    assert chain_of(article) == [
        (1, "audit_event", submit),
        (2, "audit_event", assign),
        (3, "audit_event", start),
        (4, "sign_off", SignOff.objects.get().pk),
        (5, "audit_event", approval),
    ]


def test_each_article_has_its_own_chain_numbered_from_1(db, editor, managing_editor):
    first, second = citable_article(), citable_article()

    article_submit(article=first, user=editor)
    article_submit(article=second, user=editor)
    review_assign(article=first, assigned_by=managing_editor, reviewers=[ReviewerFactory()])

    assert (chain_of(first), chain_of(second)) == (
        [(1, "audit_event", event_ids(first)[0]), (2, "audit_event", event_ids(first)[1])],
        [(1, "audit_event", event_ids(second)[0])],
    )


def test_a_link_chains_the_sha256_of_its_record_canonical_json_to_the_link_before(db, editor, managing_editor):
    article = citable_article()
    revision, _board = submitted(article, editor, managing_editor)
    submit = AuditEvent.objects.filter(article=article).order_by("pk").first()

    created_at = submit.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    data = json.dumps(submit.data, sort_keys=True, separators=(",", ":"))
    content = (
        f'{{"action":"editorial.submit","actor":{editor.pk},"article":{article.pk},"comment":"",'
        f'"created_at":"{created_at}","data":{data},"from_state":"draft","id":{submit.pk},"kind":"audit_event",'
        f'"revision":{revision.pk},"to_state":"submitted","v":2}}'
    )
    first, second = link_at(article, 1), link_at(article, 2)
    assert (first.digest, first.chain) == (sha256(content), sha256(sha256(content) + GENESIS))
    assert second.chain == sha256(second.digest + first.chain)


def test_a_move_costs_the_chain_one_select_and_one_insert(db, editor, managing_editor):
    article = citable_article()
    _revision, (member,) = submitted(article, editor, managing_editor)

    with CaptureQueriesContext(connection) as queries:
        review_start(article=article, user=member.user)

    ledger_queries = [query["sql"].split()[0] for query in queries.captured_queries if "ledger_" in query["sql"]]
    assert ledger_queries == ["SELECT", "INSERT"]


def test_the_backfill_links_an_existing_history_as_the_moves_did(db, editor, managing_editor):
    first, second = citable_article(), citable_article()
    approved(first, editor, managing_editor)
    submitted(second, editor, managing_editor)
    fields = ("article_id", "kind", "record_id", "sequence")
    linked = list(Link.objects.order_by("article_id", "sequence").values_list(*fields))
    with append_only_switched_off("ledger_link") as cursor:
        cursor.execute("DELETE FROM ledger_link")

    appended = links_backfill(apps)

    # The backfill writes the first canonical form, as it did when the chain began.
    assert (
        appended,
        list(Link.objects.order_by("article_id", "sequence").values_list(*fields)),
        set(Link.objects.values_list("canonical_version", flat=True)),
        verify(),
    ) == (7, linked, {1}, [])


@pytest.mark.parametrize("change", ["save", "delete"])
def test_links_and_checkpoints_are_never_changed_or_deleted_by_the_application(change, db, editor):
    article_submit(article=citable_article(), user=editor)
    records = [Link.objects.get(), checkpoint_take()]

    for record in records:
        with pytest.raises(AppendOnlyError):
            getattr(record, change)()

    assert (Link.objects.count(), Checkpoint.objects.count()) == (1, 1)


# Checkpoints


def test_a_checkpoint_chains_every_article_head_to_the_checkpoint_before(db, editor, managing_editor):
    first, second = citable_article(), citable_article()
    article_submit(article=first, user=editor)
    article_submit(article=second, user=editor)
    opening = checkpoint_take()
    review_assign(article=first, assigned_by=managing_editor, reviewers=[ReviewerFactory()])

    later = checkpoint_take()

    assert (opening.previous, opening.heads) == (
        GENESIS,
        [[first.pk, 1, link_at(first, 1).chain], [second.pk, 1, link_at(second, 1).chain]],
    )
    assert (later.previous, later.heads) == (
        opening.chain,
        [[first.pk, 2, link_at(first, 2).chain], [second.pk, 1, link_at(second, 1).chain]],
    )


def test_no_checkpoint_is_taken_when_nothing_was_appended_since_the_last(db, editor):
    article_submit(article=citable_article(), user=editor)
    checkpoint_take()

    assert (checkpoint_take(), Checkpoint.objects.count()) == (None, 1)


def test_the_checkpoint_is_a_periodic_job(db, editor):
    article_submit(article=citable_article(), user=editor)

    assert periodic_tasks()["take_checkpoint"] == take_checkpoint
    assert take_checkpoint.call() == Checkpoint.objects.get().pk


# Verifying


def test_verify_passes_on_a_real_workflow_history(db, editor, managing_editor):
    first, second = citable_article(), citable_article()
    approved(first, editor, managing_editor)
    revision, (member, colleague) = under_review(second, editor, managing_editor, reviewers=2, quorum=2)
    approve(revision, member)
    checkpoint_take()
    approve(revision, colleague)

    assert verify() == []


def test_verify_names_a_sign_off_whose_comment_was_changed(db, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    sign_off = SignOff.objects.get()
    with append_only_switched_off("editorial_signoff") as cursor:
        cursor.execute("UPDATE editorial_signoff SET comment = %s WHERE id = %s", ["Looks fine.", sign_off.pk])

    assert verify() == [
        Failure(
            "editorial_signoff",
            sign_off.pk,
            f"no longer matches its link (ledger_link row {link_at(article, 4).pk}, link 4 of article {article.pk}).",
        )
    ]


def test_verify_names_the_link_of_a_deleted_audit_event(db, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    start = event_ids(article)[2]
    with append_only_switched_off("editorial_auditevent") as cursor:
        cursor.execute("DELETE FROM editorial_auditevent WHERE id = %s", [start])

    assert verify() == [
        Failure("ledger_link", link_at(article, 3).pk, f"its editorial_auditevent row {start} is missing.")
    ]


def test_verify_names_the_gap_and_the_record_of_a_deleted_link(db, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    removed = link_at(article, 3)
    with append_only_switched_off("ledger_link") as cursor:
        cursor.execute("DELETE FROM ledger_link WHERE id = %s", [removed.pk])

    assert verify() == [
        Failure("ledger_link", link_at(article, 4).pk, f"is link 4 of article {article.pk}; link 3 is missing."),
        Failure("editorial_auditevent", removed.record_id, "has no link in its article's chain."),
    ]


def test_verify_names_the_checkpoint_when_a_whole_article_history_and_chain_are_removed(db, editor):
    kept, erased = citable_article(), citable_article()
    article_submit(article=kept, user=editor)
    article_submit(article=erased, user=editor)
    checkpoint = checkpoint_take()
    head = link_at(erased, 1).chain
    with append_only_switched_off("editorial_auditevent", "ledger_link") as cursor:
        cursor.execute("DELETE FROM ledger_link WHERE article_id = %s", [erased.pk])
        cursor.execute("DELETE FROM editorial_auditevent WHERE article_id = %s", [erased.pk])

    assert verify() == [
        Failure(
            "ledger_checkpoint",
            checkpoint.pk,
            f"article {erased.pk}'s chain no longer reaches link 1 (chain {head[:12]}…) that it recorded.",
        )
    ]


def test_verify_of_some_articles_checks_only_theirs(db, editor):
    sound, broken = citable_article(), citable_article()
    article_submit(article=sound, user=editor)
    article_submit(article=broken, user=editor)
    with append_only_switched_off("editorial_auditevent") as cursor:
        cursor.execute("UPDATE editorial_auditevent SET comment = 'Edited.' WHERE article_id = %s", [broken.pk])

    assert (verify([sound.pk]), len(verify([broken.pk]))) == ([], 1)


# The command


def test_verify_ledger_exits_0_with_a_summary_when_the_ledger_is_intact(db, editor, managing_editor):
    approved(citable_article(), editor, managing_editor)
    checkpoint_take()

    assert run_verify_ledger() == (
        0,
        f"The ledger is intact: 5 links over 1 article, 1 checkpoint, {NO_SEALS_YET.format(rows=unsealed_rows())}.\n",
        "",
    )


def test_verify_ledger_exits_1_with_one_line_per_failure_and_the_summary_last(db, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    sign_off = SignOff.objects.get()
    with append_only_switched_off("editorial_signoff") as cursor:
        cursor.execute("UPDATE editorial_signoff SET content_hash = %s WHERE id = %s", ["a" * 64, sign_off.pk])

    assert run_verify_ledger() == (
        1,
        f"editorial_signoff row {sign_off.pk}: no longer matches its link "
        f"(ledger_link row {link_at(article, 4).pk}, link 4 of article {article.pk}).\n"
        f"The ledger is broken: 1 failure in 5 links over 1 article, 0 checkpoints, "
        f"{NO_SEALS_YET.format(rows=unsealed_rows())}.\n",
        "",
    )


def test_verify_ledger_shows_its_progress_on_a_long_run(db, editor):
    for _ in range(3):
        article_submit(article=citable_article(), user=editor)

    code, out, err = run_verify_ledger("--batch", "2")

    assert (code, out, err) == (
        0,
        f"The ledger is intact: 3 links over 3 articles, 0 checkpoints, {NO_SEALS_YET.format(rows=unsealed_rows())}.\n",
        "Checked 2 of 3 articles…\nChecked 3 of 3 articles…\n",
    )


# Concurrency, on PostgreSQL

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Needs PostgreSQL: concurrent sessions against real row locks, which SQLite cannot show.",
)
# Every move really commits; the tables are emptied after each test and the data migrations' roles restored.
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def holding_a_move_open(article, user, *, while_held):
    """Make a move on `article` in one session and keep its transaction open while `while_held` runs in another.

    Return whether `while_held` finished before the first move committed.
    """
    locked, finished, outcome = threading.Event(), threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                article_submit(article=Article.objects.get(pk=article.pk), user=user)
                locked.set()
                outcome["finished while held"] = finished.wait(timeout=3)
        finally:
            connection.close()

    def second():
        try:
            locked.wait(timeout=30)
            while_held()
            finished.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a move never finished"
    return outcome["finished while held"]


@on_postgresql
@committing
def test_moves_on_two_articles_at_once_do_not_wait_for_each_other(editor):
    first, second = citable_article(), citable_article()

    finished_while_held = holding_a_move_open(
        first, editor, while_held=lambda: article_submit(article=Article.objects.get(pk=second.pk), user=editor)
    )

    assert (finished_while_held, chain_of(first), chain_of(second)) == (
        True,
        [(1, "audit_event", event_ids(first)[0])],
        [(1, "audit_event", event_ids(second)[0])],
    )


@on_postgresql
@committing
def test_two_moves_on_one_article_at_once_take_turns_and_leave_a_gapless_chain(editor, managing_editor):
    article = citable_article()
    member = ReviewerFactory()

    finished_while_held = holding_a_move_open(
        article,
        editor,
        while_held=lambda: review_assign(
            article=Article.objects.get(pk=article.pk), assigned_by=managing_editor, reviewers=[member]
        ),
    )

    submit, assign = event_ids(article)
    assert (finished_while_held, chain_of(article), verify()) == (
        False,
        [(1, "audit_event", submit), (2, "audit_event", assign)],
        [],
    )


# Canonical forms: each link is verified in its own form


def sign_off_link(sign_off):
    return Link.objects.get(kind=Link.Kind.SIGN_OFF, record_id=sign_off.pk)


def moment_of(sign_off):
    return sign_off.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def written_before_the_disclaimer_was_recorded(article):
    """Rewrite the article's record as the site wrote it before sign-offs recorded their disclaimer: form-1 links."""
    with append_only_switched_off("editorial_signoff", "ledger_link") as cursor:
        cursor.execute("UPDATE editorial_signoff SET disclaimer_version_id = NULL")
        cursor.execute("DELETE FROM ledger_link WHERE article_id = %s", [article.pk])
    links_backfill(apps)


def test_a_new_sign_off_link_is_form_2_and_covers_the_disclaimer_version_it_recorded(db, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    sign_off = SignOff.objects.get()
    disclaimer = sign_off.disclaimer_version

    content = (
        f'{{"article":{article.pk},"checklist":{{"citations_support_claims":true,"claims_accurate":true,'
        f'"doses_checked":true,"patient_wording_faithful":true}},"comment":"","conflict":"none",'
        f'"conflict_disclosure":"","content_hash":"{sign_off.content_hash}","created_at":"{moment_of(sign_off)}",'
        f'"decision":"approve","disclaimer":{{"content_hash":"{disclaimer.content_hash}","id":{disclaimer.pk}}},'
        f'"id":{sign_off.pk},"kind":"sign_off","reviewer":{sign_off.reviewer_id},"revision":{sign_off.revision_id},'
        f'"round":1,"signed_by":{sign_off.signed_by_id},"v":2}}'
    )
    link = sign_off_link(sign_off)
    assert (link.canonical_version, link.digest) == (2, sha256(content))


def test_a_sign_off_link_written_in_form_1_before_the_change_keeps_its_digest_and_verifies(db, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    written_before_the_disclaimer_was_recorded(article)
    sign_off = SignOff.objects.get()
    edit_claim(article, "A newer wording.", user=editor)
    article_submit(article=article, user=editor)  # a move after the change: its link is form 2

    content = (
        f'{{"article":{article.pk},"checklist":{{"citations_support_claims":true,"claims_accurate":true,'
        f'"doses_checked":true,"patient_wording_faithful":true}},"comment":"","conflict":"none",'
        f'"conflict_disclosure":"","content_hash":"{sign_off.content_hash}","created_at":"{moment_of(sign_off)}",'
        f'"decision":"approve","id":{sign_off.pk},"kind":"sign_off","reviewer":{sign_off.reviewer_id},'
        f'"revision":{sign_off.revision_id},"round":1,"signed_by":{sign_off.signed_by_id},"v":1}}'
    )
    versions = list(
        Link.objects.filter(article=article).order_by("sequence").values_list("canonical_version", flat=True)
    )
    assert (sign_off_link(sign_off).digest, versions, verify()) == (sha256(content), [1, 1, 1, 1, 1, 2], [])


def test_verify_names_a_form_1_link_relabelled_as_form_2(db, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    written_before_the_disclaimer_was_recorded(article)
    sign_off = SignOff.objects.get()
    link = sign_off_link(sign_off)
    with append_only_switched_off("ledger_link") as cursor:
        cursor.execute("UPDATE ledger_link SET canonical_version = 2 WHERE id = %s", [link.pk])

    assert verify() == [
        Failure(
            "editorial_signoff",
            sign_off.pk,
            f"no longer matches its link (ledger_link row {link.pk}, link {link.sequence} of article {article.pk}).",
        )
    ]


def test_verify_names_a_sign_off_whose_recorded_disclaimer_was_removed(db, editor, managing_editor):
    article = citable_article()
    approved(article, editor, managing_editor)
    sign_off = SignOff.objects.get()
    link = sign_off_link(sign_off)
    with append_only_switched_off("editorial_signoff") as cursor:
        cursor.execute("UPDATE editorial_signoff SET disclaimer_version_id = NULL WHERE id = %s", [sign_off.pk])

    assert verify() == [
        Failure(
            "editorial_signoff",
            sign_off.pk,
            f"no longer matches its link (ledger_link row {link.pk}, link {link.sequence} of article {article.pk}).",
        )
    ]
