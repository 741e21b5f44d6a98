"""Flask extensions, created unbound and bound to an app in the factory (flaskbb style)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from assessment.services.database import create_engine_for


@dataclass
class _DatabaseState:
    engine: Engine
    session: scoped_session[Session]


class Database:
    """Binds one SQLAlchemy engine and a scoped session to each app.

    Services take a plain `Session` argument, so the domain never imports Flask;
    views pass `db.session`.
    """

    def init_app(self, app: Flask) -> None:
        """Create the engine for `app.config['DATABASE_URL']` and tie session cleanup to the app context."""
        engine = create_engine_for(app.config["DATABASE_URL"], echo=app.config["DATABASE_ECHO"])
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        app.extensions["database"] = _DatabaseState(engine, scoped_session(factory))

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            app.extensions["database"].session.remove()

    @property
    def session(self) -> Session:
        """The current app's session (a thread-local scoped session)."""
        return current_app.extensions["database"].session()

    @property
    def engine(self) -> Engine:
        """The current app's engine."""
        return current_app.extensions["database"].engine


db = Database()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
mail = Mail()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
