"""What must be true before a revision can be approved.

Each blocker is a sentence that says exactly what to fix.
"""

from editorial.document_changes import claims_to_attest
from editorial.models import ArticleWorkflow, Revision, SignOff
from references.models import Reference, references_by_id

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
    cited = {reference["id"]: reference for reference in revision.content["references"]}
    standing = references_by_id(cited)  # a merged-away reference leads to the one that absorbed it
    for ref_id, reference in sorted(cited.items(), key=lambda item: item[1]["number"]):
        if ref_id not in standing:
            blockers.append(
                f"Reference {reference['number']} (“{reference['title']}”) has since been removed from the "
                "library; resubmit the article so the revision cites references that exist."
            )
        elif standing[ref_id].retraction_status == Reference.Retraction.RETRACTED:
            blockers.append(f"Reference {reference['number']} (“{reference['title']}”) has been retracted.")
    return blockers


def checklist_blockers(checklist: dict) -> list[str]:
    """Return the attestations still missing from `checklist` ({item: bool})."""
    return [CHECKLIST_WORDING[item] for item in SignOff.CHECKLIST if not checklist.get(item)]


def attestation_blockers(revision: Revision, attested_claims) -> list[str]:
    """Return the claims changed since the live words that the reviewer has not attested one by one."""
    live = ArticleWorkflow.objects.select_related("live_revision").get(article_id=revision.article_id).live_revision
    to_attest = claims_to_attest(revision.content, live.content if live else None)
    missing = sorted(number for uid, (number, _) in to_attest.items() if uid not in set(map(str, attested_claims)))
    if not missing:
        return []
    named = ", ".join(str(number) for number in missing)
    return [
        f"Attest each claim changed since revision {live.number}, which readers see now: "
        f"claim{'s' if len(missing) > 1 else ''} {named} {'are' if len(missing) > 1 else 'is'} not attested."
    ]


def approval_blockers(revision: Revision, checklist: dict, attested_claims=()) -> list[str]:
    return content_blockers(revision) + checklist_blockers(checklist) + attestation_blockers(revision, attested_claims)
