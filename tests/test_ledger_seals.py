"""Seals over the history: a history row changed, removed or forged after it was sealed shows.

The chain covers audit events and sign-offs as they are written; the seals cover
everything else the proof leans on (every django-simple-history table,
revisions, their contributors and claim notes), after the fact. Tampering is
done as a database superuser would (tests/tampering.py).
"""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from simple_history.models import HistoricalChanges

from articles.models import Article
from ledger import seals
from ledger.canonical import GENESIS, row_fingerprint
from ledger.models import Checkpoint, Seal
from ledger.seals import id_runs, sealed_tables, seals_take, verify_seals
from ledger.services import Failure
from ledger.tasks import take_checkpoint
from tests.tampering import append_only_switched_off
from tests.test_ledger import NO_SEALS_YET, run_verify_ledger, unsealed_rows
from tests.workflow_helpers import approved, citable_article

pytestmark = pytest.mark.django_db

HISTORICAL_SIGN_OFF = "editorial_historicalsignoff"


@pytest.fixture(autouse=True)
def seal_at_once(settings):
    """Seal rows as soon as they are written: the waiting for open transactions is tested on its own."""
    settings.LEDGER_SEAL_AFTER_SECONDS = 0


@pytest.fixture
def sealed_approval(editor, managing_editor):
    """An approved article whose whole history is sealed."""
    article = citable_article()
    approved(article, editor, managing_editor)
    seals_take()
    return article


def historical_sign_off_id():
    return apps.get_model("editorial", "HistoricalSignOff").objects.get().history_id


def seal_of(table, row_id):
    return Seal.objects.get(table=table, first_id__lte=row_id, last_id__gte=row_id)


# What is sealed


def test_every_history_table_and_every_record_table_outside_the_chain_is_sealed():
    history = {model._meta.db_table for model in apps.get_models() if issubclass(model, HistoricalChanges)}

    assert {table.name for table in sealed_tables()} == history | {
        "editorial_revision",
        "editorial_revision_contributors",
        "editorial_claimnote",
        "editorial_claimattestation",
        "editorial_threadmessage",
        "editorial_expertlinkuse",
        "reader_editorialpageversion",
        "reader_editorialpagedecision",
    }


def test_a_take_seals_every_row_written_so_far_and_they_verify(sealed_approval):
    summary = seals.SealSummary()

    assert (verify_seals(summary=summary), summary.unsealed) == ([], 0)
    assert summary.rows == unsealed_rows()


def test_each_seal_chains_to_the_seal_before_it(sealed_approval):
    chained = list(Seal.objects.order_by("id").values_list("previous", "chain"))

    assert [previous for previous, _chain in chained] == [GENESIS] + [chain for _previous, chain in chained[:-1]]


def test_a_seal_fingerprints_each_row_as_it_reads_from_the_database(sealed_approval):
    seal = Seal.objects.get(table=HISTORICAL_SIGN_OFF)
    table = next(table for table in sealed_tables() if table.name == HISTORICAL_SIGN_OFF)
    ((_row_id, _written_at, row),) = table.rows()

    assert bytes(seal.fingerprints) == row_fingerprint(HISTORICAL_SIGN_OFF, row)


def test_a_second_take_with_nothing_new_writes_no_seal(sealed_approval):
    count = Seal.objects.count()

    assert (seals_take(), Seal.objects.count()) == ([], count)


def test_a_take_seals_only_the_rows_written_since_the_last_seal(sealed_approval, editor):
    before = Seal.objects.count()
    Article.objects.get(pk=sealed_approval.pk).save()  # one more historical article row

    (seal,) = seals_take()
    assert (seal.table, seal.runs, Seal.objects.count()) == (
        "articles_historicalarticle",
        [[seal.first_id, seal.first_id]],
        before + 1,
    )


