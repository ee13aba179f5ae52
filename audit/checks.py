"""The promises the audit keeps for every article readers can see, one check each.

A check takes a batch of live articles (`LiveBatch`: their workflows, live
revisions, certifying approvals and served pages, read once for the whole
batch) and the facts read once for the whole library (`Library`), and returns
the `Failure`s where its promise does not hold. The library-wide checks (the
chains, the seals) run once over all the articles. `manage.py audit` only
orders, prints and counts them.
"""

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from django.utils import timezone

from articles.documents import AUDIENCES
from audit.pages import OVERDUE_FLAG, ServedPage, page_fetch, reader_client, words_expected
from config.text import counted
from editorial.evidence import flagged_references, live_articles_citing_flagged_evidence
from editorial.evidence_flags import evidence_flags_differences
from editorial.models import (
    ArticleWorkflow,
    CitedReference,
    Reviewer,
    Revision,
    RevisionSearchText,
    SignOff,
    search_text_of,
)
from editorial.revisions import revision_is_intact
from ledger.seals import SealSummary, verify_seals
from ledger.services import BATCH as LEDGER_BATCH
from ledger.services import Failure, verify
from ledger.services import Summary as LedgerSummary

ARTICLE = "articles_article"
REFERENCE = "references_reference"
REVISION = Revision._meta.db_table
SIGN_OFF = SignOff._meta.db_table
WORKFLOW = ArticleWorkflow._meta.db_table


@dataclass
class Counts:
    """What the audit read, for its summary."""

    articles: int = 0
    pages: int = 0
    approvals: int = 0
    ledger: LedgerSummary = field(default_factory=LedgerSummary)
    seals: SealSummary = field(default_factory=SealSummary)


@dataclass(frozen=True)
class MemberAsOf:
    """A board member's profile as its history recorded it at one moment."""

    is_active: bool
    credentials: str


class Library:
    """Facts about the whole library that the per-article checks consult: read once per audit."""

    def __init__(self, *, today: date | None = None):
        self.today = today or timezone.localdate()
        self.client = reader_client()
        self.flagged_references = flagged_references(None)
        self.flagged = {
            entry.article.pk: entry
            for entry in live_articles_citing_flagged_evidence()
            if entry.has_retracted_reference
        }
        self._member_history = self._read_member_history()

    def member_as_of(self, reviewer_id: int, moment: datetime) -> MemberAsOf | None:
        """The member's profile as it stood at `moment`, from its history; None if it did not exist then."""
        dates, versions = self._member_history.get(reviewer_id, ((), ()))
        index = bisect_right(dates, moment)
        return versions[index - 1] if index else None

    @staticmethod
    def _read_member_history() -> dict[int, tuple[list, list]]:
        """Every version of every board profile, by profile, in time order (the board is small: one query)."""
        history: dict[int, tuple[list, list]] = {}
        rows = Reviewer.history.order_by("id", "history_date", "history_id").values_list(
            "id", "history_date", "history_type", "is_active", "credentials"
        )
        for reviewer_id, when, kind, is_active, credentials in rows:
            dates, versions = history.setdefault(reviewer_id, ([], []))
            dates.append(when)
            versions.append(None if kind == "-" else MemberAsOf(is_active=is_active, credentials=credentials))
        return history


