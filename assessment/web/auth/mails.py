"""The account mails: the address-verification link, the password-reset link and the notice that a
password was changed. Each is sent in one language (the reader's: the page's language when they
asked, else the site's default) and a failure is told to the user, never undoing what they did."""

from __future__ import annotations

from flask import current_app, flash, url_for
from flask_babel import gettext as _

from assessment.core.text import N_
from assessment.services.email_verification import verification_token
from assessment.services.models import User, utcnow
from assessment.services.password_reset import reset_token
from assessment.web.mail import send_mail

SUBJECT_VERIFY = N_("Confirm your email address")
SUBJECT_RESET = N_("Reset your password")
SUBJECT_CHANGED = N_("Your password was changed")


def send_reset_link(user: User) -> bool:
    """Mail a password-reset link to the user; False when the mail could not be sent."""
    token = reset_token(current_app.secret_key, user)
    return send_mail(
        user.email,
        SUBJECT_RESET,
        "password_reset",
        email=user.email,
        link=url_for("auth.reset", token=token, _external=True),
        forgot_link=url_for("auth.forgot", _external=True),
        minutes=max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 60),
    )


def send_password_changed(user: User, by_admin: bool = False, lang: str | None = None) -> bool:
    """Tell the user their password changed (and what to do if it was not them)."""
    return send_mail(
        user.email,
        SUBJECT_CHANGED,
        "password_changed",
        lang=lang,
        email=user.email,
        when=utcnow(),
        by_admin=by_admin,
        forgot_link=url_for("auth.forgot", _external=True),
    )


def mail_verification_link(user: User) -> bool:
    """Mail the link that confirms the user's address, and say on the next page what happened."""
    token = verification_token(current_app.secret_key, user)
    sent = send_mail(
        user.email,
        SUBJECT_VERIFY,
        "verify_email",
        email=user.email,
        link=url_for("auth.verify", token=token, _external=True),
        days=max(1, current_app.config["EMAIL_VERIFY_MAX_AGE"] // 86400),
    )
    if sent:
        flash(
            _(
                "We sent a link to %(email)s. Open it to confirm your address: you need that "
                "before you submit an assessment (you can start filling in now).",
                email=user.email,
            ),
            "info",
        )
    else:
        flash(
            _(
                "The confirmation email to %(email)s could not be sent just now. Your account is "
                "ready; please send the link again later from My account.",
                email=user.email,
            ),
            "warning",
        )
    return sent