def test_a_row_younger_than_the_waiting_time_waits_for_a_later_take(settings, editor, managing_editor):
    # A wait longer than any test run: the rows migrations wrote when the test database was made are young too.
    settings.LEDGER_SEAL_AFTER_SECONDS = 30 * 24 * 3600
    approved(citable_article(), editor, managing_editor)

    assert seals_take() == []
    assert [seal.table for seal in seals_take(now=timezone.now() + timedelta(days=31))] != []


def test_rows_not_sealed_yet_are_counted_not_failed(editor, managing_editor):
    approved(citable_article(), editor, managing_editor)
    summary = seals.SealSummary()

    assert verify_seals(summary=summary) == []
    assert summary.unsealed == unsealed_rows() > 0


def test_a_large_table_is_sealed_in_runs_of_bounded_size(monkeypatch, editor, managing_editor):
    monkeypatch.setattr(seals, "SEAL_ROWS", 2)
    approved(citable_article(), editor, managing_editor)
    rows = next(table for table in sealed_tables() if table.name == "editorial_historicalarticleworkflow").count_after(
        0
    )

    seals_take()

    workflow_seals = Seal.objects.filter(table="editorial_historicalarticleworkflow").order_by("id")
    assert [len(bytes(seal.fingerprints)) for seal in workflow_seals] == [16] * (rows // 2) + [8] * (rows % 2)
    assert verify_seals() == []


def test_id_runs_join_consecutive_ids_and_skip_gaps():
    assert id_runs([3, 4, 5, 9, 11, 12]) == [[3, 5], [9, 9], [11, 12]]


# Tampering shows


def test_one_byte_changed_in_a_history_row_names_that_row_and_its_seal(sealed_approval):
    row_id = historical_sign_off_id()
    with append_only_switched_off(HISTORICAL_SIGN_OFF) as cursor:
        cursor.execute(f"UPDATE {HISTORICAL_SIGN_OFF} SET comment = comment || '.' WHERE history_id = %s", [row_id])  # noqa: S608

    assert verify_seals() == [
        Failure(HISTORICAL_SIGN_OFF, row_id, f"changed since seal {seal_of(HISTORICAL_SIGN_OFF, row_id).pk} sealed it.")
    ]


def test_a_history_row_removed_after_sealing_is_named_missing(sealed_approval):
    row_id = historical_sign_off_id()
    seal = seal_of(HISTORICAL_SIGN_OFF, row_id)
    with append_only_switched_off(HISTORICAL_SIGN_OFF) as cursor:
        cursor.execute(f"DELETE FROM {HISTORICAL_SIGN_OFF} WHERE history_id = %s", [row_id])  # noqa: S608

    assert verify_seals() == [Failure(HISTORICAL_SIGN_OFF, row_id, f"is missing: seal {seal.pk} sealed it.")]


def test_a_revision_rewritten_after_sealing_is_named(sealed_approval):
    revision = sealed_approval.revisions.get()
    with append_only_switched_off("editorial_revision") as cursor:
        cursor.execute("UPDATE editorial_revision SET source = 'import' WHERE id = %s", [revision.pk])

    assert verify_seals() == [
        Failure(
            "editorial_revision",
            revision.pk,
            f"changed since seal {seal_of('editorial_revision', revision.pk).pk} sealed it.",
        )
    ]


def test_a_row_slipped_into_a_sealed_range_is_named(monkeypatch, editor, managing_editor):
    approved(citable_article(), editor, managing_editor)
    history = apps.get_model("editorial", "HistoricalArticleWorkflow")
    ids = sorted(history.objects.values_list("history_id", flat=True))
    hidden = ids[1]
    rows = history.objects.filter(history_id=hidden)
    copy = rows.values()[0]
    with append_only_switched_off(history._meta.db_table):
        rows.delete()  # seal around a gap, then put the row back as a forger would
    seals_take()
    history.objects.create(**copy)
    seal = seal_of(history._meta.db_table, hidden)

    assert verify_seals() == [
        Failure(history._meta.db_table, hidden, f"appeared inside the range of seal {seal.pk} after it was sealed.")
    ]


def test_a_seal_rewritten_no_longer_matches_its_chain_value(sealed_approval):
    seal = seal_of(HISTORICAL_SIGN_OFF, historical_sign_off_id())
    with append_only_switched_off("ledger_seal") as cursor:
        cursor.execute(
            "UPDATE ledger_seal SET created_at = %s WHERE id = %s", [seal.created_at + timedelta(seconds=1), seal.pk]
        )

    assert verify_seals() == [Failure("ledger_seal", seal.pk, "its content no longer matches its chain value.")]


def test_a_seal_removed_breaks_the_one_after_it(sealed_approval):
    first, second = Seal.objects.order_by("id")[:2]
    with append_only_switched_off("ledger_seal") as cursor:
        cursor.execute("DELETE FROM ledger_seal WHERE id = %s", [first.pk])

    assert Failure("ledger_seal", second.pk, "does not follow the seal before it.") in verify_seals()


# The periodic job and the command


def test_the_periodic_job_seals_the_history_and_takes_a_checkpoint(editor, managing_editor):
    approved(citable_article(), editor, managing_editor)

    checkpoint_id = take_checkpoint.call()

    assert (checkpoint_id, Seal.objects.exists()) == (Checkpoint.objects.get().pk, True)


def test_verify_ledger_names_a_changed_history_row_and_exits_1(sealed_approval):
    row_id = historical_sign_off_id()
    with append_only_switched_off(HISTORICAL_SIGN_OFF) as cursor:
        cursor.execute(f"UPDATE {HISTORICAL_SIGN_OFF} SET comment = 'Edited.' WHERE history_id = %s", [row_id])  # noqa: S608
    code, out, _err = run_verify_ledger()

    assert (code, out.splitlines()[0]) == (
        1,
        f"{HISTORICAL_SIGN_OFF} row {row_id}: changed since seal {seal_of(HISTORICAL_SIGN_OFF, row_id).pk} sealed it.",
    )


def test_verify_ledger_counts_the_seals_and_the_rows_they_cover(sealed_approval):
    rows = unsealed_rows()

    assert run_verify_ledger() == (
        0,
        f"The ledger is intact: 5 links over 1 article, 0 checkpoints, "
        f"{Seal.objects.count()} seals over {rows} history rows.\n",
        "",
    )


def test_verify_ledger_counts_the_rows_not_sealed_yet(editor, managing_editor):
    approved(citable_article(), editor, managing_editor)

    assert run_verify_ledger()[1] == (
        f"The ledger is intact: 5 links over 1 article, 0 checkpoints, {NO_SEALS_YET.format(rows=unsealed_rows())}.\n"
    )


# Migrations


def test_a_seal_records_the_columns_it_fingerprinted(sealed_approval):
    seal = Seal.objects.get(table=HISTORICAL_SIGN_OFF)
    table = next(table for table in sealed_tables() if table.name == HISTORICAL_SIGN_OFF)

    assert seal.columns == table.columns


def test_a_column_added_after_sealing_leaves_the_old_seals_verifying(editor, managing_editor, monkeypatch):
    approved(citable_article(), editor, managing_editor)
    now = seals.SealedTable.columns.fget
    with monkeypatch.context() as before_the_migration:  # the tables as they were, one column short
        before_the_migration.setattr(seals.SealedTable, "columns", property(lambda table: now(table)[:-1]))
        seals_take()

    assert verify_seals() == []
    assert all(
        seal.columns == table.columns[:-1]
        for seal in Seal.objects.all()
        for table in sealed_tables()
        if table.name == seal.table
    )


def test_a_sealed_column_dropped_since_is_reported(sealed_approval):
    seal = Seal.objects.get(table=HISTORICAL_SIGN_OFF)
    with append_only_switched_off("ledger_seal") as cursor:
        cursor.execute(
            "UPDATE ledger_seal SET columns = %s WHERE id = %s", [json.dumps([*seal.columns, "retired"]), seal.pk]
        )

    assert (
        Failure("ledger_seal", seal.pk, f"sealed columns retired of {HISTORICAL_SIGN_OFF}, now gone.") in verify_seals()
    )
