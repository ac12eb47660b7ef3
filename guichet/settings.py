"""The one settings module. Every knob is an environment variable (see README).

Defaults give the embedded set-up: SQLite under var/, local-memory cache, database
sessions. DATABASE_URL and REDIS_URL switch to the scale-out path.
"""

import logging
import os
import warnings
from pathlib import Path

from guichet import keys, logmask
from guichet.environment import Env
from guichet.private_files import private_file
from ops import logconfig

BASE_DIR = Path(__file__).resolve().parent.parent

# pysaml2 7.5 names a cipher mode cryptography has moved; harmless until cryptography 49.
warnings.filterwarnings("ignore", message="CFB has been moved", module="saml2")

# A yes/no variable set to anything else (GUICHET_HTTPS=flase) stops start-up, naming it.
env: Env = Env()


def _env_secret(name: str, default_file: Path) -> str:
    """NAME, or the file NAME_FILE points at (made by `manage.py generate_keys`); "" if neither."""
    return env.str(name, default="") or keys.read(Path(env.str(f"{name}_FILE", default=str(default_file))))


VAR_DIR: Path = Path(env.str("GUICHET_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("GUICHET_DEBUG", default=False)
# pytest sets PYTEST_VERSION while it runs; tests speak plain HTTP to the test client.
TESTING: bool = env.bool("GUICHET_TESTING", default="PYTEST_VERSION" in os.environ)
# Keys are files made by `manage.py generate_keys` (make run calls it), never while settings
# load: a missing or unreadable one is left empty here and the system checks (guichet/checks.py)
# refuse to start. Tests make theirs once under var/test-keys/ with the same function.
KEY_DIR: Path = VAR_DIR / "test-keys" if TESTING else VAR_DIR
if TESTING:
    keys.generate(
        keys.KeyFiles(
            secret_key=KEY_DIR / "secret_key",
            oidc=KEY_DIR / "oidc" / "current.pem",
            saml=(KEY_DIR / "saml" / "idp.key", KEY_DIR / "saml" / "idp.crt"),
            field_key=KEY_DIR / "field_key",
        )
    )
GUICHET_SECRET_KEY_FILE = (
    None
    if env.str("GUICHET_SECRET_KEY", default="")
    else Path(env.str("GUICHET_SECRET_KEY_FILE", default=str(KEY_DIR / "secret_key")))
)
SECRET_KEY = _env_secret("GUICHET_SECRET_KEY", KEY_DIR / "secret_key")
# Field encryption at rest (django-fernet-encrypted-fields): the outbox's subjects and bodies
# until delivered, TOTP secrets. Fernet keys are derived from SECRET_KEY (and its fallbacks)
# with this key as salt: a copy of the database alone reads nothing. GUICHET_FIELD_KEY or
# the file GUICHET_FIELD_KEY_FILE (default var/field_key, made by generate_keys).
GUICHET_FIELD_KEY_FILE = (
    None
    if env.str("GUICHET_FIELD_KEY", default="")
    else Path(env.str("GUICHET_FIELD_KEY_FILE", default=str(KEY_DIR / "field_key")))
)
SALT_KEY = _env_secret("GUICHET_FIELD_KEY", KEY_DIR / "field_key")
ALLOWED_HOSTS = env.list("GUICHET_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# Served over HTTPS (directly or behind a TLS proxy). Only the local demo turns it off.
HTTPS = env.bool("GUICHET_HTTPS", default=not (DEBUG or TESTING))
GUICHET_SITE_NAME = env.str("GUICHET_SITE_NAME", default="Guichet")
GUICHET_DEMO: bool = env.bool("GUICHET_DEMO", default=False)
GUICHET_SETUP_FILE = Path(
    env.str("GUICHET_SETUP_FILE", default=str(BASE_DIR / "institutions" / "data" / "poitiers.yaml"))
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "phonenumber_field",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "huey.contrib.djhuey",
    "oauth2_provider",
    "institutions",
    "audit",
    "notify",
    "accounts",
    "recovery",
    "sso",
    "orientation",
    "django_prometheus",
    "ops",
    "support",
    "mailconfig",
    "status",
    "guichet",  # last: the start-up checks and generate_keys, over every app
]

AUTH_USER_MODEL = "accounts.Account"
AUTHENTICATION_BACKENDS = ["accounts.backends.DirectoryBackend"]
# argon2id at 19 MiB, 2 passes, 1 lane (OWASP's first choice): about 25 ms of CPU a sign-in.
# Tests use a fast hasher, except those that check the production parameters.
PASSWORD_HASHERS = ["accounts.hashers.Argon2idHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
if TESTING:
    PASSWORD_HASHERS.insert(0, "django.contrib.auth.hashers.MD5PasswordHasher")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "services"
SESSION_COOKIE_AGE = env.int("GUICHET_SESSION_MAX_HOURS", default=12) * 3600
GUICHET_SESSION_IDLE_SECONDS = env.int("GUICHET_SESSION_IDLE_MINUTES", default=120) * 60
GUICHET_PASSWORD_MIN_LENGTH = env.int("GUICHET_PASSWORD_MIN_LENGTH", default=12)
GUICHET_REAUTH_SECONDS = 600  # a fresh password is needed for changes to second factors
GUICHET_DEMO_PASSWORD = env.str("GUICHET_DEMO_PASSWORD", default="Guichet-Demo-2026!")
OTP_TOTP_ISSUER = env.str("GUICHET_TOTP_ISSUER", default="Guichet")
# Passkeys (WebAuthn, django-otp-webauthn) as a second factor only, never alone. The RP ID is
# the host name passkeys are bound to: changing it later orphans every registered passkey.
# Origins default to https://<RP ID>, or http://localhost:8000 for the local default.
OTP_WEBAUTHN_RP_ID = env.str("GUICHET_WEBAUTHN_RP_ID", default="localhost")
OTP_WEBAUTHN_RP_NAME = GUICHET_SITE_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "GUICHET_WEBAUTHN_ORIGINS",
    default=["http://localhost:8000"] if OTP_WEBAUTHN_RP_ID == "localhost" else [f"https://{OTP_WEBAUTHN_RP_ID}"],
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "accounts.passkeys.PasskeyHelper"

# Options per directory backend or per institution slug, e.g. the LDAP server:
# GUICHET_LDAP_URL=ldap://127.0.0.1:389 GUICHET_LDAP_BASE_DN=ou=people,dc=example,dc=org
GUICHET_DIRECTORIES = {
    "ldap": {
        "url": env.str("GUICHET_LDAP_URL", default=""),
        "base_dn": env.str("GUICHET_LDAP_BASE_DN", default=""),
        "bind_dn": env.str("GUICHET_LDAP_BIND_DN", default=""),
        "bind_password": env.str("GUICHET_LDAP_BIND_PASSWORD", default=""),
        "start_tls": env.bool("GUICHET_LDAP_START_TLS", default=False),
    },
}

MIDDLEWARE = [
    # First and last: request counts and latencies by view and status (ops/metrics.py).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id of every log line, echoed in the response (ops/logconfig.py).
    "django_structlog.middlewares.RequestMiddleware",
    "ops.logconfig.RequestIdHeader",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # LocaleMiddleware, plus Accept-Language and the cookie on unprefixed URLs (/cas/, /saml/…).
    "guichet.language.NegotiatedLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionGuard",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A protocol whose key or program is missing answers a 503 page in the person's language.
    "guichet.middleware.ServiceUnavailableMiddleware",
    # After the CSP middleware: its page's frame-src reaches the CSP header.
    "sso.middleware.FrontChannelLogout",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "guichet.urls"
WSGI_APPLICATION = "guichet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "guichet" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "guichet.context.site",
                "support.context_processors.support",
                "status.context.banners",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'guichet.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The database holds hashes, tokens' checksums and the audit trail: nobody else reads it.
    # SQLite gives its -wal and -shm files the main file's permissions.
    if str(DATABASES["default"]["NAME"]).startswith(str(VAR_DIR)):
        private_file(Path(DATABASES["default"]["NAME"]))
    # WAL + immediate transactions: several gunicorn workers write without "database is locked";
    # a writer may wait up to 20 s under a burst (32 sign-ins at once) rather than fail.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
    if TESTING:
        # Tests on a file too, not shared-cache memory: threads in the concurrency tests then meet
        # the write lock gunicorn's workers meet (shared-cache memory answers "table is locked").
        DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
# Keep connections between requests: a reconnect (and SQLite's PRAGMAs) costs about a millisecond.
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# A Redis that accepts connections but never answers must not hold every request (and every
# gunicorn thread) for ever: past these seconds redis-py raises TimeoutError, which is the 503
# page (ops/outage.py). A healthy Redis next to the nodes connects and answers Guichet's small
# GET/SETs in well under a millisecond; 1 s still lets a fork for a snapshot pass.
REDIS_TIMEOUTS = {
    "socket_connect_timeout": env.float("GUICHET_REDIS_CONNECT_TIMEOUT", default=0.5),
    "socket_timeout": env.float("GUICHET_REDIS_TIMEOUT", default=1.0),
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "guichet",
            "OPTIONS": REDIS_TIMEOUTS,
        }
    }
    # accounts' write-once cache store, but a Redis outage answers 503 instead of signing everyone out.
    SESSION_ENGINE = "ops.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "accounts.session_engines.db"
# Sign-in throttle counters (accounts/throttle_stores): Redis when there is one, so a sign-in
# costs no row-locking transaction; that Redis must persist (AOF), or the hard cap resets with it.
GUICHET_THROTTLE_STORE = env.str("GUICHET_THROTTLE_STORE", default="redis" if REDIS_URL else "database")
if GUICHET_THROTTLE_STORE not in ("redis", "database") or (GUICHET_THROTTLE_STORE == "redis" and not REDIS_URL):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"GUICHET_THROTTLE_STORE={GUICHET_THROTTLE_STORE!r}: use redis (with REDIS_URL) or database "
        f"(« {GUICHET_THROTTLE_STORE} » : redis, avec REDIS_URL, ou database)."
    )

# Anonymous pages are cached this many seconds; the set-up version is part of the key,
# so an edit in the admin shows at once.
PAGE_CACHE_SECONDS = env.int("GUICHET_PAGE_CACHE_SECONDS", default=300)
# ... and nginx in front may keep them this many seconds more (X-Accel-Expires; 0: never).
GUICHET_PROXY_CACHE_SECONDS = env.int("GUICHET_PROXY_CACHE_SECONDS", default=5)
GUICHET_REVISION_TTL = env.float("GUICHET_REVISION_TTL", default=0.0 if TESTING else 1.0)
# ... and each worker serves them from its memory, before Django, this many seconds
# (guichet/microcache.py; 0: never). Off in the tests but those of the cache itself.
GUICHET_MICROCACHE_SECONDS = env.float("GUICHET_MICROCACHE_SECONDS", default=0.0 if TESTING else 1.0)

LANGUAGE_CODE = "fr"
# Each language is named in itself, for the switch link.
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "guichet" / "static"]
# Uploaded files (HR request documents). No URL serves this directory: files are read
# through views that check who asks. Keep MEDIA_URL unset.
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Tests run without collectstatic; everything else serves hashed, compressed files.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security headers from day one.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
if HTTPS:
    SECURE_SSL_REDIRECT = env.bool("GUICHET_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("GUICHET_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
if env.bool("GUICHET_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
CSRF_FAILURE_VIEW = "guichet.errors.csrf_failure"
CSRF_TRUSTED_ORIGINS = env.list("GUICHET_CSRF_TRUSTED_ORIGINS", default=[])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Logs (ops/logconfig.py): JSON lines in production, text in the demo, the tests and debug;
# every line carries the request id (nginx's X-Request-ID behind the proxy, else a fresh one,
# echoed in the response) and has its tokens, tickets, codes and reset links masked.
GUICHET_LOG_FORMAT = env.str("GUICHET_LOG_FORMAT", default="plain" if (GUICHET_DEMO or DEBUG or TESTING) else "json")
LOGGING = logconfig.logging_config(
    GUICHET_LOG_FORMAT, env.str("GUICHET_LOG_LEVEL", default="INFO"), logmask.mask, logmask.MaskingFilter
)
logconfig.configure_structlog(GUICHET_LOG_FORMAT, logmask.mask)
# django-structlog: one « request_finished » line per request (status, method, path masked);
# no user id (the audit log says who), the client address as Guichet itself trusts it
# (ops/apps.py binds audit.actions.client_ip), the proxy's request id only behind the proxy.
DJANGO_STRUCTLOG_USER_ID_FIELD = None
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = logging.DEBUG
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = env.bool("GUICHET_BEHIND_PROXY", default=False)

# Background work: huey on SQLite by default, on Redis when scaled out. Every message is
# first a row in notify's outbox, so the queue only says "look at row N now".
HUEY = {
    "name": "guichet",
    "immediate": env.bool("GUICHET_HUEY_IMMEDIATE", default=TESTING),
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True},
}
if REDIS_URL:
    # The same timeouts (redis-py reads them from the URL); the read one above huey's 1 s
    # blocking BRPOP, which the worker waits on when the queue is empty.
    _read = REDIS_TIMEOUTS["socket_timeout"] + 1
    _timeouts = f"socket_connect_timeout={REDIS_TIMEOUTS['socket_connect_timeout']}&socket_timeout={_read}"
    HUEY.update({"huey_class": "huey.RedisHuey", "url": f"{REDIS_URL}{'&' if '?' in REDIS_URL else '?'}{_timeouts}"})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})
    private_file(VAR_DIR / "huey.sqlite3")  # queued tasks name identifiers and addresses

# Single sign-on: Zimbra preauth keys, the OIDC provider, the SAML identity provider.
# Outgoing mail and SMS, and the support, mail-client, status and operations apps' knobs.
from guichet.settings_services import *  # noqa: E402, F403
from guichet.settings_sso import *  # noqa: E402, F403
