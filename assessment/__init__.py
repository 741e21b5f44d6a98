"""慈溪企业数字化水平自评估 — the application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from .config import DEFAULT_SECRET_KEY, DefaultConfig, from_environment

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config defaults → instance/config.py → environment → test overrides."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH", str(PROJECT_DIR / "instance")),
        instance_relative_config=True,
        template_folder=str(PROJECT_DIR / "templates"),
        static_folder=str(PROJECT_DIR / "static"),
    )
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment())
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'assessment.sqlite3'}"
    app.config.setdefault("QUESTIONNAIRE_DIR", None)
    app.config["QUESTIONNAIRE_DIR"] = app.config["QUESTIONNAIRE_DIR"] or str(
        PROJECT_DIR / "questionnaires"
    )
    if app.config["PRODUCTION"] and app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise RuntimeError("PRODUCTION is set but SECRET_KEY is the default: set SECRET_KEY.")

    from .questionnaire import Registry

    # Refuses to start on an invalid questionnaire file (the error lists every problem).
    app.extensions["questionnaires"] = Registry.from_directory(app.config["QUESTIONNAIRE_DIR"])

    from .benchmark import BenchmarkCache

    app.extensions["benchmark_cache"] = BenchmarkCache()
    _init_extensions(app)
    _register_blueprints(app)

    from . import cli, errors, templating, web_hardening

    errors.register(app)
    templating.register(app)
    cli.register(app)
    web_hardening.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from .extensions import babel, csrf, db, limiter, login_manager
    from .i18n import select_locale

    db.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PROJECT_DIR / "translations"),
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from .web.auth.session import load_user

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"


def _register_blueprints(app: Flask) -> None:
    from .web.admin.routes import bp as admin_bp
    from .web.auth.routes import bp as auth_bp
    from .web.bureau.routes import bp as bureau_bp
    from .web.main.routes import bp as main_bp
    from .web.reports.routes import bp as reports_bp
    from .web.results.routes import bp as results_bp
    from .web.survey.routes import bp as survey_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(survey_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(bureau_bp)
    app.register_blueprint(admin_bp)
