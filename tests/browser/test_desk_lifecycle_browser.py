"""The desk over an answer's life, in a real browser: a re-review page and the managing editors' calendar.

A board member opens a re-review of words the board approved twice already and
reads, before anything else, that nothing changed; a managing editor finds what
is overdue, due, scheduled and expiring on the desk's front page. Both pages are
checked with axe. Screenshots are kept under test-artifacts/screenshots/.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article
from editorial.models import ArticleWorkflow, Reviewer
from editorial.services import article_rereview, article_schedule, review_assign, review_start
from tests.browser.conftest import SCREENSHOTS_DIR, tool_missing
from tests.browser.test_desk_browser import shot, signed_in
from tests.browser.test_reader_browser import AXE_JS, axe_violations, describe_violations
from tests.workflow_helpers import approve

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests (fails them under CI) and says why
    expect = None

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

RECERTIFIED = "metformin-lactic-acidosis-kidney-function"  # approved, then re-reviewed once, in the demo
LIVE = "antibiotic-duration-uncomplicated-cystitis-women"  # approved in the demo, then corrected: revision 2 is live


def shot_of(locator, name):
    """A screenshot of one part of the page, readable where the whole page would be too tall."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=SCREENSHOTS_DIR / f"desk-{name}.png")


def third_review_half_signed():
    """Open a third review of the re-certified demo answer: Dr Okafor approves, Dr Moreau has still to sign."""
    article = Article.objects.get(slug=RECERTIFIED)
    managing = get_user_model().objects.get(username="managing")
    okafor, moreau = (Reviewer.objects.get(user__username=name) for name in ("dr.okafor", "dr.moreau"))
    revision = article_rereview(article=article, user=managing, note="Has the lactate guidance changed?")
    review_assign(article=article, assigned_by=managing, reviewers=[okafor, moreau], quorum=2)
    review_start(article=article, user=okafor.user)
    approve(revision, okafor)
    return revision


def a_review_due_soon_and_an_expiry():
    """The demo's other live answer: its review falls due in twelve days, and it expires in nine months."""
    article = Article.objects.get(slug=LIVE)
    managing = get_user_model().objects.get(username="managing")
    article_schedule(
        article=article,
        user=managing,
        go_live_at=None,
        expires_at=timezone.now() + timedelta(days=270),
        review_interval_months=None,
    )
    # A review can only happen now: arrange the date it falls due, as an answer approved a year ago would read.
    ArticleWorkflow.objects.filter(article=article).update(next_review_due=timezone.localdate() + timedelta(days=12))


def test_rereview_page_says_first_that_nothing_changed(browser, demo_site):
    revision = third_review_half_signed()
    moreau = signed_in(browser, demo_site, "dr.moreau")
    moreau.goto(f"{demo_site}/review/{RECERTIFIED}/")
    notice = moreau.locator(".rereview")
    expect(notice).to_contain_text(f"This is a re-review of revision {revision.number}, unchanged.")
    expect(notice).to_contain_text("by Dr Amara Okafor and Dr Erik Lindqvist, and readers see them now.")
    expect(notice).to_contain_text("Changes since the last approval: none.")
    expect(moreau.locator("#this-review")).to_have_text("This review: re-review, round 3")
    expect(moreau.locator("#earlier-reviews + h4")).to_have_text("Re-review, round 2")
    expect(moreau.locator("button", has_text=f"Approve revision {revision.number} again")).to_be_visible()
    shot(moreau, "rereview-page")
    shot_of(moreau.locator("header.review-head"), "rereview-head")
    shot_of(moreau.locator("#sign-offs"), "rereview-sign-offs")
    shot_of(moreau.locator("#hold"), "rereview-hold")


def test_managing_editors_calendar_lists_each_answer_with_its_date(browser, demo_site):
    a_review_due_soon_and_an_expiry()
    managing = signed_in(browser, demo_site, "managing")
    managing.goto(f"{demo_site}/review/")
    expect(managing.locator("#review-overdue-heading + div")).to_contain_text("opioid", ignore_case=True)
    expect(managing.locator("#review-due-soon-heading + div")).to_contain_text("Review due")
    expect(managing.locator("#scheduled-heading + div")).to_contain_text("Goes live")
    expect(managing.locator("#expiring-heading + div")).to_contain_text("Expires")
    shot(managing, "managing-editor-calendar")


def test_lifecycle_desk_pages_have_no_wcag_a_or_aa_violations(browser, demo_site):
    if not AXE_JS.exists():
        tool_missing(f"axe-core is not installed ({AXE_JS}): npm ci --ignore-scripts")
    third_review_half_signed()
    a_review_due_soon_and_an_expiry()
    pages = {
        "re-review page": ("dr.moreau", f"/review/{RECERTIFIED}/"),
        "hold page": ("dr.moreau", f"/review/{LIVE}/r2/hold/"),
        "queue with the calendar": ("managing", "/review/"),
    }
    found = {}
    for name, (username, path) in pages.items():
        tab = signed_in(browser, demo_site, username)
        tab.goto(f"{demo_site}{path}")
        violations = axe_violations(tab)
        if violations:
            found[name] = violations
        tab.context.close()
    assert found == {}, f"axe found WCAG 2 A/AA violations:\n{describe_violations(found)}"


def test_board_member_not_assigned_holds_live_words_from_the_desk(browser, demo_site):
    moreau = signed_in(browser, demo_site, "dr.moreau")
    moreau.goto(f"{demo_site}/review/{LIVE}/r2/hold/")
    shot(moreau, "hold-page")
    moreau.fill("textarea[name=reason]", "The 3-day course is now advised against for men; check the wording.")
    moreau.fill("textarea[name=public_reason]", "We are checking the advice on how long to take antibiotics.")
    moreau.click("button:has-text('Hold revision 2 for safety')")
    expect(moreau.locator(".alert-success")).to_contain_text("is held: readers see your notice instead of revision 2")
    shot(moreau, "hold-done")
    moreau.goto(f"{demo_site}/review/{LIVE}/r2/hold/")
    expect(moreau.locator("main")).to_contain_text("is held for safety already")
    expect(moreau.locator("form.hold-form")).to_have_count(0)
    shot(moreau, "hold-page-held-already")
