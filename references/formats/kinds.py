"""Evidence kinds read from, and written as, PubMed publication types.

MEDLINE's PT lines say what kind of evidence a paper is; in RIS we read and
write the same words in M3, the type of work. The strongest kind named wins: a
trial reported as a "Journal Article" and a "Randomized Controlled Trial" is a
trial.
"""

_GUIDELINE = {"guideline", "practice guideline"}
_SYSTEMATIC_REVIEW = {"systematic review", "meta-analysis"}
_TRIAL = {"randomized controlled trial", "controlled clinical trial", "pragmatic clinical trial", "equivalence trial"}
_OTHER = {"editorial", "letter", "comment", "news", "newspaper article"}

# What each kind is written as; "other" has no honest publication type, so it is not written.
PUBLICATION_TYPES = {
    "guideline": "Practice Guideline",
    "systematic_review": "Systematic Review",
    "trial": "Clinical Trial",
    "research": "Journal Article",
}


# Our own note, written in every format beside the publication types: it carries the kinds no
# publication type names ("other") and wins over the types when read back.
KIND_NOTE = "kind: "
KINDS = ("guideline", "systematic_review", "trial", "research", "other")


def kind_note(kind: str | None) -> str:
    return f"{KIND_NOTE}{kind}" if kind in KINDS else ""


def kind_from_notes(notes) -> str | None:
    """The kind a "kind: …" note names, None when no note names one we know."""
    for note in notes:
        for line in str(note).splitlines():
            line = line.strip()
            if line.startswith(KIND_NOTE) and (kind := line[len(KIND_NOTE) :].strip()) in KINDS:
                return kind
    return None


def kind_from_publication_types(types: list[str]) -> str | None:
    """The evidence kind the publication types name, "research" for any other type, None for none at all.

    A narrative "Review" is research: only a systematic review or meta-analysis
    is a systematic review. Editorials, letters, comments and news are "other".
    """
    names = {" ".join(name.split()).lower() for name in types if name.strip()}
    if not names:
        return None
    if names & _GUIDELINE:
        return "guideline"
    if names & _SYSTEMATIC_REVIEW:
        return "systematic_review"
    if names & _TRIAL or any(name.startswith("clinical trial") for name in names):
        return "trial"
    if names & _OTHER:
        return "other"
    return "research"
