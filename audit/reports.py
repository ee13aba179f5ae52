"""The rows of the sign-off reports: one shape for the printable page, the JSON and the CSV.

A row is one sign-off, read with everything an auditor asks about it years
later: the exact words (revision number and content hash), the review round and
when that round certified the words, the board member as their profile stood
when they signed (from the profile's history, not as it reads today), the
account that signed, the attestations, the conflict declared, and the sign-off's
link in the article's tamper-evident chain (`docs/ledger.md`).

Every value but the claim attestations is read by one query, whatever the number
of rows: the profile as it was, the certification time and the chain link are
correlated subqueries; the claim attestations are one more query per chunk of
rows. So the library-wide export can stream with `iterator()` and never loads
the whole record at once. `docs/reports.md` documents each column.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from django.db.models import IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from articles.models import Article
from editorial.models import AuditEvent, ClaimAttestation, Reviewer, SignOff
from editorial.workflow import Action, State
from ledger.canonical import moment
from ledger.models import Link

FORMAT_VERSION = 1
NEVER_APPROVED = "This article has never been approved."
NO_SIGN_OFFS_IN_PERIOD = "No sign-offs were made in this period."


@dataclass(frozen=True)
class SignOffRow:
    """One sign-off as the reports show it; the field order is the CSV's column order."""

    article_id: int
    article_slug: str
    article_title: str
    revision_number: int | None
    content_hash: str
    signed_content_hash: str
    round: int | None
    round_certified: bool | None
    approved_at: datetime | None
    sign_off_id: int | None
    decision: str
    signed_at: datetime | None
    reviewer_id: int | None
    reviewer_name: str
    reviewer_credentials: str
    reviewer_registration: str
    reviewer_active: bool | None
    profile_as_of: datetime | None
    signed_by_id: int | None
    signed_by_username: str
    signed_by_name: str
    claims_accurate: bool | None
    citations_support_claims: bool | None
    doses_checked: bool | None
    patient_wording_faithful: bool | None
    comment: str
    conflict: str
    conflict_disclosure: str
    claim_attestations: list[dict] | None  # [{"uid", "hash"}] of the claims attested one by one
    disclaimer_version: dict | None  # {"id", "number", "content_hash"}; None: not recorded (signed before versions)
    ledger_sequence: int | None
    ledger_chain: str
    statement: str

    @property
    def is_approval(self) -> bool:
        return self.decision == SignOff.Decision.APPROVE

    @property
    def decision_label(self) -> str:
        return SignOff.Decision(self.decision).label if self.decision else ""

    @property
    def has_declared_conflict(self) -> bool:
        return self.conflict == SignOff.Conflict.DISCLOSED

    def attestations(self) -> list[tuple[str, bool | None]]:
        """The four checklist attestations, worded as the board member read them."""
        return [(ATTESTATION_WORDING[name], getattr(self, name)) for name in SignOff.CHECKLIST]

    def as_dict(self) -> dict:
        """The row with JSON's types: times in UTC ISO 8601 with microseconds, as the ledger writes them."""
        return {
            name: moment(value) if isinstance(value, datetime) else value
            for name, value in ((field.name, getattr(self, field.name)) for field in fields(self))
        }


COLUMNS = tuple(field.name for field in fields(SignOffRow))
_TEXT_COLUMNS = {field.name: field.type is str for field in fields(SignOffRow)}

ATTESTATION_WORDING = {
    "claims_accurate": "Every claim is accurate.",
    "citations_support_claims": "The citations support the claims.",
    "doses_checked": "Doses and numbers are checked.",
    "patient_wording_faithful": "The patient wording is faithful to the clinician version.",
}


@dataclass(frozen=True)
class Certification:
    """One revision approved in one review round, with every sign-off of that round."""

    revision_number: int
    content_hash: str
    round: int
    approved_at: datetime
    sign_offs: list[SignOffRow]

    @property
    def is_rereview(self) -> bool:
        return self.round > 1


