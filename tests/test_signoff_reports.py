"""Sign-off reports: what they prove about each approval, in every format, and who may read them.

The ladder, per article report (page, JSON, CSV): a visitor is sent to log in; an
account without a role, an editor of another article and a board member never
involved are refused (403); an editor who wrote the article, a board member
assigned to it or who signed it, a managing editor and a superuser read it. The
library-wide export: managing editors and superusers only.
"""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.reports import COLUMNS
from config.history import acting_as
from editorial.models import SignOff
from editorial.roles import EDITORS
from editorial.services import article_submit, review_assign, review_request_changes, review_start
from ledger.canonical import moment
from ledger.models import Link
from reader.models import EditorialPage
from tests.factories import ReviewerFactory, UserFactory
from tests.tampering import append_only_switched_off
from tests.workflow_helpers import approve, citable_article, rereview_opened, submitted

pytestmark = pytest.mark.django_db

REPORT_URLS = ("audit:article_sign_offs", "audit:article_sign_offs_json", "audit:article_sign_offs_csv")


@pytest.fixture
def member():
    return ReviewerFactory(
        display_name="Dr Ada Hart", credentials="MD", registration="GMC 7654321", user__first_name="Ada"
    )


@pytest.fixture
def bystander():
    """A board member assigned to the `signed` article who never signed it."""
    return ReviewerFactory()


@pytest.fixture
def signed(editor, managing_editor, member, bystander):
    """An article approved by `member` alone; returns (article, revision, sign-off)."""
    article = citable_article(title="Aspirin after a stroke", slug="aspirin-after-stroke")
    revision = article_submit(article=article, user=editor)
    review_assign(article=article, assigned_by=managing_editor, reviewers=[member, bystander])
    review_start(article=article, user=member.user)
    sign_off = approve(revision, member, comment="Checked against the 2024 guideline.")
    return article, revision, sign_off


def report_json(client, article) -> dict:
    return json.loads(client.get(reverse("audit:article_sign_offs_json", args=[article.pk])).content)


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode())))


# What a report says about a sign-off.


def test_article_report_row_names_everything_an_auditor_asks(client, managing_editor, member, signed):
    article, revision, sign_off = signed
    client.force_login(managing_editor)
    link = Link.objects.get(kind=Link.Kind.SIGN_OFF, record_id=sign_off.pk)
    approval = article.audit_events.get(action="editorial.approve")
    profile = member.history.order_by("-history_date").first()
    disclaimer = EditorialPage.objects.get(slug="disclaimer").live_version

    rows = report_json(client, article)["sign_offs"]

    assert rows == [
        {
            "article_id": article.pk,
            "article_slug": "aspirin-after-stroke",
            "article_title": "Aspirin after a stroke",
            "revision_number": 1,
            "content_hash": revision.content_hash,
            "signed_content_hash": revision.content_hash,
            "round": 1,
            "round_certified": True,
            "approved_at": moment(approval.created_at),
            "sign_off_id": sign_off.pk,
            "decision": "approve",
            "signed_at": moment(sign_off.created_at),
            "reviewer_id": member.pk,
            "reviewer_name": "Dr Ada Hart",
            "reviewer_credentials": "MD",
            "reviewer_registration": "GMC 7654321",
            "reviewer_active": True,
            "profile_as_of": moment(profile.history_date),
            "signed_by_id": member.user.pk,
            "signed_by_username": member.user.username,
            "signed_by_name": "Ada",
            "claims_accurate": True,
            "citations_support_claims": True,
            "doses_checked": True,
            "patient_wording_faithful": True,
            "comment": "Checked against the 2024 guideline.",
            "conflict": "none",
            "conflict_disclosure": "",
            "claim_attestations": [],
            "disclaimer_version": {"id": disclaimer.pk, "number": 1, "content_hash": disclaimer.content_hash},
            "ledger_sequence": link.sequence,
            "ledger_chain": link.chain,
            "statement": "",
        }
    ]


def test_article_report_shows_the_profile_as_it_was_when_signed(client, managing_editor, member, signed):
    article, _, _ = signed
    member.credentials, member.registration, member.display_name = "MD, PhD", "GMC 1111111", "Prof Ada Hart"
    member.is_active = False
    with acting_as(managing_editor):
        member.save()
    client.force_login(managing_editor)

    row = report_json(client, article)["sign_offs"][0]

    assert (
        row["reviewer_name"],
        row["reviewer_credentials"],
        row["reviewer_registration"],
        row["reviewer_active"],
    ) == (
        "Dr Ada Hart",
        "MD",
        "GMC 7654321",
        True,
    )


