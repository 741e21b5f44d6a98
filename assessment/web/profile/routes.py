"""The enterprise profile: every enterprise user reads it, the owner edits it (the size class is
recomputed); the 统一社会信用代码 is fixed here (an administrator corrects it)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from assessment.core.enterprise import size_label
from assessment.core.enums import Membership
from assessment.services.profile import update_profile
from assessment.web.access import enterprise_required, owner_required
from assessment.web.errors import csrf_failed
from assessment.web.extensions import db
from assessment.web.i18n import current_lang
from assessment.web.profile.forms import ProfileForm, initial

bp = Blueprint("profile", __name__, url_prefix="/account")


def _page(form: ProfileForm | None):
    enterprise = current_user.enterprise
    owners = [u for u in enterprise.users if u.membership == Membership.OWNER and u.active]
    return render_template("account/profile.html", enterprise=enterprise, form=form, owners=owners)


@bp.get("/profile")
@enterprise_required
def show():
    """The profile: a form for the owner, read-only for members."""
    is_owner = current_user.membership == Membership.OWNER
    return _page(ProfileForm(data=initial(current_user.enterprise)) if is_owner else None)


@bp.post("/profile")
@owner_required
def update():
    """Save the owner's edit; errors come back next to their fields with what was typed."""
    form = ProfileForm()
    if csrf_failed():
        flash(
            _("The page had expired, so nothing was saved yet. Please check and send it again."),
            "warning",
        )
    elif form.validate_on_submit():
        enterprise = current_user.enterprise
        changes = update_profile(
            db.session, enterprise, form.profile(), current_user._get_current_object(),
            request.remote_addr,
        )  # fmt: skip
        if not changes:
            flash(_("Nothing was changed."), "info")
        else:
            flash(
                _(
                    "The profile is saved. Size class: %(size)s. The change applies from the next "
                    "assessment you submit.",
                    size=size_label(enterprise.size_class, current_lang()),
                ),
                "success",
            )
        return redirect(url_for("profile.show"))
    return _page(form)
