"""On PostgreSQL nobody rewrites or empties the record, not even the tables' owner; the site's role cannot try.

Triggers refuse UPDATE, DELETE and TRUNCATE on every history table and TRUNCATE on
the record tables (migrations 0004, 0007, 0012). `manage.py database_roles` gives the
schema to an owner role and the site's role only what it needs: that role may not
update, delete or truncate the record, nor, owning nothing, switch a trigger off.
"""

import uuid
from contextlib import contextmanager
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from simple_history.models import HistoricalChanges

from config.history import acting_as
from editorial.models import AuditEvent
from editorial.roles import MANAGING_EDITORS
from tests.workflow_helpers import approved, citable_article, edit_claim

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL's guard: SQLite has no TRUNCATE, no roles, and guards only the record tables' rows.",
    ),
    pytest.mark.django_db,
]

RECORD_TABLES = {
    "editorial_revision",
    "editorial_revision_contributors",
    "editorial_signoff",
    "editorial_claimnote",
    "editorial_claimattestation",
    "editorial_threadmessage",
    "editorial_expertlinkuse",
    "reader_editorialpageversion",
    "reader_editorialpagedecision",
    "editorial_auditevent",
    "ledger_link",
    "ledger_checkpoint",
    "ledger_seal",
}
ROW_UPDATE_DELETE, STATEMENT_TRUNCATE = "UPDATE and DELETE of each row", "TRUNCATE"


def history_tables() -> set[str]:
    """Every django-simple-history table of the app registry: a newly tracked model is in it at once."""
    return {model._meta.db_table for model in apps.get_models() if issubclass(model, HistoricalChanges)}


def refusals() -> dict[str, set[str]]:
    """{table: what its enabled guard triggers refuse}, read from the database's catalogue."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE p.proname IN ('editorial_refuse_change', 'editorial_refuse_rewrite') AND t.tgenabled <> 'D'"
        )
        rows = cursor.fetchall()
    found: dict[str, set[str]] = {}
    for table, kind in rows:
        if kind & 1 and kind & 8 and kind & 16:  # for each row, DELETE and UPDATE
            found.setdefault(table, set()).add(ROW_UPDATE_DELETE)
        if not kind & 1 and kind & 32:  # for the statement, TRUNCATE
            found.setdefault(table, set()).add(STATEMENT_TRUNCATE)
    return found


def refused(sql: str) -> str:
    """Run `sql` in its own savepoint; return the database's refusal (fail if it was let through)."""
    with pytest.raises(DatabaseError) as refusal, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(refusal.value).splitlines()[0]


def test_every_history_table_refuses_update_delete_and_truncate():
    tables = history_tables()
    found = refusals()
    assert "editorial_historicalsignoff" in tables
    assert {table: found.get(table, set()) for table in tables} == {
        table: {ROW_UPDATE_DELETE, STATEMENT_TRUNCATE} for table in tables
    }


def test_every_record_table_refuses_update_delete_and_truncate():
    found = refusals()
    assert {table: found.get(table, set()) for table in RECORD_TABLES} == {
        table: {ROW_UPDATE_DELETE, STATEMENT_TRUNCATE} for table in RECORD_TABLES
    }


def test_a_superuser_cannot_rewrite_a_historical_sign_off(editor, managing_editor):
    approved(citable_article(), editor, managing_editor)

    refusal = refused("UPDATE editorial_historicalsignoff SET comment = 'rewritten'")

    assert refusal == "editorial_historicalsignoff rows are append-only: UPDATE refused"


def test_a_superuser_cannot_delete_an_article_s_history(editor, managing_editor):
    approved(citable_article(), editor, managing_editor)

    refusal = refused("DELETE FROM articles_historicalarticle")

    assert refusal == "articles_historicalarticle rows are append-only: DELETE refused"


def test_a_superuser_cannot_rewrite_who_gave_a_role_a_permission(managing_editor):
    role = Group.objects.get(name=MANAGING_EDITORS)
    with acting_as(managing_editor):
        role.permissions.add(Permission.objects.get(content_type__app_label="articles", codename="delete_article"))

    refusals = [
        refused("UPDATE editorial_accounts_historicalgroup SET history_user_id = NULL"),
        refused("DELETE FROM editorial_accounts_historicalgroup_permissions"),
    ]

    assert refusals == [
        "editorial_accounts_historicalgroup rows are append-only: UPDATE refused",
        "editorial_accounts_historicalgroup_permissions rows are append-only: DELETE refused",
    ]


def test_a_superuser_cannot_empty_the_audit_log(editor, managing_editor):
    approved(citable_article(), editor, managing_editor)
    events = AuditEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks may block TRUNCATE

    refusal = refused("TRUNCATE editorial_auditevent CASCADE")

    assert (refusal, AuditEvent.objects.count()) == (
        "editorial_auditevent rows are append-only: TRUNCATE refused",
        events,
    )


