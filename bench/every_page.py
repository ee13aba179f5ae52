"""Every page of issue 16's table, at each size of library, side by side: the growth ratio and the budget of each.

    DATABASE_URL=postgres://…/small .venv/bin/python manage.py migrate && … manage.py seed_demo   (each database)
    .venv/bin/python bench/every_page.py --prepare 100=postgres://…/small 100000=postgres://…/large
    .venv/bin/python bench/every_page.py 100=postgres://…/small 100000=postgres://…/large [--rounds 3]

One database per size (revisions are append-only: a library only grows).
`--prepare` builds each to its size with `staff_pages.prepare` (live articles
from `make_library.py`, flagged references, one board member's assignments),
fills the reader's index (`reindex_published`) and analyzes the tables. A
measuring run then starts one child process per size and round, alternating
the sizes so that whatever else the machine does weighs on both alike, and
prints, for each page, the median over the rounds (each round itself the
median of repeated requests after a warm-up), its queries, the ratio of the
largest size to the smallest, and the issue's budget for it.

In-process, with production settings and the local-memory cache
(`config.test_settings`, tasks queued in the database as in production). The
article page goes through the production WSGI entry (`config.wsgi`), so a
cached page is answered in front of Django as it is under gunicorn; every
other page through Django's test client. Speed targets are judged here, never
in timed unit tests; the tests assert that query counts do not grow.
"""

import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ARTICLE = "low-dose-naltrexone-chronic-pain"  # the demo's LDN article
COMMON_WORD = "trials"  # in every article `make_library.py` writes
RARE_WORD = "77"  # one article's condition number, at any size above 77
REPEAT = 9
FULL_PAGES_FROM = 10_000  # from this size on, the lists' pages are full with the bench's usual densities

# The budgets: page (prefix) -> (ms at the largest size, largest growth allowed; None: none).
BUDGETS = {
    "reader article": (None, 1.2),
    "home": (20, 1.5),
    "feed": (20, 1.5),
    "search": (50, 1.5),  # judged on p95
    "sitemap": (200, None),  # a file holds up to 10,000 addresses: its bytes grow until it is full, by design
    "saving the disclaimer": (None, 1.5),
}
STAFF_BUDGET = (300, 1.5)  # and at most 15 queries
STAFF_QUERIES = 15


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    import django

    django.setup()
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()  # the test client's host is allowed
    from django.conf import settings

    override_settings(TASKS={"default": {"BACKEND": settings.TASK_BACKENDS["database"]}}).enable()  # queued, as live


