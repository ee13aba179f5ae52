"""The strict Content-Security-Policy breaks nothing: Chromium reports no violation.

Tabs here enforce the policy (no `bypass_csp`) and record every `securitypolicyviolation`
event from the first script on, on the reader's article page, the desk's review page, the
article's sign-off report and the admin's article page, including the admin's autocomplete and nested inlines in use.
"""

import pytest

from editorial.demo import DEFAULT_DEMO_PASSWORD
from tests.browser.conftest import DESKTOP, LDN

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => window.cspViolations.push(
  `${event.violatedDirective} blocked ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`));
"""


def enforcing_tab(browser, base, username=None):
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(10_000)
    context.add_init_script(RECORD_VIOLATIONS)
    tab = context.new_page()
    if username:
        tab.goto(f"{base}/admin/login/")
        tab.fill("#id_username", username)
        tab.fill("#id_password", DEFAULT_DEMO_PASSWORD)
        tab.click("input[type=submit]")
    return tab


def violations_on(tab, url):
    tab.goto(url, wait_until="networkidle")
    return tab.evaluate("window.cspViolations")


def test_reader_desk_and_admin_pages_report_no_violation(browser, demo_site):
    base = demo_site
    reader = enforcing_tab(browser, base)
    member = enforcing_tab(browser, base, "dr.okafor")
    admin = enforcing_tab(browser, base, "admin")

    found = {
        "reader article": violations_on(reader, f"{base}/articles/{LDN}/"),
        "desk review": violations_on(member, f"{base}/review/{LDN}/r2/"),
        "admin article list": violations_on(admin, f"{base}/admin/articles/article/?q={LDN}"),
    }
    report = member.locator("a.report-link").get_attribute("href")  # linked from the desk's review page
    found["sign-off report"] = violations_on(member, f"{base}{report}")
    admin.click("#result_list tbody tr a >> nth=0")
    admin.wait_for_load_state("networkidle")
    admin.locator(".select2-selection").first.click()  # the references' autocomplete
    admin.keyboard.type("nal")
    admin.locator(".select2-results__option").first.wait_for()
    admin.keyboard.press("Escape")
    found["admin article page"] = admin.evaluate("window.cspViolations")

    assert found == {name: [] for name in found}
