"""An article as one plain document: what previews render and revisions freeze.

The document is plain JSON-able data, so the same template renders a working
copy's preview and, later, an approved revision, and a hash of it identifies
exactly which words were shown.
"""

from string import ascii_lowercase

from django.db.models import Prefetch

from articles.models import Article, Certainty, Citation, Strength
from references.formats.names import names_from_vancouver
from references.models import Reference

REFERENCE_KEYS = ("kind", "title", "authors", "source", "year", "doi", "pmid", "url")
# Added after the first revisions were frozen: a document carries them only when set, so
# articles whose references lack them keep the hash they were approved under.
OPTIONAL_REFERENCE_KEYS = ("volume", "issue", "pages", "pmcid", "editors")
# The structured authors: carried only when they say more than the `authors` string reads as
# (full given names, an ORCID, an organisation the string would split or read as a person).
AUTHOR_STRUCTURE_KEYS = ("author_list", "authors_et_al")
# A claim's evidence grade (GRADE certainty, and strength for a recommendation): carried only when
# set, so claims frozen before grades existed, and claims left ungraded, keep their hashes.
CLAIM_GRADE_KEYS = ("certainty", "strength")


def article_with_tree(queryset=None):
    """Return a queryset of articles with their whole tree prefetched (four queries)."""
    articles = queryset if queryset is not None else Article.objects.all()
    return articles.prefetch_related(
        "sections",
        "sections__claims",
        Prefetch("sections__claims__citations", queryset=Citation.objects.select_related("reference")),
    )


def reference_document(reference: Reference) -> dict:
    document = {"id": reference.pk, **{key: getattr(reference, key) for key in REFERENCE_KEYS}}
    document.update({key: value for key in OPTIONAL_REFERENCE_KEYS if (value := getattr(reference, key))})
    document.update(author_structure(reference.authors, reference.author_list, reference.authors_et_al))
    return document


def author_structure(authors: str, author_list: list, et_al: bool) -> dict:
    """The structured authors a document carries beside the string: none when the string reads as them.

    References whose structure came from their string (every one stored before
    names had structure) so keep the documents, and the hashes, they had.
    A history row from before the structure (an empty list) is its string alone.
    """
    if not author_list or names_from_vancouver(authors) == (author_list, bool(et_al)):
        return {}
    return {"author_list": author_list, "authors_et_al": bool(et_al)}


def reference_numbers(sections) -> dict[int, int]:
    """Number references as readers see them: 1, 2, 3… in order of first citation.

    Walks the sections, their claims and their citations in order; a reference
    cited again keeps its first number. Takes the sections (with claims and
    citations prefetched) so that the reader's document and the editor's page
    number from the same rows without another query.
    """
    numbers: dict[int, int] = {}
    for section in sections:
        for claim in section.claims.all():
            for citation in claim.citations.all():
                numbers.setdefault(citation.reference_id, len(numbers) + 1)
    return numbers


def claim_grade(claim) -> dict:
    """The grade keys a claim's document carries: only those set (none for an ungraded claim)."""
    return {key: value for key in CLAIM_GRADE_KEYS if (value := getattr(claim, key))}


def build_article_document(article: Article) -> dict:
    """Return the article's content as a document with computed reference numbers.

    References are numbered by first citation (`reference_numbers`); a claim's
    `citations` lists those numbers. Expects the tree prefetched (see
    `article_with_tree`) to stay at a fixed query count.
    """
    numbers = reference_numbers(article.sections.all())
    cited_references: dict[int, Reference] = {}
    sections = []
    for section in article.sections.all():
        claims = []
        for claim in section.claims.all():
            cited = []
            for citation in claim.citations.all():
                cited_references.setdefault(citation.reference_id, citation.reference)
                cited.append(numbers[citation.reference_id])
            claims.append(
                {
                    "uid": str(claim.uid),
                    "lead_in": claim.lead_in,
                    "text": claim.text,
                    "plain_text": claim.plain_text,
                    "citations": cited,
                    **claim_grade(claim),
                }
            )
        sections.append({"heading": section.heading, "level": section.level, "intro": section.intro, "claims": claims})
    # In order of first citation, which is the order of the numbers.
    references = [
        {"number": numbers[pk], **reference_document(reference)} for pk, reference in cited_references.items()
    ]
    return {
        "slug": article.slug,
        "question": article.question,
        "title": article.title,
        "lede": article.lede,
        "plain_lede": article.plain_lede,
        "specialty": article.specialty,
        "sections": sections,
        "references": references,
    }


