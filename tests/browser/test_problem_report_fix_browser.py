"""A reader's report answered by a correction, in a real browser, from the reader's form to the desk's queue.

A reader reports a problem with a claim of a live answer; a managing editor
finds it on the desk; an editor corrects the claim in the admin and submits it
as a correction; the managing editor assigns two board members; once the
second approves, readers see the correction notice and the desk shows the
report fixed in the new revision, with nobody marking it by hand.
Screenshots of each step are kept under test-artifacts/screenshots/.
"""

import pytest

from articles.models import Claim
from reader.models import ProblemReport
from tests.browser.conftest import DESKTOP
from tests.browser.test_desk_browser import shot, signed_in, tick_the_checklist

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests (fails them under CI) and says why
    expect = None

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

SLUG = "antibiotic-duration-uncomplicated-cystitis-women"  # live in the demo: revision 2, a correction
PROBLEM = "This claim gives no course length for men, who are often prescribed the same tablets."
CORRECTED = "Men with a urinary tract infection need a 7-day course; this answer is about women only."
SUMMARY = "The first claim now says the 3-day course is for women, and that men need 7 days."


def report_the_first_claim(browser, base):
    reader = browser.new_context(viewport=DESKTOP).new_page()
    reader.goto(f"{base}/articles/{SLUG}/")
    reader.locator(".report-problem a").first.click()
    reader.fill("textarea[name=problem]", PROBLEM)
    reader.fill("input[name=email]", "reader@example.org")
    reader.click("button:has-text('Send my report')")
    expect(reader.locator(".thanks")).to_contain_text("Your report has reached our managing editors")
    return reader


def correct_in_admin(editor, base, claim: Claim):
    """Change the reported claim's wording in the admin, then submit the answer classified as a correction."""
    editor.goto(f"{base}/admin/articles/article/{claim.section.article_id}/change/")
    claim_id = editor.locator(f"input[name*='-claims-'][name$='-id'][value='{claim.pk}']")
    text = editor.locator(f"textarea[name='{claim_id.get_attribute('name').removesuffix('-id')}-text']")
    text.fill(f"{claim.text} {CORRECTED}")
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    editor.click("text=Submit for review")
    editor.check("input[name=change_type][value=correction]")
    editor.fill("[name=change_summary]", SUMMARY)
    editor.click("input[value='Submit for review']")
    expect(editor.locator(".messagelist")).to_contain_text("submitted for review")


def approve_on_the_desk(browser, base, username):
    member = signed_in(browser, base, username)
    member.goto(f"{base}/review/{SLUG}/")
    start = member.locator("button:has-text('Start review')")
    if start.count():
        start.click()
    member.check("input[name=conflict][value=none]")
    tick_the_checklist(member)
    member.check("input[name=attested_claims]")  # the one claim changed since the live words
    member.click("button:has-text('Approve revision')")
    expect(member.locator(".alert-success:not(.live-status)")).to_contain_text("You approved revision 3")
    return member


def test_a_correction_approved_on_the_desk_answers_the_readers_report(browser, demo_site):
    base = demo_site
    reader = report_the_first_claim(browser, base)
    claim = Claim.objects.select_related("section").get(uid=ProblemReport.objects.get().claim_uid)

    managing = signed_in(browser, base, "managing")
    managing.goto(f"{base}/review/readers/reports/?state=new")
    entry = managing.locator(".problem-report-entry").first
    expect(entry).to_contain_text(PROBLEM)
    expect(entry.locator(".report-state")).to_have_text("New")
    shot(managing, "report-fix-1-new-on-the-desk")

    editor = signed_in(browser, base, "editor")
    correct_in_admin(editor, base, claim)
    shot(editor, "report-fix-2-correction-submitted")

    managing.goto(f"{base}/review/{SLUG}/assign/")
    managing.check("text=Dr Amara Okafor")
    managing.check("text=Dr Erik Lindqvist")
    managing.fill("input[name=quorum]", "2")
    managing.click("input[value=Assign]")
    expect(managing.locator(".alert-success")).to_contain_text("Assigned")

    approve_on_the_desk(browser, base, "dr.okafor")
    managing.goto(f"{base}/review/readers/reports/")
    expect(managing.locator(".problem-report-entry .report-state").first).to_have_text("New")  # not live yet
    lindqvist = approve_on_the_desk(browser, base, "dr.lindqvist")
    shot(lindqvist, "report-fix-3-quorum-reached")

    reader.goto(f"{base}/articles/{SLUG}/")
    expect(reader.locator(".correction-notice").first).to_contain_text(SUMMARY)
    expect(reader.locator("article")).to_contain_text(CORRECTED)
    shot(reader, "report-fix-4-reader-sees-the-correction")

    managing.goto(f"{base}/review/readers/reports/")
    fixed = managing.locator(".problem-report-entry").first
    expect(fixed.locator("h2")).to_contain_text("Fixed in revision 3")
    shot(managing, "report-fix-5-fixed-on-the-desk")
