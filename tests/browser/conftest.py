"""Real-browser fixtures: one headless Debian Chromium for the package, driven by Playwright.

The browser is the system's `chromium` (never `playwright install`, which downloads one).
Where Chromium or Playwright is missing the browser tests are skipped with the reason,
except under CI (`BROWSER_TESTS_REQUIRED=1`), where a missing tool fails them instead.
"""

import importlib
import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction

from editorial.demo import demo_seed

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
SCREENSHOTS_DIR = ARTIFACTS_DIR / "screenshots"
NODE_MODULES = REPO_ROOT / "node_modules"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# The reader pages both the browser and the HTML checker look at, by the demo content's slugs.
LDN = "low-dose-naltrexone-chronic-pain"
CORRECTED = "antibiotic-duration-uncomplicated-cystitis-women"  # corrected once, within the notice period
PAGES = {
    "article": f"/articles/{LDN}/",
    "corrected-article": f"/articles/{CORRECTED}/",
    "change-history": f"/articles/{CORRECTED}/changes/",
    "pending-article": "/articles/metformin-chronic-kidney-disease/",
    "home": "/",
    "board": "/board/",
    "board-member": "/board/amara-okafor/",
    "policy": "/editorial-policy/",
}


def tool_missing(reason: str):
    """Skip the test for a missing tool, or fail it where the tools are required (CI)."""
    if os.environ.get("BROWSER_TESTS_REQUIRED") == "1":
        pytest.fail(f"{reason} (BROWSER_TESTS_REQUIRED=1, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def playwright_driver(django_db_setup):
    """Run the Playwright driver for the browser tests only.

    Playwright's sync API keeps an asyncio loop marked as running on the main
    thread while it is started. Django then (a) refuses ORM calls there unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set, and (b) hands out separate "async"
    database connections, which lack the copy of the migrated data (roles,
    editorial pages) that `serialized_rollback` restores after each flush.
    So, while the driver runs: the variable is set, that copy is handed to
    the new connections, and they are closed before the driver stops.
    Afterwards the rest of the suite has Django's usual checks and connections.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        tool_missing("Playwright is not installed: pip install -r requirements-dev.txt")
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    driver = sync_playwright().start()
    for alias, contents in serialized.items():
        connections[alias]._test_serialized_contents = contents
    try:
        yield driver
    finally:
        connections.close_all()
        driver.stop()
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright_driver):
    executable = shutil.which("chromium")
    if executable is None:
        tool_missing("Chromium is not installed: apt-get install -y chromium fonts-liberation")
    browser = playwright_driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh desktop-sized tab; a failing test leaves a screenshot of where it stopped."""
    # bypass_csp: a strict Content-Security-Policy would otherwise refuse the injected axe-core.
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS_DIR / f"FAILED-{request.node.name}.png", full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.report_call = report
    return report


@pytest.fixture(scope="package")
def flushable_append_only_tables(django_db_setup, django_db_blocker):
    """Let transactional tests empty the append-only tables on SQLite; restore the guard after.

    Live-server tests commit, so their tables are flushed after each test. PostgreSQL's
    flush is a TRUNCATE, which the row triggers of `editorial/migrations/0004` let
    through; SQLite's is a DELETE, which they refuse. The browser tests do not test
    that guard, so on SQLite it is lifted while they run, then put back as migrated.
    """
    if connection.vendor != "sqlite":
        yield
        return
    triggers = importlib.import_module("editorial.migrations.0004_append_only_triggers")
    guards = importlib.import_module("editorial.migrations.0007_signoff_person_and_fixed_accounts")  # contributors
    attestations = importlib.import_module("editorial.migrations.0014_claim_attestations")
    threads = importlib.import_module("editorial.migrations.0015_review_threads")
    expert_links = importlib.import_module("editorial.migrations.0017_expert_links")
    page_versions = importlib.import_module("reader.migrations.0011_page_versions")
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            triggers.drop_triggers(None, editor)
            guards.drop_guards(None, editor)
            attestations.drop_guards(None, editor)
            threads.drop_guards(None, editor)
            expert_links.drop_guards(None, editor)
            page_versions.drop_guards(None, editor)
        try:
            yield
        finally:
            with connection.schema_editor() as editor:
                triggers.create_triggers(None, editor)
                guards.create_guards(None, editor)
                attestations.create_guards(None, editor)
                threads.create_guards(None, editor)
                expert_links.create_guards(None, editor)
                page_versions.create_guards(None, editor)


@pytest.fixture
def demo_site(flushable_append_only_tables, live_server):
    """The demo content, served by the live server; return its base URL.

    Needs `django_db(transaction=True, serialized_rollback=True)`: the server's
    threads must see committed rows, and the roles that the data migrations
    created must be back after each test's flush.
    """
    seed_demo_content()
    cache.clear()  # whole-page cache entries from an earlier test's data would be stale
    return live_server.url


SNAPSHOT_SCHEMA = "demo_snapshot"
_snapshot_columns: dict[str, str] | None = None  # each table's copied columns, once the snapshot is taken


def seed_demo_content() -> None:
    """Seed the demo once; on PostgreSQL, later tests get a copy of the seeded rows back instead.

    Seeding runs the demo's whole editorial history through the services (some 6 s
    a test, for some 40 browser tests); copying its rows back from a schema of their
    own takes a tenth of a second. The copy is of every table, so a test that
    changes the demo leaves nothing for the next one. The tests' flush never resets
    a sequence (`tests/conftest.py`), so the copied ids stay below the next ones.
    SQLite seeds every time.
    """
    global _snapshot_columns
    if connection.vendor != "postgresql":
        demo_seed()
    elif _snapshot_columns is None:
        demo_seed()
        _snapshot_columns = _take_snapshot()
    else:
        _restore_snapshot(_snapshot_columns)


def _take_snapshot() -> dict[str, str]:
    """Copy every table's rows into `SNAPSHOT_SCHEMA`; return the columns copied (generated ones are not)."""
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    columns = {}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE; CREATE SCHEMA {SNAPSHOT_SCHEMA}")
        for table in tables:
            cursor.execute(
                "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute"
                " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''",
                [connection.ops.quote_name(table)],
            )
            columns[table] = cursor.fetchone()[0]
            quoted = connection.ops.quote_name(table)
            copy = f"CREATE TABLE {SNAPSHOT_SCHEMA}.{quoted} AS SELECT {columns[table]} FROM {quoted}"  # noqa: S608
            cursor.execute(copy)  # the models' own table and column names, quoted
    return columns


def _restore_snapshot(columns: dict[str, str]) -> None:
    """Make every table hold the snapshot's rows again, in one transaction, with the record's triggers off."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table, names in columns.items():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"DELETE FROM {quoted}")  # noqa: S608 - the models' own table names, quoted
            copy_back = f"INSERT INTO {quoted} ({names}) SELECT {names} FROM {SNAPSHOT_SCHEMA}.{quoted}"  # noqa: S608
            cursor.execute(copy_back)
