"""Problem reports in a real browser: a reader reports a claim, a managing editor finds it on the desk and triages it.

Then axe checks the reader's form and the desk's queue, and Chromium enforcing the strict
Content-Security-Policy reports no violation on them.
"""

import pytest

from tests.browser.conftest import DESKTOP, LDN, tool_missing
from tests.browser.test_csp_browser import enforcing_tab, violations_on
from tests.browser.test_desk_browser import shot, signed_in
from tests.browser.test_reader_browser import AXE_JS, axe_violations, describe_violations

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests (fails them under CI) and says why
    expect = None

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

PROBLEM = "The starting dose here looks higher than in the trials the answer cites."


def reader_tab(browser):
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    context.set_default_timeout(10_000)
    return context.new_page()


def report_first_claim(browser, base):
    reader = reader_tab(browser)
    reader.goto(f"{base}/articles/{LDN}/")
    reader.locator(".report-problem a").first.click()
    expect(reader.locator("h1")).to_have_text("Report a problem with this claim")
    reader.fill("textarea[name=problem]", PROBLEM)
    reader.fill("input[name=source]", "https://pubmed.ncbi.nlm.nih.gov/")
    reader.click("button:has-text('Send my report')")
    expect(reader.locator(".thanks")).to_contain_text("Your report has reached our managing editors")
    return reader


def test_a_reader_reports_a_claim_and_a_managing_editor_marks_it_investigating(browser, demo_site):
    base = demo_site
    reader = report_first_claim(browser, base)
    shot(reader, "problem-report-1-thanked")

    managing = signed_in(browser, base, "managing")
    managing.goto(f"{base}/review/readers/reports/")
    entry = managing.locator(".problem-report-entry").first
    expect(entry).to_contain_text(PROBLEM)
    expect(entry.locator(".report-state")).to_have_text("New")
    expect(entry.locator(".report-actions")).to_contain_text("Hold the article")
    entry.locator("button:has-text('Mark as investigating')").click()
    expect(managing.locator(".alert-success")).to_contain_text("is now marked “Investigating”")
    expect(managing.locator(".problem-report-entry .report-state").first).to_have_text("Investigating")
    shot(managing, "problem-report-2-investigating")


def test_problem_report_pages_have_no_wcag_a_or_aa_violations(browser, demo_site):
    if not AXE_JS.exists():
        tool_missing(f"axe-core is not installed ({AXE_JS}): npm ci --ignore-scripts")
    base = demo_site
    reader = reader_tab(browser)
    reader.goto(f"{base}/articles/{LDN}/")
    reader.locator(".report-problem a").first.click()
    found = {}
    if violations := axe_violations(reader):
        found["reader's form"] = violations
    reader.click("button:has-text('Send my report')")  # empty: the errors shown back
    if violations := axe_violations(reader):
        found["reader's form with errors"] = violations
    report_first_claim(browser, base)
    managing = signed_in(browser, base, "managing")
    for name, path in {"queue": "/review/readers/reports/", "new only": "/review/readers/reports/?state=new"}.items():
        managing.goto(f"{base}{path}")
        if violations := axe_violations(managing):
            found[name] = violations
    managing.locator(".problem-report-entry h2 a").first.click()
    if violations := axe_violations(managing):
        found["one report"] = violations
    assert found == {}, f"axe found WCAG 2 A/AA violations:\n{describe_violations(found)}"


def test_problem_report_pages_report_no_csp_violation(browser, demo_site):
    base = demo_site
    report_first_claim(browser, base)
    reader = enforcing_tab(browser, base)
    reader.goto(f"{base}/articles/{LDN}/")
    form = reader.locator(".report-problem a").first.get_attribute("href")
    managing = enforcing_tab(browser, base, "managing")

    found = {
        "reader's form": violations_on(reader, f"{base}{form}"),
        "queue": violations_on(managing, f"{base}/review/readers/reports/"),
    }

    assert found == {name: [] for name in found}