def test_article_report_shows_a_member_inactive_when_they_signed(client, editor, managing_editor, member):
    """A sign-off by a member switched off before it, as an older release could have left it, shows them inactive."""
    article = citable_article()
    revision, board = submitted(article, editor, managing_editor, reviewers=1)
    review_start(article=article, user=board[0].user)
    member.is_active = False
    with acting_as(managing_editor):
        member.save()
    SignOff.objects.create(
        revision=revision,
        content_hash=revision.content_hash,
        reviewer=member,
        signed_by=member.user,
        decision=SignOff.Decision.REQUEST_CHANGES,
        comment="Cite the newer trial.",
    )
    approve(revision, board[0])
    member.is_active = True  # back on the board since: the report still says what was true then
    with acting_as(managing_editor):
        member.save()
    client.force_login(managing_editor)

    rows = report_json(client, article)["sign_offs"]

    assert [(row["reviewer_name"], row["reviewer_active"]) for row in rows] == [
        ("Dr Ada Hart", False),
        (board[0].display_name, True),
    ]


def test_article_report_lists_each_certifying_round_of_a_recertified_revision(client, editor, managing_editor, signed):
    article, revision, first = signed
    again = [ReviewerFactory(), ReviewerFactory()]
    rereview_opened(article, managing_editor, again, quorum=2)
    second = [approve(revision, again[0]), approve(revision, again[1])]
    client.force_login(managing_editor)

    rows = report_json(client, article)["sign_offs"]

    assert [(row["revision_number"], row["round"], row["sign_off_id"]) for row in rows] == [
        (1, 1, first.pk),
        (1, 2, second[0].pk),
        (1, 2, second[1].pk),
    ]


def test_article_report_leaves_out_a_round_that_never_certified(client, editor, managing_editor, signed):
    article, revision, first = signed
    members = [ReviewerFactory(), ReviewerFactory()]
    rereview_opened(article, managing_editor, members, quorum=2)
    approve(revision, members[0])  # one approval of two: the round does not certify
    review_request_changes(
        revision=revision, user=members[1].user, content_hash=revision.content_hash, comment="Dated.", conflict="none"
    )
    client.force_login(managing_editor)

    rows = report_json(client, article)["sign_offs"]

    assert [row["sign_off_id"] for row in rows] == [first.pk]


def test_article_report_includes_a_request_for_changes_in_a_certifying_round(client, editor, managing_editor):
    """Two approvals certify with a quorum of two even when a third member asked for changes first.

    The desk cannot produce this today (a request ends the round), so the request is
    written as a raw sign-off of the round, as an older release could have left it.
    """
    article = citable_article()
    revision, board = submitted(article, editor, managing_editor, reviewers=2, quorum=2)
    review_start(article=article, user=board[0].user)
    objector = ReviewerFactory()
    request = SignOff.objects.create(
        revision=revision,
        round=1,
        content_hash=revision.content_hash,
        reviewer=objector,
        signed_by=objector.user,
        decision=SignOff.Decision.REQUEST_CHANGES,
        comment="Cite the newer trial.",
    )
    approvals = [approve(revision, board[0]), approve(revision, board[1])]
    client.force_login(managing_editor)

    rows = report_json(client, article)["sign_offs"]

    assert [(row["sign_off_id"], row["decision"]) for row in rows] == [
        (request.pk, "request_changes"),
        (approvals[0].pk, "approve"),
        (approvals[1].pk, "approve"),
    ]


def test_article_report_page_marks_a_request_for_changes(client, editor, managing_editor):
    article = citable_article()
    revision, board = submitted(article, editor, managing_editor, reviewers=1)
    review_start(article=article, user=board[0].user)
    objector = ReviewerFactory()
    SignOff.objects.create(
        revision=revision,
        content_hash=revision.content_hash,
        reviewer=objector,
        signed_by=objector.user,
        decision=SignOff.Decision.REQUEST_CHANGES,
        comment="Cite the newer trial.",
    )
    approve(revision, board[0])
    client.force_login(managing_editor)

    response = client.get(reverse("audit:article_sign_offs", args=[article.pk]))

    assert response.content.decode().count('<span class="decision">Requested changes</span>') == 1


