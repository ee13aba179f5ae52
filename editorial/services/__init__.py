"""Every workflow move, as one function each.

Admin actions, the review desk and management commands all call these. Each
runs in one transaction with the article's row locked, checks who (raising
`PermissionDenied`) and then when (raising an `editorial.errors.WorkflowError`),
reaches its target through the transition table (`moves._transition`), writes
exactly one audit event, and sends email only once the transaction commits.
"""

from editorial.services.articles import (
    article_hold,
    article_release,
    article_restore,
    article_submit,
    article_withdraw,
)
from editorial.services.lifecycle import article_expire, article_go_live, article_rereview, article_schedule
from editorial.services.moves import workflow_check, workflow_lock
from editorial.services.reviews import (
    approval_count,
    review_approve,
    review_assign,
    review_request_changes,
    review_start,
)
from editorial.services.threads import thread_open, thread_reopen, thread_reply, thread_resolve

__all__ = [
    "approval_count",
    "article_expire",
    "article_go_live",
    "article_hold",
    "article_release",
    "article_rereview",
    "article_restore",
    "article_schedule",
    "article_submit",
    "article_withdraw",
    "review_approve",
    "review_assign",
    "review_request_changes",
    "review_start",
    "thread_open",
    "thread_reopen",
    "thread_reply",
    "thread_resolve",
    "workflow_check",
    "workflow_lock",
]