class LiveBatch:
    """A batch of live articles with what the checks need, each read in one query for the batch."""

    def __init__(self, article_ids: list[int], library: Library, counts: Counts):
        self.library, self.counts = library, counts
        self.workflows = list(
            ArticleWorkflow.objects.filter(article_id__in=article_ids, live_revision__isnull=False)
            .select_related("article", "live_revision__search_text", "current_revision")
            .order_by("article_id")
        )
        counts.articles += len(self.workflows)

    @cached_property
    def approvals(self) -> dict[int, list[SignOff]]:
        """The approvals that certified each article's live revision (`SignOff.objects.certifying`), by article."""
        rounds = {workflow.live_revision_id: workflow for workflow in self.workflows}
        found: dict[int, list[SignOff]] = {workflow.article_id: [] for workflow in self.workflows}
        sign_offs = SignOff.objects.filter(revision_id__in=rounds, decision=SignOff.Decision.APPROVE).order_by(
            "created_at", "id"
        )
        for sign_off in sign_offs.select_related("reviewer"):
            workflow = rounds[sign_off.revision_id]
            if sign_off.round == (workflow.certified_round or 1):
                found[workflow.article_id].append(sign_off)
        self.counts.approvals += sum(len(approvals) for approvals in found.values())
        return found

    @cached_property
    def contributors(self) -> dict[int, set[int]]:
        """Who wrote each live revision's words, by revision: none of them may approve it."""
        through = Revision.contributors.through
        found: dict[int, set[int]] = {}
        rows = through.objects.filter(revision_id__in=[w.live_revision_id for w in self.workflows])
        for revision_id, user_id in rows.values_list("revision_id", "user_id"):
            found.setdefault(revision_id, set()).add(user_id)
        return found

    @cached_property
    def pages(self) -> dict[int, list[ServedPage]]:
        """Every page readers are served of each article: each audience, compressed and not, by article."""
        found = {}
        for workflow in self.workflows:
            slug = workflow.live_revision.content["slug"]
            found[workflow.article_id] = [
                page for audience in AUDIENCES for page in page_fetch(self.library.client, slug=slug, audience=audience)
            ]
            self.counts.pages += len(found[workflow.article_id])
        return found


# The per-article checks, in the order the audit runs them.


def served_pages_show_the_approved_words(batch: LiveBatch) -> list[Failure]:
    """Every page readers are served shows exactly the live revision's words: all of them, and no others."""
    failures = []
    for workflow in batch.workflows:
        revision = workflow.live_revision
        claims = sum(len(section["claims"]) for section in revision.content["sections"])
        for page in batch.pages[workflow.article_id]:
            where = f"its page for {page.audience} readers at {page.url} ({page.encoding})"
            if page.status != 200:
                failures.append(Failure(ARTICLE, workflow.article_id, f"{where} answers {page.status}, not 200."))
                continue
            expected = words_expected(revision.content, page.audience)
            if page.words != expected:
                difference = _first_difference(expected, page.words)
                failures.append(
                    Failure(
                        ARTICLE, workflow.article_id, f"{where} differs from revision {revision.number}: {difference}"
                    )
                )
            elif page.claim_like != claims:
                failures.append(
                    Failure(
                        ARTICLE,
                        workflow.article_id,
                        f"{where} shows {page.claim_like} claims; revision {revision.number} has {claims}.",
                    )
                )
    return failures


def live_revisions_rehash_to_their_hash(batch: LiveBatch) -> list[Failure]:
    """Each live revision's content still hashes to the hash recorded when it was frozen and signed."""
    return [
        Failure(
            REVISION,
            workflow.live_revision_id,
            f"revision {workflow.live_revision.number} of article {workflow.article_id} no longer hashes to "
            f"its recorded hash {workflow.live_revision.short_hash}.",
        )
        for workflow in batch.workflows
        if not revision_is_intact(workflow.live_revision)
    ]


def approvals_meet_the_quorum(batch: LiveBatch) -> list[Failure]:
    """The live revision has its quorum of valid approvals from distinct people (a member's profiles are one).

    Valid: signed on the revision's exact hash, by the profile's own account,
    with the checklist attested and a conflict declaration recorded, by a member
    who was active and had credentials at the time (read from the profile's
    history), and who did not write the words.
    """
    failures = []
    for workflow in batch.workflows:
        revision = workflow.live_revision
        signers = set()
        for sign_off in batch.approvals[workflow.article_id]:
            problem = _approval_problem(sign_off, revision, batch)
            if problem:
                failures.append(Failure(SIGN_OFF, sign_off.pk, f"does not count towards the quorum: {problem}."))
            else:
                signers.add(sign_off.reviewer.member_key)  # a member's profiles for two accounts are one person
        if len(signers) < workflow.required_approvals:
            failures.append(
                Failure(
                    WORKFLOW,
                    workflow.pk,
                    f"revision {revision.number} of article {workflow.article_id} is live with "
                    f"{counted(len(signers), 'valid approval')} of the {workflow.required_approvals} its quorum needs.",
                )
            )
    return failures


