"""The form that creates an API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from assessment.services.api_tokens import MAX_DAYS, MAX_NAME

SCOPE_LABELS = {
    "read:own": _l("Read my enterprise's assessments and results"),
    "write:own": _l("Fill and submit my enterprise's assessments"),
    "bureau:read": _l("Read the bureau's figures and enterprise list (my scope)"),
    "bureau:export": _l("Download the bureau's exports (my scope)"),
}
# A service provider's token works for the enterprises that granted it access, one per call.
PROVIDER_SCOPE_LABELS = {
    "read:own": _l("Read the assessments of the enterprises that granted me access"),
    "write:own": _l("Fill and submit assessments for the enterprises that granted me access"),
}


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[InputRequired(_l("Give the token a name.")), Length(max=MAX_NAME)],
        description=_l("What the token is for, e.g. 'ERP sync'."),
    )
    scopes = SelectMultipleField(
        _l("Scopes"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[InputRequired(_l("Choose at least one of the scopes offered."))],
    )
    days = IntegerField(
        _l("Valid for (days)"),
        default=90,
        validators=[
            InputRequired(_l("Enter a number of days.")),
            NumberRange(1, MAX_DAYS, _l("Enter a number of days from 1 to %(max)s.", max=MAX_DAYS)),
        ],
    )