@pytest.fixture
def roles():
    """An owner role and the site's role, granted by `database_roles`; gone with the test's transaction.

    Roles are the whole server's, so their names are the test's own. Nothing here
    commits: rolling the test back removes the roles and restores every grant.
    """
    suffix = uuid.uuid4().hex[:12]
    owner, site = f"record_owner_{suffix}", f"record_site_{suffix}"
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks may block ALTER TABLE
        cursor.execute(f"CREATE ROLE {owner} NOLOGIN")
        cursor.execute(f"CREATE ROLE {site} NOLOGIN")
    call_command("database_roles", owner=owner, app=site, apply=True, stdout=StringIO())
    return owner, site


@contextmanager
def acting_as_role(role):
    """Run the block with only `role`'s privileges, as a session logged in as it would."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def test_the_sites_role_runs_the_workflow_and_writes_the_audit_log(roles, editor, managing_editor):
    _owner, site = roles
    with acting_as_role(site):
        revision, _ = approved(citable_article(), editor, managing_editor)
        actions = list(AuditEvent.objects.filter(revision=revision).values_list("action", flat=True))
    assert actions[-1] == "editorial.approve"


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ("UPDATE editorial_signoff SET comment = 'rewritten'", "editorial_signoff"),
        ("DELETE FROM editorial_signoff", "editorial_signoff"),
        ("TRUNCATE editorial_signoff CASCADE", "editorial_signoff"),
        ("UPDATE editorial_auditevent SET comment = 'rewritten'", "editorial_auditevent"),
        ("DELETE FROM editorial_auditevent", "editorial_auditevent"),
        ("TRUNCATE editorial_auditevent", "editorial_auditevent"),
        ("UPDATE editorial_revision SET content_hash = 'forged'", "editorial_revision"),
        ("DELETE FROM editorial_revision", "editorial_revision"),
        ("TRUNCATE editorial_revision CASCADE", "editorial_revision"),
        ("UPDATE editorial_historicalsignoff SET comment = 'rewritten'", "editorial_historicalsignoff"),
        ("DELETE FROM articles_historicalclaim", "articles_historicalclaim"),
        ("TRUNCATE articles_historicalclaim", "articles_historicalclaim"),
    ],
)
def test_the_sites_role_has_no_privilege_to_change_or_remove_a_record(roles, editor, managing_editor, sql, table):
    _owner, site = roles
    approved(citable_article(), editor, managing_editor)
    with acting_as_role(site):
        refusal = refused(sql)
    assert refusal == f"permission denied for table {table}"


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("ALTER TABLE editorial_signoff DISABLE TRIGGER editorial_signoff_append_only", "table editorial_signoff"),
        ("DROP TRIGGER editorial_auditevent_append_only ON editorial_auditevent", "relation editorial_auditevent"),
        ("ALTER TABLE editorial_historicalsignoff DISABLE TRIGGER ALL", "table editorial_historicalsignoff"),
        ("DROP TABLE editorial_claimnote", "table editorial_claimnote"),
    ],
)
def test_the_sites_role_cannot_switch_off_or_drop_a_guard(roles, sql, kind):
    _owner, site = roles
    with acting_as_role(site):
        refusal = refused(sql)
    assert refusal == f"must be owner of {kind}"


def test_the_owner_role_runs_the_workflow_but_cannot_rewrite_a_sign_off(roles, editor, managing_editor):
    owner, _site = roles
    with acting_as_role(owner):
        approved(citable_article(), editor, managing_editor)
        refusal = refused("UPDATE editorial_signoff SET comment = 'rewritten'")
    assert refusal == "editorial_signoff rows are append-only: UPDATE refused"


def test_the_grants_list_no_change_of_the_record_for_the_sites_role(roles):
    owner, site = roles
    output = StringIO()

    call_command("database_roles", owner=owner, app=site, sql=True, stdout=output)

    grants = [line for line in output.getvalue().splitlines() if line.startswith("GRANT") and " ON " in line]
    assert {
        line
        for line in grants
        if any(f'"{table}"' in line for table in ("editorial_signoff", "editorial_historicalsignoff"))
    } == {
        f'GRANT SELECT, INSERT ON "editorial_signoff" TO "{site}";',
        f'GRANT SELECT, INSERT ON "editorial_historicalsignoff" TO "{site}";',
    }


def test_an_account_that_wrote_history_cannot_be_deleted(editor):
    """Deleting it would blank its name from the history rows it wrote: the history keeps who did what."""
    article = citable_article()
    edit_claim(article, "Edited by the editor.", user=editor)

    with pytest.raises(DatabaseError) as refusal, transaction.atomic():
        editor.delete()

    assert str(refusal.value).splitlines()[0] == "articles_historicalclaim rows are append-only: UPDATE refused"