def claims_cite_a_reference(batch: LiveBatch) -> list[Failure]:
    """Every claim of the live revision cites at least one reference, and only references in its list."""
    failures = []
    for workflow in batch.workflows:
        revision = workflow.live_revision
        numbers = {reference["number"] for reference in revision.content["references"]}
        for section in revision.content["sections"]:
            for position, claim in enumerate(section["claims"], start=1):
                where = f"claim {position} of “{section['heading']}” ({claim['uid']}) in revision {revision.number}"
                if not claim["citations"]:
                    failures.append(Failure(REVISION, revision.pk, f"{where} cites no reference."))
                elif missing := sorted(set(claim["citations"]) - numbers):
                    failures.append(
                        Failure(REVISION, revision.pk, f"{where} cites reference {missing[0]}, which it does not list.")
                    )
    return failures


def retracted_references_have_an_open_fix(batch: LiveBatch) -> list[Failure]:
    """No live revision cites a retracted reference unless a revision without it is in review (an open fix)."""
    failures = []
    for workflow in batch.workflows:
        flagged = batch.library.flagged.get(workflow.article_id)
        if flagged is None:
            continue
        for citation in flagged.citations:
            if citation.is_retracted and citation.is_cited_by_revision_in_review is not False:
                fix = (
                    "no revision in review to replace it"
                    if flagged.revision_in_review is None
                    else "the revision in review citing it too"
                )
                failures.append(
                    Failure(
                        REFERENCE,
                        citation.reference.pk,
                        f"is retracted and cited as reference {citation.number} by the live revision of "
                        f"article {workflow.article_id}, with {fix}.",
                    )
                )
    return failures


def review_is_ahead_or_flagged_overdue(batch: LiveBatch) -> list[Failure]:
    """The next review date is set and ahead, or every page readers are served flags the review as overdue."""
    failures = []
    for workflow in batch.workflows:
        if workflow.next_review_due is None:
            failures.append(Failure(WORKFLOW, workflow.pk, f"article {workflow.article_id} has no next review date."))
            continue
        overdue = workflow.review_overdue_on(batch.library.today)
        for page in batch.pages[workflow.article_id]:
            if page.status == 200 and (OVERDUE_FLAG in page.flags) != overdue:
                state = "does not flag its review overdue" if overdue else "flags its review overdue"
                failures.append(
                    Failure(
                        WORKFLOW,
                        workflow.pk,
                        f"article {workflow.article_id}'s review is due on {workflow.next_review_due.isoformat()}, "
                        f"but its page for {page.audience} readers at {page.url} ({page.encoding}) {state}.",
                    )
                )
    return failures


def citation_index_matches_the_live_revisions(batch: LiveBatch) -> list[Failure]:
    """The citation index lists exactly the references each live revision cites (it finds retracted evidence)."""
    indexed: dict[int, set[int]] = {workflow.live_revision_id: set() for workflow in batch.workflows}
    rows = CitedReference.objects.filter(revision_id__in=indexed).values_list("revision_id", "reference_id")
    for revision_id, reference_id in rows:
        indexed[revision_id].add(reference_id)
    failures = []
    for workflow in batch.workflows:
        revision = workflow.live_revision
        cited = {reference["id"] for reference in revision.content["references"]}
        if indexed[revision.pk] != cited:
            missing, extra = sorted(cited - indexed[revision.pk]), sorted(indexed[revision.pk] - cited)
            failures.append(
                Failure(
                    REVISION,
                    revision.pk,
                    f"the citation index of revision {revision.number} of article {workflow.article_id} "
                    f"lacks references {missing or 'none'} and lists others {extra or 'none'}: retracted "
                    "evidence it cites may go unflagged.",
                )
            )
    return failures


def evidence_flags_match_the_live_revisions(batch: LiveBatch) -> list[Failure]:
    """Each live article's stored evidence flag is what its live revision and the library give now.

    The retracted-evidence list, its filter and the desk read these flags: a
    stale one hides an article citing retracted evidence, or lists one that no
    longer does (`manage.py evidence_flags_rebuild` recomputes them).
    """
    article_ids = [workflow.article_id for workflow in batch.workflows]
    return [
        Failure(
            ARTICLE,
            article_id,
            f"article {article_id}'s stored evidence flag differs from its live revision's citations "
            "and the references' standing now.",
        )
        for article_id in evidence_flags_differences(article_ids=article_ids, flagged=batch.library.flagged_references)
    ]


