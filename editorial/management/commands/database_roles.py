"""Print or apply the least-privilege grants of PostgreSQL: an owner role, and the site's role.

The owner role owns the schema and every table and runs the migrations. The
site's role owns nothing, so it can neither drop nor disable a trigger; it may
read and add rows everywhere, change and remove rows only where the record is
not append-only, and truncate nothing. Append-only tables are the ones whose
triggers refuse UPDATE and DELETE (migrations 0004, 0007 and 0012), read from
the database itself. Run it as a superuser after every `migrate`; running it
twice changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

GUARD_FUNCTIONS = ("editorial_refuse_change", "editorial_refuse_rewrite")


def quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def append_only_tables() -> set[str]:
    """The tables whose enabled triggers refuse every UPDATE and DELETE."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE p.proname = ANY(%s) AND t.tgenabled <> 'D' AND (t.tgtype & 24) = 24",  # UPDATE and DELETE
            [list(GUARD_FUNCTIONS)],
        )
        return {row[0] for row in cursor.fetchall()}


def schema_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        return [row[0] for row in cursor.fetchall()]


def statements(owner: str, app: str) -> list[str]:
    """The SQL that gives the schema to `owner` and `app` only what the site needs."""
    guarded = append_only_tables()
    sql = [
        f"ALTER SCHEMA {quoted('public')} OWNER TO {quoted(owner)};",
        f"REVOKE CREATE ON SCHEMA {quoted('public')} FROM PUBLIC;",
        f"REVOKE CREATE ON SCHEMA {quoted('public')} FROM {quoted(app)};",
        f"GRANT USAGE ON SCHEMA {quoted('public')} TO {quoted(app)};",
    ]
    for table in schema_tables():
        name = quoted(table)
        sql.append(f"ALTER TABLE {name} OWNER TO {quoted(owner)};")
        sql.append(f"REVOKE ALL ON {name} FROM PUBLIC, {quoted(app)};")
        if table == "django_migrations":
            sql.append(f"GRANT SELECT ON {name} TO {quoted(app)};")  # only the owner migrates
        elif table in guarded:
            sql.append(f"GRANT SELECT, INSERT ON {name} TO {quoted(app)};")
        else:
            sql.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {name} TO {quoted(app)};")
    # Sequences of identity columns belong to their tables' owner already; the site draws from them.
    sql.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quoted('public')} TO {quoted(app)};")
    return sql


class Command(BaseCommand):
    help = (
        "Print (or with --apply, run) the PostgreSQL grants: the owner role owns the schema and runs migrations; "
        "the site's role may not update, delete or truncate the append-only record, nor own anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="Role that owns the tables and runs migrations.")
        parser.add_argument("--app", required=True, help="Role the site connects as.")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--sql", action="store_true", help="Print the SQL (the default).")
        mode.add_argument("--apply", action="store_true", help="Run the SQL in one transaction.")

    def handle(self, *args, owner, app, apply, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist on PostgreSQL only; this database is " + connection.vendor + ".")
        if owner == app:
            raise CommandError("The owner and the site's role must differ: an owner can disable the triggers.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [[owner, app]])
            missing = {owner, app} - {row[0] for row in cursor.fetchall()}
        if missing:
            raise CommandError(f"No such role: {', '.join(sorted(missing))}. Create it first (CREATE ROLE … LOGIN).")
        sql = statements(owner, app)
        if not apply:
            self.stdout.write("BEGIN;\n" + "\n".join(sql) + "\nCOMMIT;")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)
        self.stdout.write(f"Applied {len(sql)} statements: {owner} owns the schema; {app} has the site's privileges.")
