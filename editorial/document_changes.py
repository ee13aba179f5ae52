"""What changed between two revision documents, everywhere a change would change the hash.

A sign-off is worth what the reviewer was shown. `document_changes` lists each
difference in words a physician can scan (the question, the ledes, sections,
claims in both audiences' wordings, citations, reference details), and then
checks each part once more by its canonical JSON: any difference the listed
kinds did not cover is still reported, as "another field changed", so no
hash-changing difference can be missed in silence. A new field of the
document is shown that way until it is given a label in `ARTICLE_FIELDS`.

Every text is diffed by `editorial.diffs.word_diff`, within its work budget.
"""

import hashlib
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from articles.documents import CLAIM_GRADE_KEYS
from articles.models import Certainty, Strength
from config.text import counted
from editorial.corrections import ChangeType
from editorial.diffs import REFERENCE_FIELDS, word_diff
from editorial.revisions import canonical_json
from references.formats.names import vancouver_authors

# The article's own fields, in reading order, with the words a reviewer knows them by. The
# disclaimer is not one: it is the site's, versioned and approved on its own, shown on the desk
# beside the article and recorded with each sign-off (reader.page_versions).
ARTICLE_FIELDS = (
    ("question", "Question"),
    ("title", "Title"),
    ("lede", "Lede (clinicians)"),
    ("plain_lede", "Lede (patients)"),
    ("specialty", "Specialty"),
    ("slug", "Web address"),
    ("change_type", "Kind of change"),
    ("change_summary", "Summary for readers"),
)
SECTION_FIELDS = (("heading", "Heading"), ("level", "Heading level"), ("intro", "Introduction"))
CLAIM_FIELDS = (
    ("lead_in", "Lead-in"),
    ("text", "Clinician wording"),
    ("plain_text", "Patient wording"),
    ("certainty", "Certainty of evidence (GRADE)"),
    ("strength", "Strength of recommendation (GRADE)"),
)
_ARTICLE_PARTS = {"sections", "references"}
_SECTION_PARTS = {"claims"}
_CLAIM_PARTS = {"uid", "citations"}


@dataclass
class FieldChange:
    """One text or value that changed: its label, and the new text with words removed and added marked."""

    label: str
    diff: SafeString | str
    was_empty: bool = False
    is_empty: bool = False


@dataclass
class SectionChange:
    status: str  # "added", "removed", "changed" or "moved"
    heading: str
    position: int  # 1-based, in the newer document (in the older one for a removed section)
    fields: list[FieldChange] = field(default_factory=list)
    moved_from: int | None = None


@dataclass
class ClaimChange:
    uid: str
    status: str  # "added", "removed", "changed", "moved" or "unchanged"
    number: int  # 1-based through the whole newer document (the older one for a removed claim)
    section: str
    lead_in: str
    text: str
    plain_text: str
    certainty: str = ""  # the GRADE grade in the words the editor chose it by; empty when ungraded
    strength: str = ""
    fields: list[FieldChange] = field(default_factory=list)
    citation_notes: list[str] = field(default_factory=list)
    moved_from: str = ""  # the section it was under, when it moved to another one
    is_moved: bool = False  # to another section, or to another place among its section's claims

    @property
    def is_changed(self) -> bool:
        return self.status != "unchanged"

    @property
    def anchor(self) -> str:
        return f"change-claim-{self.uid}"

    def wordings(self) -> list[tuple[str, SafeString | str, bool]]:
        """(label, text, changed) for the lead-in, both audiences' wordings and the grade, the diff where one changed.

        A reviewer reads the whole claim, not only its changed words: a grade that changed
        shows even when no word did. Other changed fields follow.
        """
        diffs = {change.label: change.diff for change in self.fields}
        rows = []
        for key, label in CLAIM_FIELDS:
            current = getattr(self, key)
            if label in diffs or current:
                rows.append((label, diffs.get(label, current), label in diffs))
        labels = {label for _, label in CLAIM_FIELDS}
        rows += [(change.label, change.diff, True) for change in self.fields if change.label not in labels]
        return rows