def prepare(size: int) -> None:
    """Build the library to `size`; one under `FULL_PAGES_FROM` denser, so that each list's pages are as full.

    At 100 articles a list of one article in twelve (flagged evidence), one in
    fifty (overdue) or one in ten (a member's assignments) shows a few rows
    where the large library shows a full page: the small library flags every
    article, has 60 overdue and assigns them all, so that each page compares
    with a page of as many rows.
    """
    from django.core.management import call_command
    from django.db import connection

    from bench import staff_pages

    started = time.perf_counter()
    if size < FULL_PAGES_FROM:
        staff_pages.prepare(size, flagged_every=40, assigned_share=1, overdue=60)
    else:
        staff_pages.prepare(size)
    call_command("reindex_published")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"{size}: prepared in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def timed(request, *, repeat: int = REPEAT, before=None) -> dict:
    """Run `request()` once to warm up, then `repeat` times: median and p95 ms, the last one's queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    request()
    timings = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            status = request()
        timings.append((time.perf_counter() - started) * 1000)
        assert status < 400, status
    timings.sort()
    return {"ms": statistics.median(timings), "p95": timings[round(0.95 * (len(timings) - 1))], "q": len(queries)}


def wsgi_get(application, path: str, **environ) -> int:
    """GET `path` through a WSGI application as gunicorn would; the status."""
    import io

    started = []
    body = application(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "443",
            "HTTP_HOST": "testserver",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            **environ,
        },
        lambda status, headers, exc_info=None: started.append(status),
    )
    b"".join(body)
    if hasattr(body, "close"):
        body.close()
    return int(started[0].split()[0])


def measure() -> dict:
    """Time each page of the table on this database: {page: {ms, p95, q}}."""
    import re

    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from bench.staff_pages import staff_pages
    from config.wsgi import application
    from editorial.models import Reviewer

    rows = {}
    article = reverse("reader:article", args=[ARTICLE])
    # A hit takes some 0.1 ms: many requests, so that the median is not a matter of the clock's grain.
    rows["reader article, cache hit (answered in front of Django)"] = timed(
        lambda: wsgi_get(application, article), repeat=301
    )
    rows["reader article, cache miss (its stored page read back)"] = timed(
        lambda: wsgi_get(application, article), before=cache.clear
    )
    rows["reader article, rendered (?render=1)"] = timed(
        lambda: wsgi_get(application, article, QUERY_STRING="render=1"), repeat=5
    )
    reader = Client()

    def get(url, **params):
        return lambda: reader.get(url, params, secure=True).status_code

    home = reverse("reader:home")
    rows["home"] = timed(get(home))
    rows["home, page 5"] = timed(get(home, page=5))
    rows["feed"] = timed(get(reverse("reader:feed")))
    rows[f"search, common word ({COMMON_WORD})"] = timed(get(home, q=COMMON_WORD), repeat=15)
    rows[f"search, rare word ({RARE_WORD})"] = timed(get(home, q=RARE_WORD), repeat=15)
    sitemap = reverse("reader:sitemap")
    rows["sitemap index, cold (rendered after a purge)"] = timed(get(sitemap), before=cache.clear)
    rows["sitemap index, served"] = timed(get(sitemap))
    index = reader.get(sitemap, secure=True).content.decode()
    files = [loc.split("testserver", 1)[1] for loc in re.findall(r"<loc>([^<]+)</loc>", index) if "articles" in loc]
    cold, served = [], []
    for url in files:
        path, _, query = url.partition("?")
        params = dict(part.split("=") for part in query.split("&") if part)
        cold.append(timed(get(path, **params), repeat=3, before=cache.clear))
        served.append(timed(get(path, **params), repeat=5))
    rows["sitemap article file, cold (rendered after a purge; slowest)"] = max(cold, key=lambda row: row["ms"])
    rows["sitemap article file, served (slowest)"] = max(served, key=lambda row: row["ms"])

    users = get_user_model().objects
    managing = Client()
    managing.force_login(users.get(username="managing"))
    member = Client()
    member.force_login(Reviewer.objects.filter(is_active=True).order_by("pk").first().user)
    for name, client, url, params in staff_pages(managing, member):
        rows[name] = timed(lambda c=client, u=url, p=params: c.get(u, p, secure=True).status_code)
    rows["admin follow-up questions"] = timed(
        lambda: managing.get(reverse("admin:reader_followupquestion_changelist"), secure=True).status_code
    )
    rows["admin references"] = timed(
        lambda: managing.get(reverse("admin:references_reference_changelist"), secure=True).status_code
    )
    rows["saving the disclaimer (the approval that puts it in force)"] = disclaimer_saving()
    return rows


def disclaimer_saving(repeat: int = 5) -> dict:
    """Time the approval that puts a new disclaimer in force: the refresh of every page is queued, not done."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from editorial.models import Reviewer
    from reader.models import EditorialPage
    from reader.page_versions import DISCLAIMER, page_version_approve, page_version_draft

    users = get_user_model().objects
    editor, managing = users.get(username="editor"), users.get(username="managing")
    board_member = Reviewer.objects.filter(is_active=True).order_by("pk").first().user
    page = EditorialPage.objects.get(slug=DISCLAIMER)
    timings = []
    for _ in range(repeat):
        newest = page.versions.order_by("-number").first()
        version = page_version_draft(
            page=page,
            drafted_by=editor,
            title="Disclaimer",
            body=f"Our answers inform; they do not replace your clinician's advice. (Version {time.time_ns()}.)",
            patient_body=f"Ask your own doctor about your care. (Version {time.time_ns()}.)",
            based_on=newest.number if newest else 0,
        )
        page_version_approve(version=version, user=managing, content_hash=version.content_hash)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            page_version_approve(version=version, user=board_member, content_hash=version.content_hash)
        timings.append((time.perf_counter() - started) * 1000)
    return {"ms": statistics.median(timings), "p95": max(timings), "q": len(queries)}


