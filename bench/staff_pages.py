"""How the staff's lists grow with the library: build N live articles, time the admin list, the evidence list, the desk.

    DATABASE_URL=postgres://…/a_database_of_its_own .venv/bin/python bench/staff_pages.py 1000 10000

Run after `migrate` and `seed_demo` on a database of its own. Sizes in
increasing order; for each, `make_library.py` adds live articles up to N
(working copies, revisions with their citation index, approvals, chains), then
this script flags one in `FLAGGED_EVERY` of the library's references (retracted and
expressions of concern, the same ones at every size), gives one board member an
open assignment on `ASSIGNED_SHARE` of the articles (the stored evidence flags,
which these bulk writes bypass, are rebuilt), and times, in-process with
Django's test client (production settings, local-memory cache), the median of
repeated requests to each page, counting its queries. Speed targets are judged
here, never in timed unit tests; the tests assert that the query counts do not
grow with the library.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")  # production settings, locmem cache

# Every 500th of make_library's 2,000 shared references: each article cites 40 neighbouring ones, so
# about one article in twelve cites one flagged reference.
FLAGGED_EVERY = 500
ASSIGNED_SHARE = 10  # one article in ten is assigned to the bench's board member


def prepare(
    size: int, *, flagged_every: int = FLAGGED_EVERY, assigned_share: int = ASSIGNED_SHARE, overdue: int = 0
) -> None:
    """Grow the library to `size` live articles, flag references, assign one member an article in `assigned_share`.

    `flagged_every`, `assigned_share` and `overdue` (at least that many live
    articles overdue for review) make a small library as dense as needed to
    fill the lists' pages (`bench/every_page.py`).
    """
    from datetime import date, timedelta

    from django.db import connection
    from django.utils import timezone

    from bench import make_library
    from editorial.evidence_flags import evidence_flags_rebuild
    from editorial.models import ArticleWorkflow, ReviewAssignment, Reviewer
    from references.models import Reference

    make_library.main(size)
    bench_references = Reference.objects.filter(title__contains="bench study").order_by("pk")
    bench_references.update(retraction_status=Reference.Retraction.STANDS, retraction_date=None)
    flagged = list(bench_references.values_list("pk", flat=True))[::flagged_every]
    Reference.objects.filter(pk__in=flagged[::2]).update(
        retraction_status=Reference.Retraction.RETRACTED, retraction_date=date(2026, 3, 1)
    )
    Reference.objects.filter(pk__in=flagged[1::2]).update(
        retraction_status=Reference.Retraction.EXPRESSION_OF_CONCERN, retraction_date=date(2026, 2, 1)
    )
    # The library's flags follow its moves and saves; the bulk writes above make none, so recompute them all.
    evidence_flags_rebuild()
    member = Reviewer.objects.filter(is_active=True).order_by("pk").first()
    assigned = set(ReviewAssignment.objects.filter(reviewer=member).values_list("article_id", flat=True))
    ReviewAssignment.objects.bulk_create(
        ReviewAssignment(article_id=article_id, reviewer=member, assigned_by=member.user, is_open=True)
        for article_id in ArticleWorkflow.objects.order_by("article_id").values_list("article_id", flat=True)[
            ::assigned_share
        ]
        if article_id not in assigned
    )
    today = timezone.localdate()
    missing = overdue - ArticleWorkflow.objects.review_overdue(today).count()
    if missing > 0:
        bench_articles = ArticleWorkflow.objects.live().filter(article__slug__startswith="bench-article-")
        due = bench_articles.exclude(next_review_due__lt=today).order_by("pk")[:missing]
        ArticleWorkflow.objects.filter(pk__in=list(due.values_list("pk", flat=True))).update(
            next_review_due=today - timedelta(days=30)
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def measure(size: int, *, repeat: int = 7) -> list[tuple[str, float, int, int]]:
    """Grow the library to `size`, then time each staff page: (page, ms, queries, bytes) rows."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.scale import median_ms
    from editorial.models import Reviewer

    started = time.perf_counter()
    prepare(size)
    print(f"{size}: ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    users = get_user_model().objects
    managing = Client()
    managing.force_login(users.get(username="managing"))
    member = Client()
    member.force_login(Reviewer.objects.filter(is_active=True).order_by("pk").first().user)
    pages = staff_pages(managing, member)
    return [(name, *median_ms(client, url, repeat=repeat, **params)) for name, client, url, params in pages]


def staff_pages(managing, member) -> list[tuple[str, object, str, dict]]:
    """The staff pages to time: (name, the client of the person who reads it, URL, query parameters)."""
    from django.urls import reverse

    from editorial.models import ArticleWorkflow

    changelist = reverse("admin:articles_article_changelist")
    evidence = reverse("admin:articles_article_retracted_evidence")
    last_page = ArticleWorkflow.objects.count() // 100
    return [
        ("admin article list", managing, changelist, {}),
        ("admin article list, citing retracted evidence", managing, changelist, {"retracted_evidence": "any"}),
        ("admin article list, last page", managing, changelist, {"p": last_page}),
        ("retracted-evidence list", managing, evidence, {}),
        ("retracted-evidence list, page 2", managing, evidence, {"page": 2}),
        ("review desk, managing editor", managing, reverse("desk:queue"), {}),
        ("desk list: review overdue", managing, reverse("desk:list", args=["review-overdue"]), {}),
        ("review desk, board member", member, reverse("desk:queue"), {}),
        ("desk list: assigned, page 2", member, reverse("desk:list", args=["assigned"]), {"page": 2}),
    ]


if __name__ == "__main__":
    from bench.scale import run

    run(measure, [int(size) for size in sys.argv[1:]] or [1_000, 10_000], bench="staff pages")
