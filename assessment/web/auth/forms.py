"""Registration and login forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from assessment.core.enterprise import industries, towns
from assessment.core.uscc import validate_uscc
from assessment.services.accounts import email_taken, password_problem, uscc_taken
from assessment.web.extensions import db
from assessment.web.forms_common import message, raise_problem
from assessment.web.i18n import current_lang

REQUIRED = _l("This field is required.")
# Beyond any Cixi manufacturer (the largest employ a few tens of thousands).
MAX_EMPLOYEES = 200_000
MAX_REVENUE_WAN = 10_000_000  # 1,000 亿元


# Made before the shared enterprise fields so that the registration form lists it first (WTForms
# orders fields by when they were made).
_USCC_FIELD = StringField(
    _l("Unified social credit code (统一社会信用代码)"),
    validators=[InputRequired(REQUIRED), Length(max=40)],
    description=_l("18 characters, printed on your business licence."),
)


class EnterpriseFields(FlaskForm):
    """The enterprise's facts as typed at registration and edited on the profile page: one set of
    fields, validators and messages for both."""

    name = StringField(
        _l("Enterprise name"), validators=[InputRequired(REQUIRED), Length(min=2, max=200)]
    )
    town = SelectField(_l("Town / subdistrict"), validators=[InputRequired(REQUIRED)])
    industry = SelectField(_l("Industry"), validators=[InputRequired(REQUIRED)])
    employees = IntegerField(
        _l("Employees (从业人员)"),
        validators=[
            InputRequired(_l("Please enter the number of employees as a whole number.")),
            NumberRange(0, MAX_EMPLOYEES, _l("Please enter a number from %(min)s to %(max)s.")),
        ],
        description=_l("Average number of people employed last year."),
    )
    revenue_wan = DecimalField(
        _l("Annual revenue (营业收入, 10,000 yuan)"),
        places=None,
        validators=[
            InputRequired(_l("Please enter last year's revenue in 10,000 yuan (万元).")),
            NumberRange(0, MAX_REVENUE_WAN, _l("Please enter a number from %(min)s to %(max)s.")),
        ],
        description=_l("Last year's revenue in 万元, e.g. 3500 for 35 million yuan."),
    )
    contact_name = StringField(
        _l("Contact person"), validators=[InputRequired(REQUIRED), Length(max=60)]
    )
    contact_phone = StringField(
        _l("Contact phone"),
        validators=[
            InputRequired(REQUIRED),
            Length(max=40),
            Regexp(
                r"^[0-9+\-() ]{7,40}$",
                message=_l("Please enter a phone number (digits, + - and spaces)."),
            ),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lang = current_lang()
        placeholder = [SelectChoice("", str(_l("— choose —")))]
        self.town.choices = placeholder + [SelectChoice(t.code, t.label(lang)) for t in towns()]
        self.industry.choices = placeholder + [
            SelectChoice(i.code, i.label(lang)) for i in industries()
        ]


class RegisterForm(EnterpriseFields):
    uscc = _USCC_FIELD
    email = EmailField(
        _l("Email (used to sign in)"),
        validators=[
            InputRequired(REQUIRED),
            Length(max=254),
            Email(_l("Please enter a valid email address."), check_deliverability=False),
        ],
    )
    password = PasswordField(_l("Password"), validators=[InputRequired(REQUIRED), Length(max=128)])
    password2 = PasswordField(
        _l("Repeat password"),
        validators=[InputRequired(REQUIRED), EqualTo("password", _l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Register"))

    def validate_uscc(self, field):
        code, problems = validate_uscc(field.data or "")
        if problems:
            raise ValidationError(message(problems[0]))
        if uscc_taken(db.session, code):
            raise ValidationError(
                _l(
                    "An enterprise with this code is already registered. Sign in, or ask its contact person for access."
                )
            )
        field.data = code

    def validate_email(self, field):
        if email_taken(db.session, field.data or ""):
            raise ValidationError(_l("An account with this email already exists. Please sign in."))

    def validate_password(self, field):
        raise_problem(password_problem(field.data or "", self.email.data or ""))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(REQUIRED), Length(max=128)])
    submit = SubmitField(_l("Sign in"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Sign out"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            InputRequired(REQUIRED),
            Length(max=254),
            Email(_l("Please enter a valid email address."), check_deliverability=False),
        ],
        description=_l("The address you sign in with."),
    )
    submit = SubmitField(_l("Send me a link"))


def new_password_field() -> PasswordField:
    """The new password (a fresh field each call: WTForms orders fields by when they were made)."""
    return PasswordField(_l("New password"), validators=[InputRequired(REQUIRED), Length(max=128)])


def repeated_password_field() -> PasswordField:
    """The new password typed again."""
    return PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(REQUIRED), EqualTo("password", _l("The two passwords differ."))],
    )


class NewPasswordForm(FlaskForm):
    """A new password typed twice, checked by the password rules; `account_email` is set by the
    view (a password equal to the address is refused)."""

    account_email = ""
    password = new_password_field()
    password2 = repeated_password_field()
    submit = SubmitField(_l("Set the new password"))

    def validate_password(self, field):
        raise_problem(password_problem(field.data or "", self.account_email))


class ResendVerificationForm(FlaskForm):
    next = HiddenField()
    submit = SubmitField(_l("Send the link again"))


__all__ = [
    "EnterpriseFields",
    "ForgotPasswordForm",
    "LoginForm",
    "LogoutForm",
    "NewPasswordForm",
    "Optional",
    "RegisterForm",
    "ResendVerificationForm",
]
