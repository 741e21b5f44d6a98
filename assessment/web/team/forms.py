"""Colleague forms: invite by email, accept an invitation, one's own name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from assessment.services.accounts import password_problem
from assessment.web.forms_common import raise_problem

REQUIRED = _l("This field is required.")
MAX_NAME = 60


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _name_field() -> StringField:
    return StringField(
        _l("Your name"),
        validators=[
            InputRequired(REQUIRED),
            Length(max=MAX_NAME, message=_l("Please use at most %(max)d characters.")),
        ],
        description=_l("Shown to your colleagues beside what you saved, e.g. 张三 or 生产部 李四."),
        filters=[_strip],
    )


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Colleague's email"),
        validators=[
            InputRequired(REQUIRED),
            Length(max=254),
            Email(_l("Please enter a valid email address."), check_deliverability=False),
        ],
        description=_l("We email them a link to join; it is valid for 7 days."),
        filters=[_strip],
    )
    submit = SubmitField(_l("Send invitation"))


class AcceptForm(FlaskForm):
    display_name = _name_field()
    password = PasswordField(
        _l("Choose a password"), validators=[InputRequired(REQUIRED), Length(max=128)]
    )
    password2 = PasswordField(
        _l("Repeat password"),
        validators=[InputRequired(REQUIRED), EqualTo("password", _l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Join and sign in"))

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_password(self, field):
        raise_problem(password_problem(field.data or "", self._email))


class NameForm(FlaskForm):
    display_name = _name_field()
    submit = SubmitField(_l("Save name"))


class ActionForm(FlaskForm):
    """The CSRF-protected buttons: withdraw, remove, hand over."""
