"""The backup and restore drill: dump the database, restore it into a new one, and prove the copy holds.

A backup is only as good as its last restore. The drill dumps the database with
`pg_dump` (custom format) inside an exported snapshot, reads the source's
fingerprint in that same snapshot (so a site that keeps working meanwhile
changes nothing the drill compares), restores the dump into a scratch database
with `pg_restore`, runs the verification command against the copy in a
subprocess, compares the two fingerprints, and drops the scratch database.

The fingerprint is what an auditor relies on years later: every link of every
article's chain, every checkpoint, every seal over the history, the append-only
triggers (which must come back with the schema), each table's owner and grants,
and the number of rows of every table.
"""

import hashlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.core.management import get_commands
from psycopg import sql

GUARD_FUNCTIONS = ("editorial_refuse_change", "editorial_refuse_rewrite")


class DrillError(Exception):
    """The drill could not run (no client tools, clients too old, a dump or restore that failed)."""


@dataclass(frozen=True)
class Database:
    """Where a PostgreSQL database is, as the client tools, psycopg and `DATABASE_URL` each want it."""

    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict) -> "Database":
        return cls(
            name=settings_dict["NAME"],
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            host=settings_dict.get("HOST") or "",
            port=str(settings_dict.get("PORT") or ""),
        )

    def named(self, name: str) -> "Database":
        return replace(self, name=name)

    def url(self) -> str:
        """The database as a `DATABASE_URL`, for a management command run against it."""
        credentials = quote(self.user, safe="")
        if self.password:
            credentials += ":" + quote(self.password, safe="")
        address = self.host if not self.host.startswith("/") else ""
        port = f":{self.port}" if self.port else ""
        url = f"postgres://{credentials}@{address}{port}/{quote(self.name, safe='')}"
        return url + (f"?host={quote(self.host, safe='')}" if self.host.startswith("/") else "")

    def environment(self) -> dict:
        """`PG*` variables for `pg_dump` and `pg_restore`: no password on a command line."""
        values = {
            "PGDATABASE": self.name,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGHOST": self.host,
            "PGPORT": self.port,
        }
        return {**os.environ, **{key: value for key, value in values.items() if value}}

    def connect(self, **kwargs) -> psycopg.Connection:
        params = {"dbname": self.name, "user": self.user, "password": self.password, "host": self.host}
        params["port"] = self.port
        return psycopg.connect(**{key: value for key, value in params.items() if value}, **kwargs)


@dataclass
class Fingerprint:
    """What must be identical in a database and its restored copy."""

    links: int = 0
    links_digest: str = ""
    heads: dict = field(default_factory=dict)  # {article_id: (sequence, chain)}
    checkpoints: list = field(default_factory=list)  # [(id, previous, chain, heads as JSON text)]
    seals: list = field(default_factory=list)  # [(id, table, first id, last id, chain)]
    guards: list = field(default_factory=list)  # [(table, trigger, function, type, enabled)]
    rows: dict = field(default_factory=dict)  # {table: count}
    privileges: dict = field(default_factory=dict)  # {table: (owner, access privileges)}


@dataclass
class DrillReport:
    source: str
    scratch: str
    verification: list[str]
    verification_output: str = ""  # what it printed
    verification_errors: str = ""  # what it printed and its standard error, for a failure
    verification_code: int | None = None
    differences: list[str] = field(default_factory=list)
    fingerprint: Fingerprint | None = None
    seconds: dict = field(default_factory=dict)

    @property
    def is_sound(self) -> bool:
        return self.verification_code == 0 and not self.differences


def verification_command() -> list[str]:
    """The command that checks the restored copy: the integrity `audit` where installed, else `verify_ledger`."""
    return ["audit"] if "audit" in get_commands() else ["verify_ledger"]


