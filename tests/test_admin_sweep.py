"""Every URL of the site, asked by every kind of user with GET and POST: nothing is written unless the policy says so.

The sweep walks the whole URL configuration (reader site, review desk, admin, accounts, and any
URL added later), fills each path parameter from one seeded world (`tests.sweep_world`: articles
in every workflow state, references, board members, historical versions) and requests each URL
as each role. Ids that cannot be ids (`None`, a word) are tried too, by an anonymous visitor and
a superuser, where the pattern takes them.

A POST carries what a real user's browser would send: for an admin page about an object, that
object's own change form (as a superuser's page shows it) with one field changed, so that a
view saving whatever it is sent really would write; for list pages, each action offered; for
the desk and the reader site, the filled-in form. Every request runs in a savepoint that is
rolled back, with its SQL captured (`tests.url_sweep`): each INSERT, UPDATE or DELETE that the
request kept, login and session bookkeeping aside, is checked against WRITE_POLICY. A write the
policy does not grant, or any answer of 500, fails the sweep, all of them listed in one message.
"""

import copy
import fnmatch
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from itertools import product

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from editorial.models import ArticleWorkflow, ReviewThread, Revision, ThreadMessage
from reader.models import EditorialPageVersion, ProblemReport
from tests.sweep_world import DESK_STATES, RIS_FILE, Role, World, build_world
from tests.url_sweep import (
    HOLE,
    MALFORMED,
    Answer,
    Endpoint,
    FormSource,
    admin_model_of,
    as_a_copy,
    ask,
    tables_written,
    template_of,
    url_patterns,
    with_one_field_changed,
)
from tests.workflow_helpers import FULL_CHECKLIST

# The database is created for marked tests only; the sweep itself runs once, in a module fixture.
pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # what tests.factories gives every account
COOKIE_SESSIONS = "django.contrib.sessions.backends.signed_cookies"


STAFF = (
    Role.EDITOR,
    Role.MANAGING_EDITOR,
    Role.BOARD_ASSIGNED,
    Role.BOARD_UNASSIGNED,
    Role.EDITOR_ON_BOARD,
    Role.SUPERUSER,
)
CONTENT_WRITERS = (Role.EDITOR, Role.MANAGING_EDITOR, Role.EDITOR_ON_BOARD, Role.SUPERUSER)


# Scopes: on which objects a role's write through a URL is allowed.


def anywhere(world, params) -> bool:
    return True


def on_articles_assigned_to_them(world, params) -> bool:
    return params.get("slug") in world.assigned_slugs


def on_the_file_they_uploaded(world, params) -> bool:
    return params.get("object_id") == str(world.reference_import.pk)


def on_articles_in_review_cycle(world, params) -> bool:
    """The articles submitted at least once: every one but the draft (the sweep's editor wrote each revision)."""
    return params.get("slug") in world.articles_with_revisions


def grant(*roles, scope=anywhere):
    return dict.fromkeys(roles, scope)