def test_article_report_page_quotes_a_declared_conflict(client, editor, managing_editor, member):
    article = citable_article()
    revision = article_submit(article=article, user=editor)
    review_assign(article=article, assigned_by=managing_editor, reviewers=[member])
    review_start(article=article, user=member.user)
    approve(revision, member, conflict="disclosed", conflict_disclosure="Speaker fees from the maker in 2025.")
    client.force_login(managing_editor)

    response = client.get(reverse("audit:article_sign_offs", args=[article.pk]))

    declared = "<strong>Declared:</strong> “Speaker fees from the maker in 2025.”"
    assert response.content.decode().count(declared) == 1


def test_article_report_page_says_what_is_not_recorded(client, managing_editor, signed):
    article, _, _ = signed
    client.force_login(managing_editor)

    response = client.get(reverse("audit:article_sign_offs", args=[article.pk]))

    page = response.content.decode()
    assert (page.count('<dd class="not-recorded">Not recorded.</dd>'), "None asked: claims are attested" in page) == (
        0,
        True,
    )


def test_article_report_page_shows_the_commands_that_reverify_it(client, managing_editor, signed):
    article, _, _ = signed
    client.force_login(managing_editor)

    commands = report_json(client, article)["verification"]

    assert commands == {
        "ledger": f"python manage.py verify_ledger {article.pk}",
        "audit": "python manage.py audit",
        "revision_hashes": [
            "python manage.py shell -c "
            '"from editorial.models import Revision; from editorial.revisions import content_hash; '
            f"r = Revision.objects.get(article_id={article.pk}, number=1); "
            'print(content_hash(r.content), content_hash(r.content) == r.content_hash)"'
        ],
    }


def test_article_report_revision_hash_command_prints_a_match(managing_editor, signed):
    """The command the report prints really recomputes the hash (run here as the shell would)."""
    article, revision, _ = signed
    from editorial.models import Revision
    from editorial.revisions import content_hash

    stored = Revision.objects.get(article_id=article.pk, number=1)

    assert (content_hash(stored.content), content_hash(stored.content) == stored.content_hash) == (
        revision.content_hash,
        True,
    )


def test_article_report_address_survives_a_slug_change(client, managing_editor, signed):
    article, _, _ = signed
    article.slug = "aspirin-secondary-prevention"
    article.save()
    client.force_login(managing_editor)

    response = client.get(reverse("audit:article_sign_offs", args=[article.pk]))

    assert response.status_code == 200


def test_article_report_of_an_unknown_article_is_not_found(client, managing_editor):
    client.force_login(managing_editor)

    assert client.get(reverse("audit:article_sign_offs", args=[999999])).status_code == 404


def test_article_report_of_an_unknown_article_is_refused_to_an_editor(client, editor):
    client.force_login(editor)

    assert client.get(reverse("audit:article_sign_offs", args=[999999])).status_code == 403


# An article never approved: said plainly, in every format.


@pytest.fixture
def never_approved(editor, managing_editor):
    article = citable_article()
    submitted(article, editor, managing_editor)
    return article


def test_never_approved_report_page_says_so(client, managing_editor, never_approved):
    client.force_login(managing_editor)

    response = client.get(reverse("audit:article_sign_offs", args=[never_approved.pk]))

    assert response.content.decode().count("This article has never been approved.") == 1


def test_never_approved_report_json_is_an_explicit_empty_result(client, managing_editor, never_approved):
    client.force_login(managing_editor)

    document = report_json(client, never_approved)

    assert (document["approved"], document["statement"], document["sign_offs"]) == (
        False,
        "This article has never been approved.",
        [],
    )


def test_never_approved_report_csv_is_one_row_that_says_so(client, managing_editor, never_approved):
    client.force_login(managing_editor)

    rows = csv_rows(client.get(reverse("audit:article_sign_offs_csv", args=[never_approved.pk])))

    expected = dict.fromkeys(COLUMNS, "") | {
        "article_id": str(never_approved.pk),
        "article_slug": never_approved.slug,
        "article_title": never_approved.title,
        "statement": "This article has never been approved.",
    }
    assert rows == [list(COLUMNS), list(expected.values())]


# The formats.


