"""Sign-off reports: thin views over `audit.reports`, guarded by `editorial.rules`.

Who may read what: managing editors (and superusers) every report and the
library-wide export; a board member the reports of articles they were assigned
to or signed; an editor those of articles they wrote or contributed to. Anyone
else who is signed in gets 403; a visitor is sent to log in. Every page only
reads.
"""

import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from articles.models import Article
from audit.forms import SignOffPeriodForm
from audit.reports import (
    COLUMNS,
    FORMAT_VERSION,
    NO_SIGN_OFFS_IN_PERIOD,
    article_sign_off_report,
    library_sign_offs,
    statement_row,
)
from editorial.rules import may_export_sign_offs, may_read_sign_off_report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@require_safe
@login_required
def article_sign_offs(request, article_id, file_format="html"):
    """The article's sign-off report, looked up by id: a slug may change, the id never does.

    Only those who may read every report learn that an id names no article (404);
    anyone else is refused alike, whether the article exists or not.
    """
    articles = Article.objects.select_related("workflow__live_revision").defer("workflow__live_revision__content")
    article = articles.filter(pk=article_id).first()
    if article is None and may_export_sign_offs(request.user):
        raise Http404("No such article.")
    if article is None or not may_read_sign_off_report(request.user, article):
        raise PermissionDenied("You may read the sign-off reports of articles you worked on or reviewed.")
    report = article_sign_off_report(article)
    name = f"sign-offs-article-{article.pk}-{timezone.localdate():%Y-%m-%d}"
    if file_format == "json":
        return _attachment(HttpResponse(_json(report.as_dict()), content_type="application/json"), f"{name}.json")
    if file_format == "csv":
        return _attachment(HttpResponse(_csv_lines(report.csv_rows()), content_type="text/csv"), f"{name}.csv")
    return render(request, "audit/article_sign_off_report.html", {"report": report, "article": article})


@require_safe
@login_required
def library_export(request):
    """Every sign-off made in a period, streamed as CSV or JSON; without a period, the form that asks for one."""
    if not may_export_sign_offs(request.user):
        raise PermissionDenied("The library-wide export is for managing editors.")
    if not request.GET:
        return render(request, "audit/library_export_form.html", {"form": SignOffPeriodForm()})
    form = SignOffPeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/library_export_form.html", {"form": form}, status=400)
    start, end, file_format = form.cleaned_data["from"], form.cleaned_data["to"], form.cleaned_data["format"]
    rows = library_sign_offs(start=start, end=end)
    name = f"sign-offs-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.{file_format}"
    if file_format == "json":
        content = _json_stream(rows, start=start, end=end)
        return _attachment(StreamingHttpResponse(content, content_type="application/json"), name)
    return _attachment(StreamingHttpResponse(_csv_stream(rows), content_type="text/csv"), name)


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def _json_stream(rows, *, start, end):
    """The export as one JSON document, written row by row."""
    head = {
        "format_version": FORMAT_VERSION,
        "report": "library_sign_offs",
        "generated_at": timezone.now().isoformat(timespec="microseconds"),
        "from": start.isoformat(),
        "to": end.isoformat(),
    }
    yield _json(head)[:-2] + ',\n  "sign_offs": ['
    count = 0
    for row in rows:
        yield ("," if count else "") + "\n    " + json.dumps(row.as_dict(), ensure_ascii=False)
        count += 1
    statement = None if count else NO_SIGN_OFFS_IN_PERIOD
    yield f'\n  ],\n  "statement": {json.dumps(statement)}\n}}\n'


class _Line:
    """A file-like object that hands back what `csv.writer` writes, for streaming."""

    def write(self, value):
        return value


def _csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: never a formula, whatever a comment begins with."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):  # attestations, disclaimer: the JSON the JSON export writes, in one cell
        value = json.dumps(value, separators=(",", ":"))
    text = value.isoformat(timespec="microseconds") if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_record(row) -> list[str]:
    values = row.as_dict()
    return [_csv_cell(values[column]) for column in COLUMNS]


def _csv_lines(rows) -> str:
    return "".join(_csv_stream(rows))


def _csv_stream(rows, *, if_empty: str = NO_SIGN_OFFS_IN_PERIOD):
    """The header, then one line per row; with no rows, one line whose `statement` says why."""
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        yield writer.writerow(_csv_record(row))
        count += 1
    if not count:
        yield writer.writerow(_csv_record(statement_row(if_empty)))
