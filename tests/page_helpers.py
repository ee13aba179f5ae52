"""The site's own pages through the real services: draft a version, and approve it as the two roles do."""

from reader.models import EditorialPage
from reader.page_versions import page_version_approve, page_version_draft, status_of
from tests.factories import ReviewerFactory

# What an article page's first render costs, whatever the article: its index row and stored page, none yet
# (1 query), the render (3: the workflow with its revisions and newest correction, the certifying sign-offs,
# the site texts) and storing the page (3, in a savepoint). Every later miss reads the stored page: 1 query.
FIRST_RENDER_QUERIES = 7


def drafted(slug, *, by, body, patient_body="", title=None):
    """A new version of the page `slug`, drafted by `by` from the newest version, waiting for approval."""
    page = EditorialPage.objects.get(slug=slug)
    newest = page.versions.order_by("-number").first()
    return page_version_draft(
        page=page,
        drafted_by=by,
        title=title or newest.title,
        body=body,
        patient_body=patient_body if page.has_patient_text else "",
        based_on=newest.number,
    )


def approved_by_both(version, *, managing_editor, member=None):
    """Approve `version` as a managing editor and a board member (a new one unless given) do."""
    member = member or ReviewerFactory()
    page_version_approve(version=version, user=managing_editor, content_hash=version.content_hash)
    page_version_approve(version=version, user=member.user, content_hash=version.content_hash)
    version.page.refresh_from_db()
    return version


def page_approved(slug, *, editor, managing_editor, body, patient_body="", member=None):
    """A new version of the page `slug`, drafted and approved: readers see it."""
    version = drafted(slug, by=editor, body=body, patient_body=patient_body)
    return approved_by_both(version, managing_editor=managing_editor, member=member)


def site_pages_approved(managing_editor, member=None):
    """Approve the words each page carried over from before versions, as a site does once after upgrading."""
    member = member or ReviewerFactory()
    for page in EditorialPage.objects.select_related("live_version"):
        if page.live_version and status_of(page.live_version).name == "PENDING":
            approved_by_both(page.live_version, managing_editor=managing_editor, member=member)
