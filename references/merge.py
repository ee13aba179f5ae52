"""Merge references that are the same paper into one, keeping every citation and every retraction.

Callers run inside `config.history.acting_as(user)` or a request, so that each
history row the merge writes names the person who merged.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from config.history import save_if_changed
from config.text import counted
from references.duplicates import conflicting_identifier
from references.models import MergedReference, Reference

# Filled on the kept reference where it is blank, from the first duplicate that has a value.
FILLABLE_FIELDS = ("doi", "pmid", "pmcid", "authors", "editors", "source", "year", "volume", "issue", "pages", "url")
STANDING_FIELDS = ("retraction_status", "retraction_date", "retraction_source")
# How grave a standing is: the merged reference takes the gravest, so a merge never hides a retraction.
GRAVITY = {
    Reference.Retraction.STANDS: 0,
    Reference.Retraction.EXPRESSION_OF_CONCERN: 1,
    Reference.Retraction.RETRACTED: 2,
}
_PLURAL_LABELS = {"doi": "DOIs", "pmid": "PMIDs", "pmcid": "PMCIDs"}


class MergeRefused(ValueError):
    """References that cannot be merged as asked; `message` says why. Nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class MergeReport:
    citations_moved: int = 0  # citations that now point to the kept reference
    citations_dropped: int = 0  # citations deleted because their claim already cited the kept reference
    fields_filled: int = 0  # blank fields of the kept reference filled from the duplicates
    references_removed: int = 0  # duplicates deleted
    standing_taken: str = ""  # the retraction standing the kept reference took from a duplicate, if any

    def summary(self, keep: Reference) -> str:
        """The outcome as a sentence or two an editor reads."""
        parts = [f"{counted(self.citations_moved, 'citation')} moved"]
        if self.citations_dropped:
            parts.append(f"{counted(self.citations_dropped, 'citation')} removed where the claim already cited it")
        if self.fields_filled:
            parts.append(f"{counted(self.fields_filled, 'blank field')} filled")
        sentence = f"Merged {counted(self.references_removed, 'reference')} into “{keep.title}”: {', '.join(parts)}."
        if self.standing_taken:
            label = Reference.Retraction(self.standing_taken).label.lower()
            sentence += f" It is now marked “{label}”, as a merged duplicate was."
        return sentence


def user_can_merge_references(user) -> bool:
    """A merge changes one reference and deletes others, so it takes both permissions."""
    return user.has_perm("references.change_reference") and user.has_perm("references.delete_reference")


def references_merge(*, keep: Reference, duplicates: list[Reference]) -> MergeReport:
    """Merge `duplicates` into `keep`, then delete them.

    In one transaction, with all their rows locked: each citation of a
    duplicate is moved to `keep` and saved (a history row each), or deleted if
    its claim already cites `keep` (history records the deletion). Blank
    fields of `keep` are filled from the duplicates, in the order given,
    never overwriting a value; `keep` takes a duplicate's retraction or
    expression of concern when graver than its own. `keep` is saved only if
    something changed. Raises `MergeRefused`, changing nothing, for a
    reference merged into itself, for references whose identifiers show them
    to be different papers, or for one somebody else removed meanwhile.
    """
    duplicate_ids = list(dict.fromkeys(duplicate.pk for duplicate in duplicates))
    if keep.pk in duplicate_ids:
        raise MergeRefused(f"“{keep.title}” cannot be merged into itself. Choose the other references to merge.")
    if not duplicate_ids:
        raise MergeRefused("Choose at least one other reference to merge into the one you keep.")
    with transaction.atomic():
        locked = _lock(keep, duplicates, duplicate_ids)
        keep, duplicates = locked[keep.pk], [locked[pk] for pk in duplicate_ids]
        _refuse_different_papers([keep, *duplicates])
        moved, dropped = _move_citations(keep, duplicates)
        # The duplicates go before `keep` takes their identifiers, so uniqueness holds at every step,
        # and each duplicate's last history row (the deletion) still shows its identifiers.
        for duplicate in duplicates:
            duplicate._change_reason = f"Merged into reference {keep.pk}."
            _point_merged_ids_at(keep, duplicate)
            duplicate.delete()
        values, standing = _values_to_fill(keep, duplicates)
        keep._change_reason = "Filled from merged references " + ", ".join(str(pk) for pk in duplicate_ids) + "."
        try:
            save_if_changed(keep, values)
        except ValidationError as error:
            raise MergeRefused(f"“{keep.title}” cannot take the merged details: {' '.join(error.messages)}") from error
    return MergeReport(
        citations_moved=moved,
        citations_dropped=dropped,
        fields_filled=sum(1 for field in values if field in FILLABLE_FIELDS),
        references_removed=len(duplicates),
        standing_taken=standing,
    )


