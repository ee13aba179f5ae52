"""Outside experts' review links: the token, every state of a link, the expert's pages, comments and the audit trail.

An expert has no account: the token in the address is all they hold. A good
token shows its one revision in both audiences; anything else gets a clear page
(404 or 410) and never the words. The managing editors' page of links, and its
permission ladder, is in `tests/test_expert_link_desk.py`.
"""

import hashlib
import re
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from config.history import acting_as
from editorial.experts.models import ExpertLink, ExpertLinkUse
from editorial.experts.services import expert_comment_add, expert_link_create, expert_link_revoke
from editorial.experts.tokens import looks_like_token, seal, unseal
from editorial.models import ArticleWorkflow, AuditEvent, ClaimAttestation, ReviewThread, SignOff, ThreadMessage
from editorial.notifications import email_expert_link
from editorial.services import article_submit, review_approve, review_request_changes, review_start
from tests.workflow_helpers import FULL_CHECKLIST, citable_article, edit_claim, under_review

pytestmark = pytest.mark.django_db

HEADERS = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()  # the rate limits count in the cache
    yield
    cache.clear()


@pytest.fixture
def in_review(editor, managing_editor):
    article = citable_article(slug="metformin-and-kidneys")
    edit_claim(article, "Metformin needs a lower dose once eGFR falls below 45.", user=editor)
    revision, board = under_review(article, editor, managing_editor)
    return article, revision, board[0]


def invite(revision, managing_editor, **overrides):
    values = {
        "revision": revision,
        "user": managing_editor,
        "name": "Dr Ines Varga",
        "credentials": "MD, PhD",
        "email": "ines.varga@example.org",
        "conflict_statement": "Speaker fees from a maker of SGLT2 inhibitors, 2025.",
    }
    return expert_link_create(**(values | overrides))


@pytest.fixture
def invited(in_review, managing_editor):
    return invite(in_review[1], managing_editor)


def page_url(revision, token, *, number=None, slug=None):
    return reverse("experts:review", args=[slug or revision.content["slug"], number or revision.number, token])


def comment_url(revision, token):
    return reverse("experts:comment", args=[revision.content["slug"], revision.number, token])


def first_claim(revision):
    return revision.content["sections"][0]["claims"][0]


def comment(revision, **fields):
    return {"content_hash": revision.content_hash, "claim_uid": "", "flag": "note", "text": "", **fields}


def uses(link):
    return list(ExpertLinkUse.objects.filter(link=link).values_list("page", "asked_for", "outcome", "status_code"))


def expire(link):
    """Move the link's expiry into the past, as time passing would."""
    ExpertLink.objects.filter(pk=link.pk).update(
        created_at=timezone.now() - timedelta(days=15), expires_at=timezone.now() - timedelta(days=1)
    )


# The token


def test_a_token_carries_256_random_bits_in_43_url_safe_characters(invited):
    token = invited[1]

    assert (len(token), looks_like_token(token)) == (43, True)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)


def test_only_the_token_s_hash_is_stored_with_the_link_and_its_history(invited):
    link, token = invited

    stored = [*ExpertLink.objects.filter(pk=link.pk).values(), *ExpertLink.history.filter(id=link.pk).values()]

    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert [row for row in stored if token in repr(row)] == []


def test_two_links_never_share_a_token(in_review, managing_editor):
    _, revision, _ = in_review

    tokens = {invite(revision, managing_editor)[1] for _ in range(5)}

    assert len(tokens) == 5


def test_the_expert_is_emailed_their_link_once(in_review, managing_editor, django_capture_on_commit_callbacks):
    _, revision, _ = in_review

    with django_capture_on_commit_callbacks(execute=True):
        _link, token = invite(revision, managing_editor)

    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["ines.varga@example.org"], f"Invitation to review: {revision.content['question']}")
    ]
    assert settings.SITE_URL + page_url(revision, token) in mail.outbox[0].body