def client_version(program: Path) -> tuple[int, int]:
    """(major, minor) of a PostgreSQL client program, from its `--version`."""
    try:
        output = subprocess.run(  # noqa: S603 - a program path we found ourselves, no shell
            [str(program), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise DrillError(f"Could not run {program} --version: {error}") from error
    match = re.search(r"\)\s*(\d+)(?:\.(\d+))?", output) or re.search(r"(\d+)(?:\.(\d+))?", output)
    if match is None:
        raise DrillError(f"Could not read the version of {program} from “{output.strip()}”.")
    return int(match.group(1)), int(match.group(2) or 0)


def client_programs(source: Database, *, bin_dir: str | None = None) -> dict[str, Path]:
    """Find `pg_dump` and `pg_restore`, and refuse clients older than the server.

    `pg_dump` refuses to dump a server newer than itself, and `pg_restore` may not
    read a newer dump: the drill says so plainly, before it starts.
    """
    with source.connect() as conn:
        server_num = conn.execute("SHOW server_version_num").fetchone()[0]
    server = (int(server_num) // 10000, int(server_num) % 10000)
    programs = {}
    for name in ("pg_dump", "pg_restore"):
        found = shutil.which(name, path=bin_dir) if bin_dir else shutil.which(name)
        if found is None:
            where = f"in {bin_dir}" if bin_dir else "on the PATH"
            raise DrillError(
                f"{name} is not {where}. Install the PostgreSQL {server[0]} client tools "
                f"(for example the postgresql-client-{server[0]} package) or name their directory with --pg-bin."
            )
        version = client_version(Path(found))
        if version[0] < server[0]:
            raise DrillError(
                f"{name} {version[0]}.{version[1]} ({found}) is older than the server "
                f"(PostgreSQL {server[0]}.{server[1]}): it cannot dump or restore that server faithfully. "
                f"Install the PostgreSQL {server[0]} client tools, or newer, and put them first on the PATH "
                "or name their directory with --pg-bin."
            )
        programs[name] = Path(found)
    return programs


def fingerprint_read(conn: psycopg.Connection) -> Fingerprint:
    """Read the fingerprint of the database `conn` is connected to, in its current transaction."""
    print_ = Fingerprint()
    digest = hashlib.sha256()
    with conn.cursor(name="drill_links") as cursor:  # a server-side cursor: the chain may be long
        cursor.itersize = 5000
        cursor.execute(
            "SELECT article_id, sequence, kind, record_id, digest, chain FROM ledger_link ORDER BY article_id, sequence"
        )
        for article_id, sequence, kind, record_id, link_digest, chain in cursor:
            digest.update(f"{article_id}|{sequence}|{kind}|{record_id}|{link_digest}|{chain}\n".encode())
            print_.links += 1
            print_.heads[article_id] = (sequence, chain)
    print_.links_digest = digest.hexdigest()
    print_.checkpoints = conn.execute(
        "SELECT id, previous, chain, heads::text FROM ledger_checkpoint ORDER BY id"
    ).fetchall()
    print_.seals = conn.execute('SELECT id, "table", first_id, last_id, chain FROM ledger_seal ORDER BY id').fetchall()
    print_.guards = conn.execute(
        "SELECT c.relname, t.tgname, p.proname, t.tgtype, t.tgenabled FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE p.proname = ANY(%s) AND n.nspname = current_schema() ORDER BY 1, 2",
        [list(GUARD_FUNCTIONS)],
    ).fetchall()
    print_.privileges = {
        table: (owner, acl)
        for table, owner, acl in conn.execute(
            "SELECT tablename, tableowner, c.relacl::text FROM pg_tables t "
            "JOIN pg_class c ON c.relname = t.tablename AND c.relnamespace = to_regnamespace(t.schemaname) "
            "WHERE t.schemaname = current_schema() ORDER BY tablename"
        ).fetchall()
    }
    for table in print_.privileges:
        count = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
        print_.rows[table] = count
    return print_


def fingerprints_compare(source: Fingerprint, restored: Fingerprint) -> list[str]:
    """Every way the restored copy differs from the source, as sentences."""
    differences = []
    for table in sorted(source.rows.keys() | restored.rows.keys()):
        before, after = source.rows.get(table), restored.rows.get(table)
        if before != after:
            differences.append(f"Table {table}: {_rows(before)} in the source, {_rows(after)} in the restore.")
    for article_id in sorted(source.heads.keys() | restored.heads.keys()):
        before, after = source.heads.get(article_id), restored.heads.get(article_id)
        if before != after:
            differences.append(
                f"Article {article_id}'s chain ends at {_head(before)} in the source, {_head(after)} in the restore."
            )
    if (source.links, source.links_digest) != (restored.links, restored.links_digest) and not any(
        "chain ends" in difference for difference in differences
    ):
        differences.append(
            f"The links differ: {source.links} links hashing to {source.links_digest[:12]}… in the source, "
            f"{restored.links} hashing to {restored.links_digest[:12]}… in the restore."
        )
    before = {row[0]: row[1:] for row in source.checkpoints}
    after = {row[0]: row[1:] for row in restored.checkpoints}
    for checkpoint_id in sorted(before.keys() | after.keys()):
        if before.get(checkpoint_id) != after.get(checkpoint_id):
            differences.append(
                f"Checkpoint {checkpoint_id} is {_checkpoint(before.get(checkpoint_id))} in the source, "
                f"{_checkpoint(after.get(checkpoint_id))} in the restore."
            )
    for table in sorted(source.privileges.keys() & restored.privileges.keys()):
        (owner, acl), (restored_owner, restored_acl) = source.privileges[table], restored.privileges[table]
        if (owner, acl) != (restored_owner, restored_acl):
            differences.append(
                f"Table {table} is owned by {owner} with privileges {acl or 'the default'} in the source, "
                f"by {restored_owner} with {restored_acl or 'the default'} in the restore."
            )
    before = {row[0]: row[1:] for row in source.seals}
    after = {row[0]: row[1:] for row in restored.seals}
    for seal_id in sorted(before.keys() | after.keys()):
        if before.get(seal_id) != after.get(seal_id):
            differences.append(
                f"Seal {seal_id} is {_seal(before.get(seal_id))} in the source, "
                f"{_seal(after.get(seal_id))} in the restore."
            )
    missing = sorted(set(source.guards) - set(restored.guards))
    extra = sorted(set(restored.guards) - set(source.guards))
    for table, trigger, function, _type, enabled in missing:
        differences.append(
            f"The append-only trigger {trigger} on {table} ({function}, enabled {enabled}) did not come back as it was."
        )
    for table, trigger, _function, _type, enabled in extra:
        differences.append(f"The restore has a trigger {trigger} on {table} (enabled {enabled}) the source has not.")
    return differences


def _rows(count) -> str:
    return "no such table" if count is None else f"{count} rows"


def _head(head) -> str:
    return "nothing (no chain)" if head is None else f"link {head[0]} (chain {head[1][:12]}…)"


def _seal(value) -> str:
    return "missing" if value is None else f"{value[0]} rows {value[1]} to {value[2]} (chain {value[3][:12]}…)"


def _checkpoint(value) -> str:
    return "missing" if value is None else f"chain {value[1][:12]}…"


def drill_run(
    *,
    source: Database,
    scratch_name: str | None = None,
    bin_dir: str | None = None,
    dump_path: Path | None = None,
    after_restore: Callable[[Database], None] | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> DrillReport:
    """Dump `source`, restore it into a new scratch database, verify the copy, compare, drop the copy.

    `dump_path` keeps the dump that was verified; otherwise it is deleted.
    `after_restore(scratch)` runs on the restored copy before it is checked (a
    drill that cannot fail proves nothing: the tests use it to tamper).
    """
    programs = client_programs(source, bin_dir=bin_dir)
    scratch = source.named(scratch_name or f"{source.name[:40]}_drill_{secrets.token_hex(4)}")
    report = DrillReport(source=source.name, scratch=scratch.name, verification=verification_command())
    with tempfile.TemporaryDirectory(prefix="backup-drill-") as folder:
        dump = dump_path or Path(folder) / "drill.dump"
        with _timed(report, "dump"):
            report.fingerprint = _dump(source, programs["pg_dump"], dump)
        log(f"Dumped {source.name} ({dump.stat().st_size} bytes, {report.fingerprint.links} links).")
        with _timed(report, "create"):
            _database_create(source, scratch)
        try:
            with _timed(report, "restore"):
                _restore(scratch, programs["pg_restore"], dump)
            log(f"Restored into {scratch.name}.")
            if after_restore is not None:
                after_restore(scratch)
            with _timed(report, "verify"):
                _verify(scratch, report)
            with _timed(report, "compare"), scratch.connect() as conn:
                report.differences = fingerprints_compare(report.fingerprint, fingerprint_read(conn))
        finally:
            with _timed(report, "drop"):
                _database_drop(source, scratch)
            log(f"Dropped {scratch.name}.")
    return report


@contextmanager
def _timed(report: DrillReport, step: str):
    started = time.monotonic()
    try:
        yield
    finally:
        report.seconds[step] = time.monotonic() - started


def _dump(source: Database, pg_dump: Path, dump: Path) -> Fingerprint:
    """Dump `source` to `dump` and read its fingerprint, both in one exported snapshot."""
    with source.connect() as conn:
        conn.isolation_level, conn.read_only = psycopg.IsolationLevel.REPEATABLE_READ, True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        fingerprint = fingerprint_read(conn)
        _run(
            [str(pg_dump), "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", source.name],
            source,
            "pg_dump",
        )
        conn.rollback()
    return fingerprint


def _restore(scratch: Database, pg_restore: Path, dump: Path) -> None:
    """Restore into the empty scratch database: owners, grants and triggers as they were, or fail."""
    _run(
        [str(pg_restore), "--exit-on-error", "--single-transaction", f"--dbname={scratch.name}", str(dump)],
        scratch,
        "pg_restore",
    )


def _verify(scratch: Database, report: DrillReport) -> None:
    """Run the verification command against the restored copy, in its own process, as an operator would."""
    environment = {**os.environ, "DATABASE_URL": scratch.url(), "REDIS_URL": ""}
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py, no shell
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *report.verification],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    report.verification_code = result.returncode
    report.verification_output = result.stdout.strip()
    report.verification_errors = (result.stdout + result.stderr).strip()


def _run(command: list[str], database: Database, name: str) -> None:
    result = subprocess.run(  # noqa: S603 - the client tools, no shell
        command, env=database.environment(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise DrillError(f"{name} failed (exit {result.returncode}): {result.stderr.strip()}")


def _database_create(source: Database, scratch: Database) -> None:
    """An empty database with the source's encoding and collation, owned by whoever runs the drill."""
    try:
        _database_create_as(source, scratch)
    except psycopg.errors.InsufficientPrivilege as error:
        raise DrillError(
            f"{source.user or 'This role'} may not create the scratch database ({error}). Run the drill as the "
            "owner role, given CREATEDB, or as a superuser: never as the site's role."
        ) from error


def _database_create_as(source: Database, scratch: Database) -> None:
    with source.connect(autocommit=True) as conn:
        encoding, collate, ctype = conn.execute(
            "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
            "WHERE datname = current_database()"
        ).fetchone()
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}").format(
                sql.Identifier(scratch.name), sql.Literal(encoding), sql.Literal(collate), sql.Literal(ctype)
            )
        )


def _database_drop(source: Database, scratch: Database) -> None:
    with source.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch.name)))