def _point_merged_ids_at(keep: Reference, duplicate: Reference) -> None:
    """Let the duplicate's id, and the ids merged into it before, lead to `keep` from now on."""
    for alias in MergedReference.objects.filter(reference=duplicate):
        alias.reference = keep
        alias.save()
    MergedReference.objects.create(merged_id=duplicate.pk, reference=keep)


def _lock(keep: Reference, duplicates: list[Reference], duplicate_ids: list[int]) -> dict[int, Reference]:
    """Lock and re-read every row, in id order so that two merges cannot deadlock."""
    ids = [keep.pk, *duplicate_ids]
    locked = {
        reference.pk: reference for reference in Reference.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    gone = [reference for reference in [keep, *duplicates] if reference.pk not in locked]
    if gone:
        titles = ", ".join(f"“{reference.title}”" for reference in gone)
        verb, pronoun = ("is", "it") if len(gone) == 1 else ("are", "them")
        raise MergeRefused(
            f"{titles} {verb} no longer in the library: somebody merged or deleted {pronoun} meanwhile. "
            "Reload the list and choose again."
        )
    return locked


def _refuse_different_papers(references: list[Reference]) -> None:
    for position, first in enumerate(references):
        for second in references[position + 1 :]:
            if field := conflicting_identifier(first, second):
                label = Reference._meta.get_field(field).verbose_name
                raise MergeRefused(
                    f"“{first.title}” ({label} {getattr(first, field)}) and “{second.title}” "
                    f"({label} {getattr(second, field)}) have different {_PLURAL_LABELS[field]}, "
                    "so they are different papers and cannot be merged."
                )


def _move_citations(keep: Reference, duplicates: list[Reference]) -> tuple[int, int]:
    """Point every citation of the duplicates at `keep`, one save each; drop those whose claim already cites it.

    A moved citation keeps its claim and its position, so the unique
    (claim, position) constraint cannot clash; the unique (claim, reference)
    one is kept by deleting instead of moving. A dropped citation leaves a gap
    in its claim's positions, which changes nothing on the page, whereas
    renumbering would write a history row for every citation after it.
    """
    citing_claims = set(keep.citations.values_list("claim_id", flat=True))
    moved = dropped = 0
    for duplicate in duplicates:
        for citation in duplicate.citations.select_for_update().order_by("pk"):
            citation._change_reason = f"Reference {duplicate.pk} merged into reference {keep.pk}."
            if citation.claim_id in citing_claims:
                citation.delete()
                dropped += 1
            else:
                save_if_changed(citation, {"reference_id": keep.pk})
                citing_claims.add(citation.claim_id)
                moved += 1
    return moved, dropped


def _values_to_fill(keep: Reference, duplicates: list[Reference]) -> tuple[dict, str]:
    """Return the values `keep` takes from the duplicates, and the standing it takes ('' if none)."""
    values = {}
    for field in FILLABLE_FIELDS:
        if _is_blank(getattr(keep, field)):
            donor = next((duplicate for duplicate in duplicates if not _is_blank(getattr(duplicate, field))), None)
            if donor is not None:
                values[field] = getattr(donor, field)
                if field == "authors":  # the list and its flag come with the string
                    values["author_list"], values["authors_et_al"] = donor.author_list, donor.authors_et_al
    gravest = max(duplicates, key=lambda duplicate: GRAVITY[duplicate.retraction_status])
    if GRAVITY[gravest.retraction_status] > GRAVITY[keep.retraction_status]:
        values.update({field: getattr(gravest, field) for field in STANDING_FIELDS})
        return values, gravest.retraction_status
    return values, ""


def _is_blank(value) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())
