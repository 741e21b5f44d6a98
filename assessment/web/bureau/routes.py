"""The economic bureau's workspace: dashboard, enterprises, exports."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("bureau", __name__, url_prefix="/bureau")
