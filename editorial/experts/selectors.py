"""Reads about expert links: an article's links with their use, and the words a comment is about."""

from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce

from editorial.experts.models import ExpertLink, ExpertLinkUse
from editorial.models import Revision, ThreadMessage


def expert_links_of(article) -> list[ExpertLink]:
    """The article's expert links, newest first, each with `use_count`, `last_used_at` and its thread messages.

    A fixed number of queries however many links, uses and comments there are.
    """
    uses = ExpertLinkUse.objects.filter(link=OuterRef("pk")).order_by().values("link")
    return list(
        ExpertLink.objects.filter(revision__article=article)
        .select_related("revision", "created_by", "revoked_by")
        .annotate(
            use_count=Coalesce(
                Subquery(uses.annotate(n=Count("pk")).values("n")), Value(0), output_field=IntegerField()
            ),
            last_used_at=Subquery(uses.annotate(last=Max("at")).values("last")),
        )
        .prefetch_related(Prefetch("thread_messages", ThreadMessage.objects.select_related("thread").order_by("id")))
    )


def claim_labels(revision: Revision) -> list[tuple[str, str]]:
    """(uid, label) of each claim of `revision`, in reading order: “Heading · claim 2: its lead-in”."""
    labels = []
    for section in revision.content["sections"]:
        for position, claim in enumerate(section["claims"], start=1):
            labels.append(
                (claim["uid"], f"{section['heading']} · claim {position}: {claim['lead_in'] or claim['text'][:60]}")
            )
    return labels


def newest_number_after(revision: Revision) -> int | None:
    """The number of the article's newest revision, if it is newer than `revision`."""
    newer = Revision.objects.filter(article_id=revision.article_id, number__gt=revision.number)
    return newer.order_by("-number").values_list("number", flat=True).first()
