"""The reader pages, and the outside expert's pages, are valid HTML, as the W3C Nu HTML Checker (vnu.jar) reads them.

No browser: Django's test client renders the pages, and one run of the checker
reads them all. Needs Java and `npm ci --ignore-scripts` (for node_modules/vnu-jar).
"""

import shutil
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from editorial.demo import demo_seed
from editorial.experts.services import expert_link_create
from editorial.models import ArticleWorkflow
from tests.browser.conftest import NODE_MODULES, PAGES, tool_missing

pytestmark = [pytest.mark.django_db, pytest.mark.html_validity]

EXPERT_SLUG = "metformin-chronic-kidney-disease"  # a demo article in review
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java is None:
        tool_missing("Java is not installed: apt-get install -y default-jre-headless")
    if not VNU_JAR.exists():
        tool_missing(f"The Nu HTML Checker is not installed ({VNU_JAR}): npm ci --ignore-scripts")
    return [java, "-jar", str(VNU_JAR), "--errors-only", "--stdout"]


def test_reader_pages_have_no_html_errors(client, tmp_path):
    command = vnu_command()
    demo_seed()
    cache.clear()  # whole-page cache entries from an earlier test's data would be stale
    files = []
    for name, path in PAGES.items():
        response = client.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)

    result = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, timeout=120, check=False)  # noqa: S603

    errors = (result.stdout + result.stderr).replace(f"file:{tmp_path}/", "")
    assert (result.returncode, errors) == (0, ""), f"vnu found HTML errors:\n{errors}"


# The review desk's pages, each as the person who works on it sees it (the demo's accounts).
DESK_PAGES = {
    "queue-member": ("dr.okafor", "/review/"),
    "queue-managing": ("managing", "/review/"),
    "list-assigned": ("dr.okafor", "/review/queues/assigned/"),
    "list-in-progress": ("managing", "/review/queues/in-progress/"),
    "review": ("dr.okafor", "/review/low-dose-naltrexone-chronic-pain/r2/"),
    "threads": ("editor2", "/review/vitamin-d-fracture-prevention-older-adults/threads/"),
    "inbox": ("editor", "/review/editors/inbox/"),
    "review-with-threads": ("dr.lindqvist", "/review/vitamin-d-fracture-prevention-older-adults/r1/"),
}


def test_desk_pages_have_no_html_errors(client, tmp_path):
    from django.contrib.auth import get_user_model

    command = vnu_command()
    demo_seed()
    files = []
    for name, (username, path) in DESK_PAGES.items():
        client.force_login(get_user_model().objects.get(username=username))
        response = client.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)

    result = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, timeout=120, check=False)  # noqa: S603

    errors = (result.stdout + result.stderr).replace(f"file:{tmp_path}/", "")
    assert (result.returncode, errors) == (0, ""), f"vnu found HTML errors:\n{errors}"


def test_expert_pages_have_no_html_errors(client, tmp_path):
    """The expert's page (before and after a comment, and refused) and the managing editors' page of links."""
    command = vnu_command()
    demo_seed()
    cache.clear()  # the rate limits count in the cache
    managing = get_user_model().objects.get(username="managing")
    revision = ArticleWorkflow.objects.get(article__slug=EXPERT_SLUG).current_revision
    _, token = expert_link_create(
        revision=revision,
        user=managing,
        name="Dr Ines Varga",
        credentials="MD, PhD",
        email="ines.varga@example.org",
        conflict_statement="None declared.",
    )
    expert = reverse("experts:review", args=[EXPERT_SLUG, revision.number, token])
    comment = {"content_hash": revision.content_hash, "claim_uid": "", "flag": "note", "text": "A comment."}
    client.post(reverse("experts:comment", args=[EXPERT_SLUG, revision.number, token]), comment)
    pages = {
        "expert": client.get(expert + "?sent=1"),
        "expert-refused": client.get(reverse("experts:review", args=[EXPERT_SLUG, revision.number, "A" * 43])),
    }
    client.force_login(managing)
    invitation = {"revision": revision.number, "name": "Dr Two", "email": "two@example.org", "days": 14}
    pages["links-made"] = client.post(
        reverse("desk:experts", args=[EXPERT_SLUG]), {**invitation, "conflict_statement": "None declared."}
    )
    pages["links-refused"] = client.post(reverse("desk:experts", args=[EXPERT_SLUG]), invitation)
    assert {name: response.status_code for name, response in pages.items()} == {
        "expert": 200,
        "expert-refused": 404,
        "links-made": 200,
        "links-refused": 400,
    }
    files = []
    for name, response in pages.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)

    result = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, timeout=120, check=False)  # noqa: S603

    errors = (result.stdout + result.stderr).replace(f"file:{tmp_path}/", "")
    assert (result.returncode, errors) == (0, ""), f"vnu found HTML errors:\n{errors}"


def test_problem_report_pages_have_no_html_errors(client, tmp_path):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from editorial.models import ArticleWorkflow
    from reader.services import problem_report_file

    command = vnu_command()
    demo_seed()
    cache.clear()
    live = ArticleWorkflow.objects.get(article__slug="low-dose-naltrexone-chronic-pain").live_revision
    uid = live.content["sections"][0]["claims"][0]["uid"]
    report = problem_report_file(revision=live, claim_uid=uid, problem="The starting dose looks too high here.")
    form = reverse("reader:report_problem", args=[live.article.slug, uid])
    files = []

    def keep(name, response, status=200):
        assert response.status_code == status, f"{name} answered {response.status_code}"
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)

    keep("report-form", client.get(form))
    keep("report-form-errors", client.post(form, {"problem": "Wrong."}), status=400)
    keep("report-thanks", client.get(form + "?sent=1"))
    client.force_login(get_user_model().objects.get(username="managing"))
    keep("report-queue", client.get(reverse("desk:problem_reports")))
    keep("report-one", client.get(reverse("desk:problem_report", args=[report.pk])))

    result = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, timeout=120, check=False)  # noqa: S603

    errors = (result.stdout + result.stderr).replace(f"file:{tmp_path}/", "")
    assert (result.returncode, errors) == (0, ""), f"vnu found HTML errors:\n{errors}"
