"""The project's settings, unchanged, plus the floor's URL: used only by bench/run.sh.

Middleware, templates, database, cache and security settings all come from
config.settings (and so from the same environment variables), so the floor and
the article page go through exactly the same stack.
"""

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR

ROOT_URLCONF = "bench.urls"

# Collected into the (git-ignored) bench/.out so the bench never touches var/static.
STATIC_ROOT = BASE_DIR / "bench" / ".out" / "static"