# THE POLICY: who may write through which URL, with a POST. GET and HEAD never write, for
# anyone. A URL that is not listed here may write for nobody: a new page that writes fails the
# sweep, naming the URL and the role, until a row is added here. Every `…_simple_history` page
# (one historical version), every `…_history` page, the admin's section, claim and citation
# pages and the workflow's records (revisions, sign-offs, assignments, audit events) are
# deliberately absent: nobody, not even a superuser, writes through them.
WRITE_POLICY = {
    # The reader site: anyone may send a follow-up question.
    "reader:ask": grant(Role.ANONYMOUS, Role.READER, *STAFF),
    # ... and anyone may report a problem with a claim of a live answer.
    "reader:report_problem": grant(Role.ANONYMOUS, Role.READER, *STAFF),
    # The review desk: managing editors (and superusers) assign board members; a board member
    # starts, approves or sends back only an article they are assigned to.
    "desk:assign": grant(Role.MANAGING_EDITOR, Role.SUPERUSER),
    # Outside experts' links: managing editors (and superusers) make and revoke them; whoever holds
    # a link's token (no account: anyone, as far as the site knows) comments through it.
    "desk:experts": grant(Role.MANAGING_EDITOR, Role.SUPERUSER),
    "desk:expert_revoke": grant(Role.MANAGING_EDITOR, Role.SUPERUSER),
    "experts:comment": grant(Role.ANONYMOUS, Role.READER, *STAFF),
    # Readers' problem reports: managing editors (and superusers) triage them.
    "desk:problem_report": grant(Role.MANAGING_EDITOR, Role.SUPERUSER),
    # ... and, from a report on a claim readers see, hold the article or open a re-review.
    "desk:problem_report_hold": grant(Role.MANAGING_EDITOR, Role.SUPERUSER),
    "desk:problem_report_rereview": grant(Role.MANAGING_EDITOR, Role.SUPERUSER),
    "desk:start": grant(Role.BOARD_ASSIGNED, scope=on_articles_assigned_to_them),
    "desk:approve": grant(Role.BOARD_ASSIGNED, scope=on_articles_assigned_to_them),
    "desk:request_changes": grant(Role.BOARD_ASSIGNED, scope=on_articles_assigned_to_them),
    # A safety hold from the desk, as in the admin: managing editors and every active board member.
    "desk:hold": grant(
        Role.MANAGING_EDITOR, Role.BOARD_ASSIGNED, Role.BOARD_UNASSIGNED, Role.EDITOR_ON_BOARD, Role.SUPERUSER
    ),
    # Review threads: the article's editors (who wrote its revisions), managing editors and the
    # board members assigned to it open, answer, resolve and reopen them.
    **{
        f"desk:thread_{move}": {
            **grant(Role.EDITOR, Role.MANAGING_EDITOR, Role.SUPERUSER, scope=on_articles_in_review_cycle),
            **grant(Role.BOARD_ASSIGNED, scope=on_articles_assigned_to_them),
        }
        for move in ("open", "reply", "resolve", "reopen")
    },
    # The admin: every member of staff changes their own password.
    "admin:password_change": grant(*STAFF),
    # Articles are written on their own page (sections, claims and citations included) by
    # editors, submitted by editors, withdrawn by managing editors.
    "admin:articles_article_add": grant(*CONTENT_WRITERS),
    "admin:articles_article_change": grant(*CONTENT_WRITERS),
    "admin:articles_article_delete": grant(*CONTENT_WRITERS),
    "admin:articles_article_changelist": grant(*CONTENT_WRITERS),  # "delete selected"
    "admin:articles_article_submit": grant(*CONTENT_WRITERS),
    "admin:articles_article_withdraw": grant(Role.MANAGING_EDITOR, Role.SUPERUSER),
    # A safety hold: managing editors and every active board member (physicians), assigned or not;
    # only managing editors release it.
    "admin:articles_article_hold": grant(
        Role.MANAGING_EDITOR, Role.BOARD_ASSIGNED, Role.BOARD_UNASSIGNED, Role.EDITOR_ON_BOARD, Role.SUPERUSER
    ),
    "admin:articles_article_release": grant(Role.MANAGING_EDITOR, Role.SUPERUSER),
    # Restoring an earlier approved version (written back and submitted anew): managing editors only.
    "admin:articles_article_restore": grant(Role.MANAGING_EDITOR, Role.SUPERUSER),
    # Re-reviewing the live words unchanged, and setting the schedule (go-live, expiry, review
    # interval): managing editors only.
    "admin:articles_article_rereview": grant(Role.MANAGING_EDITOR, Role.SUPERUSER),
    "admin:articles_article_schedule": grant(Role.MANAGING_EDITOR, Role.SUPERUSER),
    # The reference library: editors add, change, delete, merge and import; only the editor
    # who uploaded a file confirms its import.
    "admin:references_reference_add": grant(*CONTENT_WRITERS),
    "admin:references_reference_change": grant(*CONTENT_WRITERS),
    "admin:references_reference_delete": grant(*CONTENT_WRITERS),
    "admin:references_reference_changelist": grant(*CONTENT_WRITERS),  # "delete selected"
    "admin:references_reference_merge": grant(*CONTENT_WRITERS),
    "admin:references_referenceimport_add": grant(*CONTENT_WRITERS),
    "admin:references_referenceimport_change": grant(Role.EDITOR, scope=on_the_file_they_uploaded),
    # Fetching a record by DOI or PMID keeps it as an import to preview (off unless configured).
    "admin:references_referenceimport_lookup": grant(*CONTENT_WRITERS),
    # The board's profiles: managing editors add and change them; only a superuser deletes.
    "admin:editorial_reviewer_add": grant(Role.MANAGING_EDITOR, Role.SUPERUSER),
    "admin:editorial_reviewer_change": grant(Role.MANAGING_EDITOR, Role.SUPERUSER),
    "admin:editorial_reviewer_delete": grant(Role.SUPERUSER),
    "admin:editorial_reviewer_changelist": grant(Role.SUPERUSER),  # "delete selected"
    # The reader site's own pages: editors draft a new version on the page's screen; a managing
    # editor and an active board member approve or reject it (the drafter never). Readers' questions:
    # editors triage them.
    "admin:reader_editorialpage_change": grant(*CONTENT_WRITERS),
    "admin:reader_editorialpage_approve": grant(
        Role.MANAGING_EDITOR, Role.BOARD_ASSIGNED, Role.BOARD_UNASSIGNED, Role.EDITOR_ON_BOARD, Role.SUPERUSER
    ),
    "admin:reader_editorialpage_reject": grant(
        Role.MANAGING_EDITOR, Role.BOARD_ASSIGNED, Role.BOARD_UNASSIGNED, Role.EDITOR_ON_BOARD, Role.SUPERUSER
    ),
    "admin:reader_followupquestion_change": grant(*CONTENT_WRITERS),
    "admin:reader_followupquestion_changelist": grant(*CONTENT_WRITERS),  # the triage actions
    "admin:reader_followupquestion_delete": grant(Role.SUPERUSER),
    # Login throttling and second-factor devices: superusers only (their own tables are
    # bookkeeping, but the admin's log of the change is written).
    "admin:axes_*": grant(Role.SUPERUSER),
    "admin:otp_*": grant(Role.SUPERUSER),
    # Accounts and groups: superusers only.
    "admin:auth_user_add": grant(Role.SUPERUSER),
    "admin:auth_user_change": grant(Role.SUPERUSER),
    "admin:auth_user_changelist": grant(Role.SUPERUSER),
    "admin:auth_user_password_change": grant(Role.SUPERUSER),
    "admin:auth_group_add": grant(Role.SUPERUSER),
    "admin:auth_group_change": grant(Role.SUPERUSER),
    "admin:auth_group_delete": grant(Role.SUPERUSER),
    "admin:auth_group_changelist": grant(Role.SUPERUSER),
}

