"""Admin: one enterprise's profile and the correction of its 统一社会信用代码 (audited with the
old and new code and the reason). The code is fixed for the enterprise's own users."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from assessment.services.models import Enterprise, User
from assessment.services.profile import correct_uscc
from assessment.web.access import admin_required
from assessment.web.errors import csrf_failed
from assessment.web.extensions import db
from assessment.web.forms_common import message

bp = Blueprint("admin_enterprises", __name__, url_prefix="/admin/enterprises")
MAX_REASON = 500


class UsccCorrectionForm(FlaskForm):
    uscc = StringField(
        _l("Correct unified social credit code"),
        validators=[InputRequired(_l("This field is required.")), Length(max=40)],
        description=_l("18 characters, as printed on the business licence."),
    )
    reason = TextAreaField(
        _l("Reason for the correction"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Say why the code is corrected; it is kept in the audit log.")),
            Length(max=MAX_REASON, message=_l("Use at most %(max)s characters.")),
        ],
        description=_l("For example: a typing error at registration, checked against the licence."),
    )
    submit = SubmitField(_l("Correct the code"))


def _enterprise(public_id: str) -> Enterprise:
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.public_id == public_id))
    if enterprise is None:
        abort(404)
    return enterprise


def _page(enterprise: Enterprise, form: UsccCorrectionForm):
    users = db.session.scalars(
        select(User).where(User.enterprise_id == enterprise.id).order_by(User.id)
    ).all()
    return render_template("admin/enterprise.html", enterprise=enterprise, form=form, users=users)


@bp.get("/<public_id>")
@admin_required
def show(public_id: str):
    """The enterprise's profile, its accounts and the form to correct its code."""
    return _page(_enterprise(public_id), UsccCorrectionForm(formdata=None))


@bp.post("/<public_id>/uscc")
@admin_required
def correct(public_id: str):
    """Correct the code: valid, not another enterprise's, with a reason; audited."""
    enterprise = _enterprise(public_id)
    form = UsccCorrectionForm()
    if csrf_failed():
        flash(_("The page had expired, so nothing was saved yet. Please send it again."), "warning")
    elif form.validate_on_submit():
        old = enterprise.uscc
        problem = correct_uscc(
            db.session, enterprise, form.uscc.data, form.reason.data,
            current_user._get_current_object(), request.remote_addr,
        )  # fmt: skip
        if problem is None:
            flash(_("The code is corrected: %(old)s → %(new)s.", old=old, new=enterprise.uscc),
                  "success")  # fmt: skip
            return redirect(url_for("admin_enterprises.show", public_id=public_id))
        form.uscc.errors = [message(problem)]
    return _page(enterprise, form)