def test_article_report_csv_columns_are_the_documented_ones(client, managing_editor, signed):
    article, _, _ = signed
    client.force_login(managing_editor)

    header = csv_rows(client.get(reverse("audit:article_sign_offs_csv", args=[article.pk])))[0]

    assert header == [
        "article_id",
        "article_slug",
        "article_title",
        "revision_number",
        "content_hash",
        "signed_content_hash",
        "round",
        "round_certified",
        "approved_at",
        "sign_off_id",
        "decision",
        "signed_at",
        "reviewer_id",
        "reviewer_name",
        "reviewer_credentials",
        "reviewer_registration",
        "reviewer_active",
        "profile_as_of",
        "signed_by_id",
        "signed_by_username",
        "signed_by_name",
        "claims_accurate",
        "citations_support_claims",
        "doses_checked",
        "patient_wording_faithful",
        "comment",
        "conflict",
        "conflict_disclosure",
        "claim_attestations",
        "disclaimer_version",
        "ledger_sequence",
        "ledger_chain",
        "statement",
    ]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_article_report_csv_cell_never_starts_a_formula(client, editor, managing_editor, member, start):
    article = citable_article()
    revision = article_submit(article=article, user=editor)
    review_assign(article=article, assigned_by=managing_editor, reviewers=[member])
    review_start(article=article, user=member.user)
    approve(revision, member, comment=f'{start}HYPERLINK("http://example.org")')
    client.force_login(managing_editor)

    rows = csv_rows(client.get(reverse("audit:article_sign_offs_csv", args=[article.pk])))

    assert rows[1][COLUMNS.index("comment")] == f'\'{start}HYPERLINK("http://example.org")'


def test_article_report_csv_writes_the_disclaimer_version_as_json_in_one_cell(client, managing_editor, signed):
    article, _, _ = signed
    disclaimer = EditorialPage.objects.get(slug="disclaimer").live_version
    client.force_login(managing_editor)

    row = csv_rows(client.get(reverse("audit:article_sign_offs_csv", args=[article.pk])))[1]

    assert row[COLUMNS.index("disclaimer_version")] == (
        f'{{"id":{disclaimer.pk},"number":1,"content_hash":"{disclaimer.content_hash}"}}'
    )


def test_article_report_csv_writes_not_recorded_as_an_empty_cell(client, managing_editor, signed):
    article, _, sign_off = signed
    with append_only_switched_off("editorial_signoff") as cursor:  # as a sign-off made before versions
        cursor.execute("UPDATE editorial_signoff SET disclaimer_version_id = NULL WHERE id = %s", [sign_off.pk])
    client.force_login(managing_editor)

    row = csv_rows(client.get(reverse("audit:article_sign_offs_csv", args=[article.pk])))[1]

    assert row[COLUMNS.index("disclaimer_version")] == ""


def test_article_report_page_shows_the_disclaimer_version_recorded(client, managing_editor, signed):
    article, _, _ = signed
    disclaimer = EditorialPage.objects.get(slug="disclaimer").live_version
    client.force_login(managing_editor)

    html = client.get(reverse("audit:article_sign_offs", args=[article.pk])).content.decode()

    assert (
        "<dt>Disclaimer version</dt><dd>Version 1, in force when it was signed, hash "
        f'<code class="hash">{disclaimer.content_hash}</code></dd>'
    ) in html


def test_article_report_csv_writes_a_first_approvals_claim_attestations_as_an_empty_list(
    client, managing_editor, signed
):
    article, _, _ = signed
    client.force_login(managing_editor)

    row = csv_rows(client.get(reverse("audit:article_sign_offs_csv", args=[article.pk])))[1]

    assert row[COLUMNS.index("claim_attestations")] == "[]"


def test_article_report_json_has_a_format_version(client, managing_editor, signed):
    article, _, _ = signed
    client.force_login(managing_editor)

    document = report_json(client, article)

    assert (document["format_version"], document["report"], document["article"]) == (
        1,
        "article_sign_offs",
        {"id": article.pk, "slug": article.slug, "title": article.title},
    )


@pytest.mark.parametrize(
    ("url", "extension"), [("audit:article_sign_offs_json", "json"), ("audit:article_sign_offs_csv", "csv")]
)
def test_article_report_download_is_named_after_the_article(client, managing_editor, signed, url, extension):
    article, _, _ = signed
    client.force_login(managing_editor)

    response = client.get(reverse(url, args=[article.pk]))

    today = timezone.localdate().isoformat()
    assert (
        response["Content-Disposition"] == f'attachment; filename="sign-offs-article-{article.pk}-{today}.{extension}"'
    )


def test_article_report_page_reads_in_a_fixed_number_of_queries(
    client, editor, managing_editor, signed, django_assert_max_num_queries
):
    article, revision, _ = signed
    for _ in range(3):
        members = [ReviewerFactory(), ReviewerFactory()]
        rereview_opened(article, managing_editor, members, quorum=2)
        approve(revision, members[0])
        approve(revision, members[1])
    client.force_login(managing_editor)

    # The session and its user, the permission check, the article, the sign-offs, their claim attestations.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("audit:article_sign_offs", args=[article.pk]))

    assert response.content.decode().count('class="sign-off"') == 7


