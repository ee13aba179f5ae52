"""Reads about articles that cross relations."""

from operator import attrgetter

from articles.models import Article, Citation, Claim, Section


def article_content_history(article: Article, limit: int = 200) -> list:
    """Return the history rows of the article's sections, claims and citations, newest first.

    Each row gets a `kind` ("section", "claim" or "citation"). Rows of children
    since deleted are included, as their ids come from the history tables.
    Three queries.
    """
    section_ids = Section.history.filter(article_id=article.pk).values("id")
    claim_ids = Claim.history.filter(section_id__in=section_ids).values("id")
    querysets = {
        "section": Section.history.filter(article_id=article.pk),
        "claim": Claim.history.filter(section_id__in=section_ids),
        "citation": Citation.history.filter(claim_id__in=claim_ids).select_related("reference"),
    }
    rows = []
    for kind, queryset in querysets.items():
        for row in queryset.select_related("history_user").order_by("-history_date")[:limit]:
            row.kind = kind
            rows.append(row)
    return sorted(rows, key=attrgetter("history_date"), reverse=True)[:limit]
