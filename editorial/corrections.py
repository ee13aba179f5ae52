"""What kind of change a revision makes, in the words readers are told: part of the revision the board approves.

An editor classifies each submission: a correction of an error, a clinical
update, or editorial changes only, with a public summary for the first two.
The classification travels in the revision's document (`change_type`, and
`change_summary` when there is one), so the content hash covers it and the
board signs off the words readers will be told along with the words of the
answer. Documents frozen before classification existed carry neither key and
keep the hashes they were approved under.
"""

from django.db import models

from editorial.errors import WorkflowError

CHANGE_KEYS = ("change_type", "change_summary")
SUMMARY_MAX_LENGTH = 300


class ChangeType(models.TextChoices):
    CORRECTION = "correction", "Correction of an error"
    CLINICAL_UPDATE = "clinical_update", "Clinical update"
    EDITORIAL = "editorial", "Editorial only"


# What readers read for each kind (the change history, the feed, the notice).
PUBLIC_LABELS = {
    ChangeType.CORRECTION: "Correction",
    ChangeType.CLINICAL_UPDATE: "Clinical update",
    ChangeType.EDITORIAL: "Editorial changes",
}
# The kinds readers are told about by a summary: required for these, announced in the feed.
ANNOUNCED = (ChangeType.CORRECTION, ChangeType.CLINICAL_UPDATE)


class ChangeNoteInvalid(WorkflowError):
    """The classification of a submission is missing, unknown, or lacks the public summary it needs."""


def change_note_problems(change_type: str, summary: str) -> dict[str, str]:
    """{"change_type" or "change_summary": a sentence} for each problem with a classification; empty when valid."""
    summary = (summary or "").strip()
    if change_type not in ChangeType.values:
        return {
            "change_type": "Choose what kind of change this is: a correction of an error, a clinical update, "
            "or editorial changes only."
        }
    if change_type in ANNOUNCED and not summary:
        return {
            "change_summary": f"A {ChangeType(change_type).label.lower()} needs a public summary: readers see it "
            "at the top of the answer and in its change history once the board approves it."
        }
    if len(summary) > SUMMARY_MAX_LENGTH:
        return {
            "change_summary": f"The public summary has {len(summary):,} characters; "
            f"the limit is {SUMMARY_MAX_LENGTH:,}."
        }
    return {}


def change_note(change_type: str, summary: str = "") -> dict:
    """The document keys of a valid classification (the summary only when given), or raise `ChangeNoteInvalid`."""
    problems = change_note_problems(change_type, summary)
    if problems:
        raise ChangeNoteInvalid(" ".join(problems.values()))
    summary = summary.strip()
    return {"change_type": change_type, **({"change_summary": summary} if summary else {})}


def change_note_of(document: dict) -> dict:
    """The classification keys a document carries (none for one frozen before classification existed)."""
    return {key: document[key] for key in CHANGE_KEYS if key in document}


def words_of(document: dict) -> dict:
    """The document without its classification: what "nothing has changed" compares.

    A claim's evidence grade counts as words here: what readers are told about how sure the
    evidence is changes what the answer says, so a grade-only edit is something to submit,
    for the board to approve, and the editor classifies it like any other (a clinical update
    when new evidence moved the grade, a correction when the grade was wrong).
    """
    return {key: value for key, value in document.items() if key not in CHANGE_KEYS}


def change_label(change_type: str | None) -> str:
    """The public label of a kind of change; empty for a revision frozen before classification existed."""
    return PUBLIC_LABELS.get(change_type, "") if change_type else ""


def change_for_reviewers(document: dict) -> dict | None:
    """{"kind": the editor's wording of the kind, "summary": ...} of a classified document, for the desk; else None."""
    kind = document.get("change_type")
    if not kind:
        return None
    label = ChangeType(kind).label if kind in ChangeType.values else kind
    return {"kind": label, "summary": document.get("change_summary", ""), "is_announced": kind in ANNOUNCED}
