"""Two-step verification forms: a code (from the app, or a recovery code), and disabling."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from assessment.services.mfa import looks_like_totp

REQUIRED = _l("This field is required.")
SIX_DIGITS = _l("Enter the 6-digit code shown in your authenticator app.")


def _six_digits(_form, field) -> None:
    if not looks_like_totp(field.data or ""):
        raise ValidationError(SIX_DIGITS)


def _code_field(label, description=None, validators=()) -> StringField:
    return StringField(
        label,
        validators=[InputRequired(SIX_DIGITS), Length(max=64), *validators],
        description=description,
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"},
    )


class StartForm(FlaskForm):
    """Start (or restart) the enrolment: a new secret and QR code."""

    submit = SubmitField(_l("Set up two-step verification"))


class ConfirmForm(FlaskForm):
    """The first code from the app turns two-step verification on."""

    code = _code_field(_l("Code from the app"), validators=[_six_digits])
    submit = SubmitField(_l("Turn on"))


class RegenerateForm(FlaskForm):
    """New recovery codes, after a code from the app."""

    code = _code_field(_l("Code from the app"), validators=[_six_digits])
    submit = SubmitField(_l("Make new recovery codes"))


class DisableForm(FlaskForm):
    """Turning two-step verification off takes the password and a code from the app."""

    password = PasswordField(_l("Password"), validators=[InputRequired(REQUIRED), Length(max=128)])
    code = _code_field(_l("Code from the app"), validators=[_six_digits])
    submit = SubmitField(_l("Turn off two-step verification"))


class ChallengeForm(FlaskForm):
    """The sign-in step: a code from the app, or one recovery code."""

    code = StringField(
        _l("Verification code"),
        validators=[InputRequired(_l("Enter the 6-digit code, or a recovery code.")),
                    Length(max=64)],
        description=_l("The 6-digit code your authenticator app shows now, or one of your "
                       "recovery codes."),
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off",
                   "autofocus": True},
    )  # fmt: skip
    submit = SubmitField(_l("Verify and sign in"))
