"""The invitation-code form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length


class CodeForm(FlaskForm):
    """An invitation code as printed on the letter (spaces, hyphens and lower case are fine)."""

    code = StringField(
        _l("Invitation code"),
        validators=[InputRequired(_l("Enter the code printed on your invitation letter.")),
                    Length(max=40)],
        description=_l("12 letters and digits, e.g. ABCD-EFGH-JKMN."),
    )  # fmt: skip
    submit = SubmitField(_l("Continue"))
