"""The reader site in a real browser: citations, audience wording, layouts and accessibility.

Each test gets the demo content from a live server; screenshots are kept under
test-artifacts/screenshots/ for people to look at.
"""

import json

import pytest

from articles.documents import PLAIN_CERTAINTY
from articles.models import Certainty
from editorial.demo import DEMO_CORRECTION
from reader.selectors import article_page
from tests.browser.conftest import DESKTOP, LDN, NODE_MODULES, PAGES, PHONE, SCREENSHOTS_DIR, tool_missing

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips these tests (fails them under CI) and says why
    expect = None

pytestmark = [
    # The live server's threads must see committed rows; the roles and editorial pages that the
    # data migrations created are restored after each test's flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
SCREENSHOT_PAGES = ["article", "home", "board", "policy"]
HIGHLIGHT = "rgb(232, 241, 251)"  # --accent-soft: the reference or claim a reader has just jumped to


def live_claim(slug: str, lead_in: str) -> dict:
    """Return the claim introduced by `lead_in` in the revision readers see."""
    document = article_page(slug).revision.content
    return next(claim for section in document["sections"] for claim in section["claims"] if claim["lead_in"] == lead_in)


def hash_of(page) -> str:
    return page.evaluate("() => location.hash")


def test_citation_leads_to_its_reference_and_backlink_returns_to_it(page, demo_site):
    page.goto(f"{demo_site}{PAGES['article']}")
    citation = page.locator("sup.cite a").first
    citation_id = citation.get_attribute("id")
    reference_number = citation.inner_text()
    reference = page.locator(f"li#ref-{reference_number}")
    expect(reference).not_to_be_in_viewport()

    citation.click()

    assert hash_of(page) == f"#ref-{reference_number}"
    expect(page.locator(":target")).to_have_attribute("id", f"ref-{reference_number}")
    expect(reference).to_be_in_viewport()
    backlink = reference.locator(f'a.backlink[href="#{citation_id}"]')

    backlink.click()

    assert hash_of(page) == f"#{citation_id}"
    expect(page.locator(":target")).to_have_attribute("id", citation_id)
    expect(citation).to_be_in_viewport()
    expect(reference).not_to_be_in_viewport()


def test_a_reference_cited_twice_links_back_to_each_citing_claim(page, demo_site):
    page.goto(f"{demo_site}{PAGES['article']}")
    citations = page.locator('sup.cite a[href="#ref-3"]')
    citation_ids = [citations.nth(index).get_attribute("id") for index in range(citations.count())]
    assert len(citation_ids) > 1

    backlinks = page.locator("li#ref-3 a.backlink")

    assert [backlinks.nth(index).get_attribute("href") for index in range(backlinks.count())] == [
        f"#{citation_id}" for citation_id in citation_ids
    ]
    assert backlinks.nth(1).inner_text() == "b"


def test_coming_back_from_a_reference_highlights_the_claim_that_cites_it(page, demo_site):
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}{PAGES['article']}")
    citation = page.locator('sup.cite a[href="#ref-3"]').nth(1)
    citation_id = citation.get_attribute("id")
    claim = citation.locator("xpath=ancestor::li[contains(@class, 'claim')]")
    expect(claim).not_to_have_css("background-color", HIGHLIGHT)
    citation.click()
    expect(page.locator("li#ref-3")).to_have_css("background-color", HIGHLIGHT)

    page.locator(f'li#ref-3 a.backlink[href="#{citation_id}"]').click()

    expect(claim).to_have_css("background-color", HIGHLIGHT)
    expect(claim).to_be_in_viewport()
    expect(page.locator("li.claim").filter(has=page.locator(":target"))).to_have_count(1)


def test_citation_links_are_big_enough_to_tap_on_a_phone(page, demo_site):
    """Each citation number is a target of at least 24 by 24 CSS pixels (WCAG 2.5.8)."""
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}{PAGES['article']}")

    sizes = page.locator("sup.cite a").evaluate_all(
        "links => links.map(link => { const box = link.getBoundingClientRect(); return [box.width, box.height]; })"
    )

    assert sizes, "the article cites references"
    assert [size for size in sizes if size[0] < 24 or size[1] < 24] == []


def test_on_a_phone_the_short_answer_starts_on_the_first_screen(page, demo_site):
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}{PAGES['article']}")

    answer_top = page.locator(".lede").bounding_box()["y"]

    assert answer_top < PHONE["height"], (
        f"the short answer starts {answer_top:.0f} px down a {PHONE['height']} px screen"
    )
    expect(page.get_by_role("button", name="Patient or caregiver")).to_be_in_viewport()
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()


def test_the_review_line_opens_to_the_full_review_panel(page, demo_site):
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}{PAGES['article']}")
    trust_line = page.locator("details.trust > summary")
    expect(trust_line).to_contain_text("Approved")
    expect(trust_line).to_contain_text("Medically reviewed by Dr Amara Okafor and Dr Claire Moreau")
    facts = page.locator(".review-facts")
    expect(facts).to_be_hidden()

    trust_line.click()

    expect(facts).to_be_visible()
    expect(facts).to_contain_text("Last reviewed")
    expect(page.get_by_role("link", name="Dr Amara Okafor, MD, MPH")).to_be_visible()
    expect(page.locator(".stepper")).to_be_visible()

    trust_line.click()

    expect(facts).to_be_hidden()


