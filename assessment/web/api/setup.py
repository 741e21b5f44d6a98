"""Wire the API into the app: flask-smorest, its blueprints, per-token limits, no CSRF (no cookie
authenticates the API), and the offline reference page."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template

from assessment.web.api import core
from assessment.web.api.bureau import blp as bureau_blp
from assessment.web.api.bureau_exports import blp as exports_blp
from assessment.web.api.enterprise import blp as enterprise_blp
from assessment.web.api.problems import PREFIX
from assessment.web.extensions import csrf, limiter

BLUEPRINTS = (enterprise_blp, bureau_blp, exports_blp)
reference_bp = Blueprint("api_reference", __name__, url_prefix=PREFIX)


@reference_bp.get("/docs")
def reference():
    """A readable reference rendered on the server from the OpenAPI document (no CDN, no JS)."""
    spec = current_app.extensions["api"].spec.to_dict()
    return render_template("api/reference.html", spec=spec)


def register(app: Flask) -> None:
    """Install the API on `app`."""
    api = core.configure(app)
    app.extensions["api"] = api
    for blp in BLUEPRINTS:
        csrf.exempt(blp)
        limiter.limit(core.api_limit, key_func=core.token_key)(blp)
        api.register_blueprint(blp)
    app.register_blueprint(reference_bp)
