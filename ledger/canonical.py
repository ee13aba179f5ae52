"""The canonical forms of every chained record: what a link's digest is computed over.

It must give the same bytes for the same record years later, on PostgreSQL or
SQLite, read from the database or still in memory: ids as integers, datetimes
as UTC ISO 8601 strings with microseconds, choices as their stored strings, and
JSON with sorted keys and no spaces. A change to a form is a new version,
never an edit of an old one: each link stores the version it was written in
(`Link.canonical_version`) and is verified in that version for ever.

- Version 1: audit events and sign-offs as first chained.
- Version 2 (links written since): a sign-off also names the disclaimer version
  in force when it was signed, by id and hash (null for none); an audit event
  reads as in version 1 under `"v": 2`.

Checkpoints and seals keep their own form, version 1.

The functions read fields by name only, so a migration's historical models work too.
"""

import hashlib
import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from uuid import UUID

VERSION = 1  # of checkpoints, seals and the first form of links
LINK_VERSION = 2  # the form new links are written in
LINK_VERSIONS = (1, 2)
GENESIS = "0" * 64  # the "previous chain" of an article's first link and of the first checkpoint
CHECKLIST = ("claims_accurate", "citations_support_claims", "doses_checked", "patient_wording_faithful")


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def moment(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def audit_event_content(event, *, article_id: int, version: int = 1) -> dict:
    return {
        "v": version,
        "kind": "audit_event",
        "id": int(event.pk),
        "article": int(article_id),
        "action": str(event.action),
        "actor": int(event.actor_id),
        "from_state": str(event.from_state),
        "to_state": str(event.to_state),
        "revision": None if event.revision_id is None else int(event.revision_id),
        "comment": event.comment,
        "data": event.data if event.data is not None else {},
        "created_at": moment(event.created_at),
    }


def sign_off_content(sign_off, *, article_id: int, version: int = 1) -> dict:
    content = {
        "v": version,
        "kind": "sign_off",
        "id": int(sign_off.pk),
        "article": int(article_id),
        "revision": int(sign_off.revision_id),
        "round": int(sign_off.round),
        "content_hash": sign_off.content_hash,
        "reviewer": int(sign_off.reviewer_id),
        "signed_by": int(sign_off.signed_by_id),
        "decision": str(sign_off.decision),
        "comment": sign_off.comment,
        "conflict": str(sign_off.conflict),
        "conflict_disclosure": sign_off.conflict_disclosure,
        "checklist": {item: bool(getattr(sign_off, item)) for item in CHECKLIST},
        "created_at": moment(sign_off.created_at),
    }
    if version >= 2:
        disclaimer = sign_off.disclaimer_version
        content["disclaimer"] = (
            None if disclaimer is None else {"id": int(disclaimer.pk), "content_hash": disclaimer.content_hash}
        )
    return content


CONTENT = {"audit_event": audit_event_content, "sign_off": sign_off_content}


def record_digest(kind: str, record, *, article_id: int, version: int = 1) -> str:
    """The SHA-256 of the record's canonical content in form `version` (1 or 2)."""
    if version not in LINK_VERSIONS:
        raise ValueError(f"No canonical form {version} of a chained record.")
    return sha256(canonical_json(CONTENT[kind](record, article_id=article_id, version=version)))


def link_chain(digest: str, previous: str) -> str:
    """The SHA-256 of a link's digest followed by the previous link's chain."""
    return sha256(digest + previous)


def checkpoint_chain(*, previous: str, heads: list, created_at: datetime) -> str:
    return sha256(
        canonical_json({"v": VERSION, "previous": previous, "heads": heads, "created_at": moment(created_at)})
    )


FINGERPRINT_BYTES = 8  # per sealed row: a forger must meet 64 bits, and a million rows take 8 MB


def row_value(value):
    """A column's value in the canonical form: the same for PostgreSQL and SQLite, read back years later."""
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def row_fingerprint(table: str, row: dict) -> bytes:
    """The first bytes of the SHA-256 of one row of `table` ({column: value}) in canonical form."""
    content = {"v": VERSION, "table": table, "row": {column: row_value(value) for column, value in row.items()}}
    return hashlib.sha256(canonical_json(content).encode()).digest()[:FINGERPRINT_BYTES]


def seal_chain(
    *, previous: str, table: str, columns: list, runs: list, fingerprints: bytes, created_at: datetime
) -> str:
    return sha256(
        canonical_json(
            {
                "v": VERSION,
                "previous": previous,
                "table": table,
                "columns": columns,
                "runs": runs,
                "fingerprints": hashlib.sha256(fingerprints).hexdigest(),
                "created_at": moment(created_at),
            }
        )
    )
