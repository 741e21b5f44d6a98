"""The account page's forms: changing one's own password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import PasswordField, ValidationError
from wtforms.validators import InputRequired, Length

from assessment.services.password_reset import password_matches
from assessment.web.auth.forms import (
    REQUIRED,
    NewPasswordForm,
    new_password_field,
    repeated_password_field,
)


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(REQUIRED), Length(max=128)]
    )
    # Made again after the current password, so errors are listed in the order fields are shown.
    password = new_password_field()
    password2 = repeated_password_field()

    def validate_current_password(self, field):
        if not password_matches(current_user, field.data or ""):
            raise ValidationError(_l("This is not your current password."))

    def validate_password(self, field):
        super().validate_password(field)
        if field.data and field.data == self.current_password.data:
            raise ValidationError(_l("Choose a password different from the current one."))
