"""The reader site: thin views over `reader.selectors`, cached where the words are approved."""

import hashlib
import re

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.documents import AUDIENCES, present_document
from editorial.accounts.throttling import hashed_client
from editorial.models import Reviewer
from reader import cache, prerendered
from reader.forms import FollowUpQuestionForm, ProblemReportForm
from reader.models import FollowUpQuestion
from reader.page_versions import (
    DISCLAIMER,
    URGENT_HELP,
    article_pages_in_force,
    page_in_force,
    page_version_approved_at,
)
from reader.selectors import (
    article_page,
    articles_approved_by,
    board_members,
    public_changes,
    published_articles,
    published_count,
)
from reader.services import problem_report_file
from reader.sitemaps import SITEMAPS, article_sitemap_file
from reader.structured_data import medical_web_page
from references.citation_styles import format_references
from references.formats.reading import FORMATS
from references.formats.records import FIELDS

AUDIENCE_COOKIE = "audience"
DEFAULT_AUDIENCE = "clinician"
QUESTIONS_PER_HOUR = 5
REPORTS_PER_HOUR = 5
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
CACHE_CONTROL = "public, max-age=0, must-revalidate"
PAGE_CONTENT_TYPE = f"text/html; charset={settings.DEFAULT_CHARSET}"  # as `render` gives every page
# The reference files offered under an article, in the order the page lists them.
REFERENCE_FILE_FORMATS = ("ris", "bibtex", "medline", "csl-json")


def reader_audience(request) -> str:
    return audience_in(request.COOKIES)


def audience_in(cookies: dict) -> str:
    """The audience a reader chose (the cookie the switcher sets), or the default one."""
    audience = cookies.get(AUDIENCE_COOKIE, DEFAULT_AUDIENCE)
    return audience if audience in AUDIENCES else DEFAULT_AUDIENCE


@gzip_page
@require_GET
def home(request):
    query = request.GET.get("q", "").strip()[:200]
    paginator = Paginator(published_articles(query), 10)
    context = {"query": query}
    if query:
        context["match_count"], context["more_matches"] = published_count(query)
    else:
        paginator.count, _ = published_count()  # the library's count, cached until a move changes it
    context["page"] = paginator.get_page(request.GET.get("page"))
    return render(request, "reader/home.html", context)


@require_GET
def article_detail(request, slug):
    """The article as readers see it now (see `reader.selectors.reader_view`), for their audience.

    Approved pages are cached whole under their public slug (see
    `reader.cache`), compressed once when cached; a cache miss reads the page
    stored when it went live (see `reader.prerendered`), and renders it only
    when none is stored; conditional requests get 304 answers. An older
    public slug redirects permanently to the current one. This is the hottest
    path of the product, so a cache hit does as little as it can.
    """
    audience = reader_audience(request)
    if request.GET:  # e.g. the thank-you after a follow-up question: rendered, never cached
        return _compressed(request, _render_article(request, slug, audience, form=_question_form(audience)))
    entry = prerendered.ready_page(
        slug, audience, lambda: _render_article(request, slug, audience, form=_question_form(audience))
    )
    if isinstance(entry, HttpResponse):
        return _compressed(request, entry)
    return page_response(request, entry)


def page_response(request, entry: dict) -> HttpResponse:
    """Answer with a cached page's bytes (gzipped when the reader accepts it) and its headers, or 304 if unchanged.

    Shared by the view and by `reader.middleware`, which serves cached pages
    before the rest of the stack runs (a plain hit is answered in front of
    Django, `reader.front`, from the same `page_answer`). It reads
    `request.META` rather than building `request.headers`: this is the
    site's hottest code.
    """
    meta = request.META
    if "HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta:
        not_modified = get_conditional_response(request, etag=entry["etag"], last_modified=None)
        if not_modified is not None:
            return not_modified
    content, headers = page_answer(entry, meta)
    return HttpResponse(content, status=entry["status"], headers=headers)