def search_text_matches_the_live_revisions(batch: LiveBatch) -> list[Failure]:
    """Each live revision's stored search text is its content's words as plain text (the index copies it).

    A revision without one (made outside `revision_create`) is no failure: the
    index reads its words out of its content instead.
    """
    failures = []
    for workflow in batch.workflows:
        revision = workflow.live_revision
        try:
            stored = revision.search_text
        except RevisionSearchText.DoesNotExist:
            continue
        expected = search_text_of(revision)
        if (stored.lede, stored.plain_lede, stored.body) != (expected.lede, expected.plain_lede, expected.body):
            failures.append(
                Failure(
                    REVISION,
                    revision.pk,
                    f"the stored search text of revision {revision.number} of article {workflow.article_id} "
                    "differs from its words: the reader's search index would find it by words readers do not read.",
                )
            )
    return failures


ARTICLE_CHECKS: tuple[Callable[[LiveBatch], list[Failure]], ...] = (
    served_pages_show_the_approved_words,
    live_revisions_rehash_to_their_hash,
    citation_index_matches_the_live_revisions,
    evidence_flags_match_the_live_revisions,
    search_text_matches_the_live_revisions,
    approvals_meet_the_quorum,
    claims_cite_a_reference,
    retracted_references_have_an_open_fix,
    review_is_ahead_or_flagged_overdue,
)


# The checks over the whole library.


def chains_are_intact(
    article_ids: Iterable[int],
    *,
    counts: Counts,
    batch: int = LEDGER_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> list[Failure]:
    """Every audit event and sign-off of these articles is linked, unchanged, in an unbroken, checkpointed chain."""
    return verify(list(article_ids), batch=batch, progress=progress, summary=counts.ledger)


def history_rows_match_their_seals(
    *, counts: Counts, progress: Callable[[int, int], None] | None = None
) -> list[Failure]:
    """Every sealed history row, revision, contributor and claim note is as it was sealed; the seals chain.

    Rows newer than the last seal are not covered yet: they are counted, not failed.
    """
    return verify_seals(progress=progress, summary=counts.seals)


def live_article_ids() -> list[int]:
    """The articles whose approved words readers can see now, by id (`ArticleWorkflow.is_live`).

    Articles shown under the pending caution have no approved words to audit,
    and held or withdrawn ones show readers a notice, not words.
    """
    return list(ArticleWorkflow.objects.live().order_by("article_id").values_list("article_id", flat=True))


# Helpers.


def _approval_problem(sign_off: SignOff, revision: Revision, batch: LiveBatch) -> str:
    """Why an approval does not count, or "" if it does."""
    if sign_off.content_hash != revision.content_hash:
        return f"it was signed on hash {sign_off.content_hash[:12]}, not the revision's {revision.short_hash}"
    if sign_off.signed_by_id != sign_off.reviewer.user_id:
        return "it was signed by an account other than the board profile's"
    if not all(getattr(sign_off, item) for item in SignOff.CHECKLIST):
        return "its checklist is not fully attested"
    if sign_off.conflict not in SignOff.Conflict.values or (
        sign_off.conflict == SignOff.Conflict.DISCLOSED and not sign_off.conflict_disclosure.strip()
    ):
        return "it records no conflict-of-interest declaration"
    member = batch.library.member_as_of(sign_off.reviewer_id, sign_off.created_at)
    if member is None:
        return f"board profile {sign_off.reviewer_id} has no history at the time it was signed"
    if not member.is_active:
        return f"board profile {sign_off.reviewer_id} was inactive when it was signed"
    if not member.credentials.strip():
        return f"board profile {sign_off.reviewer_id} had no credentials when it was signed"
    if sign_off.signed_by_id in batch.contributors.get(revision.pk, ()):
        return "its signer helped write the revision"
    return ""


def _first_difference(expected: tuple, shown: tuple) -> str:
    """Describe the first place where the page's words part from the revision's."""
    for want, got in zip(expected, shown, strict=False):
        if want != got:
            return f"at {want[0]} it shows “{_clip(got[1])}” ({got[0]}) instead of “{_clip(want[1])}”."
    if len(shown) < len(expected):
        marker, text = expected[len(shown)]
        return f"it lacks {marker} “{_clip(text)}”."
    marker, text = shown[len(expected)]
    return f"it shows {marker} “{_clip(text)}”, which the revision does not have."


def _clip(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
