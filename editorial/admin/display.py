"""How the admin words moments and approved revisions, the same on every page."""

from django.utils import formats, timezone


def when(moment) -> str:
    """A moment in the site's time zone, as the admin shows dates and times."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def approved_revision_label(approved) -> str:
    """One approved revision as a choice: its number, when and by whom it was approved, its short hash."""
    by = ", ".join(approved.approvers) or "the board"
    return (
        f"Revision {approved.revision.number}, approved {when(approved.approved_at)} by {by} "
        f"({approved.revision.short_hash})"
    )
