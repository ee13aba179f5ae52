"""Fill the database with live articles until N are live, for the audit benchmark.

    python bench/make_library.py 10000

Run after `migrate` and `seed_demo` (it needs the demo's editor and board).
Each article is what the workflow would leave behind, written in bulk: its
working copy (4 sections of 5 claims, each citing two of 2,000 shared
references, every row with its history), a revision frozen from it with its
contributor, its citation index and its search text, an approval by one of
the demo's board members, the submit and approve audit events, their links in
the article's chain, its public slug and a live workflow (one in fifty with its
review overdue). Then the history is sealed and the chains checkpointed, as
the periodic job would.
Bench data only: real articles get all this from the services, one move at a time.
"""

import os
import sys
import time
import uuid
from datetime import timedelta
from itertools import cycle

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from simple_history.utils import bulk_create_with_history  # noqa: E402

from articles.documents import article_with_tree, build_article_document  # noqa: E402
from articles.models import Article, Citation, Claim, Section  # noqa: E402
from editorial.models import (  # noqa: E402
    ArticleWorkflow,
    AuditEvent,
    CitedReference,
    Reviewer,
    Revision,
    RevisionSearchText,
    SignOff,
    cited_references_of,
    search_text_of,
)
from editorial.revisions import content_hash  # noqa: E402
from editorial.workflow import Action, State  # noqa: E402
from ledger.canonical import GENESIS, link_chain, record_digest  # noqa: E402
from ledger.models import Link  # noqa: E402
from ledger.seals import seals_take  # noqa: E402
from ledger.services import checkpoint_take  # noqa: E402
from reader.models import PublicSlug  # noqa: E402
from references.models import Reference  # noqa: E402

CHUNK = 500
REFERENCES = 2_000
SECTIONS, CLAIMS = 4, 5
TOPICS = ("naltrexone", "metformin", "statin therapy", "vitamin D", "exercise", "sleep hygiene", "SGLT2 inhibitors")


def references(editor) -> list[Reference]:
    """The shared references, made by the first run and reused by later ones."""
    existing = list(Reference.objects.filter(doi__startswith="10.5555/bench.audit.").order_by("pk"))
    if existing:
        return existing
    made = [
        Reference(
            kind=Reference.Kind.RESEARCH,
            title=f"Effect of {TOPICS[n % len(TOPICS)]} on outcomes in adults: bench study {n}",
            authors="Okafor A, Lindqvist E, Moreau C, Haddad S, Nakamura Y, Singh P",
            source=f"Journal of Clinical Examples {n % 40}",
            year=1990 + n % 35,
            doi=f"10.5555/bench.audit.{n}",
            pmid=str(39_000_000 + n),
        )
        for n in range(REFERENCES)
    ]
    return bulk_create_with_history(made, Reference, batch_size=1000, default_user=editor)


def working_copies(start: int, count: int, library: list[Reference], editor) -> list[Article]:
    articles = [
        Article(
            question=f"Does {TOPICS[n % len(TOPICS)]} help with condition {n}?",
            title=f"{TOPICS[n % len(TOPICS)].capitalize()} for condition {n}: what the evidence shows",
            slug=f"bench-article-{n}",
            lede=f"For condition {n}, **{TOPICS[n % len(TOPICS)]}** has modest benefit in trials; see the evidence.",
            plain_lede=f"For condition {n}, {TOPICS[n % len(TOPICS)]} helps a little.",
            specialty="General medicine",
        )
        for n in range(start, start + count)
    ]
    articles = bulk_create_with_history(articles, Article, batch_size=1000, default_user=editor)
    sections = bulk_create_with_history(
        [
            Section(article=article, order=s, heading=f"Part {s + 1} of the answer", intro="Why this matters.")
            for article in articles
            for s in range(SECTIONS)
        ],
        Section,
        batch_size=2000,
        default_user=editor,
    )
    claims = bulk_create_with_history(
        [
            Claim(
                section=section,
                order=c,
                uid=uuid.uuid4(),
                lead_in="Dose" if c == 0 else "",
                text=f"In adults, the effect in claim {c} of section {section.order} was *small* but consistent "
                f"across trials of {section.article.slug}, with no serious harms reported.",
                plain_text=f"It helped a little in the studies (claim {c}).",
            )
            for section in sections
            for c in range(CLAIMS)
        ],
        Claim,
        batch_size=5000,
        default_user=editor,
    )
    bulk_create_with_history(
        [
            Citation(claim=claim, reference=library[(index * 2 + k) % len(library)], order=k)
            for index, claim in enumerate(claims)
            for k in range(2)
        ],
        Citation,
        batch_size=5000,
        default_user=editor,
    )
    return articles


