"""Flask extensions, created unbound and bound to an app in the factory (flaskbb style)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker


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


def create_engine_for(url: str, echo: bool = False) -> Engine:
    """Create an engine with the settings each backend needs for real use.

    SQLite gets WAL, a busy timeout and foreign keys on every connection, so that
    concurrent submits wait instead of failing with "database is locked".
    """
    from sqlalchemy import create_engine

    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)


db = Database()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
