"""The site's own pages under sign-off: versions, the two approvals, the screens, and what readers are served."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from editorial.errors import StaleRevision
from editorial.models import SignOff
from reader.models import EditorialPage, EditorialPageDecision, EditorialPageVersion, page_version_hash
from reader.page_versions import (
    PageVersionRefused,
    VersionStatus,
    page_version_approve,
    page_version_draft,
    page_version_reject,
    status_of,
)
from tests.factories import EditorFactory, ManagingEditorFactory, ReviewerFactory, UserFactory
from tests.page_helpers import approved_by_both, drafted, page_approved
from tests.workflow_helpers import approve, approved, citable_article, under_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

PROFESSIONAL, PATIENT = "Words for professionals, approved.", "Words for patients, approved."
DRAFT_PROFESSIONAL, DRAFT_PATIENT = "A draft for professionals.", "A draft for patients."


def page(slug="disclaimer"):
    return EditorialPage.objects.select_related("live_version").get(slug=slug)


def decisions_of(version):
    return [
        (decision.decision, decision.role, decision.decided_by.username)
        for decision in EditorialPageDecision.objects.filter(version=version).order_by("pk")
    ]


@pytest.fixture
def member():
    return ReviewerFactory(user__username="member")


@pytest.fixture
def draft(editor):
    return drafted("disclaimer", by=editor, body=DRAFT_PROFESSIONAL, patient_body=DRAFT_PATIENT)


# Drafting


def test_a_draft_is_the_next_version_hashed_and_readers_keep_the_version_in_force(editor):
    before = page().live_version

    version = drafted("disclaimer", by=editor, body=DRAFT_PROFESSIONAL, patient_body=DRAFT_PATIENT)

    content = {"v": 1, "page": "disclaimer", "title": before.title, "body": DRAFT_PROFESSIONAL}
    assert (version.number, version.content_hash, page().live_version, status_of(version)) == (
        2,
        page_version_hash(content | {"patient_body": DRAFT_PATIENT}),
        before,
        VersionStatus.PENDING,
    )


@pytest.mark.parametrize("who", ["reader", "board member"])
def test_a_draft_by_someone_who_is_not_an_editor_is_refused(who):
    user = UserFactory() if who == "reader" else ReviewerFactory().user

    with pytest.raises(PermissionDenied):
        drafted("disclaimer", by=user, body=DRAFT_PROFESSIONAL, patient_body=DRAFT_PATIENT)

    assert EditorialPageVersion.objects.filter(page=page()).count() == 1


def test_a_draft_started_from_a_version_since_replaced_records_nothing(editor):
    drafted("disclaimer", by=editor, body=DRAFT_PROFESSIONAL, patient_body=DRAFT_PATIENT)

    with pytest.raises(PageVersionRefused, match="Version 2 of “Professional disclaimer” was drafted while"):
        page_version_draft(
            page=page(), drafted_by=editor, title="T", body="Other words.", patient_body="Other.", based_on=1
        )

    assert EditorialPageVersion.objects.filter(page=page()).count() == 2


def test_a_disclaimer_draft_needs_words_for_patients(editor):
    with pytest.raises(PageVersionRefused, match="needs its words for patients"):
        drafted("disclaimer", by=editor, body=DRAFT_PROFESSIONAL, patient_body=" ")


def test_a_draft_of_the_same_words_records_nothing(editor):
    in_force = page().live_version

    with pytest.raises(PageVersionRefused, match="These are the words of version 1 already"):
        drafted("disclaimer", by=editor, body=in_force.body, patient_body=in_force.patient_body)


def test_versions_are_never_changed_or_deleted_by_the_application(draft):
    from editorial.models import AppendOnlyError

    draft.body = "Rewritten."
    with pytest.raises(AppendOnlyError):
        draft.save()
    with pytest.raises(AppendOnlyError):
        draft.delete()


# Approving


def test_a_version_goes_live_with_a_managing_editor_s_and_a_board_member_s_approval(
    draft, managing_editor, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page_version_approve(version=draft, user=managing_editor, content_hash=draft.content_hash)
        after_one = page().live_version.number
        page_version_approve(version=draft, user=member.user, content_hash=draft.content_hash)

    assert (after_one, page().live_version, status_of(draft), decisions_of(draft)) == (
        1,
        draft,
        VersionStatus.LIVE,
        [("approve", "managing_editor", "managing"), ("approve", "board_member", "member")],
    )


def test_the_page_history_names_who_put_a_version_in_force(draft, managing_editor, member):
    approved_by_both(draft, managing_editor=managing_editor, member=member)

    newest = page().history.order_by("-history_id").first()

    assert (newest.live_version_id, newest.history_user) == (draft.pk, member.user)


def test_two_managing_editors_do_not_make_a_board_approval(draft, managing_editor):
    page_version_approve(version=draft, user=managing_editor, content_hash=draft.content_hash)

    with pytest.raises(PageVersionRefused, match="already has the approval of a managing editor"):
        page_version_approve(version=draft, user=ManagingEditorFactory(), content_hash=draft.content_hash)

    assert (page().live_version.number, len(decisions_of(draft))) == (1, 1)


def test_a_person_who_is_both_managing_editor_and_board_member_counts_once(draft):
    both = ReviewerFactory(user=ManagingEditorFactory(username="both"))
    both.user.groups.add(*ReviewerFactory().user.groups.all())
    page_version_approve(version=draft, user=both.user, content_hash=draft.content_hash)

    with pytest.raises(PageVersionRefused, match="You already decided on version 2"):
        page_version_approve(version=draft, user=both.user, content_hash=draft.content_hash)

    assert (page().live_version.number, decisions_of(draft)) == (1, [("approve", "managing_editor", "both")])


def test_the_drafter_cannot_approve_their_own_draft(managing_editor):
    own = drafted("disclaimer", by=managing_editor, body=DRAFT_PROFESSIONAL, patient_body=DRAFT_PATIENT)

    with pytest.raises(PermissionDenied):
        page_version_approve(version=own, user=managing_editor, content_hash=own.content_hash)

    assert decisions_of(own) == []


@pytest.mark.parametrize("who", ["reader", "editor", "inactive board member"])
def test_an_approval_by_someone_without_either_role_is_refused(draft, who):
    user = {
        "reader": lambda: UserFactory(),
        "editor": lambda: EditorFactory(),
        "inactive board member": lambda: ReviewerFactory(is_active=False).user,
    }[who]()

    with pytest.raises(PermissionDenied):
        page_version_approve(version=draft, user=user, content_hash=draft.content_hash)

    assert decisions_of(draft) == []


def test_an_approval_of_other_words_than_the_version_s_records_nothing(draft, managing_editor):
    with pytest.raises(PageVersionRefused, match="The words you read are not the words of this version"):
        page_version_approve(version=draft, user=managing_editor, content_hash="0" * 64)

    assert decisions_of(draft) == []


def test_a_draft_replaced_by_a_newer_draft_can_no_longer_be_approved(draft, editor, managing_editor):
    drafted("disclaimer", by=editor, body="A second draft.", patient_body="A second draft for patients.")

    with pytest.raises(PageVersionRefused, match="Version 3 of “Professional disclaimer” replaced version 2"):
        page_version_approve(version=draft, user=managing_editor, content_hash=draft.content_hash)

    assert (status_of(draft), decisions_of(draft)) == (VersionStatus.REPLACED, [])


def test_the_words_carried_over_from_before_versions_can_be_approved_in_place(managing_editor, member):
    carried = page().live_version

    approved_by_both(carried, managing_editor=managing_editor, member=member)

    assert (carried.drafted_by, page().live_version, status_of(carried)) == (None, carried, VersionStatus.LIVE)


# Rejecting


def test_a_rejected_version_never_reaches_readers_and_cannot_be_approved(draft, managing_editor, member):
    page_version_reject(version=draft, user=member.user, content_hash=draft.content_hash, comment=" Too vague. ")

    with pytest.raises(PageVersionRefused, match="is no longer waiting for approval: rejected"):
        page_version_approve(version=draft, user=managing_editor, content_hash=draft.content_hash)

    assert (page().live_version.number, decisions_of(draft), draft.decisions.get().comment) == (
        1,
        [("reject", "board_member", "member")],
        "Too vague.",
    )


def test_a_rejection_needs_a_reason(draft, managing_editor):
    with pytest.raises(PageVersionRefused, match="A rejection is recorded with its reason"):
        page_version_reject(version=draft, user=managing_editor, content_hash=draft.content_hash, comment="  ")

    assert decisions_of(draft) == []


# Sign-offs record the disclaimer in force


def test_a_sign_off_records_the_disclaimer_version_in_force_not_a_pending_draft(editor, managing_editor, member):
    in_force = page_approved(
        "disclaimer", editor=editor, managing_editor=managing_editor, body=PROFESSIONAL, patient_body=PATIENT
    )
    drafted("disclaimer", by=editor, body=DRAFT_PROFESSIONAL, patient_body=DRAFT_PATIENT)
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)

    sign_off = approve(revision, reviewer)

    assert SignOff.objects.get(pk=sign_off.pk).disclaimer_version == in_force


def test_a_sign_off_on_a_disclaimer_approved_since_the_review_page_records_nothing(editor, managing_editor):
    shown = page().live_version
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    page_approved("disclaimer", editor=editor, managing_editor=managing_editor, body=PROFESSIONAL, patient_body=PATIENT)

    with pytest.raises(StaleRevision, match="A new disclaimer was approved while you were reviewing"):
        approve(revision, reviewer, disclaimer_hash=shown.content_hash)

    assert SignOff.objects.filter(revision=revision).count() == 0


def test_the_review_page_shows_the_disclaimer_version_the_sign_off_will_record(client, editor, managing_editor):
    in_force = page_approved(
        "disclaimer", editor=editor, managing_editor=managing_editor, body=PROFESSIONAL, patient_body=PATIENT
    )
    drafted("disclaimer", by=editor, body=DRAFT_PROFESSIONAL, patient_body=DRAFT_PATIENT)
    article = citable_article()
    revision, (reviewer,) = under_review(article, editor, managing_editor)
    client.force_login(reviewer.user)

    html = client.get(reverse("desk:review", args=[article.slug, revision.number])).content.decode()

    assert (
        f'Disclaimer version {in_force.number} (hash <code class="hash">{in_force.short_hash}</code>) is in force.'
        in html,
        f'name="disclaimer_hash" value="{in_force.content_hash}"' in html,
        PATIENT in html,
        PROFESSIONAL in html,
        DRAFT_PATIENT in html,
    ) == (True, True, True, True, False)


# What readers see


def article_html(client, article, audience):
    client.cookies["audience"] = audience
    return client.get(reverse("reader:article", args=[article.slug])).content.decode()


@pytest.fixture
def live_article_with_pages(editor, managing_editor):
    page_approved("disclaimer", editor=editor, managing_editor=managing_editor, body=PROFESSIONAL, patient_body=PATIENT)
    page_approved("urgent-help", editor=editor, managing_editor=managing_editor, body="Call for help now.")
    article = citable_article()
    approved(article, editor, managing_editor)
    return article


def test_patients_read_the_patient_disclaimer_and_when_to_get_urgent_help(client, live_article_with_pages):
    html = article_html(client, live_article_with_pages, "patient")

    assert (PATIENT in html, PROFESSIONAL in html, "Call for help now." in html) == (True, False, True)


@pytest.mark.parametrize("audience", ["clinician", "student"])
def test_clinicians_and_students_read_the_professional_disclaimer(client, live_article_with_pages, audience):
    html = article_html(client, live_article_with_pages, audience)

    assert (PROFESSIONAL in html, PATIENT in html, "Call for help now." in html) == (True, False, False)


def test_a_pending_draft_reaches_readers_by_no_route(client, editor, live_article_with_pages):
    article = live_article_with_pages
    cached = {audience: article_html(client, article, audience) for audience in ("patient", "clinician")}
    drafted("disclaimer", by=editor, body=DRAFT_PROFESSIONAL, patient_body=DRAFT_PATIENT)
    drafted("urgent-help", by=editor, body="A draft of urgent help.")
    drafted("editorial-policy", by=editor, body="A draft of the policy.")

    pages = [
        *(article_html(client, article, audience) for audience in ("patient", "clinician", "student")),
        client.get(reverse("reader:editorial_policy")).content.decode(),
        client.get(reverse("reader:feed")).content.decode(),
        client.get(reverse("reader:home"), {"q": "draft"}).content.decode(),
        client.get(reverse("reader:article_references", args=[article.slug, "ris"])).content.decode(),
    ]

    drafts = ("A draft", DRAFT_PATIENT, DRAFT_PROFESSIONAL)
    assert [any(words in html for words in drafts) for html in pages] == [False] * 7
    assert cached["patient"] == article_html(client, article, "patient")


def test_an_approved_version_replaces_the_cached_pages(
    client, editor, managing_editor, live_article_with_pages, django_capture_on_commit_callbacks
):
    article_html(client, live_article_with_pages, "patient")

    with django_capture_on_commit_callbacks(execute=True):
        page_approved(
            "disclaimer", editor=editor, managing_editor=managing_editor, body="Newer.", patient_body="Newer for you."
        )

    assert ("Newer for you." in article_html(client, live_article_with_pages, "patient")) is True


# The admin's screens, as each person asks them


LADDER = ("anonymous", "reader", "editor", "other editor", "board member", "managing editor", "superuser")


@pytest.fixture
def people(editor, managing_editor, member):
    return {
        "anonymous": None,
        "reader": UserFactory(username="a-reader"),
        "editor": editor,
        "other editor": EditorFactory(username="other-editor"),
        "board member": member.user,
        "managing editor": managing_editor,
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }


def as_(client, people, who):
    if people[who] is not None:
        client.force_login(people[who])
    return client


def page_url(name="change", *args):
    return reverse(f"admin:reader_editorialpage_{name}", args=[page().pk, *args])


def draft_form(**overrides):
    return {
        "based_on": "1",
        "title": "Professional disclaimer",
        "body": DRAFT_PROFESSIONAL,
        "patient_body": DRAFT_PATIENT,
        **overrides,
    }


@pytest.mark.parametrize(
    ("who", "status", "offers_draft"),
    [
        ("anonymous", 302, False),
        ("reader", 302, False),
        ("editor", 200, True),
        ("board member", 200, False),
        ("managing editor", 200, True),
        ("superuser", 200, True),
    ],
)
def test_the_page_screen_offers_the_draft_form_to_editors_only(client, people, who, status, offers_draft):
    response = as_(client, people, who).get(page_url())

    html = response.content.decode()
    assert (response.status_code, "Record this version for approval" in html) == (status, offers_draft)


@pytest.mark.parametrize(
    ("who", "status", "versions"),
    [
        ("anonymous", 302, 1),
        ("reader", 302, 1),
        ("editor", 302, 2),
        ("board member", 403, 1),
        ("managing editor", 302, 2),
        ("superuser", 302, 2),
    ],
)
def test_drafting_through_the_page_screen_by_each_person(client, people, who, status, versions):
    response = as_(client, people, who).post(page_url(), draft_form())

    assert (response.status_code, EditorialPageVersion.objects.filter(page=page()).count()) == (status, versions)


def test_a_draft_form_started_from_a_replaced_version_answers_409_and_keeps_the_words(client, editor):
    drafted("disclaimer", by=editor, body="Somebody else's draft.", patient_body="Their words for patients.")
    client.force_login(editor)

    response = client.post(page_url(), draft_form(body="My own words."))

    html = response.content.decode()
    assert (response.status_code, "Version 2 of “Professional disclaimer” was drafted while" in html) == (409, True)
    assert ("My own words." in html, EditorialPageVersion.objects.filter(page=page()).count()) == (True, 2)


def test_a_draft_form_without_words_answers_400_and_records_nothing(client, editor):
    client.force_login(editor)

    response = client.post(page_url(), draft_form(body=""))

    assert (response.status_code, EditorialPageVersion.objects.filter(page=page()).count()) == (400, 1)


@pytest.mark.parametrize(
    ("who", "status", "offers_decision"),
    [
        ("anonymous", 302, False),
        ("reader", 302, False),
        ("editor", 200, False),  # the drafter
        ("other editor", 200, False),
        ("board member", 200, True),
        ("managing editor", 200, True),
        ("superuser", 200, True),
    ],
)
def test_the_version_screen_shows_the_change_and_offers_a_decision_to_the_two_roles(
    client, people, draft, who, status, offers_decision
):
    response = as_(client, people, who).get(page_url("version", draft.number))

    html = response.content.decode()
    assert (response.status_code, f"Approve version {draft.number}" in html) == (status, offers_decision)
    if status == 200:
        assert ("<del>This answer is general information </del><ins>A draft </ins>for " in html) is True


@pytest.mark.parametrize(
    ("who", "status", "decisions"),
    [
        ("anonymous", 302, []),
        ("reader", 302, []),
        ("editor", 403, []),  # the drafter
        ("other editor", 403, []),
        ("board member", 302, [("approve", "board_member", "member")]),
        ("managing editor", 302, [("approve", "managing_editor", "managing")]),
        ("superuser", 302, [("approve", "managing_editor", "root")]),
    ],
)
def test_approving_through_the_version_screen_by_each_person(client, people, draft, who, status, decisions):
    response = as_(client, people, who).post(page_url("approve", draft.number), {"content_hash": draft.content_hash})

    assert (response.status_code, decisions_of(draft)) == (status, decisions)


@pytest.mark.parametrize(
    ("who", "status", "decisions"),
    [
        ("anonymous", 302, []),
        ("reader", 302, []),
        ("editor", 403, []),
        ("other editor", 403, []),
        ("board member", 302, [("reject", "board_member", "member")]),
        ("managing editor", 302, [("reject", "managing_editor", "managing")]),
    ],
)
def test_rejecting_through_the_version_screen_by_each_person(client, people, draft, who, status, decisions):
    form = {"content_hash": draft.content_hash, "comment": "Too vague for patients."}

    response = as_(client, people, who).post(page_url("reject", draft.number), form)

    assert (response.status_code, decisions_of(draft)) == (status, decisions)


def test_an_approval_form_for_words_since_replaced_answers_409_and_records_nothing(
    client, editor, managing_editor, draft
):
    drafted("disclaimer", by=editor, body="A second draft.", patient_body="A second draft for patients.")
    client.force_login(managing_editor)

    response = client.post(page_url("approve", draft.number), {"content_hash": draft.content_hash})

    assert (response.status_code, decisions_of(draft)) == (409, [])
    assert "Version 3 of “Professional disclaimer” replaced version 2" in response.content.decode()


def test_a_rejection_without_a_reason_answers_400_and_records_nothing(client, managing_editor, draft):
    client.force_login(managing_editor)

    response = client.post(page_url("reject", draft.number), {"content_hash": draft.content_hash, "comment": ""})

    assert (response.status_code, decisions_of(draft)) == (400, [])
    assert "Say why you reject this version" in response.content.decode()


@pytest.mark.parametrize("name", ["approve", "reject"])
def test_deciding_by_get_is_not_allowed(client, managing_editor, draft, name):
    client.force_login(managing_editor)

    assert client.get(page_url(name, draft.number)).status_code == 405


def test_an_unknown_version_answers_404(client, managing_editor):
    client.force_login(managing_editor)

    assert client.get(page_url("version", 99)).status_code == 404
