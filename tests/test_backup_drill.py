"""The backup drill restores a database with workflow history and proves the copy holds, or fails loudly.

The source is a database of its own, built as an operator would build one (migrate, the demo's
workflow history, a ledger checkpoint), each step a management command in its own process. The
drill dumps it, restores it into a scratch database, verifies the copy in a subprocess and
compares every link, checkpoint, append-only trigger and table's row count.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ledger.drill import GUARD_FUNCTIONS, Database, DrillError, client_programs, drill_run
from tests.redis_server import redis_server  # noqa: F401 - a fixture

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The drill runs pg_dump and pg_restore against PostgreSQL; SQLite has neither.",
)

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def manage(database: Database, *arguments: str) -> subprocess.CompletedProcess:
    """Run a management command against `database` in its own process, as an operator would."""
    environment = {
        **os.environ,
        "DATABASE_URL": database.url(),
        "TASKS_BACKEND": "immediate",
        "LEDGER_SEAL_AFTER_SECONDS": "0",  # seal the history just written, as a later run would
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, MANAGE, *arguments], env=environment, capture_output=True, text=True, check=False
    )


def superuser_run(database: Database, statement: str, params=()) -> None:
    """Run `statement` in `database` with its triggers off, as a superuser could (the tampering the drill must see)."""
    with database.connect() as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(statement, params)


@pytest.fixture(scope="module")
def source():
    """A database of its own with the demo's workflow history and a ledger checkpoint; dropped afterwards."""
    server = Database.from_settings(connection.settings_dict)
    database = server.named(f"{server.name.removeprefix('test_')[:30]}_source_{secrets.token_hex(3)}")
    with server.named("postgres").connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database.name}"')
    try:
        for arguments in (["migrate", "-v", "0"], ["seed_demo"], ["run_periodic_tasks", "take_checkpoint"]):
            result = manage(database, *arguments)
            assert result.returncode == 0, result.stderr
        yield database
    finally:
        with server.named("postgres").connect(autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')


def test_the_drill_command_finds_every_link_checkpoint_and_seal_of_the_source_in_the_restore(source):
    with source.connect() as conn:
        links, chains = conn.execute("SELECT count(*), count(DISTINCT article_id) FROM ledger_link").fetchone()
        seals = conn.execute("SELECT count(*) FROM ledger_seal").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").fetchone()[0]
        guards = conn.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = ANY(%s)",
            [list(GUARD_FUNCTIONS)],
        ).fetchone()[0]

    result = manage(source, "backup_drill")

    assert result.returncode == 0, result.stdout + result.stderr
    assert re.sub(r"in [0-9.]+ s", "in … s", result.stdout.splitlines()[-1]) == (
        f"The restore drill passed in … s: {links} links in {chains} chains, 1 checkpoint, {seals} seals, "
        f"{guards} append-only triggers, {tables} tables identical in the restore."
    )


def test_the_drill_fails_when_a_sign_off_in_the_restore_was_rewritten(source):
    def rewrite_a_sign_off(scratch):
        superuser_run(
            scratch,
            "UPDATE editorial_signoff SET comment = 'rewritten' WHERE id = (SELECT min(id) FROM editorial_signoff)",
        )

    report = drill_run(source=source, after_restore=rewrite_a_sign_off)

    assert (report.is_sound, report.verification_code, report.differences) == (False, 1, [])


