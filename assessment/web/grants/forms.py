"""The owner's form granting a service provider access."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import Email, InputRequired, Length, ValidationError

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class GrantForm(FlaskForm):
    email = EmailField(
        _l("Email of the service provider's account"),
        validators=[
            InputRequired(_l("This field is required.")),
            Length(max=254, message=_l("Too long: use at most %(max)s characters.")),
            Email(_l("Please enter a valid email address."), check_deliverability=False),
        ],
    )
    ends_on = StringField(
        _l("Access until (inclusive)"),
        render_kw={"type": "date", "placeholder": "YYYY-MM-DD"},
        description=_l("Access ends at the end of this day; at most one year from today."),
    )

    def validate_ends_on(self, field):
        """A YYYY-MM-DD day (the service checks the range); kept as typed when it is not one."""
        raw = (field.data or "").strip()
        if not raw:
            raise ValidationError(_l("Enter the last day of access."))
        if not DATE_RE.match(raw):
            raise ValidationError(_l("Enter a date as YYYY-MM-DD, e.g. 2025-03-31."))
        try:
            date.fromisoformat(raw)
        except ValueError:
            raise ValidationError(_l("This date does not exist. Use YYYY-MM-DD.")) from None

    def end_day(self) -> date:
        """The validated last day."""
        return date.fromisoformat(self.ends_on.data.strip())