# Reads that record themselves: an outside expert's page appends one row to its link's audit trail
# on every request, GET included, and writes nothing else; an article page that finds no stored
# rendering of itself stores the one it rendered (derived data, like a cache: `reader.prerendered`).
AUDITED_READS = {"experts:review": {"editorial_expertlinkuse"}, "reader:article": {"reader_renderedpage"}}

# Writes the sweep must see happen, proving that its forms are the ones a real user sends (a
# sweep posting empty forms would find no write anywhere, and prove nothing).
WRITES_THAT_MUST_HAPPEN = [
    ("reader:ask", Role.ANONYMOUS),
    ("reader:report_problem", Role.ANONYMOUS),
    ("desk:problem_report", Role.MANAGING_EDITOR),
    ("desk:problem_report_hold", Role.MANAGING_EDITOR),
    ("desk:problem_report_rereview", Role.MANAGING_EDITOR),
    ("desk:assign", Role.MANAGING_EDITOR),
    ("desk:experts", Role.MANAGING_EDITOR),
    ("desk:expert_revoke", Role.MANAGING_EDITOR),
    ("experts:comment", Role.ANONYMOUS),
    ("desk:start", Role.BOARD_ASSIGNED),
    ("desk:approve", Role.BOARD_ASSIGNED),
    ("desk:request_changes", Role.BOARD_ASSIGNED),
    ("admin:password_change", Role.BOARD_UNASSIGNED),
    ("admin:articles_article_add", Role.EDITOR),
    ("admin:articles_article_change", Role.EDITOR),
    ("admin:articles_article_delete", Role.EDITOR),
    ("admin:articles_article_submit", Role.EDITOR),
    ("admin:articles_article_withdraw", Role.MANAGING_EDITOR),
    ("admin:articles_article_hold", Role.BOARD_UNASSIGNED),
    ("admin:articles_article_release", Role.MANAGING_EDITOR),
    ("admin:articles_article_rereview", Role.MANAGING_EDITOR),
    ("admin:articles_article_schedule", Role.MANAGING_EDITOR),
    ("desk:hold", Role.BOARD_UNASSIGNED),
    ("desk:thread_open", Role.EDITOR),
    ("desk:thread_open", Role.BOARD_ASSIGNED),
    ("desk:thread_reply", Role.EDITOR),
    ("desk:thread_resolve", Role.MANAGING_EDITOR),
    ("admin:references_reference_add", Role.EDITOR),
    ("admin:references_reference_change", Role.EDITOR),
    ("admin:references_reference_changelist", Role.EDITOR),
    ("admin:references_reference_merge", Role.EDITOR),
    ("admin:references_referenceimport_add", Role.EDITOR),
    ("admin:references_referenceimport_change", Role.EDITOR),
    ("admin:editorial_reviewer_change", Role.MANAGING_EDITOR),
    ("admin:reader_editorialpage_change", Role.EDITOR),
    ("admin:reader_editorialpage_approve", Role.MANAGING_EDITOR),
    ("admin:reader_editorialpage_reject", Role.BOARD_UNASSIGNED),
    ("admin:reader_followupquestion_change", Role.EDITOR),
    ("admin:reader_followupquestion_changelist", Role.EDITOR),
    ("admin:auth_user_change", Role.SUPERUSER),
]


