"""What must be true before a revision can be approved.

Each blocker is a sentence that says exactly what to fix.
"""

from editorial.models import Revision, SignOff
from references.models import Reference

CHECKLIST_WORDING = {
    "claims_accurate": "Attest that every claim is accurate.",
    "citations_support_claims": "Attest that the citations support the claims.",
    "doses_checked": "Attest that every dose has been checked.",
    "patient_wording_faithful": "Attest that the patient wording is faithful to the clinician wording.",
}


def content_blockers(revision: Revision) -> list[str]:
    """Return what in the revision's words stops approval: uncited claims, retracted references."""
    blockers = []
    claims = [
        (section, position, claim)
        for section in revision.content["sections"]
        for position, claim in enumerate(section["claims"], start=1)
    ]
    if not claims:
        blockers.append("The revision has no claims to approve.")
    for section, position, claim in claims:
        if not claim["citations"]:
            blockers.append(f"Claim {position} under “{section['heading']}” cites no reference.")
    cited_ids = [reference["id"] for reference in revision.content["references"]]
    retracted = Reference.objects.filter(pk__in=cited_ids, retraction_status=Reference.Retraction.RETRACTED)
    numbers = {reference["id"]: reference["number"] for reference in revision.content["references"]}
    for reference in sorted(retracted, key=lambda ref: numbers[ref.pk]):
        blockers.append(f"Reference {numbers[reference.pk]} (“{reference.title}”) has been retracted.")
    return blockers


def checklist_blockers(checklist: dict) -> list[str]:
    """Return the attestations still missing from `checklist` ({item: bool})."""
    return [CHECKLIST_WORDING[item] for item in SignOff.CHECKLIST if not checklist.get(item)]


def approval_blockers(revision: Revision, checklist: dict) -> list[str]:
    return content_blockers(revision) + checklist_blockers(checklist)
