"""What changed between two revisions, claim by claim, in words a reviewer can scan."""

import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.documents import CLAIM_GRADE_KEYS, OPTIONAL_REFERENCE_KEYS, REFERENCE_KEYS

REFERENCE_FIELDS = REFERENCE_KEYS + OPTIONAL_REFERENCE_KEYS
# A change to the structured authors reads as a change to the authors.
_FIELD_NAMES = {"author_list": "authors", "authors_et_al": "authors"}
_COMPARED_FIELDS = (*REFERENCE_FIELDS, "author_list", "authors_et_al")

# The most matching work one comparison may do (diagonals tried and words compared; about 0.1 µs
# each here). Within it, any change of up to a few hundred words is shown word by word; past it
# the changed middle is shown whole, so no page waits on a diff (see bench/diff.py).
DIFF_BUDGET = 200_000
WHOLE_CHANGE_NOTE = "The change is shown whole: the texts differ too much to compare word by word."
_TOKENS = re.compile(r"\S+|\s+")


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
    grade_changed: bool = False
    reference_changes: list[str] = field(default_factory=list)


def word_diff(old: str, new: str, *, budget: int = DIFF_BUDGET) -> SafeString:
    """Show `new` with removed words in <del> and added words in <ins>; everything escaped.

    The words both texts start and end with are set aside first, in linear time; only the
    changed middle goes to the word matcher, and only while its work stays within `budget`.
    Past it the middle is shown whole, removed then added, with a note saying so, so a diff
    of any two texts takes bounded time.
    """
    old_words, new_words = _TOKENS.findall(old), _TOKENS.findall(new)
    start = _common_prefix_length(old_words, new_words)
    end = _common_suffix_length(old_words[start:], new_words[start:])
    removed, added = old_words[start : len(old_words) - end], new_words[start : len(new_words) - end]
    hunks = _word_hunks(removed, added, budget)
    parts = [escape("".join(new_words[:start]))]
    if hunks is None:
        parts.append(_changed("".join(removed), "".join(added)))
    else:
        parts += [_changed(*hunk) if isinstance(hunk, tuple) else escape(hunk) for hunk in hunks]
    parts.append(escape("".join(new_words[len(new_words) - end :])))
    if hunks is None:
        parts.append(f' <span class="diff-note">{escape(WHOLE_CHANGE_NOTE)}</span>')
    return mark_safe("".join(parts))  # every piece escaped above


def _changed(removed: str, added: str) -> str:
    return (f"<del>{escape(removed)}</del>" if removed else "") + (f"<ins>{escape(added)}</ins>" if added else "")


def _common_prefix_length(a: list[str], b: list[str]) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def _common_suffix_length(a: list[str], b: list[str]) -> int:
    length = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        length += 1
    return length


def _word_hunks(a: list[str], b: list[str], budget: int) -> list[str | tuple[str, str]] | None:
    """The texts as unchanged strings and (removed, added) pairs; None when matching would pass `budget`.

    A change separated from the next one by nothing but white space is joined to it, so a
    reworded phrase reads as one phrase removed and one added, not as alternating words.
    """
    if not a or not b:
        return [("".join(a), "".join(b))] if a or b else []
    edits = _shortest_edit(a, b, budget)
    if edits is None:
        return None
    runs: list[tuple[str, str]] = []  # (kind, text), consecutive kinds merged
    for kind, token in edits:
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + token)
        else:
            runs.append((kind, token))
    hunks: list[str | tuple[str, str]] = []
    removed, added = [], []
    for i, (kind, text) in enumerate(runs):
        between_changes = 0 < i < len(runs) - 1 and (removed or added) and not text.strip()
        if kind == "equal" and not between_changes:
            if removed or added:
                hunks.append(("".join(removed), "".join(added)))
                removed, added = [], []
            hunks.append(text)
        else:
            if kind in ("equal", "delete"):
                removed.append(text)
            if kind in ("equal", "insert"):
                added.append(text)
    if removed or added:
        hunks.append(("".join(removed), "".join(added)))
    return hunks