def history_id_of(obj) -> str:
    return str(obj.history.order_by("history_id").values_list("history_id", flat=True).first())


def parameter_sets(template, names, world) -> list[dict]:
    """The values to try in a URL's parameters."""
    model = admin_model_of(template)
    sample = world.sample(model) if model else None
    if names == ["_1", "_2"] and sample is not None:  # one historical version: …/history/<history_id>/
        real, pk = history_id_of(sample), str(sample.pk)
        pairs = [(pk, real), (pk, "None"), (pk, "not-a-number"), ("None", real)]
        return [{"_1": o, "_2": h, "object_id": o, "history_id": h} for o, h in pairs]
    if names == ["slug", "number"]:  # a revision on the desk
        return [{"slug": slug, "number": str(number)} for slug, number in world.revisions]
    if names == ["content_type_id", "object_id"]:  # the admin's "view on site" redirect
        article = world.articles["live"]
        return [{"content_type_id": str(ContentType.objects.get_for_model(article).pk), "object_id": str(article.pk)}]
    choices = {name: values_for(name, template, model, world) for name in names}
    return [dict(zip(names, values, strict=True)) for values in product(*choices.values())]


def values_for(name, template, model, world) -> list[str]:
    if name in ("object_id", "id", "_1"):
        sample = world.sample(model) if model else None
        if sample is None:
            return ["1", "None"]
        others = [obj for obj in world.more_samples.values() if isinstance(obj, model)]
        return [str(obj.pk) for obj in [sample, *others]] + ["None"]
    if name == "slug" and template.startswith("/board/"):
        return [world.other_reviewer.slug, "no-such-member"]
    if name == "slug" and template.startswith("/articles/"):
        return [world.articles[state].slug for state in ("live", "draft", "withdrawn")] + ["no-such-article"]
    if name == "slug" and "/threads/" in template:  # review threads: where a comment sent an article back too
        states = ("draft", *DESK_STATES, "changes-requested")
        return [world.articles[state].slug for state in states] + ["no-such-article"]
    if name == "slug":
        return [world.articles[state].slug for state in ("draft", *DESK_STATES)] + ["no-such-article"]
    if name == "article_id":  # the sign-off reports: approved, re-approved after a hold, never approved, none
        return [str(world.articles[state].pk) for state in ("live", "held", "draft")] + ["999999"]
    if name == "thread_id":  # the sweep's threads (the comment that sent an article back opened one), and none
        return [str(pk) for pk in ReviewThread.objects.values_list("pk", flat=True)] + ["999999"]
    if name == "token":  # an outside expert's link
        return [world.expert_token, "not-a-token"]
    if name == "link_id":
        return [str(world.expert_link.pk)]
    if name == "claim_uid":  # a claim of the live answer, and one no revision has
        live = ArticleWorkflow.objects.get(article=world.articles["live"]).live_revision
        return [live.content["sections"][0]["claims"][0]["uid"], "00000000-0000-4000-8000-000000000000"]
    if name == "report_id":  # the world's problem report, and none
        return [str(pk) for pk in ProblemReport.objects.values_list("pk", flat=True)] + ["999999"]
    if name == "file_format":
        return ["ris", "pdf"]
    if name == "section":  # a sitemap file
        return ["articles", "board", "no-such-section"]
    if name == "app_label":
        return sorted({model._meta.app_label for model in admin.site._registry})
    if name == "url":
        return ["no-such-page"]
    return ["1", "None"]


