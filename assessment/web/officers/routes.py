"""Admin: the towns of a town officer (镇街 经发办), set and changed from the user list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from assessment.core.enums import Role
from assessment.services import town_officers
from assessment.services.models import User
from assessment.web.access import admin_required
from assessment.web.extensions import db
from assessment.web.forms_common import message
from assessment.web.officers.forms import TownsForm

bp = Blueprint("officers", __name__, url_prefix="/admin")
MAX_ID = 2**31 - 1  # larger ids cannot exist (and PostgreSQL would refuse to compare them)


def _officer(user_id: int) -> User:
    user = db.session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None or user.role != Role.TOWN_OFFICER:
        abort(404)
    return user


@bp.route("/users/<int:user_id>/towns", methods=["GET", "POST"])
@admin_required
def towns(user_id: int):
    """Show and change the towns whose enterprises a town officer sees (audited)."""
    officer = _officer(user_id)
    form = TownsForm(data={"towns": officer.towns or []} if request.method == "GET" else None)
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("The page had expired. Please send it again."), "warning")
        else:
            problem = town_officers.set_towns(db.session, current_user._get_current_object(),
                                              officer, form.towns.data or [], request.remote_addr)  # fmt: skip
            if problem is None:
                flash(_("The towns of %(email)s are saved.", email=officer.email), "success")
                return redirect(url_for("admin.users", role=Role.TOWN_OFFICER.value))
            form.towns.errors = [message(problem)]
    return render_template("admin/officer_towns.html", form=form, officer=officer)