@dataclass
class DocumentChanges:
    fields: list[FieldChange] = field(default_factory=list)
    sections: list[SectionChange] = field(default_factory=list)
    claims: list[ClaimChange] = field(default_factory=list)  # every claim, unchanged ones too
    references: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # differences no listed kind covered

    @property
    def changed_claims(self) -> list[ClaimChange]:
        return [claim for claim in self.claims if claim.is_changed]

    @property
    def has_changes(self) -> bool:
        return bool(self.fields or self.sections or self.changed_claims or self.references or self.others)

    def summary(self) -> list[tuple[str, str]]:
        """Short phrases for the top of the page, each with the anchor (suffix) of its details."""
        phrases = [(f"{change.label} changed", "fields") for change in self.fields]
        for status in ("added", "removed", "changed"):
            count = sum(1 for section in self.sections if section.status == status)
            if count:
                phrases.append((f"{counted(count, 'section')} {status}", "sections"))
        moved = sum(1 for section in self.sections if section.moved_from)
        if moved:
            phrases.append((f"{counted(moved, 'section')} moved", "sections"))
        for status in ("added", "removed", "changed"):
            claims = [claim for claim in self.claims if claim.status == status]
            if claims:
                phrases.append((f"{counted(len(claims), 'claim')} {status}", claims[0].anchor))
        moved = [claim for claim in self.claims if claim.is_moved]
        if moved:
            phrases.append((f"{counted(len(moved), 'claim')} moved", moved[0].anchor))
        for claim in self.claims:
            if any(note.startswith("Citations reordered") for note in claim.citation_notes):
                phrases.append((f"citations reordered in claim {claim.number}", claim.anchor))
        if self.references:
            phrases.append((f"{counted(len(self.references), 'reference detail')} changed", "references"))
        if self.others:
            phrases.append((f"{counted(len(self.others), 'other change')}", "others"))
        return phrases


def claim_hash(claim: dict) -> str:
    """Return the SHA-256 hex digest of a claim as it is in its revision document (canonical JSON)."""
    return hashlib.sha256(canonical_json(claim).encode("utf-8")).hexdigest()


def claim_wording(content: dict, claim_uid) -> tuple[str, ...] | None:
    """The words readers read of a claim of `content` (`CLAIM_FIELDS`, not citations); None if it has no such claim."""
    for section in content["sections"]:
        for claim in section["claims"]:
            if claim["uid"] == str(claim_uid):
                return tuple(claim.get(key, "") for key, _ in CLAIM_FIELDS)
    return None


def claim_words_changed(old: dict, new: dict, claim_uid) -> bool:
    """Whether readers of `new` read other words for the claim than readers of `old` did, or no claim at all."""
    return claim_wording(old, claim_uid) != claim_wording(new, claim_uid)


def claims_to_attest(content: dict, live_content: dict | None) -> dict[str, tuple[int, str]]:
    """{uid: (claim number, claim hash)} of the claims of `content` added or changed since the live words.

    A claim is changed when its hash differs, whatever part of it changed. With no live
    revision, or for the live words themselves, nothing is to attest claim by claim.
    """
    if live_content is None:
        return {}
    live = {claim["uid"]: claim_hash(claim) for section in live_content["sections"] for claim in section["claims"]}
    claims = [claim for section in content["sections"] for claim in section["claims"]]
    hashes = {claim["uid"]: (number, claim_hash(claim)) for number, claim in enumerate(claims, start=1)}
    return {uid: (number, digest) for uid, (number, digest) in hashes.items() if live.get(uid) != digest}


def document_changes(old: dict | None, new: dict) -> DocumentChanges:
    """Every difference between two revision documents; with `old` None, every claim of `new` is added."""
    if old is None:
        old = {"sections": [], "references": []}
        changes = DocumentChanges(claims=_claim_changes(old, new))
        return changes
    changes = DocumentChanges(
        fields=_field_changes(_labelled(old), _labelled(new), ARTICLE_FIELDS, _ARTICLE_PARTS),
        sections=_section_changes(old["sections"], new["sections"]),
        claims=_claim_changes(old, new),
        references=_reference_changes(old["references"], new["references"]),
    )
    if canonical_json(old) != canonical_json(new) and not changes.has_changes:
        # Only reference numbering can differ unnoticed above, and numbering follows citations; say so.
        changes.others.append("The order in which references are first cited changed, so their numbers changed.")
    return changes


def _labelled(document: dict) -> dict:
    """The document with its kind of change in the words the editor chose it by (an unknown value as it is)."""
    kind = document.get("change_type")
    if kind in ChangeType.values:
        return {**document, "change_type": ChangeType(kind).label}
    return document


