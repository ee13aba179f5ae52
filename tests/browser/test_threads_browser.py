"""Review threads in a real browser: a member's note reaches the editor beside its claim, and the answer comes back.

A member requests changes with a note on a claim; the editor sees it counted
beside the claim on the article's page, reads it on the threads page, replies
and resolves it, fixes the claim and resubmits; the member sees the reply and
the resolution beside the claim on the desk. On a live answer's update the walk
goes on: the fix is resubmitted, the reviewer sees the reply beside the changed
claim, attests that claim on its own and approves. Then axe checks the new pages.
"""

import pytest

from tests.browser.conftest import tool_missing
from tests.browser.test_desk_browser import SLUG, open_in_admin, shot, signed_in, submit_in_admin, tick_the_checklist
from tests.browser.test_reader_browser import AXE_JS, axe_violations, describe_violations

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests (fails them under CI) and says why
    expect = None

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

NOTE = "Say which dose was given in the trial, in IU."
REPLY = "The trial gave 500,000 IU once a year; the claim now says so."


def send_back_with_a_note(base, tab):
    tab.goto(f"{base}/review/{SLUG}/")
    tab.click("button:has-text('Start review')")
    tab.check("input[name=conflict][value=none]")
    tab.fill("textarea[name=comment]", "One claim needs its dose.")
    tab.select_option("select[name=notes-0-claim_uid]", index=1)
    tab.select_option("select[name=notes-0-flag]", "dose")
    tab.fill("textarea[name=notes-0-text]", NOTE)
    tab.click("button:has-text('Request changes')")
    expect(tab.locator(".alert-success")).to_contain_text("back to the editor")


def test_note_reply_resolve_resubmit_and_the_reviewer_sees_it(browser, demo_site):
    base = demo_site
    editor = signed_in(browser, base, "editor")
    submit_in_admin(editor, base, "First version for the board.")
    managing = signed_in(browser, base, "managing")
    managing.goto(f"{base}/review/{SLUG}/assign/")
    managing.check("text=Dr Amara Okafor")
    managing.fill("input[name=quorum]", "1")
    managing.click("input[value=Assign]")
    expect(managing.locator(".alert-success")).to_contain_text("Assigned")
    okafor = signed_in(browser, base, "dr.okafor")
    send_back_with_a_note(base, okafor)

    open_in_admin(editor, base)
    expect(editor.locator("#review-threads")).to_contain_text("2 open, 0 resolved.")
    expect(editor.locator(".field-review_threads", has_text="1 open thread")).to_have_count(1)
    editor.click("#review-threads a")
    thread = editor.locator("#on-claims article.thread")
    expect(thread.locator(".thread-message")).to_contain_text(NOTE)
    expect(thread.locator(".thread-flag")).to_contain_text("Dose needs checking")
    shot(editor, "threads-1-note-beside-its-claim")
    thread.locator("textarea[name=text]").fill(REPLY)
    thread.locator("button:has-text('Send reply')").click()
    expect(editor.locator(".alert-success")).to_contain_text("Your reply is in the thread")
    editor.locator("#on-claims article.thread button:has-text('Mark resolved')").click()
    expect(editor.locator(".alert-success")).to_contain_text("resolved in revision 1")

    open_in_admin(editor, base)
    editor.locator("textarea[name$='-claims-0-text']").first.fill("Give 500,000 IU once a year only in trials.")
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    submit_in_admin(editor, base, "Named the dose, as asked.")

    okafor.goto(f"{base}/review/{SLUG}/r2/")
    beside = okafor.locator("#clinician .claim-threads")
    expect(beside).to_contain_text(REPLY)
    expect(beside.locator(".thread-state")).to_contain_text("Resolved in revision 1 by")
    shot(okafor, "threads-2-reviewer-sees-the-reply")


