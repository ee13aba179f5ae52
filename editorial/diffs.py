"""What changed between two revisions, claim by claim, in words a reviewer can scan."""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.documents import OPTIONAL_REFERENCE_KEYS, REFERENCE_KEYS

REFERENCE_FIELDS = REFERENCE_KEYS + OPTIONAL_REFERENCE_KEYS


@dataclass
class ClaimChange:
    uid: str
    status: str  # "added", "changed", "removed" or "unchanged"
    section: str
    lead_in: str
    text: str
    previous_text: str = ""
    wording_diff: SafeString | str = ""
    plain_changed: bool = False
    reference_changes: list[str] = field(default_factory=list)


def word_diff(old: str, new: str) -> SafeString:
    """Show `new` with removed words in <del> and added words in <ins>; everything escaped."""
    old_words, new_words = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            parts.append(f"<del>{escape(''.join(old_words[a1:a2]))}</del>")
        if op in ("replace", "insert"):
            parts.append(f"<ins>{escape(''.join(new_words[b1:b2]))}</ins>")
        if op == "equal":
            parts.append(escape("".join(new_words[b1:b2])))
    return mark_safe("".join(parts))  # every piece escaped above


def claim_changes_between(before: dict | None, after: dict) -> list[ClaimChange]:
    """Every claim of `after` (and those `before` had that are gone), with what changed since `before`."""
    old = _claims(before) if before else {}
    new = _claims(after)
    changes = []
    for uid, claim in new.items():
        previous = old.get(uid)
        if previous is None:
            changes.append(ClaimChange(uid, "added", claim["section"], claim["lead_in"], claim["text"]))
            continue
        reference_changes = _reference_changes(previous["references"], claim["references"])
        wording_changed = (previous["text"], previous["lead_in"]) != (claim["text"], claim["lead_in"])
        plain_changed = previous["plain_text"] != claim["plain_text"]
        status = "changed" if wording_changed or plain_changed or reference_changes else "unchanged"
        changes.append(
            ClaimChange(
                uid,
                status,
                claim["section"],
                claim["lead_in"],
                claim["text"],
                previous_text=previous["text"],
                wording_diff=word_diff(previous["text"], claim["text"]) if wording_changed else "",
                plain_changed=plain_changed,
                reference_changes=reference_changes,
            )
        )
    for uid in old.keys() - new.keys():
        claim = old[uid]
        changes.append(ClaimChange(uid, "removed", claim["section"], claim["lead_in"], claim["text"]))
    return changes


def claim_statuses(before: dict | None, after: dict) -> dict[str, str]:
    """{claim uid: "added" | "changed" | "removed" | "unchanged"} between two documents."""
    return {change.uid: change.status for change in claim_changes_between(before, after)}


def _claims(document: dict) -> dict[str, dict]:
    references = {ref["number"]: ref for ref in document["references"]}
    return {
        claim["uid"]: {
            **claim,
            "section": section["heading"],
            "references": [references[number] for number in claim["citations"]],
        }
        for section in document["sections"]
        for claim in section["claims"]
    }


def _reference_changes(before: list[dict], after: list[dict]) -> list[str]:
    """Sentences saying how the references a claim cites changed, including their metadata."""
    old = {ref["id"]: ref for ref in before}
    new = {ref["id"]: ref for ref in after}
    notes = [f"Now also cites “{new[i]['title']}”." for i in new.keys() - old.keys()]
    notes += [f"No longer cites “{old[i]['title']}”." for i in old.keys() - new.keys()]
    for ref_id in new.keys() & old.keys():
        changed = [name for name in REFERENCE_FIELDS if old[ref_id].get(name, "") != new[ref_id].get(name, "")]
        if changed:
            notes.append(f"“{new[ref_id]['title']}”: {', '.join(changed)} changed.")
    return sorted(notes)
