"""Reads about articles that cross relations."""

from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from django.db import connection

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


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: object
    after: object


@dataclass(frozen=True)
class ArticleChange:
    """One saved change to an article or one of its parts, described for an editor."""

    when: datetime
    user: object  # the user who saved it, or None for work done outside a person's session
    part: str  # "article", "section", "claim" or "citation"
    summary: str
    fields: tuple[FieldChange, ...] = ()

    @property
    def who(self) -> str:
        if self.user is None:
            return "The system"
        return self.user.get_full_name() or self.user.get_username()


def article_changes_since(article: Article, since: datetime) -> list[ArticleChange]:
    """Return what was saved to the article, its sections, claims and citations after `since`, oldest first.

    Read from the history tables, so parts deleted meanwhile are included. Each change is
    compared with the history row before it to name the fields that changed. Six queries.
    """
    section_ids = Section.history.filter(article_id=article.pk).values("id")
    claim_ids = Claim.history.filter(section_id__in=section_ids).values("id")
    histories = {
        Article: Article.history.filter(id=article.pk),
        Section: Section.history.filter(article_id=article.pk),
        Claim: Claim.history.filter(section_id__in=section_ids),
        Citation: Citation.history.filter(claim_id__in=claim_ids),
    }
    headings = _as_of(since, histories[Section].values_list("id", "history_date", "heading"))
    claim_texts = _as_of(since, histories[Claim].values_list("id", "history_date", "text"))
    changes = []
    for model, queryset in histories.items():
        ids = queryset.filter(history_date__gt=since).values("id")
        rows = queryset.filter(id__in=ids).select_related("history_user").order_by("id", "history_date", "history_id")
        if model is Citation:
            rows = rows.select_related("reference")
        previous = None
        for row in rows:
            before = previous if previous is not None and previous.id == row.id else None
            if row.history_date > since:
                changes.append(_describe(model, row, before, headings, claim_texts))
            previous = row
    return sorted(changes, key=attrgetter("when"))


def _as_of(since: datetime, rows) -> dict:
    """Map each id to its value at `since` (the editor's view of it), or its first value if added later."""
    values = {}
    for pk, when, value in rows.order_by("history_date"):
        if pk not in values or when <= since:
            values[pk] = value
    return values


def _describe(model, row, before, headings: dict, claim_texts: dict) -> ArticleChange:
    """Describe one history row as a sentence, with the fields it changed.

    Parts are named by their words before the change, as the editor who was refused last saw them.
    """
    fields = ()
    if row.history_type == "~" and before is not None:
        fields = tuple(
            _field_change(model._meta.get_field(change.field), change.old, change.new)
            for change in row.diff_against(before).changes
        )
    verb = {"+": "Added", "-": "Removed"}.get(row.history_type)
    edited = [field for field in fields if field.label != "order"]
    if model is Article:
        summary = f"Changed the article: {_join(field.label for field in edited)}." if edited else "Saved the article."
        return ArticleChange(row.history_date, row.history_user, "article", summary, tuple(edited))
    known = before or row
    if model is Section:
        name = f"the section “{_short(known.heading)}”"
    elif model is Claim:
        name = f"the claim “{_short(known.text)}” in “{_short(headings.get(row.section_id, ''))}”"
    else:
        claim = claim_texts.get(row.claim_id, "")
        name = f"the citation of “{_short(str(row.reference))}” on the claim “{_short(claim)}”"
    if verb:
        summary = f"{verb} {name}."
    elif edited:
        summary = f"Changed {name}: {_join(field.label for field in edited)}."
    else:
        summary = f"Moved {name}."
    visible = tuple(field for field in edited if model is not Citation)
    return ArticleChange(row.history_date, row.history_user, model.__name__.lower(), summary, visible)


def _field_change(field, before, after) -> FieldChange:
    """A changed field, its values as editors read them: a choice by its label ("Very low"), not its code."""
    if field.choices:
        labels = dict(field.flatchoices)
        before, after = labels.get(before, before), labels.get(after, after)
    return FieldChange(field.verbose_name, before, after)


def _join(labels) -> str:
    labels = list(labels)
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rows_as_of(model, ids, when: datetime) -> dict:
    """Return the `ids` rows of `model` as their history recorded them at `when`, by id.

    Rows added after `when`, or deleted by then, are left out. One query.
    """
    rows = {}
    for row in model.history.filter(id__in=ids, history_date__lte=when).order_by("history_date", "history_id"):
        rows[row.id] = row
    return {pk: row for pk, row in rows.items() if row.history_type != "-"}


def article_specialties() -> list[str]:
    """Every specialty some article has, in order: one index probe per specialty, however many articles there are.

    `SELECT DISTINCT specialty` read every article (25 ms at a hundred
    thousand) for the admin's filter, which shows a handful of values; this
    walks the index `article_specialty` from each value to the next (a loose
    index scan, written out because neither PostgreSQL nor SQLite plans one).
    """
    table, column = Article._meta.db_table, Article._meta.get_field("specialty").column
    table, column = connection.ops.quote_name(table), connection.ops.quote_name(column)
    with connection.cursor() as cursor:
        walk = (
            f"WITH RECURSIVE walk(value) AS (SELECT MIN({column}) FROM {table}"  # noqa: S608 - our table, quoted
            f" UNION ALL SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > walk.value)"
            " FROM walk WHERE walk.value IS NOT NULL) SELECT value FROM walk WHERE value IS NOT NULL"
        )
        cursor.execute(walk)
        return [value for (value,) in cursor.fetchall()]
