"""The disclaimer under sign-off in a real browser, and the accessibility of its admin screens.

An editor drafts new words for patients, readers keep the approved ones; a managing
editor and a board member approve, and a patient reads the new words.
"""

import pytest
from django.contrib.auth import get_user_model

from reader.models import EditorialPage
from tests.browser.conftest import LDN, tool_missing
from tests.browser.test_desk_browser import shot, signed_in
from tests.browser.test_reader_browser import AXE_JS, axe_violations, describe_violations
from tests.page_helpers import drafted

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests (fails them under CI) and says why
    expect = None

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]

User = get_user_model()
NEW_WORDS = "Newly approved words for patients: ask your pharmacist before any change."


def read_as_patient(browser, base):
    tab = browser.new_context(bypass_csp=True).new_page()
    tab.context.add_cookies([{"name": "audience", "value": "patient", "url": base}])
    tab.goto(f"{base}/articles/{LDN}/")
    return tab


def decide(browser, base, username, page_id, number):
    tab = signed_in(browser, base, username)
    tab.goto(f"{base}/admin/reader/editorialpage/{page_id}/versions/{number}/")
    tab.click(f"input[value='Approve version {number}']")
    expect(tab.locator(".messagelist")).to_contain_text(f"You approved version {number}")
    return tab


def test_a_new_disclaimer_reaches_patients_only_after_both_approvals(browser, demo_site):
    base = demo_site
    page_id = EditorialPage.objects.get(slug="disclaimer").pk
    editor = signed_in(browser, base, "editor")
    editor.goto(f"{base}/admin/reader/editorialpage/{page_id}/change/")
    editor.fill("textarea[name=patient_body]", NEW_WORDS)
    editor.click("input[value='Record this version for approval']")
    expect(editor.locator(".messagelist")).to_contain_text("Readers keep seeing the version in force")
    shot(editor, "page-version-drafted")
    number = EditorialPage.objects.get(pk=page_id).versions.order_by("-number").first().number

    expect(read_as_patient(browser, base).locator("section.disclaimer")).not_to_contain_text(NEW_WORDS)
    decide(browser, base, "managing", page_id, number)
    expect(read_as_patient(browser, base).locator("section.disclaimer")).not_to_contain_text(NEW_WORDS)
    member = decide(browser, base, "dr.okafor", page_id, number)
    expect(member.locator(".messagelist")).to_contain_text("It is now in force")

    patient = read_as_patient(browser, base)
    expect(patient.locator("section.disclaimer")).to_contain_text(NEW_WORDS)
    expect(patient.locator("section.urgent-help")).to_contain_text("emergency number")


def test_page_version_screens_have_no_wcag_a_or_aa_violations(browser, demo_site):
    if not AXE_JS.exists():
        tool_missing(f"axe-core is not installed ({AXE_JS}): npm ci --ignore-scripts")
    base = demo_site
    page = EditorialPage.objects.get(slug="disclaimer")
    draft = drafted("disclaimer", by=User.objects.get(username="editor"), body="A draft.", patient_body="A draft.")
    pages = {
        "page screen (editor)": ("editor", f"/admin/reader/editorialpage/{page.pk}/change/"),
        "version screen (board member)": (
            "dr.okafor",
            f"/admin/reader/editorialpage/{page.pk}/versions/{draft.number}/",
        ),
    }
    found = {}
    for name, (username, path) in pages.items():
        tab = signed_in(browser, base, username)
        tab.goto(f"{base}{path}")
        violations = axe_violations(tab)
        if violations:
            found[name] = violations
        tab.context.close()
    assert found == {}, f"axe found WCAG 2 A/AA violations:\n{describe_violations(found)}"