def page_answer(entry: dict, meta) -> tuple[bytes, dict[str, str]]:
    """A cached page's bytes for this request, gzipped when the reader accepts it, and the headers the view sets.

    Also what `reader.front` answers with, in front of Django.
    """
    gzipped = ACCEPTS_GZIP.search(meta.get("HTTP_ACCEPT_ENCODING", "")) is not None
    content = entry["gzip"] if gzipped else entry["content"]
    headers = {
        "Content-Type": PAGE_CONTENT_TYPE,
        "Content-Length": str(len(content)),  # as CommonMiddleware sets it, when it runs
        "ETag": entry["etag"],
        "Last-Modified": entry["last_modified"],
        "Vary": "Cookie, Accept-Encoding",
        "Cache-Control": CACHE_CONTROL,
    }
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return content, headers


def _question_form(audience):
    return FollowUpQuestionForm(initial={"audience": audience})


def _compressed(request, response):
    """Gzip a response that was not served from the cache, as `gzip_page` would."""
    return GZipMiddleware(lambda request: response).process_response(request, response)


# How long a hold is expected to last, for crawlers: the board reviews within days.
HOLD_RETRY_AFTER = str(60 * 60 * 24)


def _notice(request, page):
    """The notice readers see instead of the words: gone for good (410), or held for now (503).

    A hold is temporary and its words may come back, so it answers 503 with
    `Retry-After`; both notices are kept out of search engines' indexes.
    """
    if page.is_held:
        response = render(request, "reader/article_held.html", {"page": page}, status=503)
        response["Retry-After"] = HOLD_RETRY_AFTER
    else:
        response = render(request, "reader/article_withdrawn.html", {"page": page}, status=410)
    response["X-Robots-Tag"] = "noindex"
    _vary_and_cache_headers(response)
    return response


def _moved(request, url_name, *args):
    """Send readers on an older public slug to the current one, for good (but revalidated: slugs may move again)."""
    url = reverse(url_name, args=args)
    if request.META.get("QUERY_STRING"):
        url += "?" + request.META["QUERY_STRING"]
    response = HttpResponsePermanentRedirect(url)
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _render_article(request, slug, audience, *, form, status=200):
    page = article_page(slug)
    if page.is_notice:
        return _notice(request, page)
    if page.slug != slug:
        return _moved(request, "reader:article", page.slug)
    document = present_document(page.revision.content, audience)
    document["references"] = _in_citation_style(document["references"])
    url = request.build_absolute_uri(reverse("reader:article", args=[page.slug]))
    context = {
        "page": page,
        "document": document,
        "reference_files": [
            {"label": FORMATS[key].label, "url": reverse("reader:article_references", args=[page.slug, key])}
            for key in REFERENCE_FILE_FORMATS
        ],
        "audience": audience,
        "audiences": FollowUpQuestion.Audience.choices,
        **_site_texts(audience),
        "form": form,
        "canonical_url": url,
        "structured_data": medical_web_page(
            page=page,
            document=document,
            url=url,
            audience=audience,
            changes_url=request.build_absolute_uri(reverse("reader:article_changes", args=[page.slug])),
        ),
        "asked": request.GET.get("asked") == "1",
    }
    response = render(request, "reader/article_detail.html", context, status=status)
    _vary_and_cache_headers(response)
    if page.is_live and status == 200 and not context["asked"]:
        # Named by its own bytes: a page whose ETag is known never changes (see reader.cache).
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response["Last-Modified"] = http_date(page.reviewed_at.timestamp())
        response.is_cacheable = True
        response.reads_the_same_until = page.reads_the_same_until
    return response


@gzip_page
@require_GET
def article_changes(request, slug):
    """The article's change history: each revision readers saw live, with its date, kind and public summary.

    The same rules as the page: 404 when the article is not public, its notice
    once withdrawn or held, a redirect from an older slug. Only approved words
    and summaries are listed; an article still pending review lists nothing.
    """
    page = article_page(slug)
    if page.is_notice:
        return _notice(request, page)
    if page.slug != slug:
        return _moved(request, "reader:article_changes", page.slug)
    url = request.build_absolute_uri(reverse("reader:article_changes", args=[page.slug]))
    context = {
        "page": page,
        "question": page.revision.content["question"],
        "changes": public_changes(page.article_id) if page.is_live else [],
        "canonical_url": url,
    }
    response = render(request, "reader/article_changes.html", context)
    _vary_and_cache_headers(response)
    return response


