"""The article editor's page in a real browser: it fits a laptop screen, its boxes show their text,
axe finds nothing, sections, claims and citations are added and saved, claims are dragged into a
new order, and unsaved changes are not lost without a word."""

import pytest
from playwright.sync_api import expect

from articles.models import Article
from editorial.demo import DEFAULT_DEMO_PASSWORD
from tests.browser.conftest import DESKTOP, LDN, SCREENSHOTS_DIR, tool_missing
from tests.browser.test_reader_browser import AXE_JS, axe_violations, describe_violations

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.browser]


def editor_tab(browser, base, *, bypass_csp=False):
    """The demo administrator's tab on the LDN article's change page, at 1,280 px."""
    context = browser.new_context(viewport=DESKTOP, bypass_csp=bypass_csp)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto(f"{base}/admin/login/")
    tab.fill("#id_username", "admin")
    tab.fill("#id_password", DEFAULT_DEMO_PASSWORD)
    tab.click("input[type=submit]")
    article = Article.objects.get(slug=LDN)
    tab.goto(f"{base}/admin/articles/article/{article.pk}/change/", wait_until="load")
    return tab


def shot(tab, name):
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOTS_DIR / f"article-editor-{name}.png", full_page=True)


def test_article_editor_does_not_scroll_sideways_at_1280_px(browser, demo_site):
    tab = editor_tab(browser, demo_site)
    shot(tab, "1280")

    widths = tab.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")

    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"


def test_lede_box_shows_all_its_text(browser, demo_site):
    tab = editor_tab(browser, demo_site)

    lede = tab.evaluate(
        "() => { const box = document.getElementById('id_lede'); return [box.scrollHeight, box.clientHeight]; }"
    )

    assert lede[0] <= lede[1], f"the lede needs {lede[0]} px but its box is {lede[1]} px high"


def test_article_editor_has_no_wcag_a_or_aa_violations(browser, demo_site):
    if not AXE_JS.exists():
        tool_missing(f"axe-core is not installed ({AXE_JS}): npm ci --ignore-scripts")
    tab = editor_tab(browser, demo_site, bypass_csp=True)  # lets the test inject axe-core

    violations = axe_violations(tab)

    assert violations == [], describe_violations({"article editor": violations})


def test_citation_added_in_the_editor_is_saved_and_numbered(browser, demo_site):
    tab = editor_tab(browser, demo_site)
    claim = tab.locator("#sections-0-claims-0")
    citations = claim.locator(".citation-rows > li")
    expect(citations).to_have_count(1)

    claim.locator("button.citation-add").click()
    citations.nth(1).locator(".select2-selection").click()
    tab.keyboard.type("Cranberries")
    tab.locator(".select2-results__option:not(.loading-results)").first.click()
    tab.click("input[name=_continue]")

    expect(tab.locator(".messagelist .success")).to_be_visible()
    claim_row = Article.objects.get(slug=LDN).sections.first().claims.first()
    assert [c.order for c in claim_row.citations.all()] == [0, 1]
    expect(claim.locator(".citation-rows > li .reader-number")).to_have_count(2)
    shot(tab, "citation-added")


def test_claim_added_in_the_second_section_is_saved_there(browser, demo_site):
    sections = list(Article.objects.get(slug=LDN).sections.all())
    claims_before = [section.claims.count() for section in sections]
    tab = editor_tab(browser, demo_site)

    # The page carries one template of a new claim; the script gave this section its copy.
    tab.locator("#sections-1-claims-group > .djn-add-item .djn-add-handler").click()
    claim = tab.locator(f"#sections-1-claims-{claims_before[1]}")
    claim.locator("textarea[name$='-text']").fill("A claim added to the second section.")
    tab.click("input[name=_continue]")

    expect(tab.locator(".messagelist .success")).to_be_visible()
    assert [section.claims.count() for section in sections] == [
        count + (position == 1) for position, count in enumerate(claims_before)
    ]
    added = sections[1].claims.order_by("order").last()
    assert (added.text, added.order) == ("A claim added to the second section.", claims_before[1])


def test_claim_added_in_a_new_section_is_saved_there(browser, demo_site):
    article = Article.objects.get(slug=LDN)
    new = article.sections.count()
    tab = editor_tab(browser, demo_site)

    tab.locator("#sections-group > .djn-add-item .djn-add-handler").click()
    tab.fill(f"#id_sections-{new}-heading", "A section added in the editor")
    tab.locator(f"#sections-{new}-claims-group > .djn-add-item .djn-add-handler").click()
    tab.fill(f"#id_sections-{new}-claims-0-text", "A claim of the added section.")
    tab.click("input[name=_continue]")

    expect(tab.locator(".messagelist .success")).to_be_visible()
    added = article.sections.order_by("order").last()
    assert (added.heading, [claim.text for claim in added.claims.all()]) == (
        "A section added in the editor",
        ["A claim of the added section."],
    )


def test_claims_dragged_into_a_new_order_are_saved_in_it(browser, demo_site):
    section = Article.objects.get(slug=LDN).sections.order_by("order").first()
    before = list(section.claims.order_by("order").values_list("pk", flat=True))
    tab = editor_tab(browser, demo_site)
    second, first = tab.locator("#sections-0-claims-1 > h3"), tab.locator("#sections-0-claims-0 > h3")
    first.scroll_into_view_if_needed()
    tab.evaluate("() => window.scrollBy(0, 150)")  # both headings in the window, the mouse can reach them
    start, end = second.bounding_box(), first.bounding_box()

    # The second claim dragged by its heading above the first (jQuery UI follows the mouse, not drag events).
    tab.mouse.move(start["x"] + 30, start["y"] + 5)
    tab.mouse.down()
    tab.mouse.move(start["x"] + 30, start["y"] + 15, steps=5)
    tab.mouse.move(end["x"] + 30, end["y"] - 2, steps=30)
    tab.mouse.up()
    tab.click("input[name=_continue]")

    expect(tab.locator(".messagelist .success")).to_be_visible()
    assert list(section.claims.order_by("order").values_list("pk", flat=True)) == [before[1], before[0], *before[2:]]


def test_leaving_with_unsaved_changes_asks_first(browser, demo_site):
    tab = editor_tab(browser, demo_site)

    tab.fill("#id_lede", "A lede typed and never saved.")
    with tab.expect_event("dialog") as asked:
        tab.close(run_before_unload=True)

    assert asked.value.type == "beforeunload"
    asked.value.dismiss()


def test_leaving_an_untouched_page_asks_nothing(browser, demo_site):
    tab = editor_tab(browser, demo_site)
    asked = []
    tab.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))

    tab.goto(f"{demo_site}/admin/")

    assert asked == []