# The library-wide export.


def library_url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("audit:library_sign_offs") + (f"?{query}" if query else "")


def test_library_export_lists_every_sign_off_of_the_period_certified_or_not(client, editor, managing_editor, signed):
    article, revision, first = signed
    member = ReviewerFactory()
    rereview_opened(article, managing_editor, [member])
    sent_back = review_request_changes(
        revision=revision, user=member.user, content_hash=revision.content_hash, comment="Dated.", conflict="none"
    )
    client.force_login(managing_editor)
    today = timezone.localdate().isoformat()

    response = client.get(library_url(**{"from": today, "to": today, "format": "csv"}))

    rows = csv_rows(response)
    picked = [COLUMNS.index(name) for name in ("sign_off_id", "decision", "round_certified")]
    assert [[row[i] for i in picked] for row in rows[1:]] == [
        [str(first.pk), "approve", "true"],
        [str(sent_back.pk), "request_changes", "false"],
    ]


def test_library_export_leaves_out_sign_offs_outside_the_period(client, managing_editor, signed):
    client.force_login(managing_editor)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = client.get(library_url(**{"from": yesterday, "to": yesterday, "format": "json"}))

    document = json.loads(b"".join(response.streaming_content))
    assert (document["sign_offs"], document["statement"]) == ([], "No sign-offs were made in this period.")


def test_library_export_json_rows_are_the_article_report_rows(client, managing_editor, signed):
    article, _, _ = signed
    client.force_login(managing_editor)
    today = timezone.localdate().isoformat()

    response = client.get(library_url(**{"from": today, "to": today, "format": "json"}))

    document = json.loads(b"".join(response.streaming_content))
    assert document["sign_offs"] == report_json(client, article)["sign_offs"]


def test_library_export_is_named_after_its_period(client, managing_editor):
    client.force_login(managing_editor)

    response = client.get(library_url(**{"from": "2026-01-01", "to": "2026-03-31", "format": "csv"}))

    assert response["Content-Disposition"] == 'attachment; filename="sign-offs-2026-01-01-to-2026-03-31.csv"'


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-03-01", "to": "2026-01-31", "format": "csv"}, "The period ends before it starts"),
        ({"from": "2026-03-01", "format": "csv"}, "This field is required."),
        ({"from": "1 March", "to": "2026-03-31", "format": "csv"}, "Enter a valid date."),
        ({"from": "2026-03-01", "to": "2026-03-31", "format": "xlsx"}, "Select a valid choice."),
    ],
)
def test_library_export_refuses_a_bad_period_with_a_message(client, managing_editor, params, message):
    client.force_login(managing_editor)

    response = client.get(library_url(**params))

    assert (response.status_code, response.content.decode().count(message)) == (400, 1)


def test_library_export_without_a_period_shows_the_form(client, managing_editor):
    client.force_login(managing_editor)

    response = client.get(library_url())

    assert (response.status_code, response.templates[0].name) == (200, "audit/library_export_form.html")


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_library_export_streams_in_a_fixed_number_of_queries(
    client, editor, managing_editor, file_format, django_assert_max_num_queries
):
    for _ in range(4):
        article = citable_article()
        revision, board = submitted(article, editor, managing_editor, reviewers=1)
        review_start(article=article, user=board[0].user)
        approve(revision, board[0])
    client.force_login(managing_editor)
    today = timezone.localdate().isoformat()

    # The session and its user, the permission check, the sign-offs (in chunks: one cursor), and the
    # claim attestations of each chunk.
    with django_assert_max_num_queries(6):
        response = client.get(library_url(**{"from": today, "to": today, "format": file_format}))
        content = b"".join(response.streaming_content)

    assert (response.streaming, len(exported_rows(content, file_format))) == (True, 4)


def exported_rows(content: bytes, file_format: str) -> list:
    if file_format == "json":
        return json.loads(content)["sign_offs"]
    return list(csv.reader(io.StringIO(content.decode())))[1:]


# The permission ladder.


@pytest.fixture
def people(editor, managing_editor, reader, signed, member, bystander):
    """Who asks about the report of the `signed` article, by the role they hold towards it."""
    other_editor = UserFactory(username="other-editor", is_staff=True, roles=[EDITORS])
    other_article = citable_article()
    submitted(other_article, other_editor, managing_editor)
    return {
        "reader": reader,
        "editor of another article": other_editor,
        "board member never involved": ReviewerFactory().user,
        "editor who wrote it": editor,
        "board member assigned to it": bystander.user,
        "board member who signed it": member.user,
        "managing editor": managing_editor,
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }


