"""An outside expert's review in a real browser, and the accessibility of its pages.

A managing editor invites an expert on the desk and copies the link shown once;
the expert, with no account, reads the revision and flags a claim; the managing
editor sees the comment and the uses, and revokes the link; the expert's next
visit finds it closed. axe checks every page on the way.
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

SLUG = "metformin-chronic-kidney-disease"  # a demo article in review


def new_tab(browser):
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    context.set_default_timeout(10_000)
    return context.new_page()


def shot(tab, name):
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOTS_DIR / f"expert-{name}.png", full_page=True)


def test_an_outside_expert_reads_and_flags_a_claim_until_the_link_is_revoked(browser, demo_site):
    if not AXE_JS.exists():
        tool_missing(f"axe-core is not installed ({AXE_JS}): npm ci --ignore-scripts")
    base, violations = demo_site, {}
    managing = new_tab(browser)
    managing.goto(f"{base}/admin/login/?next=/review/{SLUG}/experts/")
    managing.fill("#id_username", "managing")
    managing.fill("#id_password", DEFAULT_DEMO_PASSWORD)
    managing.click("input[type=submit]")
    violations["links page"] = axe_violations(managing)

    managing.fill("#id_name", "Dr Ines Varga")
    managing.fill("#id_credentials", "MD, PhD, nephrologist")
    managing.fill("#id_email", "ines.varga@example.org")
    managing.fill("#id_conflict_statement", "Speaker fees from a maker of SGLT2 inhibitors, 2025.")
    managing.click("button:has-text('Make the link and email it')")
    expect(managing.locator(".created-link")).to_contain_text("Link made for Dr Ines Varga, MD, PhD, nephrologist")
    url = managing.input_value("#created-url")
    violations["links page, link made"] = axe_violations(managing)
    shot(managing, "1-link-made")

    expert = new_tab(browser)
    expert.goto(url)
    expect(expert.locator("#clinician-heading")).to_have_text("As clinicians will read it")
    expect(expert.locator(".expert-terms")).to_contain_text("Approval stays with the medical advisory board")
    violations["expert page"] = axe_violations(expert)
    expert.select_option("#id_claim_uid", index=1)
    expert.select_option("#id_flag", "dose")
    expert.fill("#id_text", "Below eGFR 30 this dose needs a second look.")
    expert.click("button:has-text('Send comment')")
    expect(expert.locator("#your-comments .alert-success")).to_contain_text("your comment is recorded")
    expect(expert.locator(".expert-comments")).to_contain_text("Below eGFR 30 this dose needs a second look.")
    violations["expert page, comment sent"] = axe_violations(expert)
    shot(expert, "2-comment-sent")

    managing.goto(f"{base}/review/{SLUG}/experts/")
    expect(managing.locator(".expert-comments")).to_contain_text("Dose needs checking")
    expect(managing.locator(".link-uses")).to_have_text("3")  # read, comment, read again
    managing.click("button:has-text('Revoke the link for Dr Ines Varga')")
    expect(managing.locator(".link-state")).to_contain_text("Revoked on")

    expert.goto(url)
    expect(expert.locator("h1")).to_have_text("This review link was closed")
    violations["expert page, revoked"] = axe_violations(expert)
    shot(expert, "3-revoked")

    found = {page: found for page, found in violations.items() if found}
    assert found == {}, f"axe found WCAG 2 A/AA violations:\n{describe_violations(found)}"