def _shortest_edit(a: list[str], b: list[str], budget: int) -> list[tuple[str, str]] | None:
    """Myers' O((N+M)·D) shortest edit script from `a` to `b`, or None once its work passes `budget`.

    Work counts the diagonals tried, the tokens compared along them and the copies kept for
    the way back, so the time spent is proportional to `budget` at most, whatever the texts.
    """
    n, m = len(a), len(b)
    frontier = {1: 0}  # diagonal k = x - y -> furthest x reached on it
    trace = []
    work = 0
    for d in range(n + m + 1):
        trace.append(frontier.copy())
        work += 2 * len(frontier)
        for k in range(-d, d + 1, 2):
            x = frontier[k + 1] if _comes_down(frontier, k, d) else frontier[k - 1] + 1
            y = x - k
            start = x
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
            frontier[k] = x
            work += 1 + x - start
            if x >= n and y >= m:
                return _edits_back(trace, a, b)
        if work > budget:
            return None
    raise AssertionError("unreachable: d = n + m always reaches the end")


def _comes_down(frontier: dict[int, int], k: int, d: int) -> bool:
    """Whether the furthest path to diagonal `k` after `d` edits ends with an insertion (from k + 1)."""
    return k == -d or (k != d and frontier[k - 1] < frontier[k + 1])


def _edits_back(trace: list[dict[int, int]], a: list[str], b: list[str]) -> list[tuple[str, str]]:
    x, y = len(a), len(b)
    edits = []
    for d in range(len(trace) - 1, -1, -1):
        frontier = trace[d]
        k = x - y
        previous_k = k + 1 if _comes_down(frontier, k, d) else k - 1
        previous_x = frontier[previous_k]
        previous_y = previous_x - previous_k
        while x > previous_x and y > previous_y:
            edits.append(("equal", a[x - 1]))
            x, y = x - 1, y - 1
        if d > 0:
            if x == previous_x:
                edits.append(("insert", b[y - 1]))
            else:
                edits.append(("delete", a[x - 1]))
        x, y = previous_x, previous_y
    edits.reverse()
    return edits


def claim_changes_between(before: dict | None, after: dict, *, with_wording: bool = True) -> list[ClaimChange]:
    """Every claim of `after` (and those `before` had that are gone), with what changed since `before`.

    `with_wording=False` leaves out the word diffs, for callers that need only the statuses.
    """
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
        grade_changed = _grade(previous) != _grade(claim)
        status = "changed" if wording_changed or plain_changed or grade_changed or reference_changes else "unchanged"
        changes.append(
            ClaimChange(
                uid,
                status,
                claim["section"],
                claim["lead_in"],
                claim["text"],
                previous_text=previous["text"],
                wording_diff=word_diff(previous["text"], claim["text"]) if wording_changed and with_wording else "",
                plain_changed=plain_changed,
                grade_changed=grade_changed,
                reference_changes=reference_changes,
            )
        )
    for uid in old.keys() - new.keys():
        claim = old[uid]
        changes.append(ClaimChange(uid, "removed", claim["section"], claim["lead_in"], claim["text"]))
    return changes


def claim_statuses(before: dict | None, after: dict) -> dict[str, str]:
    """{claim uid: "added" | "changed" | "removed" | "unchanged"} between two documents."""
    return {change.uid: change.status for change in claim_changes_between(before, after, with_wording=False)}


def _grade(claim: dict) -> tuple[str, ...]:
    return tuple(claim.get(key, "") for key in CLAIM_GRADE_KEYS)


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
        changed = [name for name in _COMPARED_FIELDS if old[ref_id].get(name, "") != new[ref_id].get(name, "")]
        changed = list(dict.fromkeys(_FIELD_NAMES.get(name, name) for name in changed))
        if changed:
            notes.append(f"“{new[ref_id]['title']}”: {', '.join(changed)} changed.")
    return sorted(notes)
