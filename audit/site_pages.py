"""The audit's promises about the site's own pages: readers see approved words, and sign-offs record them.

A version of a page counts as approved from the moment its second valid
approval was recorded: one by a managing editor and one by a board member, two
people other than its drafter, each on the version's own hash, and the version
still rehashing to that hash. Read once for the whole library: the site's pages
have few versions.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from editorial.models import SignOff
from ledger.models import Link
from ledger.services import Failure
from reader.models import EditorialPage, EditorialPageDecision, EditorialPageVersion, page_version_hash
from reader.page_versions import DISCLAIMER

PAGE = EditorialPage._meta.db_table
VERSION = EditorialPageVersion._meta.db_table
SIGN_OFF = SignOff._meta.db_table
ROLE, DECISION = EditorialPageDecision.Role, EditorialPageDecision.Decision
SIGN_OFFS_AT_A_TIME = 5_000


@dataclass(frozen=True)
class VersionRecord:
    """What the audit knows of one version: its place, whether its words are intact, when it was approved."""

    pk: int
    page_id: int
    number: int
    title: str
    is_intact: bool
    approved_at: datetime | None

    def __str__(self):
        return f"version {self.number} of “{self.title}” ({VERSION} row {self.pk})"


def read_versions() -> dict[int, VersionRecord]:
    """Every version of every page, by id, with the time its approval became valid (or None)."""
    decisions = defaultdict(list)
    for decision in EditorialPageDecision.objects.filter(decision=DECISION.APPROVE):
        decisions[decision.version_id].append(decision)
    records = {}
    for version in EditorialPageVersion.objects.select_related("page"):
        intact = page_version_hash(version.content()) == version.content_hash
        records[version.pk] = VersionRecord(
            pk=version.pk,
            page_id=version.page_id,
            number=version.number,
            title=version.title,
            is_intact=intact,
            approved_at=_valid_approval_time(version, decisions[version.pk]) if intact else None,
        )
    return records


def _valid_approval_time(version: EditorialPageVersion, approvals: list) -> datetime | None:
    """When the version had one valid approval in each role from two people other than its drafter; else None."""
    valid = [
        approval
        for approval in approvals
        if approval.content_hash == version.content_hash and approval.decided_by_id != version.drafted_by_id
    ]
    by_role = {role: [a for a in valid if a.role == role] for role in (ROLE.MANAGING_EDITOR, ROLE.BOARD_MEMBER)}
    pairs = [
        max(editor.created_at, member.created_at)
        for editor in by_role[ROLE.MANAGING_EDITOR]
        for member in by_role[ROLE.BOARD_MEMBER]
        if editor.decided_by_id != member.decided_by_id
    ]
    return min(pairs) if pairs else None


def in_force_at(versions: dict[int, VersionRecord], page_id: int, moment: datetime) -> VersionRecord | None:
    """The approved version of the page readers were served at `moment`: the newest approved by then."""
    approved = [v for v in versions.values() if v.page_id == page_id and v.approved_at and v.approved_at <= moment]
    return max(approved, key=lambda version: (version.approved_at, version.number), default=None)


def readers_are_served_approved_pages(versions: dict[int, VersionRecord]) -> list[Failure]:
    """Each page readers can read shows an approved version whose words are intact, and the newest approved one."""
    failures = []
    for page in EditorialPage.objects.order_by("pk"):
        served = versions.get(page.live_version_id)
        newest = max(
            (v for v in versions.values() if v.page_id == page.pk and v.approved_at),
            key=lambda version: (version.approved_at, version.number),
            default=None,
        )
        if served is None:
            failures.append(Failure(PAGE, page.pk, f"readers of “{page.title}” are served no version of it."))
        elif not served.is_intact:
            failures.append(
                Failure(VERSION, served.pk, f"{served}, which readers are served, no longer hashes to its hash.")
            )
        elif served.approved_at is None:
            failures.append(
                Failure(
                    PAGE,
                    page.pk,
                    f"readers are served {served}, which a managing editor and a board member never both approved.",
                )
            )
        elif newest is not None and newest.pk != served.pk:
            failures.append(Failure(PAGE, page.pk, f"readers are served {served}, not {newest}, the newest approved."))
    return failures


def sign_offs_record_an_approved_disclaimer(versions: dict[int, VersionRecord]) -> list[Failure]:
    """Each sign-off chained since sign-offs record the disclaimer names the approved version in force when signed."""
    disclaimer = EditorialPage.objects.filter(slug=DISCLAIMER).values_list("pk", flat=True).first()
    recording = Link.objects.filter(kind=Link.Kind.SIGN_OFF, canonical_version__gte=2).values("record_id")
    sign_offs = (
        SignOff.objects.filter(pk__in=recording)
        .order_by("pk")
        .values_list("pk", "created_at", "disclaimer_version_id")
        .iterator(chunk_size=SIGN_OFFS_AT_A_TIME)
    )
    failures = []
    for sign_off_id, signed_at, version_id in sign_offs:
        problem = _disclaimer_problem(versions, disclaimer, signed_at, version_id)
        if problem:
            failures.append(Failure(SIGN_OFF, sign_off_id, problem))
    return failures


def _disclaimer_problem(versions, disclaimer_page_id, signed_at, version_id) -> str:
    in_force = in_force_at(versions, disclaimer_page_id, signed_at) if disclaimer_page_id else None
    if version_id is None:
        return f"it records no disclaimer version, though {in_force} was in force." if in_force else ""
    recorded = versions.get(version_id)
    if recorded is None or recorded.page_id != disclaimer_page_id:
        return f"it records {VERSION} row {version_id} as its disclaimer, which is not a version of the disclaimer."
    if not recorded.is_intact:
        return f"it records {recorded}, which no longer hashes to its hash."
    if recorded.approved_at is None or recorded.approved_at > signed_at:
        return f"it records {recorded}, which was not approved when it was signed."
    if in_force is not None and in_force.pk != recorded.pk:
        return f"it records {recorded}, but {in_force} was in force when it was signed."
    return ""


def site_pages_are_approved() -> list[Failure]:
    """Readers are served approved versions of the site's pages; each sign-off recorded the approved disclaimer."""
    versions = read_versions()
    return readers_are_served_approved_pages(versions) + sign_offs_record_an_approved_disclaimer(versions)
