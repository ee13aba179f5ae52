"""Anonymous readers' reads from a PostgreSQL streaming replica, when one is configured; everything else on the primary.

With `DATABASE_REPLICA_URL` set, the `replica` database alias and
`ReplicaRouter` are installed (`config.settings`). A request may read from
the replica only when all of these hold (`ReplicaReadsMiddleware`):

- it is a GET or HEAD for a page of the reader site (the `reader` URL namespace);
- it carries no session cookie: staff, board members and experts always read
  the primary, so the desk and the admin never show a lagging copy;
- it carries no read-your-writes cookie: any request that may write (POST and
  the like) sets one for `REPLICA_LAG_GUARD_SECONDS`, so whoever just wrote,
  staff or reader, reads the primary until the replica has caught up.

Inside a transaction every read goes to the primary, whatever the request,
so a move that reads then writes sees one database. Writes always go to the
primary; the replica is never migrated (it replays the primary's WAL).

A replica that cannot be reached is no reason to refuse a reader: before a
request is let onto it, its connection is checked (`replica_usable`, which
costs nothing more than the health check Django makes of a kept connection
anyway), and a replica found down, or failing in the middle of a request, is
left alone for `REPLICA_RETRY_SECONDS` while every read goes to the primary.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
# What a replica that went away raises; a query's own error (IntegrityError…) says nothing of the replica.
CONNECTION_ERRORS = (OperationalError, InterfaceError)
PRIMARY_READS_COOKIE = "primary_reads"
SAFE_METHODS = ("GET", "HEAD")

_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)
_replica_down_until = 0.0  # this process's `time.monotonic()` before which the replica is not tried again


def replica_usable() -> bool:
    """Whether a replica is configured and answers; one found down is not tried again for `REPLICA_RETRY_SECONDS`.

    A kept connection gets Django's health check (one round trip, which the
    request's first query would have made anyway); a new one is opened here,
    so an unreachable replica fails before the view starts, not half-way
    through its page.
    """
    if REPLICA not in connections.settings or time.monotonic() < _replica_down_until:
        return False
    replica = connections[REPLICA]
    try:
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except DatabaseError as error:
        replica_failed(error)
        return False
    return True


def replica_failed(error: Exception) -> None:
    """Send every read to the primary for `REPLICA_RETRY_SECONDS`, and say why in the log."""
    global _replica_down_until
    _replica_down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
    connections[REPLICA].close()
    logger.warning(
        "The read replica failed (%s); readers read the primary for the next %s s.",
        error,
        settings.REPLICA_RETRY_SECONDS,
    )


def replica_retry_now() -> None:
    """Forget a failure: the next request that may read the replica tries it again (a replica just restored)."""
    global _replica_down_until
    _replica_down_until = 0.0


def reads_from_replica() -> bool:
    """Whether a read made now would go to the replica (outside a transaction, in a request that may use it)."""
    return _replica_allowed.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block


@contextmanager
def replica_reads():
    """Let the reads made inside the block use the replica, if it answers: for a request `may_read_replica` allows."""
    token = _replica_allowed.set(replica_usable())
    try:
        yield
    except CONNECTION_ERRORS as error:
        if reads_from_replica():
            replica_failed(error)
        raise
    finally:
        _replica_allowed.reset(token)


class ReplicaRouter:
    """Send reads to the replica when the request allows it (see the module's note); the rest to the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if reads_from_replica() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Decide per request whether its reads may use the replica; after a possible write, keep its sender on the primary.

    The decision is made once the URL is resolved (`process_view`), and
    holds for the view and the template it renders, then is reset.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _replica_allowed.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                PRIMARY_READS_COOKIE,
                "1",
                max_age=settings.REPLICA_LAG_GUARD_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if may_read_replica(request) and replica_usable():
            request._replica_token = _replica_allowed.set(True)

    def process_exception(self, request, exception):
        """A database error while reading the replica: this request fails, the next ones read the primary."""
        if isinstance(exception, CONNECTION_ERRORS) and reads_from_replica():
            replica_failed(exception)


def may_read_replica(request) -> bool:
    """Whether the request may read the replica: an anonymous reader's GET of a reader page, with no recent write."""
    return (
        request.method in SAFE_METHODS
        and request.resolver_match is not None
        and request.resolver_match.namespace == "reader"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and PRIMARY_READS_COOKIE not in request.COOKIES
    )
