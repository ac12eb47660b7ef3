"""Settings of the services around the core: outgoing mail and SMS, and the knobs of the
support, mail-client, status and operations apps. Star-imported at the end of
guichet/settings.py (one settings namespace; a module of its own so that each file reads in
one sitting). It reads what settings.py has already computed (env, VAR_DIR, GUICHET_DEMO).
"""

from guichet.settings import GUICHET_DEMO, VAR_DIR, env

# Outgoing mail. The demo writes messages as files under var/mail/ instead of sending them.
EMAIL_BACKEND = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}[env.str("GUICHET_EMAIL_BACKEND", default="smtp")]
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env.str("GUICHET_SMTP_HOST", default="localhost")
EMAIL_PORT = env.int("GUICHET_SMTP_PORT", default=25)
EMAIL_HOST_USER = env.str("GUICHET_SMTP_USER", default="")
EMAIL_HOST_PASSWORD = env.str("GUICHET_SMTP_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("GUICHET_SMTP_STARTTLS", default=False)
EMAIL_USE_SSL = env.bool("GUICHET_SMTP_SSL", default=False)
EMAIL_TIMEOUT = env.int("GUICHET_SMTP_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("GUICHET_FROM_EMAIL", default="Guichet <ne-pas-repondre@guichet.invalid>")

# Text messages. GUICHET_SMS_BACKEND: "brevo" sends for real; "file" (or "console") writes each
# SMS under var/sms/ for the demo, never to the log, since an SMS may carry a recovery code;
# empty keeps SMS queued and retried until a backend is set (see notify/channels/sms.py).
GUICHET_SMS_BACKEND = env.str("GUICHET_SMS_BACKEND", default="")
GUICHET_SMS_FILE_PATH = VAR_DIR / "sms"
GUICHET_SMS_SENDER = env.str("GUICHET_SMS_SENDER", default="Guichet")  # at most 11 letters or digits
GUICHET_BREVO_API_URL = env.str("GUICHET_BREVO_API_URL", default="https://api.brevo.com")
GUICHET_BREVO_API_KEY = env.str("GUICHET_BREVO_API_KEY", default="")
GUICHET_BREVO_API_KEY_FILE = env.str("GUICHET_BREVO_API_KEY_FILE", default="")
# SMS a day, all purposes together: administrators are warned at 80 %, codes stop at 100 %.
GUICHET_SMS_DAILY_BUDGET = env.int("GUICHET_SMS_DAILY_BUDGET", default=500)
# Addresses (comma-separated) that get operational alerts, with staff accounts' verified addresses.
GUICHET_ADMIN_EMAILS = env.list("GUICHET_ADMIN_EMAILS", default=[])

# Operations (ops/): who may read /metrics (CIDR list; behind the proxy, the client's address).
GUICHET_METRICS_ALLOWED = env.list("GUICHET_METRICS_ALLOWED", default=["127.0.0.0/8", "::1/128"])

# Support desk (issue 11). Screenshots live under VAR_DIR, outside the static root, and are
# served only by views that check the ticket's agent or tracking link. GLPI's tokens come from
# GUICHET_GLPI_APP_TOKEN_<INSTITUTION> / GUICHET_GLPI_USER_TOKEN_<INSTITUTION> (or *_FILE).
GUICHET_SUPPORT_FILES = VAR_DIR / "support"
GUICHET_SUPPORT_RETENTION_DAYS = env.int("GUICHET_SUPPORT_RETENTION_DAYS", default=90)
GUICHET_GLPI_TIMEOUT = env.int("GUICHET_GLPI_TIMEOUT", default=10)
# The public root URL (https://guichet.example.fr), for links in messages sent by the worker.
GUICHET_BASE_URL = env.str("GUICHET_BASE_URL", default="")

# Mail-client settings (mailconfig). Apple profiles are signed with this certificate (PEM:
# the signer first, then its intermediates) and key; without them they go out unsigned, with a
# warning on every page that offers one. The connection test reaches only the set-up's hosts
# and ports, with this timeout, at most this many times an hour per address (IPv6: per /64);
# an extra CA file is trusted beside the system's (a private CA, the tests).
GUICHET_MOBILECONFIG_CERT_FILE = env.str("GUICHET_MOBILECONFIG_CERT_FILE", default="")
GUICHET_MOBILECONFIG_KEY_FILE = env.str("GUICHET_MOBILECONFIG_KEY_FILE", default="")
GUICHET_MAILCONFIG_PROBE_TIMEOUT = env.float("GUICHET_MAILCONFIG_PROBE_TIMEOUT", default=5.0)
GUICHET_MAILCONFIG_PROBE_CAFILE = env.str("GUICHET_MAILCONFIG_PROBE_CAFILE", default="")
GUICHET_MAILCONFIG_TESTS_PER_HOUR = env.int("GUICHET_MAILCONFIG_TESTS_PER_HOUR", default=10)
# A platform's results are reused this many seconds, whoever asks (no hammering the servers).
GUICHET_MAILCONFIG_PROBE_CACHE_SECONDS = env.int("GUICHET_MAILCONFIG_PROBE_CACHE_SECONDS", default=60)

# Service status and phishing safety (status app). Probes run every few minutes in the worker;
# the demo (no network) leaves them off. A platform turns « dégradé » after this many
# consecutive failures of one of its probes, and back once every probe passes.
GUICHET_STATUS_PROBES = env.bool("GUICHET_STATUS_PROBES", default=not GUICHET_DEMO)
GUICHET_STATUS_FAILURES = env.int("GUICHET_STATUS_FAILURES", default=3)
GUICHET_STATUS_TIMEOUT = env.float("GUICHET_STATUS_TIMEOUT", default=10.0)
GUICHET_STATUS_RETENTION_DAYS = env.int("GUICHET_STATUS_RETENTION_DAYS", default=90)
GUICHET_STATUS_CERT_WARN_DAYS = 14
# Trust store for the probes' TLS checks: the system's by default (a private CA: its PEM file).
GUICHET_STATUS_CA_FILE = env.str("GUICHET_STATUS_CA_FILE", default="")
# How long the banner's view of incidents is reused between database reads (seconds).
GUICHET_STATUS_BANNER_TTL = env.int("GUICHET_STATUS_BANNER_TTL", default=30)
GUICHET_STATUS_REPORT_MAX_BYTES = env.int("GUICHET_STATUS_REPORT_MAX_BYTES", default=512 * 1024)