# What a real user's browser posts.


def post_bodies(name, template, params, world, forms: FormSource) -> list[tuple[str, dict]]:
    """What a real user posts to this URL: (label, data) for each form worth sending."""
    model = admin_model_of(template)
    sample = world.sample(model) if model else None
    if name in SPECIAL_FORMS:
        return [("filled-in form", SPECIAL_FORMS[name](world, params))]
    if name.endswith("_changelist") and model is not None:
        page = forms.page(template)
        actions = [action for action in page.options.get("action", []) if action]
        chosen = world.disposable.get(model, sample)
        selected = [str(chosen.pk)] if chosen is not None else []
        return [
            (f"action {action}", {"action": [action], "_selected_action": selected, "index": ["0"], "post": ["yes"]})
            for action in actions
        ] or [("empty form", {})]
    if name.endswith("_add") and model is not None and sample is not None:
        return [("a copy of an existing one", as_a_copy(with_one_field_changed(forms.change_form(model, sample.pk))))]
    object_id = params.get("object_id") or params.get("id")
    if sample is not None and object_id is not None:
        # The object's own change form (the sample's, for an id that is not one), one field changed.
        form = forms.change_form(model, object_id if object_id.isdigit() else sample.pk)
        return [("its change form, one field changed", with_one_field_changed(form) | {"post": ["yes"]})]
    return [("empty form", {})]


def _decision(world, params, **extra):
    revision = Revision.objects.filter(article__slug=params["slug"], number=params["number"]).first()
    notes = {"notes-TOTAL_FORMS": "0", "notes-INITIAL_FORMS": "0"}
    return {"content_hash": revision.content_hash if revision else "", "conflict": "none", **notes, **extra}


def _page_version(params, **extra):
    """The decision form of a version of a site page: the hash of the words on screen."""
    version = (
        EditorialPageVersion.objects.filter(page_id=params["object_id"], number=params["number"]).first()
        if params["object_id"].isdigit() and params["number"].isdigit()
        else None
    )
    return {"content_hash": version.content_hash if version else "", **extra}


def _live_number(params) -> str:
    """The number of the revision readers see, as the hold form carries it."""
    if not params["object_id"].isdigit():
        return ""
    workflow = ArticleWorkflow.objects.filter(article_id=params["object_id"]).select_related("live_revision").first()
    return str(workflow.live_revision.number) if workflow and workflow.live_revision else ""


def _report_hold(params) -> dict:
    """The hold form of a report's page: the live words' hash and both reasons, named as the page names them."""
    report = ProblemReport.objects.filter(pk=params["report_id"]).first()
    workflow = ArticleWorkflow.objects.filter(article_id=getattr(report, "article_id", None)).first()
    live = workflow.live_revision if workflow else None
    fields = {
        "content_hash": live.content_hash if live else "",
        "reason": "A reader found the dose ten times too high.",
        "public_reason": "We are checking a dose in this answer.",
    }
    return {f"hold-{params['report_id']}-{name}": value for name, value in fields.items()}


