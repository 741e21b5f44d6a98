"""The application factory: configuration, then one `configure_*` step per concern (flaskbb style)."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from assessment import cli
from assessment.core.questionnaire import Registry
from assessment.services.cache import Cache
from assessment.web import errors, hardening, jobs, templating
from assessment.web.account.routes import bp as account_bp
from assessment.web.admin.enterprises import bp as admin_enterprises_bp
from assessment.web.admin.routes import bp as admin_bp
from assessment.web.api import setup as api_setup
from assessment.web.api_tokens.routes import bp as api_tokens_bp
from assessment.web.auth.routes import bp as auth_bp
from assessment.web.auth.session import load_user
from assessment.web.bureau.routes import bp as bureau_bp
from assessment.web.campaigns.progress import bp as campaign_progress_bp
from assessment.web.campaigns.routes import bp as campaigns_bp
from assessment.web.config import DEFAULT_SECRET_KEY, DefaultConfig, from_environment
from assessment.web.extensions import babel, csrf, db, limiter, login_manager, mail
from assessment.web.grants.routes import bp as grants_bp
from assessment.web.i18n import select_locale
from assessment.web.join.routes import bp as join_bp
from assessment.web.main.routes import bp as main_bp
from assessment.web.mfa.routes import bp as mfa_bp
from assessment.web.my_data.routes import bp as my_data_bp
from assessment.web.officers.routes import bp as officers_bp
from assessment.web.profile.routes import bp as profile_bp
from assessment.web.provider.routes import bp as provider_bp
from assessment.web.reports.routes import bp as reports_bp
from assessment.web.results.routes import bp as results_bp
from assessment.web.review.routes import bp as review_bp
from assessment.web.shared_state import configure_rate_limit_storage
from assessment.web.survey.fields import SurveyForms
from assessment.web.survey.routes import bp as survey_bp
from assessment.web.team.routes import bp as team_bp
from reports import configure_reportlab

PROJECT_DIR = Path(__file__).resolve().parents[2]
BLUEPRINTS = (
    main_bp,
    auth_bp,
    account_bp,
    survey_bp,
    results_bp,
    reports_bp,
    bureau_bp,
    admin_bp,
    grants_bp,
    provider_bp,
    mfa_bp,
    team_bp,
    profile_bp,
    my_data_bp,
    admin_enterprises_bp,
    review_bp,
    campaign_progress_bp,
    campaigns_bp,
    join_bp,
    officers_bp,
    api_tokens_bp,
)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config defaults → instance/config.py → environment → test overrides."""
    app = Flask(
        "assessment",
        instance_path=os.environ.get("INSTANCE_PATH", str(PROJECT_DIR / "instance")),
        instance_relative_config=True,
        template_folder=str(PROJECT_DIR / "templates"),
        static_folder=str(PROJECT_DIR / "static"),
    )
    configure_app(app, test_config)
    configure_questionnaires(app)
    configure_extensions(app)
    configure_blueprints(app)
    errors.register(app)
    templating.register(app)
    cli.register(app)
    hardening.register(app)
    configure_reportlab()
    jobs.configure(app)  # last: an embedded consumer may start running jobs at once
    return app


def configure_app(app: Flask, test_config: dict | None) -> None:
    """Settings in order of precedence; refuse a production start with the default secret key."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment())
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'assessment.sqlite3'}"
    app.config["MAIL_FILE_PATH"] = app.config.get("MAIL_FILE_PATH") or str(
        Path(app.instance_path) / "mail"
    )
    app.config["QUESTIONNAIRE_DIR"] = app.config.get("QUESTIONNAIRE_DIR") or str(
        PROJECT_DIR / "questionnaires"
    )
    if app.config.get("MFA_REQUIRED") is None:
        app.config["MFA_REQUIRED"] = bool(app.config["PRODUCTION"])
    if app.config["PRODUCTION"] and app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise RuntimeError("PRODUCTION is set but SECRET_KEY is the default: set SECRET_KEY.")
    configure_rate_limit_storage(app)


def configure_questionnaires(app: Flask) -> None:
    """Load every questionnaire version once (refusing to start on an invalid file: the error lists
    every problem), with its survey form classes, and the app's one cross-request cache."""
    registry = Registry.from_directory(app.config["QUESTIONNAIRE_DIR"])
    app.extensions["questionnaires"] = registry
    app.extensions["survey_forms"] = SurveyForms(registry)
    app.extensions["cache"] = Cache()


def configure_extensions(app: Flask) -> None:
    """Bind the Flask extensions (database, Babel, CSRF, rate limits, sessions, mail) to `app`."""
    db.init_app(app)
    mail.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PROJECT_DIR / "translations"),
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"


def configure_blueprints(app: Flask) -> None:
    """Register every area's blueprint."""
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    api_setup.register(app)  # /api/v1 (flask-smorest), docs/api.md