@dataclass(frozen=True)
class ArticleReport:
    article: Article
    rows: list[SignOffRow]
    generated_at: datetime

    @property
    def is_never_approved(self) -> bool:
        return not self.rows

    @property
    def statement(self) -> str:
        return NEVER_APPROVED if self.is_never_approved else ""

    def certifications(self) -> list[Certification]:
        """The rows grouped by revision and round, oldest certification first."""
        groups: dict[tuple[int, int], list[SignOffRow]] = {}
        for row in self.rows:
            groups.setdefault((row.revision_number, row.round), []).append(row)
        return [
            Certification(
                revision_number=rows[0].revision_number,
                content_hash=rows[0].content_hash,
                round=rows[0].round,
                approved_at=rows[0].approved_at,
                sign_offs=rows,
            )
            for rows in groups.values()
        ]

    def verification(self) -> dict:
        return verification_commands(self.article.pk, [c.revision_number for c in self.certifications()])

    def as_dict(self) -> dict:
        return {
            "format_version": FORMAT_VERSION,
            "report": "article_sign_offs",
            "generated_at": moment(self.generated_at),
            "article": {"id": self.article.pk, "slug": self.article.slug, "title": self.article.title},
            "approved": not self.is_never_approved,
            "statement": self.statement or None,
            "sign_offs": [row.as_dict() for row in self.rows],
            "verification": self.verification(),
        }

    def csv_rows(self) -> list[SignOffRow]:
        """The CSV's rows: the sign-offs, or one row that says the article was never approved."""
        return self.rows or [statement_row(NEVER_APPROVED, article=self.article)]


def verification_commands(article_id: int, revision_numbers: Iterable[int] = ()) -> dict:
    """The commands that re-check a report from the database, for anyone with access to it."""
    numbers = sorted(set(revision_numbers))
    return {
        "ledger": f"python manage.py verify_ledger {article_id}",
        "audit": "python manage.py audit",
        "revision_hashes": [
            "python manage.py shell -c "
            f'"from editorial.models import Revision; from editorial.revisions import content_hash; '
            f"r = Revision.objects.get(article_id={article_id}, number={number}); "
            f'print(content_hash(r.content), content_hash(r.content) == r.content_hash)"'
            for number in numbers
        ],
    }


def article_sign_off_report(article: Article) -> ArticleReport:
    """Every sign-off of every review round that certified a revision of `article`, oldest first (one query).

    Requests for changes made in a certifying round are included: the auditor sees
    the whole round. Rounds that never reached approval are not part of this report.
    """
    sign_offs = _report_queryset(SignOff.objects.filter(revision__article=article)).filter(approved_at__isnull=False)
    rows = [_row(sign_off) for sign_off in sign_offs.order_by("revision__number", "round", "created_at", "pk")]
    return ArticleReport(article=article, rows=rows, generated_at=timezone.now())


def library_sign_offs(*, start: date, end: date, chunk_size: int = 500) -> Iterator[SignOffRow]:
    """Stream every sign-off made from `start` to `end` inclusive (site time zone), in signing order.

    One query, read in chunks: the export's memory and query count do not grow
    with the library. Rounds that did not (or not yet) certify are included,
    with `round_certified` False.
    """
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    sign_offs = _report_queryset(SignOff.objects.filter(created_at__gte=since, created_at__lt=until))
    for sign_off in sign_offs.order_by("created_at", "pk").iterator(chunk_size=chunk_size):
        yield _row(sign_off)


def statement_row(statement: str, *, article: Article | None = None) -> SignOffRow:
    """A row with no sign-off, saying why there is none (the CSV is never an unexplained empty file)."""
    empty = dict.fromkeys(COLUMNS)
    empty.update({name: "" for name, kind in _TEXT_COLUMNS.items() if kind})
    empty.update(
        article_id=article.pk if article else None,
        article_slug=article.slug if article else "",
        article_title=article.title if article else "",
        statement=statement,
    )
    return SignOffRow(**empty)