def _newest_number(params) -> str:
    revision = Revision.objects.filter(article__slug=params["slug"]).order_by("-number").first()
    return str(revision.number) if revision else ""


def _last_message(params) -> str:
    message = ThreadMessage.objects.filter(thread_id=params["thread_id"]).order_by("-id").first()
    return str(message.pk) if message else ""


def _invitation(world, params):
    workflow = ArticleWorkflow.objects.filter(article__slug=params["slug"]).select_related("current_revision").first()
    number = str(workflow.current_revision.number) if workflow and workflow.current_revision else ""
    return {
        "revision": number,
        "name": "Dr Sweep Invited",
        "credentials": "MD",
        "email": "invited@example.org",
        "conflict_statement": "None declared.",
        "days": "14",
        "current_seen": number,
    }


def _expert_comment(world, params):
    revision = Revision.objects.filter(article__slug=params["slug"], number=params["number"]).first()
    content_hash = revision.content_hash if revision else ""
    return {"content_hash": content_hash, "claim_uid": "", "flag": "note", "text": "A comment from the sweep."}


SPECIAL_FORMS = {
    "reader:ask": lambda world, params: {
        "question": "Can I take it with ibuprofen, and at what dose?",
        "audience": "patient",
        "email": "",
        "website": "",
    },
    "reader:audience": lambda world, params: {"audience": "clinician"},
    "reader:report_problem": lambda world, params: {
        "problem": "The dose in this claim looks ten times too high.",
        "source": "",
        "email": "",
        "website": "",
    },
    "desk:problem_report": lambda world, params: {"move": "investigate", "seen_state": "new"},
    "desk:problem_report_hold": lambda world, params: _report_hold(params),
    "desk:problem_report_rereview": lambda world, params: {
        f"rereview-{params['report_id']}-note": "A reader doubts the dose."
    },
    "desk:start": lambda world, params: {},
    "desk:thread_open": lambda world, params: {
        "revision": _newest_number(params),
        "claim_uid": "",
        "flag": "note",
        "text": "Is the title still right?",
    },
    "desk:thread_reply": lambda world, params: {"revision": _newest_number(params), "flag": "note", "text": "Done."},
    "desk:thread_resolve": lambda world, params: {
        "revision": _newest_number(params),
        "last_seen": _last_message(params),
    },
    "desk:thread_reopen": lambda world, params: {},
    "desk:approve": lambda world, params: _decision(world, params, **dict.fromkeys(FULL_CHECKLIST, "on")),
    "desk:request_changes": lambda world, params: _decision(world, params, comment="Please cite the newer trial."),
    "desk:assign": lambda world, params: {"reviewers": [world.other_reviewer.pk], "due_date": "", "quorum": "1"},
    "desk:experts": _invitation,
    "desk:expert_revoke": lambda world, params: {},
    "experts:comment": _expert_comment,
    "admin:login": lambda world, params: {"username": "sweep-editor", "password": PASSWORD, "next": "/admin/"},
    "admin:password_change": lambda world, params: {
        "old_password": PASSWORD,
        "new_password1": "a brand new passphrase for the sweep",
        "new_password2": "a brand new passphrase for the sweep",
    },
    "admin:auth_user_password_change": lambda world, params: {
        "password1": "a brand new passphrase for the sweep",
        "password2": "a brand new passphrase for the sweep",
        "usable_password": "true",
    },
    "admin:articles_article_submit": lambda world, params: {"change_type": "editorial", "note": "Ready for the board."},
    "admin:reader_editorialpage_approve": lambda world, params: _page_version(params),
    "admin:reader_editorialpage_reject": lambda world, params: _page_version(params, comment="Too vague for patients."),
    "admin:articles_article_withdraw": lambda world, params: {
        "reason": "Pulled while the evidence is checked.",
        "public_reason": "We are checking this answer against new evidence.",
    },
    "admin:articles_article_hold": lambda world, params: {
        "revision": _live_number(params),
        "reason": "A reader reported a dose ten times too high.",
        "public_reason": "We are checking a dose in this answer.",
    },
    "admin:articles_article_release": lambda world, params: {"reason": "The dose was right."},
    "admin:articles_article_rereview": lambda world, params: {"note": "The yearly check."},
    "admin:articles_article_schedule": lambda world, params: {
        "go_live_at": "",
        "expires_at": (timezone.localtime() + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M"),
        "review_interval_months": "6",
        "note": "",
    },
    "desk:hold": lambda world, params: {
        **_decision(world, params),
        "reason": "A reader reported a dose ten times too high.",
        "public_reason": "We are checking a dose in this answer.",
    },
    "admin:references_reference_merge": lambda world, params: {"keep": world.duplicates[0].pk},
    "admin:references_referenceimport_add": lambda world, params: {
        "file": SimpleUploadedFile("ldn.ris", RIS_FILE.read_bytes()),
        "format": "",
    },
    "admin:references_referenceimport_change": lambda world, params: {},
}

QUERY_STRINGS = {
    # The library's sign-offs: a period that holds every sign-off of the world, streamed as CSV.
    "audit:library_sign_offs": lambda world: "?from=2000-01-01&to=2100-12-31&format=csv",
    "admin:references_reference_merge": lambda world: "?ids=" + ",".join(str(ref.pk) for ref in world.duplicates),
    "admin:autocomplete": lambda world: "?app_label=articles&model_name=citation&field_name=reference&term=trial",
}


# Running the sweep.


@dataclass(repr=False)
class Sweep:
    answers: list
    world: World
    requested_patterns: set
    all_patterns: set
    seconds: float


# A malformed id crashes, if it does, where a superuser's request reaches (past every permission
# check); the anonymous visitor makes sure it is turned away first.
MALFORMED_ID_ROLES = (Role.ANONYMOUS, Role.SUPERUSER)


def endpoints(world):
    """Each URL to ask, each path once."""
    seen = set()
    meant_for = {(type(obj), str(obj.pk)): url_name for url_name, obj in world.more_samples.items()}
    for chain in url_patterns():
        template, names = template_of(chain)
        for params in parameter_sets(template, names, world):
            path = template
            for parameter in names:
                path = path.replace(HOLE.format(parameter), params[parameter], 1)
            if path in seen:
                continue
            seen.add(path)
            try:
                match = resolve(path)
            except Resolver404:
                continue
            name = match.view_name if match.url_name else f"(unnamed) {template.replace(chr(0), '')}"
            is_malformed = any(value in MALFORMED for value in params.values())
            if is_malformed and not match.url_name:
                continue  # the admin's bare-id redirects: their sample id is enough
            if meant_for.get((admin_model_of(template), params.get("object_id")), name) != name:
                continue  # an instance asked about on another URL only
            query = QUERY_STRINGS.get(name, lambda world: "")(world)
            is_posted = not is_malformed or name.endswith("_simple_history")
            yield Endpoint(path + query, name, params, template, chain, is_posted, is_malformed)


def run_sweep(world) -> Sweep:
    started = time.monotonic()
    forms = FormSource(world.users[Role.SUPERUSER])
    targets = list(endpoints(world))
    answers, requested = [], set()
    for role, user in world.users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        cookies = copy.deepcopy(client.cookies)
        for target in targets:
            if target.is_malformed and role not in MALFORMED_ID_ROLES:
                continue
            requested.add(target.chain)
            requests = [("GET", "", None)]
            if target.is_posted:
                bodies = post_bodies(target.name, target.template, target.params, world, forms)
                requests += [("POST", label, data) for label, data in bodies]
            for method, label, data in requests:
                response, tables = ask(client, cookies, method, target.url, data)
                error = ""
                if response.status_code >= 500:
                    error = repr(response.exc_info[1]) if getattr(response, "exc_info", None) else "server error"
                answers.append(
                    Answer(
                        role, method, target.url, target.name, target.params, label, response.status_code, tables, error
                    )
                )
    return Sweep(answers, world, requested, set(url_patterns()), time.monotonic() - started)


def is_permitted(answer: Answer, world) -> bool:
    if answer.method == "GET" and set(answer.tables) <= AUDITED_READS.get(answer.name, set()):
        return True
    grants = next((grants for name, grants in WRITE_POLICY.items() if fnmatch.fnmatchcase(answer.name, name)), {})
    scope = grants.get(answer.role)
    return answer.method == "POST" and scope is not None and scope(world, answer.params)


@pytest.fixture(scope="module")
def sweep(django_db_setup, django_db_blocker):
    logging.disable(logging.CRITICAL)  # thousands of expected 403s and 404s; 500s are collected below
    try:
        # Sessions in signed cookies: one query fewer per request, and nothing for a rollback to lose.
        # The expert's pages are asked hundreds of times from one address: their rate limits would answer 429.
        unlimited = {"EXPERT_LINK_REQUESTS_PER_HOUR": 10**6, "EXPERT_LINK_CLIENT_REQUESTS_PER_HOUR": 10**6}
        with (
            override_settings(SESSION_ENGINE=COOKIE_SESSIONS, **unlimited),
            django_db_blocker.unblock(),
            transaction.atomic(),
        ):
            result = run_sweep(build_world())
            transaction.set_rollback(True)
    finally:
        logging.disable(logging.NOTSET)
    return result


def test_nothing_is_written_that_the_policy_does_not_allow(sweep):
    unpermitted = [answer for answer in sweep.answers if answer.tables and not is_permitted(answer, sweep.world)]

    assert not unpermitted, f"{len(unpermitted)} writes that WRITE_POLICY does not allow:\n" + "\n".join(
        answer.describe() for answer in unpermitted
    )


def test_no_url_answers_with_a_server_error(sweep):
    failures = [answer for answer in sweep.answers if answer.status >= 500]

    assert not failures, f"{len(failures)} answers of 500:\n" + "\n".join(answer.describe() for answer in failures)


def test_the_sweep_posts_forms_that_really_write(sweep):
    written = {(answer.name, answer.role) for answer in sweep.answers if answer.tables}

    missing = [f"  {name} as {role}" for name, role in WRITES_THAT_MUST_HAPPEN if (name, role) not in written]

    assert not missing, "These permitted writes did not happen, so the sweep's forms are not realistic:\n" + "\n".join(
        missing
    )


def test_every_url_pattern_is_requested(sweep):
    skipped = sweep.all_patterns - sweep.requested_patterns

    assert not skipped, "URL patterns the sweep could not fill in:\n" + "\n".join(
        "  " + "".join(str(part) for part in chain) for chain in skipped
    )


def test_the_policy_names_only_urls_that_exist(sweep):
    names = {answer.name for answer in sweep.answers}

    assert [pattern for pattern in WRITE_POLICY if not fnmatch.filter(names, pattern)] == []


def test_writes_are_what_the_sql_kept_apart_from_login_bookkeeping():
    queries = [
        'UPDATE "auth_user" SET "last_login" = \'2026-11-29T10:00:00+00:00\'::timestamptz WHERE "auth_user"."id" = 1',
        'INSERT INTO "django_session" ("session_key") VALUES (\'abc\')',
        'SAVEPOINT "s1_x1"',
        'INSERT INTO "editorial_articleworkflow" ("article_id") VALUES (1)',
        'ROLLBACK TO SAVEPOINT "s1_x1"',
        'SAVEPOINT "s1_x2"',
        'UPDATE "references_reference" SET "title" = \'x\' WHERE "references_reference"."id" = 2',
        'RELEASE SAVEPOINT "s1_x2"',
        'INSERT INTO "django_admin_log" ("action_flag") VALUES (2)',
        'UPDATE "auth_user" SET "password" = \'x\', "last_login" = NULL WHERE "auth_user"."id" = 1',
    ]

    written = tables_written([{"sql": sql} for sql in queries])

    assert written == ("references_reference", "django_admin_log", "auth_user")
