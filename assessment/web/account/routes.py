"""The signed-in user's own account: one page linking each part (password, security, colleagues,
service providers, the enterprise profile, my data); each part lives in its own area."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.get("/")
@login_required
def index():
    """The account overview."""
    return render_template("account/index.html")