def _site_texts(audience: str) -> dict:
    """The approved site texts shown under an article, in the words for `audience` (one query).

    Patients read the patient disclaimer and the urgent-help box; clinicians and
    students the professional disclaimer. Readers see the version in force, the
    newest approved one (see `reader.page_versions`), never a draft.
    """
    pages = article_pages_in_force()
    disclaimer, urgent_help = pages.get(DISCLAIMER), pages.get(URGENT_HELP)
    return {
        "disclaimer": disclaimer,
        "disclaimer_text": disclaimer.text_for(audience) if disclaimer else "",
        "urgent_help": urgent_help if audience == "patient" else None,
    }


def _in_citation_style(references: list[dict]) -> list[dict]:
    """Add each reference's `citation` in the site's style; DOI, PMID, PMCID and URL are linked beside it."""
    citations = format_references(references, settings.READER_CITATION_STYLE, with_identifiers=False)
    return [
        {
            **reference,
            "citation": citation,
            "web_url": reference["url"] if reference["url"].startswith(("https://", "http://")) else "",
        }
        for reference, citation in zip(references, citations, strict=True)
    ]


@require_GET
def article_references(request, slug, file_format):
    """The article's reference list as a file for reference managers, from the revision its page shows.

    The same rules as the page: 404 when the article is not public, 410 once
    it is withdrawn, never the working copy.
    """
    if file_format not in REFERENCE_FILE_FORMATS:
        raise Http404("No such reference file format.")
    page = article_page(slug)
    if page.is_notice:
        return _notice(request, page)
    if page.slug != slug:
        return _moved(request, "reader:article_references", page.slug, file_format)
    writer = FORMATS[file_format]
    entries = [
        (f"ref{reference['number']}", {key: reference[key] for key in FIELDS if reference.get(key) not in (None, "")})
        for reference in page.revision.content["references"]
    ]
    media_type = writer.media_type if "charset" in writer.media_type else f"{writer.media_type}; charset=utf-8"
    response = HttpResponse(writer.dump(entries), content_type=media_type)
    extension = writer.extension.lstrip(".")
    response["Content-Disposition"] = f'attachment; filename="{page.slug}-references.{extension}"'
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _vary_and_cache_headers(response):
    patch_vary_headers(response, ["Cookie"])
    response["Cache-Control"] = CACHE_CONTROL


