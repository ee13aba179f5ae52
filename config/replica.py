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
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PRIMARY_READS_COOKIE = "primary_reads"
SAFE_METHODS = ("GET", "HEAD")

_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)


def reads_from_replica() -> bool:
    """Whether a read made now would go to the replica (outside a transaction, in a request that may use it)."""
    return _replica_allowed.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block


@contextmanager
def replica_reads():
    """Let the reads made inside the block use the replica: for a request `may_read_replica` allows, read early."""
    token = _replica_allowed.set(True)
    try:
        yield
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
        if may_read_replica(request):
            request._replica_token = _replica_allowed.set(True)


def may_read_replica(request) -> bool:
    """Whether the request may read the replica: an anonymous reader's GET of a reader page, with no recent write."""
    return (
        request.method in SAFE_METHODS
        and request.resolver_match is not None
        and request.resolver_match.namespace == "reader"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and PRIMARY_READS_COOKIE not in request.COOKIES
    )