def _field_changes(old: dict, new: dict, labelled, parts: set[str]) -> list[FieldChange]:
    """The labelled fields that differ, word by word, then any other differing key but `parts`, generically."""
    changes = []
    for key, label in labelled:
        before, after = old.get(key, ""), new.get(key, "")
        if before != after:
            changes.append(_text_change(label, before, after))
    known = {key for key, _ in labelled} | parts
    for key in sorted((old.keys() | new.keys()) - known):
        if old.get(key) != new.get(key):
            changes.append(_text_change(f"Another field ({key})", _shown(old.get(key)), _shown(new.get(key))))
    return changes


def _shown(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else canonical_json(value)


def _text_change(label: str, before, after) -> FieldChange:
    before, after = _shown(before), _shown(after)
    return FieldChange(label, word_diff(before, after), was_empty=not before, is_empty=not after)


def _section_key(section: dict) -> str:
    return section.get("heading", "")


def _match_sections(old: list[dict], new: list[dict]) -> dict[int, int]:
    """{new index: old index}: by heading first, then what is left pairs by position as one section renamed."""
    matched: dict[int, int] = {}
    by_heading: dict[str, list[int]] = {}
    for index, section in enumerate(old):
        by_heading.setdefault(_section_key(section), []).append(index)
    for index, section in enumerate(new):
        candidates = by_heading.get(_section_key(section))
        if candidates:
            matched[index] = candidates.pop(0)
    unmatched_old = [index for index in range(len(old)) if index not in matched.values()]
    unmatched_new = [index for index in range(len(new)) if index not in matched]
    for new_index, old_index in zip(unmatched_new, unmatched_old, strict=False):
        matched[new_index] = old_index
    return matched


def _section_changes(old: list[dict], new: list[dict]) -> list[SectionChange]:
    matched = _match_sections(old, new)
    moved = _moved(sorted(matched.items()))
    changes = []
    for index, section in enumerate(new):
        heading = section.get("heading", "")
        if index not in matched:
            fields = [_text_change(label, "", section.get(key, "")) for key, label in SECTION_FIELDS[2:]]
            changes.append(SectionChange("added", heading, index + 1, [f for f in fields if not f.is_empty]))
            continue
        previous = old[matched[index]]
        fields = _field_changes(previous, section, SECTION_FIELDS, _SECTION_PARTS)
        moved_from = matched[index] + 1 if index in moved else None
        if fields or moved_from:
            status = "changed" if fields else "moved"
            changes.append(SectionChange(status, heading, index + 1, fields, moved_from=moved_from))
    for index in sorted(set(range(len(old))) - set(matched.values())):
        changes.append(SectionChange("removed", old[index].get("heading", ""), index + 1))
    return changes


def _moved(pairs: list[tuple[int, int]]) -> set[int]:
    """The new indexes whose items left their order relative to the others kept (outside a longest run in order)."""
    olds = [old for _, old in pairs]
    # Longest increasing subsequence of the old positions, in O(n²): documents have tens of items.
    best: list[list[int]] = []
    for i, value in enumerate(olds):
        longest = max((best[j] for j in range(i) if olds[j] < value), key=len, default=[])
        best.append([*longest, i])
    kept = set(max(best, key=len, default=[]))
    return {pairs[i][0] for i in range(len(pairs)) if i not in kept}


def _claim_changes(old: dict, new: dict) -> list[ClaimChange]:
    """Every claim of `new`, then those only `old` has; a claim is matched by its uid wherever it went."""
    section_match = _match_sections(old["sections"], new["sections"])
    old_at = {
        claim["uid"]: (section_index, position, section, claim)
        for section_index, section in enumerate(old["sections"])
        for position, claim in enumerate(section["claims"])
    }
    old_refs = {ref["number"]: ref for ref in old["references"]}
    new_refs = {ref["number"]: ref for ref in new["references"]}
    changes = []
    for section_index, section in enumerate(new["sections"]):
        came_from = section_match.get(section_index)
        kept = [
            (position, old_at[claim["uid"]][1])
            for position, claim in enumerate(section["claims"])
            if claim["uid"] in old_at and old_at[claim["uid"]][0] == came_from
        ]
        reordered = _moved(kept)
        for position, claim in enumerate(section["claims"]):
            change = _claim(claim, section, len(changes) + 1)
            changes.append(change)
            if claim["uid"] not in old_at:
                change.status = "added"
                change.citation_notes = [f"Cites {_cited(new_refs, number)}." for number in claim["citations"]]
                continue
            old_section_index, _, old_section, previous = old_at[claim["uid"]]
            change.fields = _field_changes(_graded(previous), _graded(claim), CLAIM_FIELDS, _CLAIM_PARTS)
            change.citation_notes = _citation_notes(previous["citations"], claim["citations"], old_refs, new_refs)
            if old_section_index != came_from:
                change.moved_from = old_section.get("heading", "") or f"section {old_section_index + 1}"
            change.is_moved = bool(change.moved_from) or position in reordered
            if change.fields or change.citation_notes:
                change.status = "changed"
            elif change.is_moved:
                change.status = "moved"
    new_uids = {change.uid for change in changes}
    old_claims = [(section, claim) for section in old["sections"] for claim in section["claims"]]
    for index, (section, claim) in enumerate(old_claims):
        if claim["uid"] not in new_uids:
            changes.append(_claim(claim, section, index + 1, status="removed"))
    return changes


def _claim(claim: dict, section: dict, number: int, status: str = "unchanged") -> ClaimChange:
    return ClaimChange(
        uid=claim["uid"],
        status=status,
        number=number,
        section=section.get("heading", ""),
        lead_in=claim.get("lead_in", ""),
        text=claim.get("text", ""),
        plain_text=claim.get("plain_text", ""),
        **{key: _graded(claim).get(key, "") for key in CLAIM_GRADE_KEYS},
    )


def _graded(claim: dict) -> dict:
    """The claim with its GRADE grade in the words the editor chose it by (an unknown value as it is)."""
    labels = {"certainty": Certainty, "strength": Strength}
    return {
        **claim,
        **{
            key: labels[key](value).label for key in CLAIM_GRADE_KEYS if (value := claim.get(key)) in labels[key].values
        },
    }


def _cited(references: dict[int, dict], number: int) -> str:
    reference = references.get(number)
    return f"[{number}] “{reference['title']}”" if reference else f"[{number}]"


def _citation_notes(before: list[int], after: list[int], old_refs: dict, new_refs: dict) -> list[str]:
    """Sentences on the claim's citations: references added, removed, reordered, or renumbered."""
    old_ids = [old_refs[number]["id"] if number in old_refs else None for number in before]
    new_ids = [new_refs[number]["id"] if number in new_refs else None for number in after]
    new_number = {new_refs[number]["id"]: number for number in after if number in new_refs}
    old_number = {old_refs[number]["id"]: number for number in before if number in old_refs}
    notes = [f"Now cites {_cited(new_refs, new_number[i])}." for i in new_ids if i not in old_ids]
    notes += [f"No longer cites {_cited(old_refs, old_number[i])}." for i in old_ids if i not in new_ids]
    kept_before = [i for i in old_ids if i in new_ids]
    kept_after = [i for i in new_ids if i in old_ids]
    if kept_before != kept_after:
        shown = ", ".join(f"[{new_number[i]}]" for i in kept_after if i in new_number)
        notes.append(f"Citations reordered: now {shown}.")
    if not notes and before != after:
        notes.append(f"Reference numbers changed from {_numbers(before)} to {_numbers(after)} (same references).")
    return notes


def _numbers(numbers: list[int]) -> str:
    return ", ".join(f"[{number}]" for number in numbers) or "none"


def _reference_changes(old: list[dict], new: list[dict]) -> list[str]:
    """Sentences on the cited references whose details changed (every field but the number, generically too)."""
    old_by_id = {reference["id"]: reference for reference in old}
    notes = []
    for reference in new:
        previous = old_by_id.get(reference["id"])
        if previous is None:
            continue
        keys = [key for key in REFERENCE_FIELDS if key in previous.keys() | reference.keys()]
        keys += sorted((previous.keys() | reference.keys()) - set(REFERENCE_FIELDS) - {"id", "number"})
        for key in keys:
            before, after = previous.get(key, ""), reference.get(key, "")
            if key == "editors":  # names read as they are cited: "Noor N, Smith JA"
                before, after = vancouver_authors(before or []), vancouver_authors(after or [])
            if before != after:
                notes.append(
                    f"Reference [{reference['number']}] “{reference['title']}”: {key} changed from "
                    f"“{_shown(before)}” to “{_shown(after)}”."
                )
    return notes