@require_GET
def choose_audience(request):
    """Remember which wording the reader wants, without login and without JavaScript."""
    audience = request.GET.get("audience")
    next_url = request.GET.get("next") or reverse("reader:home")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("reader:home")
    response = HttpResponseRedirect(next_url)
    if audience in AUDIENCES:
        response.set_cookie(
            AUDIENCE_COOKIE,
            audience,
            max_age=60 * 60 * 24 * 365,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    return response


@csrf_exempt  # anonymous and cache-friendly: guarded by a honeypot and a per-client rate limit instead
@require_POST
def ask_follow_up(request, slug):
    """Keep a reader's follow-up question for the editors; a bad one is shown back with its errors.

    Questions are taken on any public slug of an article readers may see now,
    and the reader is sent back to its current page.
    """
    page = article_page(slug)
    if page.is_notice:
        return _notice(request, page)
    thanks = reverse("reader:article", args=[page.slug]) + "?asked=1#follow-up"
    form = FollowUpQuestionForm(request.POST)
    if not form.is_valid():  # a mistake costs the reader nothing: only questions kept count toward the limit
        form.focus_first_error()
        return _render_article(request, page.slug, reader_audience(request), form=form, status=400)
    if form.is_spam():
        return HttpResponseRedirect(thanks)
    if cache.questions_counted(hashed_client(request)) > QUESTIONS_PER_HOUR:
        response = render(request, "reader/too_many_questions.html", {"slug": page.slug}, status=429)
        response["Retry-After"] = "3600"
        return response
    question = form.save(commit=False)
    question.article_id = page.article_id
    question.full_clean()
    question.save()
    return HttpResponseRedirect(thanks)


@csrf_exempt  # anonymous, like the follow-up form: guarded by a honeypot and a per-client rate limit instead
@never_cache  # the form names one claim of the live words; the thank-you is the reader's own
@require_http_methods(["GET", "POST"])
def report_problem(request, slug, claim_uid):
    """Take a reader's report that a claim of the live answer is wrong; a bad one is shown back with its errors.

    Only live words take reports, and only on their claims: an article readers
    cannot read (or read only as a pending draft) answers 404, a claim the
    live revision does not have 404, so the page never shows unapproved words.
    """
    page = article_page(slug)
    if not page.is_live:
        raise Http404("Only approved answers take problem reports.")
    if page.slug != slug:
        return _moved(request, "reader:report_problem", page.slug, claim_uid)
    document = present_document(page.revision.content, reader_audience(request))
    claim = next(
        (claim for section in document["sections"] for claim in section["claims"] if claim["uid"] == str(claim_uid)),
        None,
    )
    if claim is None:
        raise Http404("The answer has no such claim.")
    form = ProblemReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not form.is_valid():  # a mistake costs the reader nothing: only reports kept count toward the limit
            form.focus_first_error()
            status = 400
        else:
            thanks = reverse("reader:report_problem", args=[page.slug, claim_uid]) + "?sent=1"
            if form.is_spam():
                return HttpResponseRedirect(thanks)
            if cache.questions_counted(hashed_client(request), kind="reports") > REPORTS_PER_HOUR:
                response = render(request, "reader/too_many_reports.html", {"slug": page.slug}, status=429)
                response["Retry-After"] = "3600"
                return response
            problem_report_file(
                revision=page.revision,
                claim_uid=claim_uid,
                problem=form.cleaned_data["problem"],
                source=form.cleaned_data["source"],
                email=form.cleaned_data["email"],
            )
            return HttpResponseRedirect(thanks)
    context = {"page": page, "document": document, "claim": claim, "form": form, "sent": request.GET.get("sent") == "1"}
    response = render(request, "reader/problem_report_form.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@gzip_page
@require_GET
def editorial_page_view(request, slug):
    """A page of the site's own words, as approved: the version in force, never a draft."""
    version = page_in_force(slug)
    if version is None:
        raise Http404
    context = {"editorial_page": version, "approved_at": page_version_approved_at(version)}
    return render(request, "reader/editorial_page.html", context)


@gzip_page
@require_GET
def board(request):
    return render(request, "reader/board_list.html", {"members": board_members()})


@gzip_page
@require_GET
def board_member(request, slug):
    member = get_object_or_404(Reviewer, slug=slug, is_active=True)
    return render(request, "reader/board_member.html", {"member": member, "articles": articles_approved_by(member)})


@require_GET
def favicon(request):
    """Browsers ask for `/favicon.ico` on every page that names no icon (a PDF view, a feed): send them the SVG."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_GET
def sitemap_index(request):
    """The sitemap index crawlers start from: one file per page of each section (see `reader.sitemaps`)."""
    return _cached_sitemap(
        request,
        "index",
        lambda: sitemap_views.index(request, SITEMAPS, sitemap_url_name="reader:sitemap_section"),
    )


@require_GET
def sitemap_section(request, section):
    """One file of a section's addresses, `?p=` naming the page; served from its cached bytes when it can be."""
    page = request.GET.get("p", "1")
    if section not in SITEMAPS or not page.isdigit():
        raise Http404("No such sitemap.")
    if section == "articles":
        render_file = lambda: article_sitemap_file(request, int(page))  # noqa: E731
    else:
        render_file = lambda: sitemap_views.sitemap(request, SITEMAPS, section=section)  # noqa: E731
    return _cached_sitemap(request, f"{section}:{int(page)}", render_file)


def _cached_sitemap(request, name, render_file):
    host = request.get_host()
    entry = cache.sitemap_get(name, host)
    if entry is None:
        response = render_file()
        if hasattr(response, "render"):  # Django's sitemap views answer with a template yet to render
            response.render()
        entry = {
            "content": response.content,
            "content_type": response["Content-Type"],
            "last_modified": response.get("Last-Modified"),
        }
        cache.sitemap_set(name, host, entry)
    response = HttpResponse(entry["content"], content_type=entry["content_type"])
    if entry["last_modified"]:
        response["Last-Modified"] = entry["last_modified"]
    return response


@require_GET
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("reader:sitemap"))
    text = render_to_string("reader/robots.txt", {"sitemap": sitemap})
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
