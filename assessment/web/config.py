"""Configuration defaults; overridden by the instance file, the environment and tests (in that order)."""

import os

DEFAULT_SECRET_KEY = "dev-insecure-change-me"


class DefaultConfig:
    """Settings that make a laptop demo work with no configuration at all."""

    SECRET_KEY = DEFAULT_SECRET_KEY
    # DATABASE_URL is filled in by the factory (SQLite under instance/) when not set.
    DATABASE_URL: str | None = None
    DATABASE_ECHO = False
    QUESTIONNAIRE_DIR: str | None = None  # defaults to <project>/questionnaires
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a long survey sitting must not lose its token
    PERMANENT_SESSION_LIFETIME = 14 * 24 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024
    # Benchmarks: assessments older than the window are left out; smaller cohorts are not shown
    BENCHMARK_WINDOW_MONTHS = 24
    BENCHMARK_MIN_COHORT = 5
    DEMO_MODE = False
    # Rate limiting (Flask-Limiter): RATELIMIT_STORAGE_URI when set, else REDIS_URL, else each
    # process's memory (web/shared_state.py). Several workers or nodes need Redis.
    RATELIMIT_STORAGE_URI: str | None = None
    REDIS_URL: str | None = None
    RATELIMIT_LOGIN = "10 per minute;50 per hour"
    # Wrong two-step codes (sign-in step, enrolment, disabling): only failures count. Per user,
    # a six-digit code then stays out of reach; per address, an office behind one NAT still fits.
    RATELIMIT_MFA_USER = "5 per 5 minutes;20 per hour"
    RATELIMIT_MFA_IP = "20 per 5 minutes;100 per hour"
    # Colleagues: invitations sent per enterprise; invitation links opened or used per address.
    RATELIMIT_INVITE = "20 per hour;50 per day"
    RATELIMIT_INVITE_ACCEPT = "20 per 5 minutes;60 per hour"
    RATELIMIT_HEADERS_ENABLED = True
    REPORT_FONT: str | None = None
    PRODUCTION = False
    # Two-step verification required of bureau and admin accounts; None follows PRODUCTION.
    MFA_REQUIRED: bool | None = None
    MFA_PENDING_SECONDS = 300  # between the password and the code at sign-in
    PROXY_FIX = False  # set when served behind a reverse proxy (nginx)
    LOG_JSON = False  # one JSON object per log line
    LOG_REQUESTS = False  # an access-log line per request (method, path, status, ms, user)
    # Mail (Flask-Mailman). `console` prints messages where the server runs; production sets
    # MAIL_BACKEND=smtp and the server settings below.
    MAIL_BACKEND = "console"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_TIMEOUT = 10
    MAIL_DEFAULT_SENDER = "慈溪企业数字化自评估 <noreply@localhost>"
    MAIL_FILE_PATH: str | None = None  # for MAIL_BACKEND=file; default <instance>/mail
    # Links mailed to users: how long (seconds) a password-reset and a verification link work.
    PASSWORD_RESET_MAX_AGE = 3600
    EMAIL_VERIFY_MAX_AGE = 7 * 24 * 3600
    # The forgot-password page answers no sooner than this (seconds), whether or not a mail went
    # out, so its timing does not tell which addresses have accounts.
    PASSWORD_RESET_MIN_SECONDS = 0.5
    # Reset requests per requesting IP and per address typed; verification mails per user.
    RATELIMIT_RESET_IP = "10 per 15 minutes;50 per day"
    RATELIMIT_RESET_ADDRESS = "3 per 15 minutes;10 per day"
    RATELIMIT_VERIFY_RESEND = "3 per 15 minutes;10 per day"
    # Background jobs (assessment/web/jobs.py): the queue (redis://… for several nodes; default a
    # SQLite file under instance/), its name (a key prefix in Redis), a consumer thread inside
    # the dev server, attempts, the first retry delay (doubling), a silent worker's limit.
    JOB_QUEUE_URL: str | None = None
    JOB_QUEUE_NAME = "cixi-jobs"
    JOBS_EMBEDDED = False
    JOB_MAX_ATTEMPTS = 3
    JOB_RETRY_DELAY = 30
    JOB_STALE_SECONDS = 300


ENV_KEYS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "REPORT_FONT",
    "RATELIMIT_STORAGE_URI",
    "REDIS_URL",
    "QUESTIONNAIRE_DIR",
    "MAIL_BACKEND",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "MAIL_FILE_PATH",
    "JOB_QUEUE_URL",
    "JOB_QUEUE_NAME",
)
ENV_FLAGS = (
    "DEMO_MODE",
    "PRODUCTION",
    "MFA_REQUIRED",
    "SESSION_COOKIE_SECURE",
    "PROXY_FIX",
    "LOG_JSON",
    "LOG_REQUESTS",
    "RATELIMIT_ENABLED",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "JOBS_EMBEDDED",
)
ENV_INTS = (
    "BENCHMARK_WINDOW_MONTHS",
    "BENCHMARK_MIN_COHORT",
    "MAIL_PORT",
    "MAIL_TIMEOUT",
    "PASSWORD_RESET_MAX_AGE",
    "EMAIL_VERIFY_MAX_AGE",
    "JOB_MAX_ATTEMPTS",
    "JOB_RETRY_DELAY",
    "JOB_STALE_SECONDS",
)


def from_environment() -> dict:
    """Collect the settings that the environment overrides."""
    settings: dict = {}
    for key in ENV_KEYS:
        if os.environ.get(key):
            settings[key] = os.environ[key]
    for key in ENV_FLAGS:
        if key in os.environ:
            settings[key] = os.environ[key].strip().lower() in ("1", "true", "yes", "on")
    for key in ENV_INTS:
        if os.environ.get(key, "").strip().isdigit():
            settings[key] = int(os.environ[key])
    return settings