def budget_of(page: str) -> tuple[float | None, float | None, int | None] | None:
    """The page's budget: ms at the largest size (None: none), growth allowed, queries allowed (None: any).

    None for a figure shown for information: a render nobody waits for in
    the issue's terms (a sitemap file is served from its cached output, an
    article from its stored page).
    """
    if "cold" in page or "rendered" in page:
        return None
    for prefix, (ms, growth) in BUDGETS.items():
        if page.startswith(prefix):
            return ms, growth, None
    return (*STAFF_BUDGET, STAFF_QUERIES)


def report(results: dict[int, list[dict]]) -> int:
    """Print the table: the median of each page over the rounds at each size; return how many pages missed."""
    sizes = sorted(results)
    small, large = sizes[0], sizes[-1]
    merged = {size: {} for size in sizes}
    for size in sizes:
        for page in results[size][0]:
            rounds = [run[page] for run in results[size]]
            merged[size][page] = {key: statistics.median(row[key] for row in rounds) for key in ("ms", "p95", "q")}
    head = " ".join(f"{f'{size:,} ms':>13} {'q':>3}" for size in sizes)
    print(f"{'page':62} {head} {'growth':>8}  budget")
    missed = judged = 0
    for page, first in merged[small].items():
        last = merged[large][page]
        figure = "p95" if page.startswith("search") else "ms"
        growth = last[figure] / first[figure] if first[figure] else float("inf")
        cells = " ".join(f"{merged[size][page][figure]:13.1f} {merged[size][page]['q']:3.0f}" for size in sizes)
        name = page + (" (p95)" if figure == "p95" else "")
        budget = budget_of(page)
        if budget is None:
            print(f"{name:62} {cells} {growth:6.2f} x  (for information)")
            continue
        judged += 1
        ms_budget, growth_budget, query_budget = budget
        ok = growth_budget is None or growth <= growth_budget
        ok &= ms_budget is None or last[figure] <= ms_budget
        ok &= query_budget is None or last["q"] <= query_budget
        missed += not ok
        wanted = f"<= {growth_budget} x" if growth_budget else "any growth"
        wanted += f", <= {ms_budget} ms" if ms_budget else ""
        wanted += f", <= {query_budget} q" if query_budget else ""
        print(f"{name:62} {cells} {growth:6.2f} x  {wanted}  {'ok' if ok else 'MISSED'}")
    print(f"\n{judged - missed} of {judged} judged pages within budget; {missed} missed.")
    return missed


def main(argv: list[str]) -> int:
    rounds = 3
    if "--rounds" in argv:
        at = argv.index("--rounds")
        rounds = int(argv[at + 1])
        del argv[at : at + 2]
    if argv[:1] == ["--child"]:  # one size, one round, in this process: print its rows as JSON
        setup_django()
        if argv[1] == "prepare":
            prepare(int(argv[2]))
        else:
            print(json.dumps(measure()))
        return 0
    preparing = argv[:1] == ["--prepare"]
    databases = dict(arg.split("=", 1) for arg in argv[preparing:])
    sizes = sorted(databases, key=int)
    results = {int(size): [] for size in sizes}
    for round_number in range(1 if preparing else rounds):
        for size in sizes if round_number % 2 == 0 else reversed(sizes):
            command = [sys.executable, __file__, "--child", "prepare" if preparing else "measure", size]
            environment = {**os.environ, "DATABASE_URL": databases[size]}
            done = subprocess.run(command, env=environment, stdout=subprocess.PIPE, text=True, check=True)  # noqa: S603
            if not preparing:
                results[int(size)].append(json.loads(done.stdout.strip().splitlines()[-1]))
                print(f"round {round_number + 1}: {size} measured", file=sys.stderr)
    return 0 if preparing else min(1, report(results))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