def test_the_task_queue_holds_the_token_sealed_never_as_it_is(in_review, managing_editor, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _, revision, _ = in_review

    link, token = invite(revision, managing_editor)

    (queued,) = DBTaskResult.objects.filter(task_path__endswith="email_expert_link")
    assert token not in repr(queued.args_kwargs)
    assert queued.args_kwargs["args"] == [link.pk, seal(link.pk, token)]
    assert unseal(link.pk, seal(link.pk, token)) == token
    email_expert_link.call(*queued.args_kwargs["args"])
    assert page_url(revision, token) in mail.outbox[0].body


def test_a_link_revoked_before_its_email_left_sends_nothing(in_review, managing_editor, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _, revision, _ = in_review
    link, _ = invite(revision, managing_editor)
    expert_link_revoke(link=link, user=managing_editor)

    (queued,) = DBTaskResult.objects.filter(task_path__endswith="email_expert_link")

    assert email_expert_link.call(*queued.args_kwargs["args"]) == 0
    assert mail.outbox == []


def test_a_link_opens_for_the_site_s_default_days(in_review, managing_editor, settings):
    settings.EXPERT_LINK_DAYS = 21
    _, revision, _ = in_review

    link, _ = invite(revision, managing_editor)

    assert link.expires_at - link.created_at == timedelta(days=21)


def test_a_link_opens_for_the_days_the_managing_editor_chose(in_review, managing_editor):
    _, revision, _ = in_review

    link, _ = invite(revision, managing_editor, days=3)

    assert link.expires_at - link.created_at == timedelta(days=3)


# Every state of a link: the status, and never the words


def test_a_good_token_shows_the_pinned_revision_in_both_audiences(client, in_review, invited):
    _, revision, _ = in_review
    token = invited[1]

    response = client.get(page_url(revision, token))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Metformin needs a lower dose once eGFR falls below 45." in html
    assert "As clinicians will read it" in html and "As patients will read it" in html
    assert revision.content_hash in html
    assert "Speaker fees from a maker of SGLT2 inhibitors, 2025." in html


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_a_closed_link_answers_410_and_never_the_words(client, in_review, invited, managing_editor, state):
    _, revision, _ = in_review
    link, token = invited
    if state == "expired":
        expire(link)
    else:
        expert_link_revoke(link=link, user=managing_editor)

    response = client.get(page_url(revision, token))

    html = response.content.decode()
    assert response.status_code == 410
    assert "Metformin" not in html and revision.content["question"] not in html
    title = {"expired": "This review link has expired", "revoked": "This review link was closed"}[state]
    assert f'<h1 class="desk-h1">{title}</h1>' in html


def test_a_token_on_another_revision_s_address_answers_404_and_never_shows_that_revision(
    client, in_review, invited, editor
):
    article = in_review[0]
    token = invited[1]
    edit_claim(article, "Metformin is contraindicated below eGFR 30.", user=editor)
    second = article_submit(article=article, user=editor)

    response = client.get(page_url(second, token))

    html = response.content.decode()
    assert response.status_code == 404
    assert "contraindicated" not in html and "Metformin" not in html


def test_a_token_on_another_article_s_address_answers_404(client, in_review, invited, editor, managing_editor):
    token = invited[1]
    other, _ = under_review(citable_article(slug="another-answer"), editor, managing_editor)

    response = client.get(page_url(other, token))

    assert response.status_code == 404
    assert other.content["question"] not in response.content.decode()


@pytest.mark.parametrize(
    "token", ["short", "x" * 44, "a" * 42 + "!", "A" * 43], ids=["short", "long", "bad-character", "unknown"]
)
def test_a_malformed_or_unknown_token_answers_404(client, in_review, invited, token):
    _, revision, _ = in_review

    response = client.get(page_url(revision, token))

    assert response.status_code == 404
    assert "This review link is not valid" in response.content.decode()
    assert "Metformin" not in response.content.decode()


@pytest.mark.parametrize("state", ["good", "expired", "revoked", "other-revision", "unknown"])
def test_every_answer_keeps_the_page_private_unreferred_and_unindexed(
    client, in_review, invited, managing_editor, editor, state
):
    revision = in_review[1]
    link, token = invited
    url = page_url(revision, token)
    if state == "expired":
        expire(link)
    elif state == "revoked":
        expert_link_revoke(link=link, user=managing_editor)
    elif state == "other-revision":
        url = page_url(revision, token, number=revision.number + 1)
    elif state == "unknown":
        url = page_url(revision, "B" * 43)

    response = client.get(url)

    assert {header: response[header] for header in HEADERS} == HEADERS


def test_no_link_on_the_page_carries_the_token(client, in_review, invited):
    _, revision, _ = in_review
    token = invited[1]

    html = client.get(page_url(revision, token)).content.decode()

    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and [href for href in hrefs if token in href] == []
    assert re.findall(r'action="([^"]*)"', html) == [comment_url(revision, token)]


def test_the_page_says_a_newer_revision_exists_and_still_shows_the_pinned_one(client, in_review, invited, editor):
    article, first, _ = in_review
    token = invited[1]
    edit_claim(article, "Metformin is contraindicated below eGFR 30.", user=editor)
    article_submit(article=article, user=editor)

    html = client.get(page_url(first, token)).content.decode()

    assert "A newer revision of this article exists: revision 2. This link shows revision 1" in html
    assert "Metformin needs a lower dose once eGFR falls below 45." in html
    assert "contraindicated" not in html


# Rate limits


def test_one_link_is_answered_429_past_its_hourly_requests(client, in_review, invited, settings):
    settings.EXPERT_LINK_REQUESTS_PER_HOUR = 3
    _, revision, _ = in_review
    link, token = invited

    statuses = [client.get(page_url(revision, token)).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert [status for *_, status in uses(link)] == [200, 200, 200]  # a refused request is not a use


def test_one_client_address_is_answered_429_past_its_hourly_requests_whatever_the_token(
    client, in_review, invited, managing_editor, settings
):
    settings.EXPERT_LINK_CLIENT_REQUESTS_PER_HOUR = 3
    _, revision, _ = in_review
    token = invited[1]
    _, other_token = invite(revision, managing_editor, email="second@example.org")

    statuses = [
        client.get(page_url(revision, token)).status_code,
        client.get(page_url(revision, "C" * 43)).status_code,  # guessing counts too
        client.get(page_url(revision, other_token)).status_code,
        client.get(page_url(revision, other_token)).status_code,
    ]
    elsewhere = client.get(page_url(revision, other_token), REMOTE_ADDR="203.0.113.9").status_code

    assert (statuses, elsewhere) == ([200, 404, 200, 429], 200)


def test_the_client_is_counted_by_the_address_the_trusted_proxy_reports(client, in_review, invited, settings):
    settings.EXPERT_LINK_CLIENT_REQUESTS_PER_HOUR = 1
    settings.TRUSTED_PROXY_COUNT = 1
    _, revision, _ = in_review
    token = invited[1]

    first = client.get(page_url(revision, token), HTTP_X_FORWARDED_FOR="198.51.100.7").status_code
    second = client.get(page_url(revision, token), HTTP_X_FORWARDED_FOR="198.51.100.8").status_code
    again = client.get(page_url(revision, token), HTTP_X_FORWARDED_FOR="198.51.100.7").status_code

    assert (first, second, again) == (200, 200, 429)


# The audit trail: every use


def test_every_use_of_a_link_is_recorded_with_its_page_outcome_and_address(
    client, in_review, invited, managing_editor, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    _, revision, _ = in_review
    link, token = invited
    claim = first_claim(revision)
    proxy = {"HTTP_X_FORWARDED_FOR": "198.51.100.7", "HTTP_USER_AGENT": "Expert's browser"}
    asked = f"{revision.content['slug']} r{revision.number}"

    client.get(page_url(revision, token), **proxy)
    on_the_claim = comment(revision, claim_uid=claim["uid"], text="Check the dose.")
    client.post(comment_url(revision, token), on_the_claim, **proxy)
    client.post(comment_url(revision, token), comment(revision, text=""), **proxy)
    client.get(page_url(revision, token, number=revision.number + 1), **proxy)
    expert_link_revoke(link=link, user=managing_editor)
    client.get(page_url(revision, token), **proxy)

    assert uses(link) == [
        ("read", asked, "shown", 200),
        ("comment", asked, "commented", 303),
        ("comment", asked, "comment_refused", 400),
        ("read", f"{revision.content['slug']} r{revision.number + 1}", "other_revision", 404),
        ("read", asked, "revoked", 410),
    ]
    assert set(ExpertLinkUse.objects.values_list("client_address", "user_agent")) == {
        ("198.51.100.7", "Expert's browser")
    }


def test_the_audit_trail_never_records_the_token(client, in_review, invited):
    _, revision, _ = in_review
    token = invited[1]

    client.get(page_url(revision, token))

    assert [row for row in ExpertLinkUse.objects.values() if token in repr(row)] == []


def test_an_unknown_token_records_no_use(client, in_review, invited):
    _, revision, _ = in_review

    client.get(page_url(revision, "D" * 43))

    assert ExpertLinkUse.objects.count() == 0


# Comments and flags


def test_a_comment_on_a_claim_opens_a_thread_on_it_written_through_the_link(client, in_review, invited):
    _, revision, _ = in_review
    link, token = invited
    claim = first_claim(revision)

    response = client.post(
        comment_url(revision, token), comment(revision, claim_uid=claim["uid"], flag="dose", text=" Check eGFR 30. ")
    )

    assert (response.status_code, response["Location"]) == (303, page_url(revision, token) + "?sent=1#your-comments")
    assert list(
        ThreadMessage.objects.values_list(
            "expert_link", "author", "read_revision", "thread__claim_uid", "thread__quote", "flag", "text"
        )
    ) == [(link.pk, None, revision.pk, uuid.UUID(claim["uid"]), claim["text"], "dose", "Check eGFR 30.")]
    assert list(ReviewThread.objects.values_list("article", "opened_on", "opened_by", "resolved_at")) == [
        (revision.article_id, revision.pk, None, None)
    ]


def test_a_comment_on_the_whole_article_names_no_claim(client, in_review, invited):
    _, revision, _ = in_review
    token = invited[1]

    client.post(comment_url(revision, token), comment(revision, flag="unsupported", text="The lede overstates."))

    assert list(ThreadMessage.objects.values_list("thread__claim_uid", "thread__quote", "flag", "text")) == [
        (None, "", "unsupported", "The lede overstates.")
    ]


def test_the_expert_sees_their_comments_after_sending_one(client, in_review, invited):
    _, revision, _ = in_review
    token = invited[1]
    client.post(comment_url(revision, token), comment(revision, text="The lede overstates."))

    html = client.get(page_url(revision, token) + "?sent=1").content.decode()

    assert "Thank you: your comment is recorded, and the editors will read it." in html
    assert "on the article as a whole" in html and "The lede overstates." in html


def test_a_comment_naming_an_unknown_claim_is_a_clear_400_that_keeps_the_words(client, in_review, invited):
    _, revision, _ = in_review
    token = invited[1]

    response = client.post(
        comment_url(revision, token),
        comment(revision, claim_uid="00000000-0000-0000-0000-000000000000", text="Words kept."),
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "That claim is not in this revision. Choose one from the list." in html
    assert "Words kept." in html
    assert ThreadMessage.objects.count() == 0


def test_an_empty_comment_is_a_clear_400(client, in_review, invited):
    _, revision, _ = in_review
    token = invited[1]

    response = client.post(comment_url(revision, token), comment(revision, text="   "))

    assert response.status_code == 400
    assert "Write your comment before sending it." in response.content.decode()
    assert ThreadMessage.objects.count() == 0


def test_a_comment_on_other_words_than_the_revision_s_is_stale_409_and_records_nothing(client, in_review, invited):
    _, revision, _ = in_review
    token = invited[1]

    response = client.post(comment_url(revision, token), comment(revision, content_hash="0" * 64, text="Kept."))

    html = response.content.decode()
    assert response.status_code == 409
    assert "The words you commented on are not those of the revision this link shows. Nothing was recorded" in html
    assert "Kept." in html
    assert ThreadMessage.objects.count() == 0


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_a_comment_through_a_closed_link_answers_410_and_records_nothing(
    client, in_review, invited, managing_editor, state
):
    _, revision, _ = in_review
    link, token = invited
    if state == "expired":
        expire(link)
    else:
        expert_link_revoke(link=link, user=managing_editor)

    response = client.post(comment_url(revision, token), comment(revision, text="Too late."))

    assert response.status_code == 410
    assert ThreadMessage.objects.count() == 0


def test_a_revocation_that_lands_first_refuses_the_comment_service(in_review, invited, managing_editor):
    _, revision, _ = in_review
    link = invited[0]
    expert_link_revoke(link=link, user=managing_editor)

    with pytest.raises(Exception, match=r"This review link is revoked\. Nothing was recorded\."):
        expert_comment_add(link=link, content_hash=revision.content_hash, claim_uid=None, flag="note", text="Late.")

    assert ThreadMessage.objects.count() == 0


def test_comments_are_append_only(client, in_review, invited):
    _, revision, _ = in_review
    token = invited[1]
    client.post(comment_url(revision, token), comment(revision, text="Once."))
    stored = ThreadMessage.objects.get()

    stored.text = "Rewritten."
    with pytest.raises(Exception, match="never changed"):
        stored.save()


# They cannot approve


def record_of(article):
    return (
        ArticleWorkflow.objects.get(article=article).state,
        SignOff.objects.filter(revision__article=article).count(),
        ClaimAttestation.objects.count(),
        AuditEvent.objects.filter(article=article).count(),
    )


@pytest.mark.parametrize("service", ["start", "approve", "request_changes"])
def test_every_sign_off_service_refuses_an_outside_expert(client, in_review, invited, service):
    article, revision, _ = in_review
    token = invited[1]
    client.get(page_url(revision, token))  # the expert's browser: no account, whatever the link allowed
    expert = AnonymousUser()
    before = record_of(article)
    common = {"revision": revision, "user": expert, "content_hash": revision.content_hash, "conflict": "none"}
    calls = {
        "start": lambda: review_start(article=article, user=expert),
        "approve": lambda: review_approve(checklist=FULL_CHECKLIST, attested_claims=[], **common),
        "request_changes": lambda: review_request_changes(comment="Reject.", **common),
    }

    with pytest.raises(PermissionDenied):
        calls[service]()

    assert record_of(article) == before


@pytest.mark.parametrize("decision", ["start", "approve", "request_changes"])
def test_the_expert_s_browser_posting_to_the_desk_is_sent_to_log_in(client, in_review, invited, decision):
    article, revision, _ = in_review
    token = invited[1]
    client.get(page_url(revision, token))
    before = record_of(article)

    response = client.post(reverse(f"desk:{decision}", args=[article.slug, revision.number]), {"conflict": "none"})

    assert (response.status_code, response["Location"].startswith(reverse("admin:login"))) == (302, True)
    assert record_of(article) == before


def test_the_expert_s_page_offers_no_sign_off(client, in_review, invited):
    article, revision, _ = in_review
    token = invited[1]

    html = client.get(page_url(revision, token)).content.decode()

    assert reverse("desk:approve", args=[article.slug, revision.number]) not in html
    assert "Approve" not in html
    assert "Approval stays with the medical advisory board" in html


def test_history_of_a_link_names_the_managing_editor_who_made_and_revoked_it(invited, managing_editor):
    link, _ = invited

    with acting_as(None):
        expert_link_revoke(link=link, user=managing_editor)

    assert list(link.history.order_by("history_id").values_list("history_type", "history_user", "revoked_by")) == [
        ("+", managing_editor.pk, None),
        ("~", managing_editor.pk, managing_editor.pk),
    ]


def test_a_comment_is_taken_from_a_browser_that_sends_no_referrer_and_no_cookie(in_review, invited):
    revision, token = in_review[1], invited[1]
    browser = Client(enforce_csrf_checks=True)  # no-referrer pages make browsers post with `Origin: null`

    response = browser.post(comment_url(revision, token), comment(revision, text="Seen."), HTTP_ORIGIN="null")

    assert response.status_code == 303
    assert ThreadMessage.objects.count() == 1
    assert "csrftoken" not in browser.get(page_url(revision, token)).cookies


def test_the_editors_read_the_expert_s_comment_among_the_threads_under_the_expert_s_name(
    client, in_review, invited, editor, django_capture_on_commit_callbacks
):
    _, revision, _ = in_review
    token = invited[1]
    claim = first_claim(revision)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(comment_url(revision, token), comment(revision, claim_uid=claim["uid"], text="Check eGFR 30."))
    client.force_login(editor)
    html = client.get(reverse("desk:threads", args=[revision.article.slug])).content.decode()

    assert "<strong>Dr Ines Varga, MD, PhD (outside expert)</strong>" in html
    assert "Check eGFR 30." in html
    assert sorted(message.to[0] for message in mail.outbox if "Check eGFR 30." in message.body) == [
        "editor@example.org",
        "managing@example.org",
    ]


def test_the_thread_an_expert_opens_names_no_person_in_its_history(client, in_review, invited, editor):
    _, revision, _ = in_review
    token = invited[1]
    client.force_login(editor)  # a member of staff trying the expert's link in their own browser

    client.post(comment_url(revision, token), comment(revision, text="The lede overstates."))

    assert list(ReviewThread.history.values_list("history_type", "history_user")) == [("+", None)]