def _report_queryset(sign_offs: QuerySet) -> QuerySet:
    """Annotate each sign-off with its round's certification, its profile then, and its chain link."""
    return (
        sign_offs.select_related("revision__article", "reviewer", "signed_by", "disclaimer_version")
        .prefetch_related(Prefetch("claim_attestations", queryset=ClaimAttestation.objects.order_by("pk")))
        .defer("revision__content")  # the words themselves are not part of the report: their hash is
        .annotate(
            approved_at=Subquery(_certifying_events().values("created_at")[:1]),
            **{f"then_{name}": _profile_then(name) for name in PROFILE_FIELDS},
            then_as_of=_profile_then("history_date"),
            link_sequence=Subquery(_link().values("sequence")[:1]),
            link_chain=Subquery(_link().values("chain")[:1]),
        )
    )


PROFILE_FIELDS = ("display_name", "credentials", "registration", "is_active")


def _certifying_events() -> QuerySet:
    """The approval that brought the sign-off's revision, in its round, to quorum (approved, or scheduled).

    An approval below quorum leaves the state under review; events written
    before rounds were recorded carry no round and count as round 1.
    """
    event_round = Coalesce(Cast(KeyTextTransform("round", "data"), IntegerField()), Value(1))
    return (
        AuditEvent.objects.filter(
            action=Action.APPROVE,
            to_state__in=[State.APPROVED, State.SCHEDULED],
            revision_id=OuterRef("revision_id"),
        )
        .annotate(event_round=event_round)
        .filter(event_round=OuterRef("round"))
        .order_by("created_at", "pk")
    )


def _profile_then(field: str) -> Subquery:
    """The board profile's `field` in its last version saved at or before the sign-off."""
    versions = Reviewer.history.filter(id=OuterRef("reviewer_id"), history_date__lte=OuterRef("created_at"))
    return Subquery(versions.order_by("-history_date", "-history_id").values(field)[:1])


def _link() -> QuerySet:
    return Link.objects.filter(kind=Link.Kind.SIGN_OFF, record_id=OuterRef("pk"))


def _disclaimer(version) -> dict | None:
    """The disclaimer version a sign-off recorded, or None where it was signed before disclaimers were versioned."""
    if version is None:
        return None
    return {"id": version.pk, "number": version.number, "content_hash": version.content_hash}


def _row(sign_off: SignOff) -> SignOffRow:
    revision, reviewer, person = sign_off.revision, sign_off.reviewer, sign_off.signed_by
    # A profile with no version saved before the sign-off (made before its history was kept)
    # is shown as it is now; `profile_as_of` None says so.
    known = sign_off.then_as_of is not None
    return SignOffRow(
        article_id=revision.article_id,
        article_slug=revision.article.slug,
        article_title=revision.article.title,
        revision_number=revision.number,
        content_hash=revision.content_hash,
        signed_content_hash=sign_off.content_hash,
        round=sign_off.round,
        round_certified=sign_off.approved_at is not None,
        approved_at=sign_off.approved_at,
        sign_off_id=sign_off.pk,
        decision=sign_off.decision,
        signed_at=sign_off.created_at,
        reviewer_id=reviewer.pk,
        reviewer_name=sign_off.then_display_name if known else reviewer.display_name,
        reviewer_credentials=sign_off.then_credentials if known else reviewer.credentials,
        reviewer_registration=sign_off.then_registration if known else reviewer.registration,
        reviewer_active=bool(sign_off.then_is_active) if known else reviewer.is_active,
        profile_as_of=sign_off.then_as_of,
        signed_by_id=person.pk,
        signed_by_username=person.get_username(),
        signed_by_name=person.get_full_name(),
        claims_accurate=sign_off.claims_accurate,
        citations_support_claims=sign_off.citations_support_claims,
        doses_checked=sign_off.doses_checked,
        patient_wording_faithful=sign_off.patient_wording_faithful,
        comment=sign_off.comment,
        conflict=sign_off.conflict,
        conflict_disclosure=sign_off.conflict_disclosure,
        claim_attestations=[
            {"uid": str(attestation.claim_uid), "hash": attestation.claim_hash}
            for attestation in sign_off.claim_attestations.all()
        ],
        disclaimer_version=_disclaimer(sign_off.disclaimer_version),
        ledger_sequence=sign_off.link_sequence,
        ledger_chain=sign_off.link_chain or "",
        statement="",
    )