def test_audience_buttons_switch_claim_to_plain_wording_and_back(page, demo_site):
    claim = live_claim(LDN, "Starting dose")
    assert claim["plain_text"] != claim["text"]
    page.goto(f"{demo_site}{PAGES['article']}")
    shown = page.locator(f"#claim-{claim['uid']}")
    expect(shown).to_contain_text(claim["text"])
    expect(page.get_by_role("button", name="Clinician")).to_have_attribute("aria-pressed", "true")

    page.get_by_role("button", name="Patient or caregiver").click()

    expect(page).to_have_url(f"{demo_site}{PAGES['article']}")
    expect(page.get_by_role("button", name="Patient or caregiver")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Clinician")).to_have_attribute("aria-pressed", "false")
    expect(shown).to_contain_text(claim["plain_text"])
    expect(shown).not_to_contain_text(claim["text"])

    page.get_by_role("button", name="Clinician").click()

    expect(page).to_have_url(f"{demo_site}{PAGES['article']}")
    expect(page.get_by_role("button", name="Clinician")).to_have_attribute("aria-pressed", "true")
    expect(shown).to_contain_text(claim["text"])
    expect(shown).not_to_contain_text(claim["plain_text"])


def test_pages_fit_phone_and_desktop_widths(page, demo_site):
    """Keep a phone (390 px) and a desktop screenshot of each page; none may scroll sideways.

    One test for all pages: seeding the demo content is most of the cost of a test.
    """
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    overflows = {}
    for name in SCREENSHOT_PAGES:
        for width_name, viewport in [("phone", PHONE), ("desktop", DESKTOP)]:
            page.set_viewport_size(viewport)
            page.goto(f"{demo_site}{PAGES[name]}")
            page.screenshot(path=SCREENSHOTS_DIR / f"{name}-{width_name}.png", full_page=True)
            overflows[f"{name}-{width_name}"] = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )

    assert overflows == {key: 0 for key in overflows}, "pages that scroll sideways (px)"


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})).violations"
    )


def describe_violations(violations_by_page: dict[str, list[dict]]) -> str:
    lines = []
    for path, violations in violations_by_page.items():
        for violation in violations:
            lines.append(
                f"{path} [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
            )
            for node in violation["nodes"]:
                lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
                lines.extend(f"        {line}" for line in node["failureSummary"].splitlines())
    return "\n".join(lines)


def test_pages_have_no_wcag_a_or_aa_violations(page, demo_site):
    """axe-core finds nothing against WCAG 2 A and AA on any reader page (one test: seeding is slow)."""
    if not AXE_JS.exists():
        tool_missing(f"axe-core is not installed ({AXE_JS}): npm ci --ignore-scripts")
    violations_by_page = {}
    for path in PAGES.values():
        page.goto(f"{demo_site}{path}")
        violations_by_page[path] = axe_violations(page)

    found = {path: violations for path, violations in violations_by_page.items() if violations}

    assert found == {}, f"axe found WCAG 2 A/AA violations:\n{describe_violations(found)}"


def test_a_reader_follows_the_correction_notice_to_the_change_history(page, demo_site):
    """The notice at the top of a corrected answer leads to its entry in the change history, which passes axe."""
    if not AXE_JS.exists():
        tool_missing(f"axe-core is not installed ({AXE_JS}): npm ci --ignore-scripts")
    page.goto(f"{demo_site}{PAGES['corrected-article']}")
    notice = page.locator("[data-flag=correction]")
    expect(notice).to_contain_text("Corrected on")
    expect(notice).to_contain_text(DEMO_CORRECTION)

    notice.get_by_role("link").click()

    expect(page).to_have_url(f"{demo_site}{PAGES['change-history']}#revision-2")
    expect(page.locator("#revision-2")).to_contain_text(f"Correction. {DEMO_CORRECTION}")
    expect(page.locator("#revision-1")).to_contain_text("First published.")
    violations = axe_violations(page)
    assert violations == [], describe_violations({PAGES["change-history"]: violations})


def test_a_clinician_follows_a_grade_to_its_legend_and_a_patient_reads_plain_words(page, demo_site):
    """A graded claim links to the legend for clinicians; patients read our plain words; both pages pass axe."""
    if not AXE_JS.exists():
        tool_missing(f"axe-core is not installed ({AXE_JS}): npm ci --ignore-scripts")
    claim = live_claim(LDN, "2024 systematic review")
    assert claim["certainty"] == "low"
    page.goto(f"{demo_site}{PAGES['article']}")
    grade = page.locator(f"#claim-{claim['uid']} .claim-grade a")
    legend = page.locator("#grade-legend")
    expect(grade).to_have_text("Evidence grade: low certainty")
    assert grade.evaluate("link => link.getBoundingClientRect().height") >= 24  # WCAG 2.5.8, as the citations

    grade.click()

    assert hash_of(page) == "#grade-legend"
    expect(legend).to_be_in_viewport()
    expect(legend.get_by_role("heading", name="About the evidence grades")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Patient or caregiver").click()

    expect(page.locator(f"#claim-{claim['uid']} .claim-grade-plain")).to_have_text(PLAIN_CERTAINTY[Certainty.LOW])
    expect(legend).to_have_count(0)
    expect(page.locator(".claim-grade")).to_have_count(0)
    violations = axe_violations(page)
    assert violations == [], describe_violations({PAGES["article"]: violations})