AUDIENCES = ("clinician", "patient", "student")

# What a patient reads under a graded claim instead of GRADE's terms: what the certainty means for
# them, and for a recommendation what its strength means for their choice.
PLAIN_CERTAINTY = {
    Certainty.HIGH: "Based on strong evidence: new research is very unlikely to change this.",
    Certainty.MODERATE: "Based on good evidence, though new research could change it.",
    Certainty.LOW: "Based on limited evidence: new research may well change this.",
    Certainty.VERY_LOW: "Based on very limited evidence: this is uncertain, and new research is likely to change it.",
}
# Worded to fit a recommendation for something and one against it alike.
PLAIN_STRENGTH = {
    Strength.STRONG: "A firm recommendation: it applies to almost everyone in this situation.",
    Strength.CONDITIONAL: "A recommendation that depends on the person: whether it suits you depends on your "
    "situation and what matters to you, so talk it over with your doctor, nurse or pharmacist.",
}


def grade_for_audience(claim: dict, audience: str | None) -> dict | None:
    """How a claim's grade reads for `audience`; None when the claim is ungraded.

    {"label": GRADE's terms, for clinicians and students (the page links it to its legend),
    "plain": our plain sentences, for patients}. The preview (`audience` None) gets both, so
    editors and the board see what each reader is told.
    """
    certainty, strength = claim.get("certainty", ""), claim.get("strength", "")
    if not certainty and not strength:
        return None
    label, plain = "", []
    if audience != "patient":
        parts = [f"{_grade_label(Certainty, certainty)} certainty" if certainty else ""]
        parts.append(f"{_grade_label(Strength, strength)} recommendation" if strength else "")
        label = "Evidence grade: " + ", ".join(part for part in parts if part)
    if audience in ("patient", None):
        plain = [text for text in (PLAIN_CERTAINTY.get(certainty), PLAIN_STRENGTH.get(strength)) if text]
    return {"label": label, "plain": plain}


def _grade_label(choices, value: str) -> str:
    return choices(value).label.lower() if value in choices.values else value


def _backlinks(anchors: list[str]) -> list[dict]:
    """Mark each way back with a letter (a, b, c…), as reference lists do, so it is not read as a reference number."""
    return [
        {"anchor": anchor, "mark": ascii_lowercase[index] if index < len(ascii_lowercase) else str(index + 1)}
        for index, anchor in enumerate(anchors)
    ]


def present_document(document: dict, audience: str | None = None) -> dict:
    """Prepare a document for a page: each claim's wording for the audience, and reference backlinks.

    With `audience` None (the editors' preview) both wordings are kept. For
    "patient", a claim's plain-language wording replaces the clinician wording
    where it exists. A graded claim gets its `grade` in the audience's terms
    (`grade_for_audience`), and the document `has_grades` when any claim is
    graded, so the page adds the legend the grades link to. Each reference gets
    the anchors of its citations, in the order they appear, so the reference
    list links back to every place in the text that cites it (a reader returns
    to the claim they came from).
    """
    citations_of = {}
    has_grades = False
    sections = []
    for section in document["sections"]:
        claims = []
        for claim in section["claims"]:
            for number in claim["citations"]:
                citations_of.setdefault(number, []).append(f"cite-{claim['uid']}-{number}")
            use_plain = audience == "patient" and claim["plain_text"]
            grade = grade_for_audience(claim, audience)
            has_grades = has_grades or grade is not None
            claims.append(
                {
                    **claim,
                    "citations": sorted(claim["citations"]),
                    "display_text": claim["plain_text"] if use_plain else claim["text"],
                    "show_plain_alongside": audience is None and bool(claim["plain_text"]),
                    "grade": grade,
                }
            )
        sections.append({**section, "claims": claims})
    references = [
        {**reference, "backlinks": _backlinks(citations_of.get(reference["number"], []))}
        for reference in document["references"]
    ]
    lede = document["plain_lede"] if audience == "patient" and document["plain_lede"] else document["lede"]
    return {
        **document,
        "sections": sections,
        "references": references,
        "display_lede": lede,
        "audience": audience,
        "has_grades": has_grades,
    }
