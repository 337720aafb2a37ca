"""Settings for tuopin, read from the environment (TUOPIN_*, DATABASE_URL).

One module for every deployment: the demo on a laptop (SQLite, generated keys in the data
directory), the test suite, and production on PostgreSQL. Operators set environment
variables, or ``TUOPIN_<NAME>_FILE`` pointing at a file holding the value (for secrets kept
outside the repository and the database). See README "Production".
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
import plotly

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str | None = None) -> str | None:
    """Read TUOPIN_<name>, or the contents of the file named by TUOPIN_<name>_FILE."""
    path = os.environ.get(f"TUOPIN_{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(f"TUOPIN_{name}", default)


def envbool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = env(name)
    return default if value in (None, "") else int(value)


# pytest imports settings before any test runs, so PYTEST_CURRENT_TEST is not set yet: look for the module.
TESTING = "pytest" in sys.modules or envbool("TESTING", False)
DEBUG = envbool("DEBUG", False)
DEMO_MODE = envbool("DEMO", False)

# Where the demo database, generated keys, uploads and backups live.
DATA_DIR = Path(env("HOME_DIR") or (BASE_DIR.parent / "var")).resolve()


def _secret(name: str, nbytes: int = 32) -> str:
    """A secret from the environment; otherwise one generated once and kept in DATA_DIR/keys.

    Production sets every secret explicitly (``check --deploy`` style checks refuse the
    generated ones when TUOPIN_PRODUCTION is set). Tests use fixed throwaway values.
    """
    value = env(name)
    if value:
        return value
    if TESTING:
        return f"test-only-{name.lower()}-" + "0" * 32
    keydir = DATA_DIR / "keys"
    keyfile = keydir / name.lower()
    if not keyfile.exists():
        keydir.mkdir(parents=True, exist_ok=True, mode=0o700)
        keyfile.write_text(secrets.token_urlsafe(nbytes), encoding="utf-8")
        keyfile.chmod(0o600)
    return keyfile.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret("SECRET_KEY", 50)
# Field encryption: "id:key" pairs, newest first; older keys stay for reading until rotated away.
FIELD_ENCRYPTION_KEYS = env("FIELD_KEYS") or f"k1:{_secret('FIELD_KEY')}"
# Keyed hash (HMAC) for exact lookup of ID numbers and bank accounts without decrypting.
LOOKUP_HASH_KEY = _secret("LOOKUP_KEY")

PRODUCTION = envbool("PRODUCTION", False)
# 等保 8.1.5: the admin interface (and any 三员 request) only from these networks (CIDR list); every
# address in the demo, loopback only otherwise. A proxy's client-address header is believed only when
# named here and only from the listed proxies (tuopin.core.network).
ADMIN_NETWORKS = env("ADMIN_NETWORKS") or ("0.0.0.0/0,::/0" if DEMO_MODE else "127.0.0.1/32,::1/128")
TRUSTED_PROXY_HEADER = env("TRUSTED_PROXY_HEADER") or ""
TRUSTED_PROXIES = env("TRUSTED_PROXIES") or "127.0.0.1/32,::1/128"
for _cidr in f"{ADMIN_NETWORKS},{TRUSTED_PROXIES}".split(","):  # a typo must stop start-up, not open a hole
    if _cidr.strip():
        ipaddress.ip_network(_cidr.strip(), strict=False)
ALLOWED_HOSTS = [h.strip() for h in (env("ALLOWED_HOSTS") or "127.0.0.1,localhost,testserver").split(",")]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tuopin.core",
    "tuopin.geo",
    "tuopin.accounts",
    "tuopin.registry",
    "tuopin.policy",
    "tuopin.assessment",
    "tuopin.programmes",
    "tuopin.payments",
    "tuopin.cases",
    "tuopin.assistance",
    "tuopin.supervision",
    "tuopin.exchange",
    "tuopin.reports",
    "tuopin.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tuopin.core.middleware.RequestContextMiddleware",
    "tuopin.core.network.AdminNetworkMiddleware",
    "tuopin.core.middleware.LoginRequiredMiddleware",
    "tuopin.accounts.security.SecondFactorMiddleware",
    # Last, as django-axes requires: turns a lockout into the lockout page (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tuopin.urls"
WSGI_APPLICATION = "tuopin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tuopin.core.context_processors.field_rules",
            ],
        },
    }
]

_sqlite_path = DATA_DIR / "tuopin.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{_sqlite_path}",
        conn_max_age=0 if TESTING else 60,
    )
}
if TESTING and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # One test database per checkout (and per TUOPIN_TEST_DB_SUFFIX), so that two checkouts, or CI and a
    # developer, can run the suite against the same server at once without dropping each other's database.
    _checkout = hashlib.blake2b(str(BASE_DIR).encode(), digest_size=4).hexdigest()
    DATABASES["default"]["TEST"] = {
        "NAME": f"test_tuopin_{_checkout}{env('TEST_DB_SUFFIX') or ''}",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer (an import, an assessment) runs; IMMEDIATE
    # transactions avoid "database is locked" upgrades from read to write mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# 等保 身份鉴别 b: lock after N failures per account and, separately, per address; unlock after the cool-off.
AXES_FAILURE_LIMIT = envint("LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "tuopin.core.network.client_address"  # the address the audit trail records too
# 等保 身份鉴别 d: roles that need a second factor (TOTP) after the password. Off in the test suite by
# default (tests log in with force_login; the authentication tests switch it on) and in `tuopin demo`.
TWO_FACTOR_ROLES = frozenset(
    (env("TWO_FACTOR_ROLES") or ("" if TESTING or DEMO_MODE else "sysadmin,secadmin,auditadmin,approver")).split(",")
) - {""}
OTP_TOTP_ISSUER = "tuopin"
DORMANT_DAYS = envint("DORMANT_DAYS", 90)
# Fraud-pattern checks of the internal cross-check (domain.md §7; thresholds "to confirm").
FRAUD_SPLIT_MONTHS = envint("FRAUD_SPLIT_MONTHS", 6)  # enrolment this soon after leaving another household
FRAUD_BACKDATE_DAYS = envint("FRAUD_BACKDATE_DAYS", 30)  # a procedure step dated this long before it was entered
FRAUD_BULK_EDIT_DAYS = envint("FRAUD_BULK_EDIT_DAYS", 30)  # income edits this close before an assessment…
FRAUD_BULK_EDIT_MIN = envint("FRAUD_BULK_EDIT_MIN", 10)  # …by one official, on at least this many households

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tuopin.accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: fast, never in production
    if TESTING
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Our own assets, and Plotly's JavaScript straight from the installed plotly wheel (no CDN, no copy).
STATICFILES_DIRS = [BASE_DIR / "static", ("plotly", Path(plotly.__file__).resolve().parent / "package_data")]
MEDIA_ROOT = DATA_DIR / "media"

SESSION_COOKIE_AGE = envint("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout: the age counts from the last request
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "tuopin.accounts.security.TuopinBasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON only: field-level rules are applied as the response is rendered, and the browsable API would
    # pre-fill its forms with unfiltered serializer data.
    "DEFAULT_RENDERER_CLASSES": ["tuopin.core.api.FieldRulesJSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "tuopin.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "tuopin API",
    "DESCRIPTION": "脱贫 — registry, assessment and accountability. Every list is limited to the caller's jurisdiction.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tuopin.core.api.nullable_labelled_fields",
    ],
    # One schema name per code list that several fields share (main/other cause, from/to status).
    "ENUM_NAME_OVERRIDES": {
        "PovertyCauseEnum": "tuopin.registry.choices.PovertyCause",
        "HouseholdStatusEnum": "tuopin.registry.choices.HouseholdStatus",
        "AssessmentResultEnum": "tuopin.assessment.choices.Result",
        "EducationLevelEnum": "tuopin.registry.choices.Education",
    },
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.backend.DatabaseBackend",
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "tuopin.core.masking.MaskPIIFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_pii"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL") or "WARNING"},
}

# Import files staged but never committed hold plaintext ID numbers: `tuopin hygiene` warns after this many days.
STAGED_RETENTION_DAYS = envint("STAGED_RETENTION_DAYS", 30)

# Audit retention (等保 / 网络安全法 art. 21: at least 180 days); the purge job never goes below this.
AUDIT_RETENTION_DAYS = max(180, envint("AUDIT_RETENTION_DAYS", 365))