ARTICLE_LADDER = {
    "reader": 403,
    "editor of another article": 403,
    "board member never involved": 403,
    "editor who wrote it": 200,
    "board member assigned to it": 200,
    "board member who signed it": 200,
    "managing editor": 200,
    "superuser": 200,
}


@pytest.mark.parametrize("url", REPORT_URLS)
def test_article_report_sends_a_visitor_to_log_in(client, signed, url):
    article, _, _ = signed

    response = client.get(reverse(url, args=[article.pk]))

    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("admin:login"))


@pytest.mark.parametrize("url", REPORT_URLS)
@pytest.mark.parametrize(("person", "status"), ARTICLE_LADDER.items())
def test_article_report_answers_each_person_by_their_part_in_it(client, signed, people, url, person, status):
    article, _, _ = signed
    client.force_login(people[person])

    assert client.get(reverse(url, args=[article.pk])).status_code == status


LIBRARY_LADDER = {**dict.fromkeys(ARTICLE_LADDER, 403), "managing editor": 200, "superuser": 200}


def test_library_export_sends_a_visitor_to_log_in(client):
    response = client.get(library_url(**{"from": "2026-01-01", "to": "2026-01-31", "format": "csv"}))

    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("admin:login"))


@pytest.mark.parametrize("with_period", [False, True])
@pytest.mark.parametrize(("person", "status"), LIBRARY_LADDER.items())
def test_library_export_is_for_managing_editors_only(client, people, person, status, with_period):
    client.force_login(people[person])
    params = {"from": "2026-01-01", "to": "2026-01-31", "format": "csv"} if with_period else {}

    assert client.get(library_url(**params)).status_code == status


def test_article_report_refuses_a_former_editor_who_wrote_it(client, editor, signed):
    article, _, _ = signed
    editor.groups.clear()
    client.force_login(editor)

    assert client.get(reverse("audit:article_sign_offs", args=[article.pk])).status_code == 403


@pytest.mark.parametrize("url", [*REPORT_URLS, "audit:library_sign_offs"])
def test_sign_off_reports_ask_a_managing_editor_for_a_second_factor_first(client, settings, managing_editor, url):
    settings.STAFF_MFA_REQUIRED = True
    client.force_login(managing_editor)
    args = [1] if url in REPORT_URLS else []

    response = client.get(reverse(url, args=args))

    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("account:enrol"))


# Where the report is linked from.


def test_article_admin_page_links_to_the_sign_off_report(client, managing_editor, signed):
    article, _, _ = signed
    client.force_login(managing_editor)

    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))

    link = f'<a href="{reverse("audit:article_sign_offs", args=[article.pk])}">Sign-off report</a>'
    assert response.content.decode().count(link) == 1


def test_article_admin_page_offers_no_report_to_an_editor_of_another_article(client, signed):
    article, _, _ = signed
    client.force_login(UserFactory(username="other-editor", is_staff=True, roles=[EDITORS]))

    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert (response.status_code, response.content.decode().count("Sign-off report")) == (200, 0)


def test_desk_review_page_links_to_the_sign_off_report(client, member, signed):
    article, revision, _ = signed
    client.force_login(member.user)

    response = client.get(reverse("desk:review", args=[article.slug, revision.number]))

    link = f'<a class="report-link" href="{reverse("audit:article_sign_offs", args=[article.pk])}">Sign-off report</a>'
    assert response.content.decode().count(link) == 1


def test_reviewer_admin_page_asks_for_the_registration(client, managing_editor, member):
    client.force_login(managing_editor)

    response = client.get(reverse("admin:editorial_reviewer_change", args=[member.pk]))

    assert response.content.decode().count('name="registration"') == 1


def test_desk_offers_a_managing_editor_the_library_export(client, managing_editor):
    client.force_login(managing_editor)

    response = client.get(reverse("desk:queue"))

    link = f'<a href="{reverse("audit:library_sign_offs")}">Export the library\'s sign-offs</a>'
    assert response.content.decode().count(link) == 1


def test_desk_offers_a_board_member_no_library_export(client, member):
    client.force_login(member.user)

    response = client.get(reverse("desk:queue"))

    assert response.content.decode().count(reverse("audit:library_sign_offs")) == 0