def test_the_drill_names_the_chain_a_restore_lost_a_link_of(source):
    with source.connect() as conn:
        links = conn.execute("SELECT count(*) FROM ledger_link").fetchone()[0]
        article_id, sequence = conn.execute(
            "SELECT article_id, max(sequence) FROM ledger_link GROUP BY article_id ORDER BY article_id LIMIT 1"
        ).fetchone()
        head, before = (
            conn.execute(
                "SELECT chain FROM ledger_link WHERE article_id = %s AND sequence = %s", [article_id, number]
            ).fetchone()[0]
            for number in (sequence, sequence - 1)
        )

    def lose_the_last_link(scratch):
        superuser_run(
            scratch, "DELETE FROM ledger_link WHERE article_id = %s AND sequence = %s", [article_id, sequence]
        )

    report = drill_run(source=source, after_restore=lose_the_last_link)

    assert report.differences == [
        f"Table ledger_link: {links} rows in the source, {links - 1} rows in the restore.",
        f"Article {article_id}'s chain ends at link {sequence} (chain {head[:12]}…) in the source, "
        f"link {sequence - 1} (chain {before[:12]}…) in the restore.",
    ]


def test_the_drill_names_a_seal_the_restore_lost(source):
    with source.connect() as conn:
        seals, (seal_id, table, first_id, last_id, chain) = (
            conn.execute("SELECT count(*) FROM ledger_seal").fetchone()[0],
            conn.execute('SELECT id, "table", first_id, last_id, chain FROM ledger_seal ORDER BY id DESC').fetchone(),
        )

    def lose_the_last_seal(scratch):
        superuser_run(scratch, "DELETE FROM ledger_seal WHERE id = %s", [seal_id])

    report = drill_run(source=source, after_restore=lose_the_last_seal)

    assert report.differences == [
        f"Table ledger_seal: {seals} rows in the source, {seals - 1} rows in the restore.",
        f"Seal {seal_id} is {table} rows {first_id} to {last_id} (chain {chain[:12]}…) in the source, "
        "missing in the restore.",
    ]


def test_the_drill_fails_when_an_append_only_trigger_did_not_come_back(source):
    def drop_the_guard_of_sign_offs(scratch):
        with scratch.connect() as conn:
            conn.execute("DROP TRIGGER editorial_signoff_append_only ON editorial_signoff")

    report = drill_run(source=source, after_restore=drop_the_guard_of_sign_offs)

    assert report.differences == [
        "The append-only trigger editorial_signoff_append_only on editorial_signoff (editorial_refuse_change, "
        "enabled O) did not come back as it was."
    ]


def test_the_drill_refuses_a_pg_dump_older_than_the_server(source, tmp_path):
    for program in ("pg_dump", "pg_restore"):
        script = tmp_path / program
        script.write_text(f"#!/bin/sh\necho '{program} (PostgreSQL) 9.6.24'\n")
        script.chmod(0o755)
    with source.connect() as conn:
        number = int(conn.execute("SHOW server_version_num").fetchone()[0])

    with pytest.raises(DrillError) as refusal:
        client_programs(source, bin_dir=str(tmp_path))

    assert str(refusal.value) == (
        f"pg_dump 9.6 ({tmp_path}/pg_dump) is older than the server (PostgreSQL {number // 10000}.{number % 10000}): "
        f"it cannot dump or restore that server faithfully. Install the PostgreSQL {number // 10000} client tools, "
        "or newer, and put them first on the PATH or name their directory with --pg-bin."
    )


def test_the_drill_fails_when_the_restore_grants_other_privileges(source):
    def grant_the_public_a_table(scratch):
        with scratch.connect() as conn:
            conn.execute("GRANT SELECT ON editorial_signoff TO PUBLIC")

    report = drill_run(source=source, after_restore=grant_the_public_a_table)

    owner = report.fingerprint.privileges["editorial_signoff"][0]
    assert report.differences == [
        f"Table editorial_signoff is owned by {owner} with privileges the default in the source, "
        f"by {owner} with {{{owner}=arwdDxt/{owner},=r/{owner}}} in the restore."
    ]


def test_the_drill_checks_the_restore_without_touching_the_live_sites_cache(source, redis_server, monkeypatch):  # noqa: F811
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings")  # the site's settings, not the tests'
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("REDIS_URL", redis_server.url)  # the site's cache, as production configures it

    report = drill_run(source=source)

    assert (report.is_sound, redis_server.client().dbsize()) == (True, 0)
