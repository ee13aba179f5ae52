"""Server time, size and queries of the article editor's page for the demo LDN article.

    python -m bench.editor_page            (run by bench/editor.sh, which sets up the database)

Renders `/admin/articles/article/<id>/change/` for the demo administrator through
Django's test client (the whole middleware stack, no network) `BENCH_EDITOR_REQUESTS`
times after one warm-up request, and prints the median and spread of the server time,
the page's bytes, elements, form controls and database queries. Exit status 0 when the
median time and the size are within `BENCH_EDITOR_MAX_MS` and `BENCH_EDITOR_MAX_KB`.
"""

import os
import re
import statistics
import sys
import time
from pathlib import Path

import django

DEMO_SLUG = "low-dose-naltrexone-chronic-pain"
ELEMENT = re.compile(r"<[a-zA-Z]")
CONTROL = re.compile(r"<(?:input|select|textarea|button)\b")


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article

    requests = int(os.environ.get("BENCH_EDITOR_REQUESTS", "15"))
    max_ms = float(os.environ.get("BENCH_EDITOR_MAX_MS", "300"))
    max_kb = float(os.environ.get("BENCH_EDITOR_MAX_KB", "150"))
    host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0]

    article = Article.objects.get(slug=DEMO_SLUG)
    client = Client(HTTP_HOST=host)
    client.force_login(get_user_model().objects.get(username="admin"))
    url = f"/admin/articles/article/{article.pk}/change/"
    client.get(url)  # warm-up: templates compiled, caches filled
    times, cpu_times = [], []
    for _ in range(requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu_started) * 1000)
        if response.status_code != 200:
            print(f"bench: {url} answered {response.status_code}", file=sys.stderr)
            return 2
    html = response.content.decode()
    median = statistics.median(times)
    size_kb = len(response.content) / 1000
    print(f"page        {url} ({article.title})")
    print(f"requests    {requests} (after one warm-up)")
    print(f"server ms   median {median:.0f}, min {min(times):.0f}, max {max(times):.0f}")
    print(f"CPU ms      median {statistics.median(cpu_times):.0f} (this process: a busy machine hardly moves it)")
    print(f"HTML        {size_kb:.1f} KB")
    print(f"elements    {len(ELEMENT.findall(html))}")
    print(f"controls    {len(CONTROL.findall(html))}")
    print(f"queries     {len(queries)}")
    print(f"load        {' '.join(Path('/proc/loadavg').read_text().split()[:3])} (1, 5, 15 min)")
    passed = median <= max_ms and size_kb <= max_kb
    print(f"verdict     {'PASS' if passed else 'FAIL'} (median <= {max_ms:.0f} ms, HTML <= {max_kb:.0f} KB)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
