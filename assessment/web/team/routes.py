"""Colleagues: the team page (owner: invite, withdraw, remove, hand over; members: read only) and
the public page an invitation link opens."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from assessment.core.enums import Membership
from assessment.core.text import N_
from assessment.services import invitations, team
from assessment.services.models import utcnow
from assessment.web.access import enterprise_required, owner_required
from assessment.web.auth.routes import _start_session
from assessment.web.errors import csrf_failed
from assessment.web.extensions import db, limiter
from assessment.web.forms_common import message
from assessment.web.mail import send_mail
from assessment.web.team.forms import AcceptForm, ActionForm, InviteForm, NameForm

bp = Blueprint("team", __name__)

MAIL_SUBJECT = N_("An invitation to your enterprise's digital maturity self-assessment")
EXPIRED = N_("The page had expired, so nothing was done yet. Please check and send it again.")


def _invite_limit() -> str:
    return current_app.config["RATELIMIT_INVITE"]


def _invite_key() -> str:
    # Per enterprise, so several browsers of one owner share the count; anonymous requests (sent
    # to sign-in by the view) fall back to the address.
    enterprise_id = getattr(current_user, "enterprise_id", None)
    return f"team-invite:{enterprise_id}" if enterprise_id else get_remote_address()


def _accept_limit() -> str:
    return current_app.config["RATELIMIT_INVITE_ACCEPT"]


@bp.errorhandler(429)
def _too_many(_exc):
    """The throttles' own words: how long to wait, and that nothing is lost."""
    if request.endpoint == "team.accept":
        text = _(
            "Too many attempts to open invitation links from your network. Please wait a few "
            "minutes and try again; your invitation stays valid."
        )
    else:
        text = _(
            "You have sent many invitations in a short time. Please wait an hour before sending "
            "more; the invitations already sent stay valid."
        )
    return render_template("errors.html", code=429, title=_("Too many attempts"), text=text), 429


def _render_team(invite_form=None, name_form=None, manual_link=None, status=200):
    """The team page; `manual_link` = (email, link) when the invitation email failed."""
    enterprise = current_user.enterprise
    is_owner = current_user.membership == Membership.OWNER
    return render_template(
        "team/index.html",
        enterprise=enterprise,
        members=team.members(db.session, enterprise),
        invitations=invitations.open_invitations(db.session, enterprise) if is_owner else [],
        is_owner=is_owner,
        invite_form=invite_form or InviteForm(formdata=None),
        name_form=name_form or NameForm(formdata=None, display_name=current_user.display_name),
        action_form=ActionForm(),
        manual_link=manual_link,
        now=utcnow(),
    ), status


@bp.get("/account/team")
@enterprise_required
def index():
    """Colleagues of the enterprise: the owner manages them, members see who they are."""
    return _render_team()


@bp.post("/account/team/invite")
@owner_required
@limiter.limit(_invite_limit, key_func=_invite_key)
def invite():
    """Invite a colleague by email; when the email cannot be sent, show the link to pass on."""
    form = InviteForm()
    if csrf_failed():
        flash(_(EXPIRED), "warning")
        return _render_team(invite_form=form)
    if not form.validate_on_submit():
        return _render_team(invite_form=form)
    enterprise = current_user.enterprise
    owner = current_user._get_current_object()
    try:
        invitation, token = invitations.invite(
            db.session, enterprise, form.email.data, owner, request.remote_addr
        )
    except team.TeamError as exc:
        form.email.errors = [message(exc.problem)]
        return _render_team(invite_form=form)
    link = url_for("team.accept", token=token, _external=True)
    sent = send_mail(invitation.email, MAIL_SUBJECT, "invitation", link=link,
                     enterprise=enterprise.name, inviter=owner.label,
                     expires_at=invitation.expires_at)  # fmt: skip
    if not sent:
        return _render_team(manual_link=(invitation.email, link))
    flash(_("Invitation sent to %(email)s. The link in it is valid for 7 days.",
            email=invitation.email), "success")  # fmt: skip
    return redirect(url_for("team.index"))


def _act(action, target_id: int, done):
    """Run one owner action on a colleague or invitation: 404 when it is not this enterprise's,
    its problem as a message when it cannot be done, else `done(target)` as the message."""
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_(EXPIRED), "warning")
        return redirect(url_for("team.index"))
    try:
        target = action(db.session, current_user.enterprise, target_id,
                        current_user._get_current_object(), request.remote_addr)  # fmt: skip
    except team.NotFoundError:
        abort(404)
    except team.TeamError as exc:
        flash(message(exc.problem), "error")
    else:
        flash(done(target), "success")
    return redirect(url_for("team.index"))


@bp.post("/account/team/invitations/<int:invitation_id>/revoke")
@owner_required
def revoke(invitation_id: int):
    """Withdraw an invitation: its link stops working."""
    return _act(invitations.revoke, invitation_id,
                lambda inv: _("The invitation of %(email)s was withdrawn.", email=inv.email))  # fmt: skip


@bp.post("/account/team/members/<int:user_id>/remove")
@owner_required
def remove(user_id: int):
    """Remove a colleague: their access ends at once."""
    return _act(team.remove, user_id,
                lambda user: _("%(name)s was removed and can no longer sign in.", name=user.label))  # fmt: skip


@bp.post("/account/team/members/<int:user_id>/owner")
@owner_required
def transfer(user_id: int):
    """Hand ownership to a colleague; the owner becomes a member."""
    return _act(team.transfer, user_id,
                lambda user: _("%(name)s is now the owner. You remain a member.", name=user.label))  # fmt: skip


@bp.post("/account/team/name")
@enterprise_required
def rename():
    """Set one's own name as colleagues see it."""
    form = NameForm()
    if csrf_failed():
        flash(_(EXPIRED), "warning")
        return _render_team(name_form=form)
    if not form.validate_on_submit():
        return _render_team(name_form=form)
    team.rename(db.session, current_user._get_current_object(), form.display_name.data)
    flash(_("Your name was saved."), "success")
    return redirect(url_for("team.index"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(_accept_limit)
def accept(token: str):
    """The page an invitation link opens: choose a name and password, join, and sign in."""
    try:
        invitation = invitations.find(db.session, token)
    except team.TeamError as exc:
        status = 404 if exc.problem.message == invitations.UNKNOWN_LINK else 410
        return render_template("team/accept.html", problem=message(exc.problem)), status
    if current_user.is_authenticated:
        return render_template("team/accept.html", invitation=invitation, signed_in=True)
    form = AcceptForm(email=invitation.email)
    problem = None
    if csrf_failed():
        problem = _("The page had expired. Please enter your password again and send it.")
    elif form.validate_on_submit():
        try:
            user = invitations.accept(db.session, token, form.display_name.data, form.password.data,
                               request.remote_addr)  # fmt: skip
        except team.TeamError as exc:
            problem = message(exc.problem)
        else:
            _start_session(user)
            flash(_("Welcome to %(enterprise)s. You can now fill and view its assessments.",
                    enterprise=invitation.enterprise.name), "success")  # fmt: skip
            return redirect(url_for("survey.home"))
    return render_template("team/accept.html", invitation=invitation, form=form, problem=problem)
