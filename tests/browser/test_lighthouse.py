"""Lighthouse's mobile audit scores every reader page 100 in all four categories.

Lighthouse (pinned in package.json) drives the system's Chromium with its default mobile
settings: a phone's screen, a slow 4G network and a four times slower processor, simulated.
The pages come from the demo content on the live server, one after the other so that no
two audits share the processor. The article is audited once in each audience's wording;
Lighthouse sends the reader's choice as the cookie our audience form sets.

Performance is timing, and timing depends on how busy the host's processor is: on a loaded
machine the same page's first layout takes several times longer, and the simulated slower phone
multiplies that again (Lighthouse's own notes on variability advise several runs). So a page
whose performance falls short is audited again, up to PERFORMANCE_RUNS times in all, and its
best run counts; a page that is slow for a reason of its own (a blocking script, a heavy
image) falls short every time. The other three categories do not depend on timing and are
judged on the first run.

Lighthouse itself sometimes fails to record a page load on a busy host ("Something went wrong
with recording the trace over your page load. Please run Lighthouse again. (NO_NAVSTART)"): a
runtime error of the tool, not a finding about the page, reported with exit status 1. Such a
run is repeated, up to RUNTIME_ERROR_ATTEMPTS times; a page that breaks Lighthouse every time
(a server error, a page that never paints) still fails the test, with the tool's last message.

Nothing is excluded. The live server speaks plain HTTP, but on localhost Chromium treats the
page as a secure context, so the HTTPS audits judge it as they would the production site;
static files are served uncompressed and without long cache lifetimes there, which
Lighthouse reports among its diagnostics but does not score (production serves them
compressed under hashed names, through WhiteNoise).
"""

import json
import os
import shutil
import subprocess

import pytest

from tests.browser.conftest import ARTIFACTS_DIR, LDN, NODE_MODULES, PAGES, tool_missing

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

LIGHTHOUSE = NODE_MODULES / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PERFORMANCE_RUNS = 3
RUNTIME_ERROR_ATTEMPTS = 4
RUNTIME_ERROR = "Runtime error encountered"
AUDITED = {
    "home": (PAGES["home"], None),
    "article for patients": (f"/articles/{LDN}/", "patient"),
    "article for clinicians": (f"/articles/{LDN}/", "clinician"),
    "article for students": (f"/articles/{LDN}/", "student"),
    "board": (PAGES["board"], None),
    "board member": (PAGES["board-member"], None),
    "editorial policy": (PAGES["policy"], None),
}


def lighthouse_report(url: str, audience: str | None, chromium: str) -> dict:
    """Run Lighthouse's default mobile audit of `url` and return its JSON report."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        "--quiet",
        "--disable-full-page-screenshot",  # a picture for people reading the report; no audit scores it
        "--form-factor=mobile",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
        f"--only-categories={','.join(CATEGORIES)}",
    ]
    if audience:
        command.append(f"--extra-headers={json.dumps({'Cookie': f'audience={audience}'})}")
    environment = {**os.environ, "CHROME_PATH": chromium}
    for _ in range(RUNTIME_ERROR_ATTEMPTS):
        finished = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False, env=environment)  # noqa: S603
        if RUNTIME_ERROR not in finished.stderr:
            break
    assert finished.returncode == 0, f"Lighthouse failed on {url}:\n{finished.stderr[-2000:]}"
    return json.loads(finished.stdout)


def performance(report: dict) -> float:
    return report["categories"]["performance"]["score"]


def audited(url: str, audience: str | None, chromium: str) -> dict:
    """Audit `url`; while its performance falls short, audit it again and keep the best performance run."""
    report = lighthouse_report(url, audience, chromium)
    for _ in range(PERFORMANCE_RUNS - 1):
        if performance(report) == 1:
            break
        again = lighthouse_report(url, audience, chromium)
        if performance(again) > performance(report):
            report["categories"]["performance"] = again["categories"]["performance"]
            for ref in again["categories"]["performance"]["auditRefs"]:
                report["audits"][ref["id"]] = again["audits"][ref["id"]]
    return report


def shortfalls(report: dict) -> dict[str, list[str]]:
    """Name, per category below 100, the scored audits that cost it points."""
    found = {}
    for name, category in report["categories"].items():
        if category["score"] == 1:
            continue
        audits = (report["audits"][ref["id"]] for ref in category["auditRefs"] if ref["weight"] > 0)
        found[f"{name} {round(category['score'] * 100)}"] = [
            f"{audit['id']}: {audit['title']} {audit.get('displayValue', '')}".rstrip()
            for audit in audits
            if audit["score"] is not None and audit["score"] < 1
        ]
    return found


def test_reader_pages_score_100_in_every_lighthouse_category_on_a_phone(demo_site):
    if not LIGHTHOUSE.exists():
        tool_missing(f"Lighthouse is not installed ({LIGHTHOUSE}): npm ci --ignore-scripts")
    chromium = shutil.which("chromium")
    if chromium is None:
        tool_missing("Chromium is not installed: apt-get install -y chromium fonts-liberation")
    reports = {name: audited(f"{demo_site}{path}", audience, chromium) for name, (path, audience) in AUDITED.items()}

    scores = {
        name: {category: report["categories"][category]["score"] for category in CATEGORIES}
        for name, report in reports.items()
    }

    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS_DIR / "lighthouse-scores.json").write_text(json.dumps(scores, indent=2))
    failing = {name: shortfalls(report) for name, report in reports.items() if shortfalls(report)}
    assert scores == {name: dict.fromkeys(CATEGORIES, 1) for name in AUDITED}, json.dumps(failing, indent=2)
