"""Refusals of the workflow that are about *when*, not *who*.

Wrong person is Django's `PermissionDenied` (403). These are the wrong moment
or the wrong input: views show the message and answer 409; nothing is changed.
"""


class WorkflowError(Exception):
    """A move the workflow refuses right now; `message` says why in words an editor can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidTransition(WorkflowError):
    """The article is not in a state this action can start from."""


class StaleRevision(WorkflowError):
    """The revision acted on is no longer the one in review (somebody was faster, or it was replaced)."""


class NothingToSubmit(WorkflowError):
    """The working copy has not changed since the revision in review, so there is nothing new to submit."""


class ReasonRequired(WorkflowError):
    """This action is recorded with a reason, and none was given."""


class AlreadySignedOff(WorkflowError):
    """The reviewer already signed off this revision."""


class AssignmentRefused(WorkflowError):
    """The board member cannot be assigned (inactive, or an author of the words)."""


class ApprovalBlocked(WorkflowError):
    """Something in the revision, or the attestation, stops it being approved."""

    def __init__(self, blockers: list[str]):
        super().__init__("This revision cannot be approved yet: " + " ".join(blockers))
        self.blockers = blockers


class UnknownClaim(WorkflowError):
    """The input names a claim that is not in the revision (a bad or forged form: answered with 400)."""


class UnknownRevision(WorkflowError):
    """The input names a revision the article does not have (a bad or forged form: answered with 400)."""


class ThreadChanged(WorkflowError):
    """The review thread changed since the form was shown: resolved, reopened or answered meanwhile."""


class RestoreRefused(WorkflowError):
    """The revision cannot be restored: not of this article, never approved, or citing a reference since deleted."""


class ScheduleRefused(WorkflowError):
    """A schedule the workflow cannot keep: a time in the past, an expiry before go-live, nothing to put live."""


class ExpertLinkRefused(WorkflowError):
    """An expert link cannot be made or revoked now: already revoked, expired, or a stale form."""


class ExpertLinkClosed(WorkflowError):
    """The expert's link opens nothing any more (expired or revoked): answered with 410, never the words."""

    def __init__(self, message: str, *, state: str):
        super().__init__(message)
        self.state = state