def test_thread_pages_have_no_wcag_a_or_aa_violations(browser, demo_site):
    if not AXE_JS.exists():
        tool_missing(f"axe-core is not installed ({AXE_JS}): npm ci --ignore-scripts")
    base = demo_site
    slug = "vitamin-d-fracture-prevention-older-adults"  # sent back with a note, answered in the demo
    pages = {
        "threads page (editor)": ("editor2", f"/review/{slug}/threads/"),
        "inbox (editor)": ("editor", "/review/editors/inbox/"),
        "review page with threads": ("dr.lindqvist", f"/review/{slug}/r1/"),
    }
    found = {}
    for name, (username, path) in pages.items():
        tab = signed_in(browser, base, username)
        tab.goto(f"{base}{path}")
        shot(tab, f"axe-{name.replace(' ', '-').replace('(', '').replace(')', '')}")
        violations = axe_violations(tab)
        if violations:
            found[name] = violations
        tab.context.close()
    assert found == {}, f"axe found WCAG 2 A/AA violations:\n{describe_violations(found)}"


LIVE = "low-dose-naltrexone-chronic-pain"  # live in the demo, with an update (revision 2) in review
LIVE_NOTE = "Say how often the dose goes up, so patients know what to expect."
LIVE_REPLY = "It goes up every one to two weeks; the claim now says so."
LIVE_FIX = "Your prescriber raises the dose every one to two weeks, step by step, until the pain eases."


def test_a_note_on_a_live_answers_update_is_answered_and_the_fix_approved_claim_by_claim(browser, demo_site):
    base = demo_site
    okafor = signed_in(browser, base, "dr.okafor")
    okafor.goto(f"{base}/review/{LIVE}/r2/")
    changed_uid = okafor.locator("input[name=attested_claims]").get_attribute("value")
    okafor.check("input[name=conflict][value=none]")
    okafor.fill("textarea[name=comment]", "One changed claim needs its interval.")
    okafor.select_option("select[name=notes-0-claim_uid]", changed_uid)
    okafor.fill("textarea[name=notes-0-text]", LIVE_NOTE)
    okafor.click("button:has-text('Request changes')")
    expect(okafor.locator(".alert-success")).to_contain_text("back to the editor")

    editor = signed_in(browser, base, "editor")
    editor.goto(f"{base}/review/{LIVE}/threads/")
    thread = editor.locator("#on-claims article.thread", has_text=LIVE_NOTE)
    thread.locator("textarea[name=text]").fill(LIVE_REPLY)
    thread.locator("button:has-text('Send reply')").click()
    expect(editor.locator(".alert-success")).to_contain_text("Your reply is in the thread")
    editor.locator("#on-claims article.thread", has_text=LIVE_NOTE).locator("button:has-text('Mark resolved')").click()
    expect(editor.locator(".alert-success")).to_contain_text("resolved in revision 2")
    editor.goto(f"{base}/admin/articles/article/?q={LIVE}")
    editor.locator("#result_list tbody th a").first.click()
    editor.locator("textarea", has_text="Your prescriber raises the dose").first.fill(LIVE_FIX)
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    editor.click("text=Submit for review")
    editor.check("input[name=change_type][value=editorial]")
    editor.fill("textarea[name=note]", "Named the interval, as asked.")
    editor.click("input[value='Submit for review']")
    expect(editor.locator(".messagelist")).to_contain_text("submitted for review")

    okafor.goto(f"{base}/review/{LIVE}/r3/")
    expect(okafor.locator("#clinician .claim-threads")).to_contain_text(LIVE_REPLY)
    expect(okafor.locator("#since-live-claims + ul .change-changed").first).to_contain_text("every one to two")
    okafor.click("button:has-text('Start review')")
    okafor.check("input[name=conflict][value=none]")
    tick_the_checklist(okafor)
    okafor.check(f"input[name=attested_claims][value='{changed_uid}']")
    shot(okafor, "threads-3-changed-claim-attested")
    okafor.click("button:has-text('Approve revision')")
    expect(okafor.locator(".alert-success:not(.live-status)")).to_contain_text("You approved revision 3")