def make_live(articles: list[Article], editor, board: list[Reviewer], n0: int) -> None:
    now, today = timezone.now(), timezone.localdate()
    tree = article_with_tree(Article.objects.filter(pk__in=[a.pk for a in articles]).order_by("pk"))
    revisions = []
    for article in tree:
        content = build_article_document(article)
        revisions.append(
            Revision(
                article=article,
                number=1,
                content=content,
                content_hash=content_hash(content),
                created_by=editor,
                created_at=now,
            )
        )
    revisions = Revision.objects.bulk_create(revisions)
    CitedReference.objects.bulk_create([cited for revision in revisions for cited in cited_references_of(revision)])
    RevisionSearchText.objects.bulk_create([search_text_of(revision) for revision in revisions])
    Revision.contributors.through.objects.bulk_create(
        [Revision.contributors.through(revision=revision, user=editor) for revision in revisions]
    )
    members = cycle(board)
    sign_offs = []
    for revision in revisions:
        member = next(members)
        sign_offs.append(
            SignOff(
                revision=revision,
                content_hash=revision.content_hash,
                reviewer=member,
                signed_by=member.user,
                decision=SignOff.Decision.APPROVE,
                claims_accurate=True,
                citations_support_claims=True,
                doses_checked=True,
                patient_wording_faithful=True,
                created_at=now,
            )
        )
    sign_offs = bulk_create_with_history(sign_offs, SignOff, default_user=editor)
    submitted = AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                article_id=revision.article_id,
                action=Action.SUBMIT,
                actor=editor,
                from_state=State.DRAFT,
                to_state=State.SUBMITTED,
                revision=revision,
                created_at=now,
            )
            for revision in revisions
        ]
    )
    approvals = AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                article_id=revision.article_id,
                action=Action.APPROVE,
                actor=sign_off.signed_by,
                from_state=State.UNDER_REVIEW,
                to_state=State.APPROVED,
                revision=revision,
                created_at=now,
            )
            for revision, sign_off in zip(revisions, sign_offs, strict=True)
        ]
    )
    links = []
    for revision, sign_off, first, last in zip(revisions, sign_offs, submitted, approvals, strict=True):
        previous = GENESIS
        chain = ((Link.Kind.AUDIT_EVENT, first), (Link.Kind.SIGN_OFF, sign_off), (Link.Kind.AUDIT_EVENT, last))
        for sequence, (kind, record) in enumerate(chain, start=1):
            digest = record_digest(kind, record, article_id=revision.article_id)
            previous = link_chain(digest, previous)
            links.append(
                Link(
                    article_id=revision.article_id,
                    kind=kind,
                    record_id=record.pk,
                    sequence=sequence,
                    digest=digest,
                    chain=previous,
                )
            )
    Link.objects.bulk_create(links, batch_size=5000)
    PublicSlug.objects.bulk_create(
        [PublicSlug(slug=revision.content["slug"], article_id=revision.article_id) for revision in revisions]
    )
    bulk_create_with_history(
        [
            ArticleWorkflow(
                article_id=revision.article_id,
                state=State.APPROVED,
                current_revision=revision,
                live_revision=revision,
                approved_at=now,
                first_approved_at=now,
                certified_round=1,
                next_review_due=today - timedelta(days=30) if (n0 + index) % 50 == 0 else today + timedelta(days=365),
            )
            for index, revision in enumerate(revisions)
        ],
        ArticleWorkflow,
        default_user=editor,
    )


def main(target: int) -> None:
    editor = get_user_model().objects.get(username="editor")
    board = list(Reviewer.objects.filter(is_active=True).select_related("user").order_by("pk"))
    missing = target - ArticleWorkflow.objects.live().count()
    first = Article.objects.filter(slug__startswith="bench-article-").count()  # a later run adds to an earlier one
    started = time.monotonic()
    with transaction.atomic():
        library = references(editor)
    for start in range(0, missing, CHUNK):
        with transaction.atomic():
            articles = working_copies(first + start, min(CHUNK, missing - start), library, editor)
            make_live(articles, editor, board, first + start)
        print(f"{start + len(articles)} of {missing} articles made live…", file=sys.stderr)
    made = time.monotonic()
    seals = seals_take(now=timezone.now() + timedelta(days=1))
    checkpoint_take()
    print(
        f"{missing} live articles made in {made - started:.0f} s; {len(seals)} seals and a checkpoint "
        f"taken in {time.monotonic() - made:.0f} s.",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
