"""The 500 page, with an error id that support can find in the logs."""

import logging
import sys
import uuid

from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger("config.errors")


@requires_csrf_token
def server_error(request):
    """Log the unhandled exception under a short id and show that id on the page.

    Django calls this inside its exception handler, so `sys.exc_info()` is the error.
    The page is rendered without context processors: whatever failed may fail again.
    """
    error_id = uuid.uuid4().hex[:12]
    logger.error(
        "Unhandled error %s on %s %s",
        error_id,
        request.method,
        request.get_full_path(),
        exc_info=sys.exc_info(),
        extra={"error_id": error_id},
    )
    response = HttpResponseServerError(loader.get_template("500.html").render({"error_id": error_id}))
    response["X-Error-Id"] = error_id
    return response
