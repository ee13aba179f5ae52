"""The whole editorial loop in a real browser, and the desk's accessibility.

An editor submits in the admin, a managing editor assigns two board members on
the desk, one sends it back, the editor fixes the claim and resubmits, both
approve, and a reader sees the new wording. Screenshots of each step are kept
under test-artifacts/screenshots/.
"""

import pytest

from editorial.demo import DEFAULT_DEMO_PASSWORD
from tests.browser.conftest import DESKTOP, SCREENSHOTS_DIR, tool_missing
from tests.browser.test_reader_browser import AXE_JS, axe_violations, describe_violations

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests (fails them under CI) and says why
    expect = None

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

SLUG = "vitamin-d-annual-high-dose"  # a demo draft, never submitted
FIXED_WORDING = "Single yearly doses of 500,000 IU should not be used to prevent falls or fractures."


def signed_in(browser, base, username):
    """A browser tab of its own, signed in as `username`."""
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto(f"{base}/admin/login/?next=/review/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", DEFAULT_DEMO_PASSWORD)
    tab.click("input[type=submit]")
    return tab


def shot(tab, name):
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOTS_DIR / f"desk-{name}.png", full_page=True)


def open_in_admin(tab, base):
    tab.goto(f"{base}/admin/articles/article/?q={SLUG}")
    tab.click("#result_list a:has-text('Annual high-dose vitamin D')")


def submit_in_admin(tab, base, note):
    open_in_admin(tab, base)
    tab.click("text=Submit for review")
    tab.check("input[name=change_type][value=editorial]")
    tab.fill("textarea[name=note]", note)
    tab.click("input[value='Submit for review']")
    expect(tab.locator(".messagelist")).to_contain_text("submitted for review")


def tick_the_checklist(tab):
    for box in ("claims_accurate", "citations_support_claims", "doses_checked", "patient_wording_faithful"):
        tab.check(f"input[name={box}]")


def sign(tab, base, *, approve: bool, comment: str = ""):
    tab.goto(f"{base}/review/{SLUG}/")
    start = tab.locator("button:has-text('Start review')")
    if start.count():
        start.click()
    tab.check("input[name=conflict][value=none]")  # nobody's declaration is made for them
    if approve:
        tick_the_checklist(tab)
        tab.fill("textarea[name=comment]", comment)
        tab.click("button:has-text('Approve revision')")
        expect(tab.locator(".alert-success:not(.live-status)")).to_contain_text("You approved revision")
    else:
        tab.fill("textarea[name=comment]", comment)
        tab.click("button:has-text('Request changes')")
        expect(tab.locator(".alert-success")).to_contain_text("back to the editor")


def test_editor_to_board_to_reader(browser, demo_site):
    base = demo_site
    editor = signed_in(browser, base, "editor")
    submit_in_admin(editor, base, "First version for the board.")
    shot(editor, "1-submitted")

    managing = signed_in(browser, base, "managing")
    managing.click(f"a[href='/review/{SLUG}/assign/']")
    managing.check("text=Dr Amara Okafor")
    managing.check("text=Dr Erik Lindqvist")
    managing.fill("input[name=quorum]", "2")
    shot(managing, "2-assign")
    managing.click("input[value=Assign]")
    expect(managing.locator(".alert-success")).to_contain_text("Assigned")

    okafor = signed_in(browser, base, "dr.okafor")
    expect(okafor.locator("#awaiting-heading + div")).to_contain_text("large yearly dose")
    sign(okafor, base, approve=False, comment="State the dose in the last claim, so readers know what to avoid.")
    shot(okafor, "3-changes-requested")

    open_in_admin(editor, base)
    last_claim = editor.locator("textarea[name$='-claims-2-text']")
    last_claim.fill(FIXED_WORDING)
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    submit_in_admin(editor, base, "Named the dose, as asked.")

    sign(okafor, base, approve=True)
    shot(okafor, "4-first-approval")
    lindqvist = signed_in(browser, base, "dr.lindqvist")
    lindqvist.goto(f"{base}/review/{SLUG}/")
    expect(lindqvist.locator("#changes ins", has_text="500,000").first).to_be_visible()
    sign(lindqvist, base, approve=True, comment="Clear now.")

    reader = browser.new_context(viewport=DESKTOP).new_page()
    reader.goto(f"{base}/articles/{SLUG}/")
    expect(reader.locator("article")).to_contain_text(FIXED_WORDING)
    expect(reader.locator(".review-facts")).to_contain_text("Dr Amara Okafor")
    expect(reader.locator(".review-facts")).to_contain_text("Dr Erik Lindqvist")
    shot(reader, "5-reader-sees-the-new-wording")


def test_update_of_a_live_article_is_approved_claim_by_claim(browser, demo_site):
    base, update = demo_site, "/review/low-dose-naltrexone-chronic-pain/r2/"
    okafor = signed_in(browser, base, "dr.okafor")
    okafor.goto(base + update)
    changed = okafor.locator("#since-live-claims + ul .change-changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("dd ins")).to_contain_text("Your prescriber raises the dose")
    expect(okafor.locator(".claim-provenance")).to_contain_text("unchanged since approved in revision 1 by Dr Amara")
    okafor.check("input[name=conflict][value=none]")
    tick_the_checklist(okafor)
    okafor.click("button:has-text('Approve revision')")
    expect(okafor.locator(".alert-danger, .alert-error").first).to_contain_text("claim 6 is not attested")

    okafor.check("input[name=attested_claims]")  # beside the claim, outside the form it belongs to
    shot(okafor, "6-claim-attested")
    okafor.click("button:has-text('Approve revision')")
    expect(okafor.locator(".alert-success:not(.live-status)")).to_contain_text("You approved revision 2")


def test_desk_pages_have_no_wcag_a_or_aa_violations(browser, demo_site):
    if not AXE_JS.exists():
        tool_missing(f"axe-core is not installed ({AXE_JS}): npm ci --ignore-scripts")
    base = demo_site
    pages = {
        "queue (board member)": ("dr.okafor", "/review/"),
        "review page": ("dr.okafor", "/review/low-dose-naltrexone-chronic-pain/r2/"),
        "queue (managing editor)": ("managing", "/review/"),
        "assign": ("managing", "/review/metformin-chronic-kidney-disease/assign/"),
        "list (board member)": ("dr.okafor", "/review/queues/assigned/"),
        "list (managing editor)": ("managing", "/review/queues/in-progress/"),
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
