"""How the reader's listings, sitemaps and search grow with the library: seed N approved articles, time each page.

    DATABASE_URL=postgres://…/editorial_scale_bench .venv/bin/python bench/scale.py 10000 [100000 …]

Sizes in increasing order; each size: seed articles in bulk
(`seed_published`) up to N (revisions are append-only: seeds are never
removed, so use a database of its own), then, in-process with Django's test client, time the
median of repeated requests to home, the feed, the sitemap index and each
sitemap file (cold: rendered; warm: from the cache), and search for a common
and a rare word. Prints one table per size. Needs PostgreSQL (the search
vector and its index are PostgreSQL's).
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta

# Words to build bodies from; "pain" is in most articles, "zoster" in about one in a thousand.
COMMON_WORD = "pain"
RARE_WORD = "zoster"
FILLER = (  # noqa: SIM905 - a sentence is easier to read than a list
    "dose trial evidence patients adults children risk benefit review placebo outcome therapy "
    "symptom infection blood pressure heart kidney liver sleep exercise diet vaccine antibiotic"
).split()


def seed_published(count: int, *, start: int = 0, seed: int = 16) -> None:
    """Add `count` approved articles to the reader's index in bulk: an article, its revision and its index row.

    Only what the listings, sitemaps and search read: no workflow rows, so
    the articles' own pages are not servable. About 78% of bodies hold
    `COMMON_WORD`, about 0.1% `RARE_WORD`; one title in fifty holds
    `COMMON_WORD`. Fills the search vector on PostgreSQL as `reader.index` does.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from articles.models import Article
    from editorial.models import Revision
    from reader.index import SEARCH_VECTOR
    from reader.models import PublishedArticle

    chooser = random.Random(seed + start)  # noqa: S311 - sample text, not secrets
    author, _ = get_user_model().objects.get_or_create(username="scale-seeder")
    now = timezone.now()
    batch = 5_000
    for first in range(start, start + count, batch):
        numbers = range(first, min(first + batch, start + count))
        with transaction.atomic():
            articles = Article.objects.bulk_create(
                [
                    Article(
                        question=f"Question {number}: does {chooser.choice(FILLER)} help?",
                        title=f"Answer {number}" + (f" on {COMMON_WORD}" if number % 50 == 0 else ""),
                        slug=f"scale-answer-{number}",
                        lede="A short answer for clinicians.",
                        plain_lede="A short answer for patients.",
                        specialty="General medicine",
                    )
                    for number in numbers
                ]
            )
            revisions = Revision.objects.bulk_create(
                [
                    Revision(
                        article=article,
                        number=1,
                        content={"slug": article.slug},
                        content_hash=f"{article.pk:064x}",
                        created_by=author,
                    )
                    for article in articles
                ]
            )
            rows = []
            for number, article, revision in zip(numbers, articles, revisions, strict=True):
                words = chooser.choices(FILLER, k=60)
                if chooser.random() < 0.78:
                    words.append(COMMON_WORD)
                if number % 1000 == 7:
                    words.append(RARE_WORD)
                rows.append(
                    PublishedArticle(
                        article=article,
                        revision=revision,
                        slug=article.slug,
                        question=article.question,
                        title=article.title,
                        lede=article.lede,
                        plain_lede=article.plain_lede,
                        specialty=article.specialty,
                        body=" ".join(words),
                        content_updated_at=now,
                        reviewed_at=now - timedelta(minutes=chooser.randrange(5_000_000)),
                    )
                )
            PublishedArticle.objects.bulk_create(rows)
            if connection.vendor == "postgresql":
                PublishedArticle.objects.filter(article__in=articles).update(search_vector=SEARCH_VECTOR)


def _seeded() -> int:
    from reader.models import PublishedArticle

    return PublishedArticle.objects.filter(slug__startswith="scale-answer-").count()


def median_ms(client, url, *, repeat: int, warm: bool = True, **params) -> tuple[float, int, int]:
    """The median time of `repeat` requests (a warm-up first unless `warm` is off), the last one's queries and bytes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if warm:
        client.get(url, params, secure=True)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
    return statistics.median(timings), len(queries), len(response.content)


def measure(size: int, *, repeat: int = 15) -> list[tuple[str, float, int]]:
    """Seed `size` articles (after removing earlier seeds), and time the reader's pages at that size."""
    import re

    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    seeded = _seeded()
    if seeded > size:  # revisions are append-only: a smaller library needs a new database
        sys.exit(f"{seeded} articles are already seeded: give sizes above that, or use a new database.")
    started = time.perf_counter()
    seed_published(size - seeded, start=seeded)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reader_publishedarticle")
    print(f"seeded {size} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    client = Client()
    rows = []
    for name, url, params in [
        ("home", reverse("reader:home"), {}),
        ("home, page 500", reverse("reader:home"), {"page": 500}),
        ("feed", reverse("reader:feed"), {}),
        (f"search common ({COMMON_WORD})", reverse("reader:home"), {"q": COMMON_WORD}),
        (f"search rare ({RARE_WORD})", reverse("reader:home"), {"q": RARE_WORD}),
    ]:
        rows.append((name, *median_ms(client, url, repeat=repeat, **params)))
    cache.clear()
    index_url = reverse("reader:sitemap")
    rows.append(("sitemap index, cold", *median_ms(client, index_url, repeat=1, warm=False)))
    rows.append(("sitemap index, cached", *median_ms(client, index_url, repeat=repeat)))
    index = client.get(index_url, secure=True).content.decode()
    files = [loc.split("testserver", 1)[1] for loc in re.findall(r"<loc>([^<]+)</loc>", index)]
    article_files = [url for url in files if "articles" in url]
    cold, warm = [], []
    for url in article_files:
        path, _, query = url.partition("?")
        params = dict(part.split("=") for part in query.split("&") if part)
        cold.append(median_ms(client, path, repeat=1, warm=False, **params))
        warm.append(median_ms(client, path, repeat=5, **params))
    print(f"{size}: {len(article_files)} article sitemap files", file=sys.stderr)
    rows.append(("sitemap article file, cold (slowest file)", *max(cold)))
    rows.append(("sitemap article file, cached (slowest file)", *max(warm)))
    return rows


def run(measure, sizes: list[int], *, bench: str) -> None:
    """Set Django up for a bench, run `measure(size)` for each size, print one table of all the sizes.

    `measure` returns rows of (page, ms, queries, bytes).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")  # production settings, locmem cache
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host is allowed; nothing else changes
    if connection.vendor != "postgresql":
        sys.exit(f"The {bench} bench needs PostgreSQL: set DATABASE_URL.")
    results = {size: measure(size) for size in sizes}
    print(f"{'page':52} " + " ".join(f"{size:>9} ms {'q':>3} {'KB':>5}" for size in sizes))
    for index, (name, *_) in enumerate(results[sizes[0]]):
        cells = " ".join(
            f"{results[size][index][1]:12.1f} {results[size][index][2]:3} {results[size][index][3] / 1024:5.0f}"
            for size in sizes
        )
        print(f"{name:52} {cells}")


if __name__ == "__main__":
    run(measure, [int(size) for size in sys.argv[1:]] or [10_000], bench="scale")
