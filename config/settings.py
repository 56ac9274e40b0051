"""
The one settings module. Every value that differs between machines comes from an
environment variable (see the table in README.md). Development defaults are safe;
with DEBUG off, the values production must set have no default and stop the start.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)


def _required_in_production(name, dev_default):
    value = env(name, default=None)
    if value:
        return value
    if DEBUG:
        return dev_default
    # SystemExit prints this one line and stops, whatever starts Django (manage.py;
    # gunicorn checks the settings before it starts a worker, config/gunicorn.py):
    # no traceback hides what to set.
    raise SystemExit(f"{name} must be set when DEBUG is off (see README.md, Configuration).")


SECRET_KEY = _required_in_production("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = [
    host.strip()
    for host in _required_in_production(
        "ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver"
    ).split(",")
    if host.strip()
]
if not ALLOWED_HOSTS:  # "," or " ": set, yet no host in it
    raise SystemExit("ALLOWED_HOSTS must name at least one host (see README.md, Configuration).")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.redirects",
    "django.contrib.sitemaps",
    # Third party
    "corsheaders",
    # Listed so that the API's docs page is served from the app's own static files,
    # not from a CDN.
    "ninja",
    "csp",
    "axes",
    "taggit",
    "ckeditor",
    "ckeditor_uploader",
    "reversion",
    "reversion_compare",
    # Ours
    "richtext",
    "bulletin",
    "jokes",
    "portal",
]

MIDDLEWARE = [
    # First, so that every /api/ response carries the CORS headers, even those that
    # middleware below answers by itself (a redirect, a 400 for a NUL byte).
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.RejectNulBytesMiddleware",
    "portal.middleware.RequestBodyLimitMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
    # Whole pages for visitors without an account (portal/pagecache.py): above what a
    # page from the cache does not need. Every header above is added to it too.
    "portal.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Old URLs of moved articles answer with a permanent redirect (only on a 404).
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    # Last, as django-axes asks: it answers a locked-out log-in with its own page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a log-in while its address and username are locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
SITE_ID = 1

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "portal.context_processors.site",
    "csp.context_processors.nonce",
]
TEMPLATES = [
    # The public pages, in Jinja2 (portal/templating.py says why): first, so that
    # their names find these; any other name falls through to Django's templates.
    {
        "NAME": "jinja2",
        "BACKEND": "portal.templating.Jinja2",
        "DIRS": [BASE_DIR / "jinja_templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "portal.templating.environment",
            "context_processors": CONTEXT_PROCESSORS,
        },
    },
    # The admin, its overrides (templates/admin/) and the other apps' templates.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": CONTEXT_PROCESSORS},
    },
]

# Database: SQLite in a file by default; DATABASE_URL switches (PostgreSQL in production).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers and one writer work at once; IMMEDIATE takes the write
            # lock at BEGIN so concurrent writers wait (timeout) instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
# Persistent connections (checked before reuse), for SQLite as for PostgreSQL: opening
# one per request cost a connect, the PRAGMAs and the search functions every time.
# The public pages' simplest queries are planned once per connection on PostgreSQL
# (portal/prepared.py, plan_once): as prepared statements, whose plans are made without
# their values. Off behind PgBouncer in transaction mode, which cannot keep them.
PREPARED_STATEMENTS = env.bool("PREPARED_STATEMENTS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and PREPARED_STATEMENTS:
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c plan_cache_mode=force_generic_plan"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if env("REDIS_URL", default=""):
    CACHES = {
        "default": {
            # Fails open: while Redis is down pages are served without it, and the rate
            # limits answer "try again in a moment" (portal/cache.py).
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": env("REDIS_URL"),
            # Lets several sites (or test runs) share one Redis database.
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default=""),
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_TIMEOUT", default=0.5),
                "socket_timeout": env.float("REDIS_TIMEOUT", default=0.5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English"))]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

SITE_NAME = env("SITE_NAME", default="Joke Collection Website")
# The site's public host (and port), used for absolute links: the admin's "View on
# site", preview links, e-mails, and later feeds and sitemaps. Written to the sites
# framework on every migrate.
SITE_DOMAIN = env("SITE_DOMAIN", default="127.0.0.1:8000" if DEBUG else ALLOWED_HOSTS[0])

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Request bodies: the form fields Django reads at most, and the whole body this site
# takes at most (portal/middleware.py, RequestBodyLimitMiddleware; a 413 beyond).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
PUBLIC_REQUEST_MAX_BYTES = env.int("PUBLIC_REQUEST_MAX_BYTES", default=1024 * 1024)

# Rich text (django-ckeditor), contained as README.md "The editor" explains.
CKEDITOR_UPLOAD_PATH = "uploads/"
CKEDITOR_ALLOW_NONIMAGE_FILES = False
CKEDITOR_RESTRICT_BY_DATE = True
CKEDITOR_BROWSE_SHOW_DIRS = False
CKEDITOR_CONFIGS = {
    "default": {
        "toolbar": "Custom",
        "toolbar_Custom": [
            ["Format", "Bold", "Italic", "Underline", "Strike", "Subscript", "Superscript"],
            ["NumberedList", "BulletedList", "Blockquote", "HorizontalRule"],
            ["Link", "Unlink", "Image", "Table"],
            ["RemoveFormat", "Source", "Maximize"],
        ],
        "format_tags": "p;h2;h3;h4;pre",
        # The editor's own content filter keeps to what the server-side allow-list
        # (richtext/sanitize.py) keeps; no script, no style, no event handlers.
        "allowedContent": (
            "p h2 h3 h4 pre blockquote ul ol li strong em u s sub sup hr br code;"
            "a[!href,title];"
            "img[!src,alt,width,height];"
            "table thead tbody tfoot tr th td caption;"
        ),
        "disallowedContent": "script; style; *[on*]; *{*}",
        "removePlugins": (
            "exportpdf,iframe,flash,forms,templates,docprops,preview,print,save,"
            "newpage,language,smiley,scayt,wsc,about"
        ),
        "fullPage": False,
        "height": 360,
        "width": "100%",
    }
}
RICHTEXT_IMAGE_MAX_BYTES = env.int("RICHTEXT_IMAGE_MAX_BYTES", default=5 * 1024 * 1024)
# The admin: its fields and one image, with room for the multipart framing.
ADMIN_REQUEST_MAX_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE + RICHTEXT_IMAGE_MAX_BYTES + 64 * 1024
RICHTEXT_IMAGE_MAX_PIXELS = env.int("RICHTEXT_IMAGE_MAX_PIXELS", default=25_000_000)

SILENCED_SYSTEM_CHECKS = [
    # django-ckeditor warns that it bundles CKEditor 4.22.1. The risk is contained as
    # README.md "The editor" describes: staff-only editor, nh3 on every save, risky
    # plugins off, and the editor behind the one module richtext/fields.py.
    "ckeditor.W001",
]

TAGGIT_CASE_INSENSITIVE = True

# Preview links for people without an account expire after this many days by default.
PREVIEW_LINK_DAYS = env.int("PREVIEW_LINK_DAYS", default=7)

LOGIN_URL = "admin:login"
# Staff land in the admin after logging in (there are no visitor accounts).
LOGIN_REDIRECT_URL = "admin:index"

# E-mail: printed to the console in development; in production an SMTP server given
# as EMAIL_URL (smtp+tls://user:password@host:587, see django-environ's email_url).
vars().update(
    env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="webmaster@localhost")

# HTTPS: on by default in production (DEBUG off), off in development. Behind a
# TLS-terminating reverse proxy, BEHIND_PROXY=1 trusts its X-Forwarded-Proto header
# (see README.md, Operations). HTTPS=0 serves production settings over plain HTTP,
# for a trial of `make serve` on this machine only.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers and process managers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No page is framed, but the editor's image upload answer, which CKEditor's dialog
# reads in a frame of its own (richtext/views.py says so for that view).
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content Security Policy (django-csp): nothing from other origins, no inline script
# but the site's own with a per-response nonce, no plugins, no framing by other sites.
# The admin gets inline scripts and styles, blob: images and same-origin frames on
# top, which CKEditor 4 needs (portal/middleware.py says why).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Admin log-in throttling (django-axes): after AXES_FAILURE_LIMIT failed log-ins for
# one username from one address, that pair is locked out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every start: stdout carries the logs and commands' output
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# The same client address as the rate limits (the proxy's, when BEHIND_PROXY).
AXES_CLIENT_IP_CALLABLE = "jokes.ratelimit.client_address"

# Logs: one JSON object per line on stdout (portal/logs.py), for the process manager
# or the container runtime to collect. LOG_FORMAT=plain for reading in a terminal.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "portal.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": env("LOG_FORMAT", default="plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Who may upload images from the editor (any one of these permissions).
RICHTEXT_UPLOAD_PERMISSIONS = ["bulletin.add_article", "bulletin.change_article"]

# Jokes: this many reports from distinct visitors hide a joke until a moderator decides.
JOKE_REPORTS_TO_HIDE = env.int("JOKE_REPORTS_TO_HIDE", default=3)

# What one client (a keyed hash of its address) may send per hour (jokes/ratelimit.py).
SUBMISSIONS_PER_HOUR = env.int("SUBMISSIONS_PER_HOUR", default=10)
VOTES_PER_HOUR = env.int("VOTES_PER_HOUR", default=120)
REPORTS_PER_HOUR = env.int("REPORTS_PER_HOUR", default=10)

# Public pages are kept whole in the cache for visitors without an account, renewed at
# once when content changes, and at the latest after this many seconds (a scheduled
# article appears within them). 0 turns the page cache off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=10)
# Each worker keeps its own copies of the pages it served last (and of the shared
# fragments, FRAGMENT_CACHE_SECONDS) and trusts the shared cache's generation for this
# long: a change made through another worker shows on it within these seconds
# (portal/pagecache.py, LocalCopies); 0 asks the cache every time.
PAGE_CACHE_LOCAL_SECONDS = env.float("PAGE_CACHE_LOCAL_SECONDS", default=1.0)
# What every page shows alike (the header's sections) is kept this long in the cache,
# and dropped as soon as content changes (portal/pagecache.py, shared); 0: not kept.
# What changes by the clock alone (a scheduled article's section) shows in the header
# of a cached page within this plus PAGE_CACHE_SECONDS.
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=10)
# The queries public pages make on every request are compiled to SQL once per process
# (portal/prepared.py). With this on, each is also compiled again with its values and
# compared: a query whose SQL would differ fails at once. On in development and the tests.
PREPARED_QUERIES_CHECK = env.bool("PREPARED_QUERIES_CHECK", default=DEBUG)

# The read-only JSON API (portal/api/): requests one client may make per minute.
API_REQUESTS_PER_MINUTE = env.int("API_REQUESTS_PER_MINUTE", default=120)

# Any site may read the API from a browser; nothing else is shared across origins,
# and no cookies go with the requests (the API needs none).
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "OPTIONS"]
# Scripts on other sites may read how long to wait after a 429.
CORS_EXPOSE_HEADERS = ["Retry-After"]
