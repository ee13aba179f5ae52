"""The evidence that claims cite."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from config.history import tracked_history
from references.formats.names import names_from_vancouver, valid_names, vancouver_authors
from references.identifiers import normalise_doi, normalise_pmcid, normalise_pmid

EARLIEST_YEAR = 1800
LATEST_YEAR = 2100  # the database's outer bound; clean() allows at most next year


class Reference(models.Model):
    """A published source: a guideline, a review, a trial or other research."""

    class Kind(models.TextChoices):
        GUIDELINE = "guideline", "Guideline"
        SYSTEMATIC_REVIEW = "systematic_review", "Systematic review"
        TRIAL = "trial", "Clinical trial"
        RESEARCH = "research", "Research"
        OTHER = "other", "Other"

    class WorkType(models.TextChoices):
        """What sort of publication it is, in CSL's words: a thesis and the paper from it, or a book
        and a review of it, can share a title and a year and still be two works."""

        ARTICLE = "article-journal", "Journal article"
        BOOK = "book", "Book"
        CHAPTER = "chapter", "Book chapter"
        THESIS = "thesis", "Thesis"
        REPORT = "report", "Report"
        WEBPAGE = "webpage", "Web page"
        DOCUMENT = "document", "Other document"

    class Retraction(models.TextChoices):
        STANDS = "", "Stands"
        EXPRESSION_OF_CONCERN = "expression_of_concern", "Expression of concern"
        RETRACTED = "retracted", "Retracted"

    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.RESEARCH)
    title = models.CharField(max_length=500)
    work_type = models.CharField(
        "type of work",
        max_length=32,
        choices=WorkType.choices,
        blank=True,
        help_text="As the reference manager's file said; blank when no file said.",
    )
    # The authors are the ordered list `author_list` (see references/formats/names.py for its shape)
    # and the flag `authors_et_al`; `authors` is the same list as one Vancouver string, kept in step
    # by `sync_authors`, for search, plain lines and the revisions frozen before names had structure.
    authors = models.CharField(
        max_length=1000,
        blank=True,
        editable=False,
        help_text="The authors as cited, for example “Younger J, Noor N, McCue R, et al.”, written from the list.",
    )
    author_list = models.JSONField(
        "authors",
        default=list,
        blank=True,
        help_text="Persons ({family, given, initials, suffix, orcid}) and organisations ({literal}), in order.",
    )
    authors_et_al = models.BooleanField(
        "et al.", default=False, help_text="The list is shortened: the work has more authors than it names."
    )
    editors = models.JSONField(
        default=list,
        blank=True,
        help_text="The editors of the book or collection, persons and organisations as for the authors, in order.",
    )
    source = models.CharField(max_length=300, blank=True, help_text="The journal, publisher or issuing body.")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    volume = models.CharField(max_length=32, blank=True)
    issue = models.CharField(max_length=32, blank=True)
    pages = models.CharField(max_length=32, blank=True, help_text="For example 2297-2312, or an article number.")
    doi = models.CharField(
        "DOI", max_length=255, blank=True, help_text="Any form: 10.1002/art.37734, doi:… or a doi.org link."
    )
    # Wider than a PMID so that a pasted PubMed link reaches clean_fields() and is normalised.
    pmid = models.CharField("PMID", max_length=64, blank=True, help_text="PubMed ID, 1 to 8 digits, or a PubMed link.")
    pmcid = models.CharField(
        "PMCID",
        max_length=64,
        blank=True,
        help_text="PubMed Central ID, for example PMC3570769, or a PMC link.",
    )
    url = models.URLField("URL", max_length=500, blank=True)
    retraction_status = models.CharField(
        max_length=32,
        choices=Retraction.choices,
        blank=True,
        default=Retraction.STANDS,
        help_text="A retracted reference blocks approval of any article that cites it.",
    )
    retraction_date = models.DateField(null=True, blank=True)
    retraction_source = models.CharField(
        max_length=300, blank=True, help_text="Where the notice was published: a journal notice, a database entry."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = tracked_history()

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["title"], name="reference_title")]  # the admin's list, a page at a time
        constraints = [
            models.UniqueConstraint(
                fields=["doi"],
                condition=~Q(doi=""),
                name="reference_unique_doi",
                violation_error_message="Another reference already has this DOI.",
            ),
            models.UniqueConstraint(
                fields=["pmid"],
                condition=~Q(pmid=""),
                name="reference_unique_pmid",
                violation_error_message="Another reference already has this PMID.",
            ),
            models.UniqueConstraint(
                fields=["pmcid"],
                condition=~Q(pmcid=""),
                name="reference_unique_pmcid",
                violation_error_message="Another reference already has this PMCID.",
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=EARLIEST_YEAR, year__lte=LATEST_YEAR),
                name="reference_year_plausible",
                violation_error_message=f"The year must be between {EARLIEST_YEAR} and {LATEST_YEAR}.",
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("title")), 0),
                name="reference_title_not_blank",
                violation_error_message="A reference needs a title.",
            ),
        ]

    def __str__(self):
        parts = [self.title]
        if self.source or self.year:
            parts.append(", ".join(str(p) for p in (self.source, self.year) if p))
        return " — ".join(parts)

    def save(self, *args, **kwargs):
        self.sync_authors()
        super().save(*args, **kwargs)
        self._loaded_authors = self._author_state()
        self._loaded_standing = self.standing

    @property
    def standing(self) -> tuple:
        """What flags the articles citing it: its retraction status and the date of the notice."""
        return (self.retraction_status, self.retraction_date)

    def standing_may_have_changed(self) -> bool:
        """Whether its standing may differ from the one it was read with (always, for one not read from the database).

        Read by the receivers of a save, before `save` records the new one:
        only a change of standing moves the flags of the articles citing it.
        """
        return getattr(self, "_loaded_standing", None) != self.standing

    def clean_fields(self, exclude=None):
        """Put identifiers in canonical form and the author string in step before any other check sees them."""
        errors = {}
        if problem := valid_names(self.author_list):
            errors["author_list"] = [ValidationError(problem, code="invalid_names")]
        else:
            self.sync_authors()
        if problem := valid_names(self.editors, "editor"):
            errors["editors"] = [ValidationError(problem, code="invalid_names")]
        for field, normalise in (
            ("doi", normalise_doi),
            ("pmid", normalise_pmid),
            ("pmcid", normalise_pmcid),
        ):
            try:
                setattr(self, field, normalise(getattr(self, field)))
            except ValidationError as error:
                errors[field] = error.error_list
        try:
            super().clean_fields(exclude=(exclude or set()) | set(errors))
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def clean(self):
        """Refuse blank titles and implausible years."""
        errors = {}
        self.title = (self.title or "").strip()
        if not self.title:
            errors["title"] = ValidationError("A reference needs a title.", code="required")
        latest = timezone.now().year + 1
        if self.year is not None and not EARLIEST_YEAR <= self.year <= latest:
            errors["year"] = ValidationError(
                "The year must be between %(earliest)s and %(latest)s.",
                code="implausible_year",
                params={"earliest": EARLIEST_YEAR, "latest": latest},
            )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values):
        reference = super().from_db(db, field_names, values)
        deferred = reference.get_deferred_fields()
        if not {"authors", "author_list", "authors_et_al"} & deferred:
            reference._loaded_authors = reference._author_state()
        if not {"retraction_status", "retraction_date"} & deferred:
            reference._loaded_standing = reference.standing
        return reference

    def _author_state(self) -> tuple:
        return (self.authors, self.author_list, self.authors_et_al)

    def sync_authors(self) -> None:
        """Keep the Vancouver string and the structured list saying the same.

        Whichever was changed since loading wins: a string set on its own (older
        code, fixtures, a merge filling a blank) is read into the list; a list
        set is written out as the string, unless the string already reads as
        exactly that list, so that strings stored before the list existed (and
        frozen into revisions) are never rewritten for nothing.
        """
        loaded = getattr(self, "_loaded_authors", None)
        structure = (self.author_list or [], bool(self.authors_et_al))
        string_only = loaded is not None and self.authors != loaded[0] and list(structure) == [*loaded[1:]]
        if string_only or (not structure[0] and not structure[1]):
            self.author_list, self.authors_et_al = names_from_vancouver(self.authors)
        elif names_from_vancouver(self.authors) != structure:
            self.authors = vancouver_authors(*structure)


class ReferenceImport(models.Model):
    """One reference file brought into the library: who brought it, the file itself, and what it did.

    An upload in the admin is kept here between its preview and the editor's
    confirmation; every import, from the admin or the command, stays here as
    the record of where the library's entries came from.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed, not imported"
        IMPORTED = "imported", "Imported"

    file_name = models.CharField(max_length=255)
    format = models.CharField(max_length=16)
    content = models.BinaryField(editable=False)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField(help_text="In bytes.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEWED)
    imported_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True, help_text="Entries by outcome: new, update, unchanged, error.")
    problems = models.JSONField(default=list, blank=True, help_text="[position, reason] for each entry not imported.")
    warnings = models.JSONField(
        default=list,
        blank=True,
        help_text="[position, warning] for each detail of an imported entry left out or kept as given.",
    )
    replaced_fields = models.JSONField(
        default=list,
        blank=True,
        help_text="The fields where the uploader chose the file's values over different ones in the library; "
        "elsewhere the import only filled empty fields.",
    )

    history = tracked_history(excluded_fields=["content"])  # the file never changes; keep one copy of it

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="previewed", imported_at__isnull=True)
                | Q(status="imported", imported_at__isnull=False),
                name="reference_import_imported_at_matches_status",
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display().lower()})"


class MergedReference(models.Model):
    """The id of a reference merged away, and the reference that absorbed it.

    Approved revisions freeze the ids of the references they cite; after a
    merge those ids still have to lead to the paper's standing today, so a
    retraction found on the surviving reference reaches them too.
    """

    merged_id = models.PositiveIntegerField(unique=True)
    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="merged_ids")
    merged_at = models.DateTimeField(auto_now_add=True)

    history = tracked_history()

    class Meta:
        ordering = ["merged_id"]

    def __str__(self):
        return f"Reference {self.merged_id}, merged into {self.reference_id}"


def references_by_id(ids) -> dict[int, Reference]:
    """The references now standing for these ids, merged-away ids included (two queries at most).

    An id that was neither kept nor merged (a reference deleted outright) is absent.
    """
    ids = set(ids)
    found = Reference.objects.in_bulk(ids)
    missing = ids - found.keys()
    if missing:
        for alias in MergedReference.objects.filter(merged_id__in=missing).select_related("reference"):
            found[alias.merged_id] = alias.reference
    return found
